// Stage one of the range scanner (json_scan.h): which bytes may belong to a number, 64 at a
// time. The x86 versions are compiled for their instruction set only in the functions marked
// with it, and picked once at run time, so the binary still runs on CPUs without them.
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "serving/json_scan.h"

#if defined(__x86_64__)
// GCC 12 reports the deliberately undefined pass-through operands inside its own AVX-512
// intrinsics as maybe uninitialized once they are inlined.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>
#define TFPORT_JSON_X86 1
#endif

namespace tfport::serving::json_fast {
namespace {

// '+' (0x2b) to '9' (0x39) holds every number byte but 'e'/'E', and also ',' (left out) and '/'
// (kept: no valid gap holds it, so the number or gap check that meets it refuses the body).
constexpr bool number_byte(unsigned char c) { return (c >= '+' && c <= '9' && c != ',') || c == 'e' || c == 'E'; }

constexpr std::array<uint8_t, 256> kNumberByte = [] {
  std::array<uint8_t, 256> table{};
  for (int c = 0; c < 256; ++c) table[static_cast<std::size_t>(c)] = number_byte(static_cast<unsigned char>(c)) ? 1 : 0;
  return table;
}();

void classify_portable(const char* p, std::size_t blocks, uint64_t* masks) {
  for (std::size_t b = 0; b < blocks; ++b, p += 64) {
    uint64_t m = 0;
    for (int i = 0; i < 64; ++i) m |= uint64_t{kNumberByte[static_cast<unsigned char>(p[i])]} << i;
    masks[b] = m;
  }
}

#ifdef TFPORT_JSON_X86
[[gnu::target("avx2")]] uint32_t classify32_avx2(const char* p) {
  const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
  const __m256i offset = _mm256_sub_epi8(v, _mm256_set1_epi8('+'));
  // Unsigned offset <= 14: min(offset, 14) == offset.
  const __m256i in_range = _mm256_cmpeq_epi8(_mm256_min_epu8(offset, _mm256_set1_epi8(14)), offset);
  const __m256i comma = _mm256_cmpeq_epi8(v, _mm256_set1_epi8(','));
  const __m256i e = _mm256_cmpeq_epi8(_mm256_or_si256(v, _mm256_set1_epi8(0x20)), _mm256_set1_epi8('e'));
  return static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_or_si256(_mm256_andnot_si256(comma, in_range), e)));
}

[[gnu::target("avx2")]] void classify_avx2(const char* p, std::size_t blocks, uint64_t* masks) {
  for (std::size_t b = 0; b < blocks; ++b, p += 64) {
    masks[b] = uint64_t{classify32_avx2(p)} | (uint64_t{classify32_avx2(p + 32)} << 32);
  }
}

[[gnu::target("avx512f,avx512bw")]] void classify_avx512(const char* p, std::size_t blocks, uint64_t* masks) {
  const __m512i plus = _mm512_set1_epi8('+'), fourteen = _mm512_set1_epi8(14), comma = _mm512_set1_epi8(',');
  const __m512i lower = _mm512_set1_epi8(0x20), e = _mm512_set1_epi8('e');
  for (std::size_t b = 0; b < blocks; ++b, p += 64) {
    const __m512i v = _mm512_loadu_si512(p);
    const __mmask64 in_range = _mm512_cmple_epu8_mask(_mm512_sub_epi8(v, plus), fourteen);
    const __mmask64 is_comma = _mm512_cmpeq_epi8_mask(v, comma);
    const __mmask64 is_e = _mm512_cmpeq_epi8_mask(_mm512_or_si512(v, lower), e);
    masks[b] = (in_range & ~is_comma) | is_e;
  }
}
#endif

bool supported(ScanIsa isa) {
#ifdef TFPORT_JSON_X86
  switch (isa) {
    case ScanIsa::kAvx512:
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
             __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512cd") &&
             __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vbmi") &&
             __builtin_cpu_supports("avx512vbmi2");
    case ScanIsa::kAvx2: return __builtin_cpu_supports("avx2");
    case ScanIsa::kPortable: return true;
  }
  return false;
#else
  return isa == ScanIsa::kPortable;
#endif
}

std::atomic<ScanIsa> g_isa{best_scan_isa()};

}  // namespace

ScanIsa best_scan_isa() {
  for (ScanIsa isa : {ScanIsa::kAvx512, ScanIsa::kAvx2}) {
    if (supported(isa)) return isa;
  }
  return ScanIsa::kPortable;
}

void set_scan_isa(ScanIsa isa) {
  while (!supported(isa)) isa = isa == ScanIsa::kAvx512 ? ScanIsa::kAvx2 : ScanIsa::kPortable;
  g_isa.store(isa, std::memory_order_relaxed);
}

ScanIsa scan_isa() { return g_isa.load(std::memory_order_relaxed); }

void classify_number_bytes(const char* p, std::size_t blocks, uint64_t* masks) {
  switch (scan_isa()) {
#ifdef TFPORT_JSON_X86
    case ScanIsa::kAvx512: classify_avx512(p, blocks, masks); return;
    case ScanIsa::kAvx2: classify_avx2(p, blocks, masks); return;
#endif
    default: classify_portable(p, blocks, masks); return;
  }
}

}  // namespace tfport::serving::json_fast
