// Integer encodings shared by TensorFlow's SSTables and tensor bundles: little-endian fixed32 /
// fixed64 and LEB128 varints. Decoders take a cursor (std::string_view*) that they advance past
// what they consumed, and return false instead of reading beyond its end.
//
//   std::string_view in = block;
//   uint32_t shared;
//   if (!get_varint32(&in, &shared)) return data_loss_error("truncated entry");
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace tfport {

constexpr int kMaxVarint32Bytes = 5;
constexpr int kMaxVarint64Bytes = 10;

inline uint32_t decode_fixed32(const char* p) {
  const auto* b = reinterpret_cast<const unsigned char*>(p);
  return static_cast<uint32_t>(b[0]) | (static_cast<uint32_t>(b[1]) << 8) |
         (static_cast<uint32_t>(b[2]) << 16) | (static_cast<uint32_t>(b[3]) << 24);
}

inline uint64_t decode_fixed64(const char* p) {
  return static_cast<uint64_t>(decode_fixed32(p)) | (static_cast<uint64_t>(decode_fixed32(p + 4)) << 32);
}

// Return false (leaving *input unchanged) when fewer bytes remain than the value needs.
bool get_fixed32(std::string_view* input, uint32_t* value);
bool get_fixed64(std::string_view* input, uint64_t* value);

// Return false (leaving *input unchanged) on truncation, on more than 5 / 10 bytes, and on a
// last byte with bits beyond 32 / 64.
bool get_varint32(std::string_view* input, uint32_t* value);
bool get_varint64(std::string_view* input, uint64_t* value);

// A varint32 length followed by that many bytes; *result points into the input.
bool get_length_prefixed(std::string_view* input, std::string_view* result);

void put_fixed32(std::string* dst, uint32_t value);
void put_fixed64(std::string* dst, uint64_t value);
void put_varint32(std::string* dst, uint32_t value);
void put_varint64(std::string* dst, uint64_t value);

// Bytes put_varint64 writes for `value` (1..10).
int varint_length(uint64_t value);

}  // namespace tfport
