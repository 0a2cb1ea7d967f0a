#include "core/coding.h"

namespace tfport {
namespace {

// Shared by both widths: `max_bytes` bounds the loop, `last_byte_limit` rejects overflow bits.
bool get_varint(std::string_view* input, int max_bytes, uint64_t last_byte_limit, uint64_t* value) {
  uint64_t result = 0;
  const std::size_t n = input->size();
  for (int i = 0; i < max_bytes; ++i) {
    if (static_cast<std::size_t>(i) >= n) return false;
    const auto byte = static_cast<unsigned char>((*input)[static_cast<std::size_t>(i)]);
    if (i == max_bytes - 1 && byte > last_byte_limit) return false;
    result |= static_cast<uint64_t>(byte & 0x7fu) << (7 * i);
    if ((byte & 0x80u) == 0) {
      *value = result;
      input->remove_prefix(static_cast<std::size_t>(i) + 1);
      return true;
    }
  }
  return false;
}

}  // namespace

bool get_fixed32(std::string_view* input, uint32_t* value) {
  if (input->size() < 4) return false;
  *value = decode_fixed32(input->data());
  input->remove_prefix(4);
  return true;
}

bool get_fixed64(std::string_view* input, uint64_t* value) {
  if (input->size() < 8) return false;
  *value = decode_fixed64(input->data());
  input->remove_prefix(8);
  return true;
}

bool get_varint32(std::string_view* input, uint32_t* value) {
  uint64_t v = 0;
  // The 5th byte carries bits 28..31 only.
  if (!get_varint(input, kMaxVarint32Bytes, 0x0f, &v)) return false;
  *value = static_cast<uint32_t>(v);
  return true;
}

bool get_varint64(std::string_view* input, uint64_t* value) {
  // The 10th byte carries bit 63 only.
  return get_varint(input, kMaxVarint64Bytes, 0x01, value);
}

bool get_length_prefixed(std::string_view* input, std::string_view* result) {
  std::string_view in = *input;
  uint32_t len = 0;
  if (!get_varint32(&in, &len) || in.size() < len) return false;
  *result = in.substr(0, len);
  in.remove_prefix(len);
  *input = in;
  return true;
}

void put_fixed32(std::string* dst, uint32_t value) {
  char buf[4];
  for (int i = 0; i < 4; ++i) buf[i] = static_cast<char>((value >> (8 * i)) & 0xffu);
  dst->append(buf, 4);
}

void put_fixed64(std::string* dst, uint64_t value) {
  put_fixed32(dst, static_cast<uint32_t>(value));
  put_fixed32(dst, static_cast<uint32_t>(value >> 32));
}

void put_varint32(std::string* dst, uint32_t value) { put_varint64(dst, value); }

void put_varint64(std::string* dst, uint64_t value) {
  while (value >= 0x80) {
    dst->push_back(static_cast<char>((value & 0x7fu) | 0x80u));
    value >>= 7;
  }
  dst->push_back(static_cast<char>(value));
}

int varint_length(uint64_t value) {
  int len = 1;
  while (value >= 0x80) {
    value >>= 7;
    ++len;
  }
  return len;
}

}  // namespace tfport
