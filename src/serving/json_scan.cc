#include "serving/json_scan.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <string_view>
#include <type_traits>

#include "serving/json_scanner.h"

#if defined(__x86_64__)
// GCC 12 reports the deliberately undefined pass-through operands inside its own AVX-512
// intrinsics as (maybe) uninitialized once they are inlined.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
#include <immintrin.h>
#define TFPORT_JSON_AVX512 1
#endif

namespace tfport::serving::json_fast {
namespace {

constexpr uint64_t kZeros = 0x3030303030303030u;

uint64_t load8(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);  // little-endian: the first character is the lowest byte
  return v;
}

// Bytes of v (v - '0' in `digits`) that are not digits have their top bit set; borrows and
// carries only travel upwards from such bytes, so the lowest flag is exact.
uint64_t non_digit_flags(uint64_t v, uint64_t digits) { return (digits | (v + 0x4646464646464646u)) & 0x8080808080808080u; }

bool is_ws(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

// kRowMasks[step][first]: the bits first, first + step, ... below 8 (rows of `step` numbers
// whose next end falls on bit `first` of a group of eight).
constexpr auto kRowMasks = [] {
  std::array<std::array<uint8_t, 8>, 9> masks{};
  for (unsigned step = 1; step <= 8; ++step) {
    for (unsigned first = 0; first < 8; ++first) {
      unsigned m = 0;
      for (unsigned k = first; k < 8; k += step) m |= 1u << k;
      masks[step][first] = static_cast<uint8_t>(m);
    }
  }
  return masks;
}();

// The fast conversion reads up to this many bytes from a number's first byte; numbers closer
// to the end of the buffer take the exact scanner.
constexpr std::ptrdiff_t kNumberWindow = 32;

template <typename T>
class RangeScanner {
 public:
  RangeScanner(const char* buffer_end, int rank, T* out, std::size_t capacity, RangeScan* result)
      : buffer_end_(buffer_end), rank_(rank), out_(out), capacity_(capacity), r_(result) {
#ifdef TFPORT_JSON_AVX512
    vector_ = scan_isa() == ScanIsa::kAvx512;
#endif
  }

  enum Step { kNext, kEnded, kFailed };

  // The number at `s` and the gap after it, which must lead to the number at `next` (or close
  // the outermost array).
  [[gnu::always_inline]] Step number_then_gap(const char* s, const char* next) {
    const char* e = number(s);
    if (e == nullptr) return kFailed;
    // The usual gaps: "," and ", ".
    if (*e == ',') {
      const char* q = e + 1 + (e[1] == ' ');
      if (q == next) return kNext;
    }
    return gap(e, next);
  }

  // The last number of the range: the gap after it closes the outermost array or, with a
  // `stop`, is the comma at `stop`.
  Step last_number(const char* s, const char* stop) {
    const char* e = number(s);
    if (e == nullptr) return kFailed;
    int closed = 0;
    const char* q = skip_closing(e, &closed);
    if (q == nullptr) return kEnded;
    return closed == 0 && q == stop ? kNext : kFailed;
  }

  // Numbers s[0, n), each followed by the gap up to s[i + 1] (so s holds n + 1 starts).
  Step run(const char* const* s, std::size_t n) {
#ifdef TFPORT_JSON_AVX512
    if constexpr (std::is_floating_point_v<T>) {
      if (vector_) return run_avx512(s, n);
    }
#endif
    for (std::size_t i = 0; i < n; ++i) {
      const Step step = number_then_gap(s[i], s[i + 1]);
      if (step != kNext) return step;
    }
    return kNext;
  }

  std::size_t count() const { return count_; }

 private:
#ifdef TFPORT_JSON_AVX512
  // Eight numbers parsed by the vector code: what store_values() needs to write those of them
  // (lanes in `ok`) to out_[at, at + 8).
  struct ParsedGroup {
    alignas(64) uint64_t mantissa[8];
    uint64_t fraction_digits[8];
    std::size_t at;
    uint8_t ok, negative;
  };
  static constexpr std::size_t kMaxGroups = 64;
  Step run_avx512(const char* const* s, std::size_t n);
  void store_values(const ParsedGroup* parsed, std::size_t groups);
#endif

  // Converts the number at `s` into the next output element; returns the byte after it, or
  // nullptr to refuse the body.
  [[gnu::always_inline]] const char* number(const char* s) {
    if (count_ == capacity_) return nullptr;
    if (buffer_end_ - s < kNumberWindow) return exact_number(s);
    const bool negative = *s == '-';
    const char* p = s + negative;
    const uint64_t a = load8(p), a_digits = a - kZeros;
    const uint64_t a_flags = non_digit_flags(a, a_digits);
    if (a_flags == 0) return exact_number(s);  // eight or more integer digits
    const int int_digits = __builtin_ctzll(a_flags) >> 3;
    // No digit ("-", "-x"), or a leading zero: the exact scanner refuses them.
    if (int_digits == 0 || (int_digits > 1 && (a & 0xff) == '0')) return exact_number(s);
    uint64_t mantissa;
    int fraction_digits = 0;
    const char* e;
    if (((a >> (8 * int_digits)) & 0xff) == '.') {
      // The digits with the '.' taken out: those before it from `a`, those after from the
      // same bytes one further on.
      const uint64_t before = (uint64_t{1} << (8 * int_digits)) - 1;
      const uint64_t w = (a & before) | (load8(p + 1) & ~before), w_digits = w - kZeros;
      const uint64_t w_flags = non_digit_flags(w, w_digits);
      if (w_flags != 0) {
        const int digits = __builtin_ctzll(w_flags) >> 3;
        fraction_digits = digits - int_digits;
        if (fraction_digits == 0) return exact_number(s);  // "1." is not JSON
        mantissa = eight_digits(w_digits << (8 * (8 - digits)));
        e = p + digits + 1;
      } else {  // eight digits so far; up to seven more
        const uint64_t x = load8(p + 9), x_digits = x - kZeros;
        const uint64_t x_flags = non_digit_flags(x, x_digits);
        if (x_flags == 0) return exact_number(s);
        const int more = __builtin_ctzll(x_flags) >> 3;
        mantissa = eight_digits(w_digits) * kPow10Int[static_cast<std::size_t>(more)];
        if (more > 0) mantissa += eight_digits(x_digits << (8 * (8 - more)));
        fraction_digits = 8 + more - int_digits;
        e = p + 9 + more;
      }
    } else {
      mantissa = eight_digits(a_digits << (8 * (8 - int_digits)));
      e = p + int_digits;
    }
    if ((*e | 0x20) == 'e') return exact_number(s);  // exponents: rare
    // At most 15 digits: the mantissa and the power of ten are exact doubles, so one division
    // rounds once, correctly (Clinger's fast path).
    if constexpr (std::is_floating_point_v<T>) {
      double v = static_cast<double>(mantissa) / kPow10[static_cast<std::size_t>(fraction_digits)];
      // The integer "-0" is 0 for the exact path (RapidJSON reads it as an int); "-0.0" is -0.0.
      if (negative && (mantissa != 0 || fraction_digits != 0)) v = -v;
      out_[count_++] = static_cast<T>(v);
    } else {
      if (fraction_digits != 0 || (negative && mantissa == 0)) return nullptr;  // as the exact path: not an int
      const int64_t v = negative ? -static_cast<int64_t>(mantissa) : static_cast<int64_t>(mantissa);
      if (v < std::numeric_limits<T>::min() || v > std::numeric_limits<T>::max()) return nullptr;
      out_[count_++] = static_cast<T>(v);
    }
    return e;
  }

  // Long numbers, exponents, numbers near the buffer's end and malformed ones.
  [[gnu::noinline]] const char* exact_number(const char* s) {
    if (count_ == capacity_) return nullptr;
    Scanner scanner(std::string_view(s, static_cast<std::size_t>(buffer_end_ - s)));
    double d = 0;
    int64_t i = 0;
    bool integral = false;
    if (!scanner.number(&d, &i, &integral)) return nullptr;
    if constexpr (std::is_floating_point_v<T>) {
      out_[count_++] = static_cast<T>(d);  // as the exact path: RapidJSON's double, narrowed
    } else {
      if (!integral || i < std::numeric_limits<T>::min() || i > std::numeric_limits<T>::max()) return nullptr;
      out_[count_++] = static_cast<T>(i);
    }
    return scanner.pos();
  }

  // Whitespace and ']'s from q on (counted in *closed): the first other byte (or buffer_end_),
  // or nullptr once they close the outermost array (r_->after is then the byte after it).
  const char* skip_closing(const char* q, int* closed) {
    for (; q < buffer_end_; ++q) {
      if (*q == ']') {
        if (++*closed == rank_) {
          r_->after = q + 1;
          return nullptr;
        }
      } else if (!is_ws(*q)) {
        break;
      }
    }
    return q;
  }

  // Any gap from the byte after a number: ws* (']' ws*)^k ',' ws* ('[' ws*)^k up to `next`, or
  // the ']'s that close the outermost array. Reads stop at `next` at the latest, a number byte.
  Step gap(const char* q, const char* next) {
    int closed = 0;
    q = skip_closing(q, &closed);
    if (q == nullptr) return kEnded;
    if (q == buffer_end_ || *q != ',') return kFailed;
    int opened = 0;
    for (++q;; ++q) {
      if (*q == '[') {
        ++opened;
      } else if (!is_ws(*q)) {
        break;
      }
    }
    if (q != next || opened != closed) return kFailed;
    if (closed > 0) record_break(closed);
    return kNext;
  }

  // The gaps after numbers base + k + 1 for each bit k of `rows` each close one array. Usually
  // they go on the run being extended (a row every `step` numbers): then the run takes all of
  // them at once, without a loop over the bits.
  void record_row_breaks(std::size_t base, unsigned rows) {
    if (run_.closed == 1 && run_.count >= 2 && run_.step >= 1 && run_.step <= 8 && run_next_ > base &&
        run_next_ - base <= 8) {
      const unsigned expected = kRowMasks[run_.step][run_next_ - base - 1];
      if (expected == rows) {
        const unsigned n = static_cast<unsigned>(__builtin_popcount(rows));
        run_.count += n;
        run_next_ += n * run_.step;
        return;
      }
    }
    for (; rows != 0; rows &= rows - 1) {
      count_ = base + static_cast<unsigned>(__builtin_ctz(rows)) + 1;
      record_break(1);
    }
  }

  void record_break(int closed) {
    const uint64_t at = count_;
    if (at == run_next_ && closed == run_.closed) {  // the usual case: the run goes on
      ++run_.count;
      run_next_ += run_.step;
      return;
    }
    if (run_.count == 1 && closed == run_.closed) {  // the run's second gap sets its period
      run_.step = at - run_.first;
      run_.count = 2;
      run_next_ = at + run_.step;
      return;
    }
    if (run_.count > 0) r_->breaks.push_back(run_);
    run_ = BreakRun{at, 0, 1, closed};
    run_next_ = 0;  // no gap is after 0 numbers
  }

 public:
  // Hands the run being extended over to the result; call once, at the end.
  void finish_breaks() {
    if (run_.count > 0) r_->breaks.push_back(run_);
    run_ = BreakRun{};
  }

 private:
  const char* const buffer_end_;
  const int rank_;
  T* const out_;
  const std::size_t capacity_;
  std::size_t count_ = 0;
  RangeScan* const r_;
  BreakRun run_;           // the run of array-closing gaps being extended
  uint64_t run_next_ = 0;  // where its next gap would be
  bool vector_ = false;
};

#ifdef TFPORT_JSON_AVX512
// Eight numbers at a time, one per 64-bit lane, with the steps of number() above: the first 16
// bytes of each number are picked out of the 128 bytes at the group's first number (byte
// permutes: shorter latency than gathers), the '-' and '.' taken out, up to seven digits
// converted with two multiplications, divided by their power of ten (exact: one rounding) and
// narrowed. Lanes whose number is not of the form [-]d{1,7}[.d+] (seven digits at most) or whose
// gap is not "," ", " "],[" or "], [" are finished by the scalar code, in order; lanes it
// converts are not written by the vector code.
#define TFPORT_AVX512_FUNCTION [[gnu::target("avx512f,avx512bw,avx512dq,avx512cd,avx512vl,avx512vbmi,avx512vbmi2")]]

// Index of the lowest set bit's byte; lanes that are zero give a garbage index.
TFPORT_AVX512_FUNCTION inline __m512i lowest_byte(__m512i x) {
  const __m512i lowest = _mm512_and_si512(x, _mm512_sub_epi64(_mm512_setzero_si512(), x));
  return _mm512_srli_epi64(_mm512_sub_epi64(_mm512_set1_epi64(63), _mm512_lzcnt_epi64(lowest)), 3);
}

TFPORT_AVX512_FUNCTION inline __m512i non_digit_flags(__m512i v, __m512i digits) {
  const __m512i above = _mm512_add_epi64(v, _mm512_set1_epi64(0x4646464646464646));
  return _mm512_and_si512(_mm512_or_si512(digits, above), _mm512_set1_epi64(static_cast<int64_t>(0x8080808080808080u)));
}

// eight_digits() per lane: pairs of digits, then pairs of pairs (multiply-adds of neighbours),
// then the two halves.
TFPORT_AVX512_FUNCTION inline __m512i eight_digits(__m512i x) {
  const __m512i pairs = _mm512_maddubs_epi16(x, _mm512_set1_epi16(0x010a));             // 10 * a + b
  const __m512i quads = _mm512_madd_epi16(pairs, _mm512_set1_epi32(0x00010064));        // 100 * ab + cd
  return _mm512_add_epi64(_mm512_mul_epu32(quads, _mm512_set1_epi64(10000)), _mm512_srli_epi64(quads, 32));
}

TFPORT_AVX512_FUNCTION inline __mmask8 equals(__m512i v, int64_t value) {
  return _mm512_cmpeq_epi64_mask(v, _mm512_set1_epi64(value));
}

template <typename T>
TFPORT_AVX512_FUNCTION typename RangeScanner<T>::Step RangeScanner<T>::run_avx512(const char* const* s, std::size_t n) {
  const __m512i zeros = _mm512_set1_epi64(static_cast<int64_t>(kZeros)), one = _mm512_set1_epi64(1);
  // Parsing and the division are separate loops: one loop of both holds too many
  // instructions waiting on one long chain for the next group to start early.
  ParsedGroup parsed[kMaxGroups];
  std::size_t groups = 0;
  std::size_t i = 0;
  alignas(64) uint64_t end_offsets[8];
  const __m512i byte_index = _mm512_set1_epi64(0x0706050403020100);
  const __m512i spread = _mm512_set_epi8(8, 8, 8, 8, 8, 8, 8, 8, 0, 0, 0, 0, 0, 0, 0, 0, 8, 8, 8, 8, 8, 8, 8, 8, 0, 0, 0,
                                         0, 0, 0, 0, 0, 8, 8, 8, 8, 8, 8, 8, 8, 0, 0, 0, 0, 0, 0, 0, 0, 8, 8, 8, 8, 8, 8,
                                         8, 8, 0, 0, 0, 0, 0, 0, 0, 0);
  const __m512i ones = _mm512_set1_epi8(1);
  // Each group's numbers are picked from the 128 bytes at its first number: those 16 bytes
  // after the sign of all eight must lie in them.
  for (; i + 8 <= n && groups < kMaxGroups && buffer_end_ - s[i] >= 128 && s[i + 7] - s[i] <= 111 &&
         capacity_ - count_ >= 8;
       i += 8) {
    const __m512i start = _mm512_loadu_si512(s + i);
    const __m512i text_lo = _mm512_loadu_si512(s[i]), text_hi = _mm512_loadu_si512(s[i] + 64);
    const __m512i offset = _mm512_sub_epi64(start, _mm512_set1_epi64(reinterpret_cast<int64_t>(s[i])));
    // Byte j of lane k picks byte offset[k] + j.
    __m512i index = _mm512_add_epi8(_mm512_shuffle_epi8(offset, spread), byte_index);
    const __m512i first8 = _mm512_permutex2var_epi8(text_lo, index, text_hi);
    const __mmask8 negative =
        _mm512_cmpeq_epi64_mask(_mm512_and_si512(first8, _mm512_set1_epi64(0xff)), _mm512_set1_epi64('-'));
    // The eight bytes after the sign, and the same one byte further on.
    index = _mm512_mask_add_epi64(index, negative, index, ones);
    const __m512i lo = _mm512_permutex2var_epi8(text_lo, index, text_hi);
    const __m512i lo1 = _mm512_permutex2var_epi8(text_lo, _mm512_add_epi8(index, ones), text_hi);

    const __m512i lo_digits = _mm512_sub_epi64(lo, zeros);
    const __m512i lo_flags = non_digit_flags(lo, lo_digits);
    const __m512i int_digits = lowest_byte(lo_flags);
    __mmask8 ok = _mm512_test_epi64_mask(lo_flags, lo_flags);  // fewer than eight integer digits
    ok &= _mm512_cmpneq_epi64_mask(int_digits, _mm512_setzero_si512());
    const __mmask8 leading_zero =
        _mm512_cmpgt_epu64_mask(int_digits, one) &
        _mm512_cmpeq_epi64_mask(_mm512_and_si512(lo, _mm512_set1_epi64(0xff)), _mm512_set1_epi64('0'));
    ok &= ~leading_zero;
    const __mmask8 dot = _mm512_cmpeq_epi64_mask(
        _mm512_and_si512(_mm512_srlv_epi64(lo, _mm512_slli_epi64(int_digits, 3)), _mm512_set1_epi64(0xff)),
        _mm512_set1_epi64('.'));
    const __m512i before = _mm512_sub_epi64(_mm512_sllv_epi64(one, _mm512_slli_epi64(int_digits, 3)), one);
    const __m512i merged = _mm512_or_si512(_mm512_and_si512(lo, before), _mm512_andnot_si512(before, lo1));
    const __m512i w = _mm512_mask_blend_epi64(dot, lo, merged);
    const __m512i w_digits = _mm512_sub_epi64(w, zeros);
    const __m512i w_flags = non_digit_flags(w, w_digits);
    ok &= _mm512_test_epi64_mask(w_flags, w_flags);  // at most seven digits
    const __m512i digits = _mm512_mask_blend_epi64(dot, int_digits, lowest_byte(w_flags));
    const __m512i fraction_digits = _mm512_sub_epi64(digits, int_digits);
    ok &= ~dot | _mm512_cmpneq_epi64_mask(fraction_digits, _mm512_setzero_si512());  // "1." is not JSON
    // The byte after the number, `digits` (+1 past a '.') after the sign.
    const __m512i end = _mm512_mask_add_epi64(digits, dot, digits, one);
    // The eight bytes after the number, picked like the number's own.
    const __m512i gap_bytes =
        _mm512_permutex2var_epi8(text_lo, _mm512_add_epi8(index, _mm512_shuffle_epi8(end, spread)), text_hi);
    const __m512i terminator = _mm512_and_si512(gap_bytes, _mm512_set1_epi64(0xff));
    ok &= _mm512_cmpneq_epi64_mask(_mm512_or_si512(terminator, _mm512_set1_epi64(0x20)), _mm512_set1_epi64('e'));
    const __m512i mantissa = eight_digits(_mm512_sllv_epi64(w_digits, _mm512_slli_epi64(_mm512_sub_epi64(_mm512_set1_epi64(8), digits), 3)));

    // The integer "-0" is 0 for the exact path; "-0.0" is -0.0.
    const __mmask8 flip = negative & (dot | _mm512_test_epi64_mask(mantissa, mantissa));
    _mm512_store_si512(parsed[groups].mantissa, mantissa);
    _mm512_store_si512(parsed[groups].fraction_digits, fraction_digits);
    parsed[groups].at = count_;
    parsed[groups].ok = ok;
    parsed[groups].negative = flip;
    ++groups;

    // The usual gaps right up to the next number: "," or ", ", and "],[" or "], [" where one
    // array closes and the next opens (unless the array has rank 1: then ']' ends it).
    // The gap's bytes (those up to the next number: at most four of them here) as one value.
    const __m512i length = _mm512_mask_add_epi64(end, negative, end, one);
    const __m512i gap_length = _mm512_sub_epi64(_mm512_sub_epi64(_mm512_loadu_si512(s + i + 1), start), length);
    const __m512i gap_text = _mm512_and_si512(
        gap_bytes, _mm512_sub_epi64(_mm512_sllv_epi64(one, _mm512_slli_epi64(gap_length, 3)), one));
    const __mmask8 short_gap = _mm512_cmple_epu64_mask(gap_length, _mm512_set1_epi64(4));
    const __mmask8 gap_ok = short_gap & (equals(gap_text, ',') | equals(gap_text, 0x202c));  // "," ", "
    const __mmask8 row_gap =
        rank_ > 1 ? short_gap & (equals(gap_text, 0x5b2c5d) | equals(gap_text, 0x5b202c5d)) : 0;  // "],[" "], ["
    const std::size_t base = count_;
    if ((ok & (gap_ok | row_gap)) == 0xff) {
      if (row_gap != 0) record_row_breaks(base, row_gap);
      count_ = base + 8;
      continue;
    }
    _mm512_store_si512(end_offsets, length);
    for (unsigned k = 0; k < 8; ++k) {
      Step step = kNext;
      if ((ok >> k) & 1) {
        count_ = base + k + 1;
        if (((gap_ok >> k) & 1) == 0) step = gap(s[i + k] + end_offsets[k], s[i + k + 1]);
      } else {
        count_ = base + k;
        step = number_then_gap(s[i + k], s[i + k + 1]);
      }
      if (step != kNext) {
        store_values(parsed, groups);
        return step;
      }
    }
  }
  store_values(parsed, groups);
  for (; i < n; ++i) {
    const Step step = number_then_gap(s[i], s[i + 1]);
    if (step != kNext) return step;
  }
  return kNext;
}

template <typename T>
TFPORT_AVX512_FUNCTION void RangeScanner<T>::store_values(const ParsedGroup* parsed, std::size_t groups) {
  const __m512d powers = _mm512_loadu_pd(kPow10.data());
  const __m512i sign = _mm512_set1_epi64(static_cast<int64_t>(0x8000000000000000u));
  for (std::size_t g = 0; g < groups; ++g) {
    const ParsedGroup& p = parsed[g];
    // At most seven digits: the mantissa and the power of ten are exact, so one division
    // rounds once, correctly (Clinger's fast path).
    const __m512d divisor = _mm512_permutexvar_pd(_mm512_load_si512(p.fraction_digits), powers);
    __m512i v = _mm512_castpd_si512(_mm512_div_pd(_mm512_cvtepu64_pd(_mm512_load_si512(p.mantissa)), divisor));
    v = _mm512_mask_xor_epi64(v, p.negative, v, sign);
    if constexpr (std::is_same_v<T, float>) {
      _mm256_mask_storeu_ps(out_ + p.at, p.ok, _mm512_cvtpd_ps(_mm512_castsi512_pd(v)));
    } else {
      _mm512_mask_storeu_pd(out_ + p.at, p.ok, _mm512_castsi512_pd(v));
    }
  }
}
#endif

constexpr std::size_t kChunkBlocks = 16;  // classified together: 1 KiB of text
// A number's first byte follows a byte that is not part of a number, so a 64-byte block holds
// at most 32 of them.
constexpr std::size_t kMaxStartsPerBlock = 32;

#ifdef TFPORT_JSON_AVX512
// The addresses of the bytes at the set bits of `bits` (a block at `base`), in order, written
// to out[0, 32): the byte offsets compressed into one vector, then widened eight at a time.
// Returns how many there are (the rest of out is scratch). No loop over the bits, whose trip
// count (eight or nine numbers per block here) the branch predictor keeps missing.
TFPORT_AVX512_FUNCTION inline std::size_t block_starts(const char* base, uint64_t bits, const char** out) {
  const __m512i iota = _mm512_set_epi8(63, 62, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47, 46, 45, 44, 43,
                                       42, 41, 40, 39, 38, 37, 36, 35, 34, 33, 32, 31, 30, 29, 28, 27, 26, 25, 24, 23,
                                       22, 21, 20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
  const __m512i offsets = _mm512_maskz_compress_epi8(bits, iota);
  const __m512i at = _mm512_set1_epi64(reinterpret_cast<int64_t>(base));
  const std::size_t count = static_cast<std::size_t>(__builtin_popcountll(bits));
  const __m128i first16 = _mm512_castsi512_si128(offsets);
  _mm512_storeu_si512(out, _mm512_add_epi64(at, _mm512_cvtepu8_epi64(first16)));
  _mm512_storeu_si512(out + 8, _mm512_add_epi64(at, _mm512_cvtepu8_epi64(_mm_srli_si128(first16, 8))));
  if (count > 16) {
    const __m128i next16 = _mm512_extracti32x4_epi32(offsets, 1);
    _mm512_storeu_si512(out + 16, _mm512_add_epi64(at, _mm512_cvtepu8_epi64(next16)));
    _mm512_storeu_si512(out + 24, _mm512_add_epi64(at, _mm512_cvtepu8_epi64(_mm_srli_si128(next16, 8))));
  }
  return count;
}
#endif

}  // namespace

template <typename T>
RangeScan scan_range(const char* from, const char* stop, const char* buffer_end, int rank, T* out,
                     std::size_t capacity) {
  RangeScan result;
  RangeScanner<T> scanner(buffer_end, rank, out, capacity, &result);
  const char* limit = stop != nullptr ? stop : buffer_end;
  // Each chunk's number starts, after the last one of the chunk before (whose gap ends at the
  // first start of this one).
  const char* starts[64 * kChunkBlocks + 1 + kMaxStartsPerBlock];  // room for block_starts' scratch
#ifdef TFPORT_JSON_AVX512
  const bool vector = scan_isa() == ScanIsa::kAvx512;
#endif
  std::size_t pending = 0;
  uint64_t carry = 0;  // the previous block's last byte may belong to a number
  uint64_t masks[kChunkBlocks];
  alignas(64) char padded[64];
  const std::size_t length = static_cast<std::size_t>(limit - from);
  for (std::size_t chunk_at = 0; chunk_at < length; chunk_at += 64 * kChunkBlocks) {
    const char* chunk = from + chunk_at;
    const std::size_t blocks = std::min<std::size_t>(kChunkBlocks, (length - chunk_at + 63) / 64);
    // Whole blocks inside the buffer are classified in place; a last block that would read
    // past the buffer is classified from a copy padded with spaces.
    std::size_t in_place = blocks;
    if (buffer_end - chunk < static_cast<std::ptrdiff_t>(64 * blocks)) {
      in_place = static_cast<std::size_t>(buffer_end - chunk) / 64;
      const char* tail = chunk + 64 * in_place;
      std::memset(padded, ' ', sizeof(padded));
      std::memcpy(padded, tail, static_cast<std::size_t>(buffer_end - tail));
    }
    if (in_place > 0) classify_number_bytes(chunk, in_place, masks);
    if (in_place < blocks) classify_number_bytes(padded, 1, masks + in_place);
    std::size_t n = pending;
    for (std::size_t b = 0; b < blocks; ++b) {
      const char* base = chunk + 64 * b;
      const uint64_t number_bytes = masks[b];
      uint64_t bits = number_bytes & ~((number_bytes << 1) | carry);
      carry = number_bytes >> 63;
      if (limit - base < 64) bits &= (uint64_t{1} << (limit - base)) - 1;
#ifdef TFPORT_JSON_AVX512
      if (vector) {
        n += block_starts(base, bits, starts + n);
        continue;
      }
#endif
      for (; bits != 0; bits &= bits - 1) starts[n++] = base + __builtin_ctzll(bits);
    }
    if (n == 0) continue;
    if (pending == 0 && starts[0] != from) return result;  // the range must start with a number
    const auto step = scanner.run(starts, n - 1);
    if (step != RangeScanner<T>::kNext) {
      result.ok = step == RangeScanner<T>::kEnded;
      result.ended = result.ok;
      result.count = scanner.count();
      scanner.finish_breaks();
      return result;
    }
    starts[0] = starts[n - 1];
    pending = 1;
  }
  if (pending == 0) return result;
  const auto step = scanner.last_number(starts[0], stop);
  result.ok = step != RangeScanner<T>::kFailed;
  result.ended = step == RangeScanner<T>::kEnded;
  result.count = scanner.count();
  scanner.finish_breaks();
  return result;
}

template RangeScan scan_range<float>(const char*, const char*, const char*, int, float*, std::size_t);
template RangeScan scan_range<double>(const char*, const char*, const char*, int, double*, std::size_t);
template RangeScan scan_range<int32_t>(const char*, const char*, const char*, int, int32_t*, std::size_t);
template RangeScan scan_range<int64_t>(const char*, const char*, const char*, int, int64_t*, std::size_t);

void append_breaks(BreakRuns* to, const BreakRuns& tail, uint64_t offset) {
  for (BreakRun run : tail) {
    run.first += offset;
    to->push_back(run);
  }
}

std::optional<std::vector<int64_t>> shape_of(uint64_t total, int rank, const BreakRuns& breaks) {
  // span[j]: numbers in one array j levels above the numbers (span[0] = 1, span[rank] = total),
  // each first seen at the first gap that closes j arrays.
  std::vector<uint64_t> span(static_cast<std::size_t>(rank) + 1, 0);
  span[0] = 1;
  for (const BreakRun& run : breaks) {
    for (int j = 1; j <= run.closed && j < rank; ++j) {
      if (span[static_cast<std::size_t>(j)] == 0) span[static_cast<std::size_t>(j)] = run.first;
    }
  }
  for (int j = 1; j <= rank; ++j) {
    if (span[static_cast<std::size_t>(j)] == 0) span[static_cast<std::size_t>(j)] = total;
  }
  std::vector<int64_t> dims(static_cast<std::size_t>(rank));
  for (int j = 1; j <= rank; ++j) {
    const uint64_t inner = span[static_cast<std::size_t>(j) - 1], outer = span[static_cast<std::size_t>(j)];
    if (inner == 0 || outer % inner != 0) return std::nullopt;
    dims[static_cast<std::size_t>(rank - j)] = static_cast<int64_t>(outer / inner);
  }
  if (rank == 1) {
    if (!breaks.empty()) return std::nullopt;
    return dims;
  }
  // The gaps that close arrays must be exactly the multiples of span[1] below the total, in
  // increasing order, each closing as many arrays as spans divide it.
  const uint64_t row = span[1];
  uint64_t seen = 0, previous = 0;
  for (const BreakRun& run : breaks) {
    if (run.count == 0 || run.closed < 1 || run.closed >= rank) return std::nullopt;
    if (run.count > 1 && run.step != row) return std::nullopt;
    const uint64_t last = run.first + (run.count - 1) * run.step;
    if (run.first <= previous || run.first % row != 0 || last >= total) return std::nullopt;
    for (int j = 2; j <= run.closed; ++j) {
      const uint64_t s = span[static_cast<std::size_t>(j)];
      if (run.first % s != 0 || (run.count > 1 && s != row)) return std::nullopt;
    }
    if (run.closed + 1 < rank) {  // no multiple of the next span in [first, last]
      const uint64_t s = span[static_cast<std::size_t>(run.closed) + 1];
      if (last / s != (run.first - 1) / s) return std::nullopt;
    }
    seen += run.count;
    previous = last;
  }
  if (seen != total / row - 1) return std::nullopt;
  return dims;
}

}  // namespace tfport::serving::json_fast
