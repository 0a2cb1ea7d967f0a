#include "core/crc32c.h"

#include <array>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace tfport::crc32c {
namespace {

constexpr uint32_t kPolynomial = 0x82f63b78u;  // Castagnoli, bit-reflected

// Slicing-by-8 tables: kTables[k][b] is the CRC of byte b followed by k zero bytes, so eight
// input bytes are folded with eight lookups instead of eight dependent shift loops.
using Tables = std::array<std::array<uint32_t, 256>, 8>;

constexpr Tables make_tables() {
  Tables t{};
  for (uint32_t b = 0; b < 256; ++b) {
    uint32_t crc = b;
    for (int i = 0; i < 8; ++i) crc = (crc >> 1) ^ ((crc & 1u) ? kPolynomial : 0u);
    t[0][b] = crc;
  }
  for (uint32_t b = 0; b < 256; ++b) {
    for (std::size_t k = 1; k < 8; ++k) t[k][b] = (t[k - 1][b] >> 8) ^ t[0][t[k - 1][b] & 0xffu];
  }
  return t;
}

constexpr Tables kTables = make_tables();

uint32_t load_le32(const unsigned char* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
         (static_cast<uint32_t>(p[2]) << 16) | (static_cast<uint32_t>(p[3]) << 24);
}

// Works on the pre/post-inverted register; callers do the inversion.
uint32_t extend_portable(uint32_t state, const unsigned char* p, std::size_t n) {
  while (n >= 8) {
    uint32_t lo = load_le32(p) ^ state;
    uint32_t hi = load_le32(p + 4);
    state = kTables[7][lo & 0xff] ^ kTables[6][(lo >> 8) & 0xff] ^ kTables[5][(lo >> 16) & 0xff] ^
            kTables[4][lo >> 24] ^ kTables[3][hi & 0xff] ^ kTables[2][(hi >> 8) & 0xff] ^
            kTables[1][(hi >> 16) & 0xff] ^ kTables[0][hi >> 24];
    p += 8;
    n -= 8;
  }
  while (n > 0) {
    state = kTables[0][(state ^ *p) & 0xffu] ^ (state >> 8);
    ++p;
    --n;
  }
  return state;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) uint32_t extend_sse42(uint32_t state, const unsigned char* p,
                                                        std::size_t n) {
  uint64_t s = state;
  while (n >= 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);  // unaligned-safe; x86 is little-endian like the CRC's byte order
    s = _mm_crc32_u64(s, word);
    p += 8;
    n -= 8;
  }
  auto s32 = static_cast<uint32_t>(s);
  while (n > 0) {
    s32 = _mm_crc32_u8(s32, *p);
    ++p;
    --n;
  }
  return s32;
}

bool detect_sse42() { return __builtin_cpu_supports("sse4.2"); }
#else
uint32_t extend_sse42(uint32_t state, const unsigned char* p, std::size_t n) {
  return extend_portable(state, p, n);
}
bool detect_sse42() { return false; }
#endif

const bool kHaveSse42 = detect_sse42();

}  // namespace

uint32_t extend(uint32_t crc, const void* data, std::size_t n) {
  const auto* p = static_cast<const unsigned char*>(data);
  uint32_t state = ~crc;
  state = kHaveSse42 ? extend_sse42(state, p, n) : extend_portable(state, p, n);
  return ~state;
}

uint32_t extend_software(uint32_t crc, const void* data, std::size_t n) {
  return ~extend_portable(~crc, static_cast<const unsigned char*>(data), n);
}

bool uses_hardware() { return kHaveSse42; }

}  // namespace tfport::crc32c
