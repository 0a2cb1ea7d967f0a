// CRC-32C (Castagnoli), the checksum TensorFlow stores in tensor bundles and SSTable block
// trailers, plus the "masking" TF applies to every CRC it stores.
//
//   uint32_t crc = crc32c::value(bytes.data(), bytes.size());
//   crc = crc32c::extend(crc, more.data(), more.size());   // == value(bytes ++ more)
//   if (crc32c::unmask(stored) != crc) ... corrupted ...
#pragma once

#include <cstddef>
#include <cstdint>

namespace tfport::crc32c {

// The CRC of `data` appended to a stream whose CRC so far is `crc` (0 for an empty stream).
uint32_t extend(uint32_t crc, const void* data, std::size_t n);

inline uint32_t value(const void* data, std::size_t n) { return extend(0, data, n); }

// A CRC computed over bytes that contain CRCs is weak, so stored CRCs are rotated and offset.
constexpr uint32_t kMaskDelta = 0xa282ead8u;

constexpr uint32_t mask(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + kMaskDelta; }

constexpr uint32_t unmask(uint32_t masked) {
  uint32_t rot = masked - kMaskDelta;
  return (rot >> 17) | (rot << 15);
}

// The table-driven path extend() falls back to without SSE4.2; public so tests compare both.
uint32_t extend_software(uint32_t crc, const void* data, std::size_t n);

// True when extend() uses the SSE4.2 crc32 instruction (for the benchmark's report).
bool uses_hardware();

}  // namespace tfport::crc32c
