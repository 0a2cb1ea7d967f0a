// The serial JSON scanner of the REST predict fast path: the request's envelope (keys, plain
// strings) and, for any number the vectorized range scanner (json_scan.h) does not convert
// itself, the exact per-number conversion.
#pragma once

#include <algorithm>
#include <array>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string_view>

namespace tfport::serving::json_fast {

// The value of eight digit bytes (0..9 each, the first the most significant, leading zero
// bytes allowed): neighbouring digits are paired, then the four pairs weighted in two
// multiplications whose high halves add up to the number.
inline uint64_t eight_digits(uint64_t x) {
  x = x * 10 + (x >> 8);  // even bytes: 10 * d[i] + d[i + 1]
  const uint64_t pairs_0_4 = x & 0x000000FF000000FFu, pairs_2_6 = (x >> 16) & 0x000000FF000000FFu;
  return (pairs_0_4 * (100 + (uint64_t{1000000} << 32)) + pairs_2_6 * (1 + (uint64_t{10000} << 32))) >> 32;
}

inline constexpr std::array<uint64_t, 9> kPow10Int = {1,      10,      100,      1000,     10000,
                                                      100000, 1000000, 10000000, 100000000};
inline constexpr std::array<double, 23> kPow10 = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                                  1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                                  1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

// 10^n for n in [0, 308], each the double closest to it (as the literal 1e<n> would be).
inline double power_of_ten(int n) {
  static const std::array<double, 309> table = [] {
    std::array<double, 309> t{};
    for (int i = 0; i < 309; ++i) {
      char text[8];
      text[0] = '1';
      text[1] = 'e';
      const auto [end, ec] = std::to_chars(text + 2, text + sizeof(text), i);
      std::from_chars(text, end, t[static_cast<std::size_t>(i)]);
    }
    return t;
  }();
  return table[static_cast<std::size_t>(n)];
}

// The double RapidJSON reads from a valid JSON number [begin, end) without its full-precision
// flag, which is how TF Serving and the exact path parse requests: the digits are gathered in
// 32 bits, then 64 bits, then in a double (and past 17 significant digits dropped), which is
// then scaled by one power of ten. Where the digits fit 2^53 and the power is at most 10^22,
// that is the correctly rounded value (Clinger); elsewhere it may be an ulp or so off, and so
// must this be. False where RapidJSON reports the number as too big.
inline bool normal_precision_double(const char* p, const char* end, double* out) {
  auto digit_next = [&] { return p < end && *p >= '0' && *p <= '9'; };
  auto take = [&] { return static_cast<unsigned>(*p++ - '0'); };
  const bool minus = *p == '-';
  if (minus) ++p;
  uint32_t small = 0;
  uint64_t large = 0;
  double d = 0;
  bool use_large = false, use_double = false;
  int significant = 0;
  if (*p == '0') {
    ++p;
  } else {
    small = take();
    const uint32_t limit = minus ? 214748364u : 429496729u;  // 2^31 and 2^32 - 1, over ten
    const char last = minus ? '8' : '5';
    while (digit_next()) {
      if (small >= limit && (small != limit || *p > last)) {
        large = small;
        use_large = true;
        break;
      }
      small = small * 10 + take();
      ++significant;
    }
  }
  if (use_large) {
    const uint64_t limit = minus ? 0x0CCCCCCCCCCCCCCCu : 0x1999999999999999u;  // 2^63 and 2^64 - 1, over ten
    const char last = minus ? '8' : '5';
    while (digit_next()) {
      if (large >= limit && (large != limit || *p > last)) {
        d = static_cast<double>(large);
        use_double = true;
        break;
      }
      large = large * 10 + take();
      ++significant;
    }
  }
  if (use_double) {
    while (digit_next()) {
      if (d >= 1.7976931348623157e307) return false;  // would pass DBL_MAX
      d = d * 10 + take();
    }
  }
  int fraction_exponent = 0;
  if (p < end && *p == '.') {
    ++p;
    if (!use_double) {
      if (!use_large) large = small;
      while (digit_next() && large <= 0x1FFFFFFFFFFFFFu) {
        large = large * 10 + take();
        --fraction_exponent;
        if (large != 0) ++significant;
      }
      d = static_cast<double>(large);
      use_double = true;
    }
    while (digit_next()) {
      if (significant < 17) {
        d = d * 10.0 + take();
        --fraction_exponent;
        if (d > 0.0) ++significant;
      } else {
        ++p;
      }
    }
  }
  int exponent = 0;
  if (p < end && (*p == 'e' || *p == 'E')) {
    ++p;
    if (!use_double) {
      d = use_large ? static_cast<double>(large) : static_cast<double>(small);
      use_double = true;
    }
    const bool exponent_minus = *p == '-';
    if (*p == '+' || *p == '-') ++p;
    exponent = static_cast<int>(take());
    if (exponent_minus) {
      while (digit_next()) {
        exponent = exponent * 10 + static_cast<int>(take());
        if (exponent >= 214748364) {
          while (digit_next()) ++p;  // the rest cannot matter
        }
      }
      exponent = -exponent;
    } else {
      const int max_exponent = 308 - fraction_exponent;
      while (digit_next()) {
        exponent = exponent * 10 + static_cast<int>(take());
        if (exponent > max_exponent) return false;
      }
    }
  }
  if (!use_double) {  // an integer, which RapidJSON keeps as one: "-0" is 0
    *out = use_large ? (minus ? static_cast<double>(static_cast<int64_t>(~large + 1)) : static_cast<double>(large))
                     : (minus ? static_cast<double>(static_cast<int32_t>(~small + 1)) : static_cast<double>(small));
    return true;
  }
  auto scale = [](double v, int e) {
    if (e < -308) return 0.0;
    return e >= 0 ? v * power_of_ten(e) : v / power_of_ten(-e);
  };
  const int power = exponent + fraction_exponent;
  d = power < -308 ? scale(scale(d, -308), power + 308) : scale(d, power);
  *out = minus ? -d : d;
  return true;
}

// A single pass over the body that accepts only the common shape of a large predict request:
//   { "signature_name": "<plain string>", "instances" | "inputs": <nested arrays of numbers> }
// in any key order, strict JSON grammar, numbers written straight into the tensor's buffer.
// Whatever it does not accept (escapes, NaN, b64, objects, ragged or empty arrays, other keys,
// trailing bytes, numbers a double cannot hold) makes it give up, and the exact path decides.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : p_(text.data()), end_(text.data() + text.size()) {}

  void skip_ws() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }
  bool at_end() const { return p_ == end_; }
  const char* pos() const { return p_; }
  const char* end() const { return end_; }
  bool consume(char c) {
    skip_ws();
    if (p_ == end_ || *p_ != c) return false;
    ++p_;
    return true;
  }
  char peek() {
    skip_ws();
    return p_ == end_ ? '\0' : *p_;
  }

  // A string without escapes or control or non-ASCII bytes (those take the exact path, which
  // validates and unescapes them as TF Serving does).
  bool plain_string(std::string_view* out) {
    if (!consume('"')) return false;
    const char* start = p_;
    while (p_ < end_ && *p_ != '"') {
      const auto c = static_cast<unsigned char>(*p_);
      if (c == '\\' || c < 0x20 || c >= 0x80) return false;
      ++p_;
    }
    if (p_ == end_) return false;
    *out = std::string_view(start, static_cast<std::size_t>(p_ - start));
    ++p_;
    return true;
  }

  // A JSON number as the closest double (integers: exactly, when they fit int64).
  [[gnu::always_inline]] bool number(double* d, int64_t* i, bool* integral) {
    skip_ws();
    const char* start = p_;
    const bool negative = p_ < end_ && *p_ == '-';
    if (negative) ++p_;
    if (p_ == end_ || !is_digit(*p_)) return false;
    // All digits go into the mantissa (leading zeros add nothing); more than 19 may overflow it
    // and take the slow path, which reads the text again.
    uint64_t mantissa = 0;
    const char* digits_begin = p_;
    if (*p_ == '0') {
      ++p_;
      if (p_ < end_ && is_digit(*p_)) return false;  // no leading zeros in JSON
    } else {
      digit_run(&mantissa);
    }
    std::ptrdiff_t digits = p_ - digits_begin;
    int exponent = 0;
    *integral = true;
    if (p_ < end_ && *p_ == '.') {
      ++p_;
      *integral = false;
      const char* fraction_begin = p_;
      digit_run(&mantissa);
      if (p_ == fraction_begin) return false;
      digits += p_ - fraction_begin;
      exponent = -static_cast<int>(std::min<std::ptrdiff_t>(p_ - fraction_begin, 1000));
    }
    if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
      ++p_;
      *integral = false;
      if (p_ < end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (p_ == end_ || !is_digit(*p_)) return false;
      while (p_ < end_ && is_digit(*p_)) ++p_;
      return normal_precision_double(start, p_, d);  // rare in requests
    }
    if (digits > 19) {
      *integral = false;  // beyond int64 in any case
      return normal_precision_double(start, p_, d);
    }
    if (*integral) {
      if (exponent != 0 || mantissa > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        *integral = false;  // does not fit int64: only a float tensor can take it
      } else {
        *i = negative ? -static_cast<int64_t>(mantissa) : static_cast<int64_t>(mantissa);
        if (negative && mantissa == 0) {
          *integral = false;  // "-0": leave ints to the exact path
          *d = 0.0;           // which reads the integer -0 as 0, not as the double -0.0
          return true;
        }
      }
    }
    // Clinger's fast path: both operands exact in a double, so one rounding, the correct one.
    if (mantissa <= (uint64_t{1} << 53) && exponent >= -22 && exponent <= 22) {
      double v = static_cast<double>(mantissa);
      v = exponent < 0 ? v / kPow10[-exponent] : v * kPow10[exponent];
      *d = negative ? -v : v;
      return true;
    }
    return normal_precision_double(start, p_, d);
  }

 private:
  static bool is_digit(char c) { return c >= '0' && c <= '9'; }

  // Consumes a run of digits, appending them to *m (which wraps past 19 digits; callers count
  // the digits and take the slow path then). Eight bytes at a time where the data allows: the
  // digits' length is found and their value computed without a branch per digit, which matters
  // because request numbers vary in length ("0.1", "0.25", "0.375").
  [[gnu::always_inline]] void digit_run(uint64_t* m) {
    while (end_ - p_ >= 8) {
      uint64_t v;
      std::memcpy(&v, p_, 8);  // little-endian: the first character is the lowest byte
      // A byte's top bit is set in (b - '0') for b < '0' and in (b + 0x46) for b > '9'; borrows
      // and carries only travel upwards from such bytes, so the lowest flag is exact.
      const uint64_t flags = ((v - 0x3030303030303030u) | (v + 0x4646464646464646u)) & 0x8080808080808080u;
      const int n = flags != 0 ? __builtin_ctzll(flags) >> 3 : 8;
      if (n > 0) {
        *m = *m * kPow10Int[n] + eight_digits((v - 0x3030303030303030u) << (8 * (8 - n)));
        p_ += n;
      }
      if (n < 8) return;
    }
    while (p_ < end_ && is_digit(*p_)) *m = *m * 10 + static_cast<uint64_t>(*p_++ - '0');
  }



  const char* p_;
  const char* end_;
};

}  // namespace tfport::serving::json_fast
