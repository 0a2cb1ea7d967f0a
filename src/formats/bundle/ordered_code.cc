#include "formats/bundle/ordered_code.h"

#include <bit>

namespace tfport::bundle::ordered_code {
namespace {

constexpr char kEscape1 = '\x00';
constexpr char kNullCharacter = '\xff';  // 00 is written as 00 FF
constexpr char kSeparator = '\x01';      // 00 01 ends a string
constexpr char kEscape2 = '\xff';
constexpr char kFFCharacter = '\x00';    // FF is written as FF 00

// The two header bytes XORed into an encoding of `len` bytes (len 1 uses only the first):
// `len` leading one bits followed by a zero bit, so the length can be read from the prefix.
void length_header(int len, unsigned char* h0, unsigned char* h1) {
  const unsigned bits = (0xffffu << (16 - len)) & 0xffffu;
  *h0 = static_cast<unsigned char>(bits >> 8);
  *h1 = static_cast<unsigned char>(bits & 0xffu);
}

}  // namespace

void write_num_increasing(std::string* dst, uint64_t value) {
  const int bytes = (64 - std::countl_zero(value) + 7) / 8;
  dst->push_back(static_cast<char>(bytes));
  for (int i = bytes - 1; i >= 0; --i) dst->push_back(static_cast<char>((value >> (8 * i)) & 0xffu));
}

void write_string(std::string* dst, std::string_view value) {
  for (char c : value) {
    if (c == kEscape1) {
      dst->push_back(kEscape1);
      dst->push_back(kNullCharacter);
    } else if (c == kEscape2) {
      dst->push_back(kEscape2);
      dst->push_back(kFFCharacter);
    } else {
      dst->push_back(c);
    }
  }
  dst->push_back(kEscape1);
  dst->push_back(kSeparator);
}

void write_signed_num_increasing(std::string* dst, int64_t value) {
  const uint64_t x = value < 0 ? ~static_cast<uint64_t>(value) : static_cast<uint64_t>(value);
  const int len = (64 - std::countl_zero(x)) / 7 + 1;  // 1..10
  unsigned char buf[10];
  const uint64_t u = static_cast<uint64_t>(value);
  const unsigned char sign_byte = value < 0 ? 0xff : 0x00;
  for (int i = 0; i < 10; ++i) {
    // Byte i of the 10-byte big-endian, sign-extended representation.
    const int shift = 8 * (9 - i);
    buf[i] = shift >= 64 ? sign_byte : static_cast<unsigned char>((u >> shift) & 0xffu);
  }
  unsigned char* p = buf + (10 - len);
  unsigned char h0 = 0, h1 = 0;
  length_header(len, &h0, &h1);
  p[0] ^= h0;
  if (len > 1) p[1] ^= h1;
  dst->append(reinterpret_cast<const char*>(p), static_cast<std::size_t>(len));
}

bool read_num_increasing(std::string_view* src, uint64_t* value) {
  if (src->empty()) return false;
  const auto len = static_cast<unsigned char>((*src)[0]);
  if (len > 8 || src->size() < 1u + len) return false;
  uint64_t v = 0;
  for (std::size_t i = 1; i <= len; ++i) v = (v << 8) | static_cast<unsigned char>((*src)[i]);
  *value = v;
  src->remove_prefix(1u + len);
  return true;
}

bool read_string(std::string_view* src, std::string* value) {
  std::string out;
  for (std::size_t i = 0; i + 1 < src->size(); ++i) {
    const char c = (*src)[i];
    if (c != kEscape1 && c != kEscape2) {
      out.push_back(c);
      continue;
    }
    const char next = (*src)[i + 1];
    if (c == kEscape1 && next == kSeparator) {
      *value = std::move(out);
      src->remove_prefix(i + 2);
      return true;
    }
    if (c == kEscape1 && next == kNullCharacter) {
      out.push_back(kEscape1);
    } else if (c == kEscape2 && next == kFFCharacter) {
      out.push_back(kEscape2);
    } else {
      return false;
    }
    ++i;
  }
  return false;
}

bool read_signed_num_increasing(std::string_view* src, int64_t* value) {
  if (src->empty()) return false;
  const bool negative = (static_cast<unsigned char>((*src)[0]) & 0x80u) == 0;
  const unsigned char flip = negative ? 0xff : 0x00;
  // The length is the number of leading ones (of the complement, for negatives) in 16 bits.
  unsigned header = static_cast<unsigned>(static_cast<unsigned char>((*src)[0]) ^ flip) << 8;
  if (src->size() > 1) header |= static_cast<unsigned char>((*src)[1]) ^ flip;
  const int len = std::countl_one(static_cast<uint16_t>(header));
  if (len < 1 || len > 10 || src->size() < static_cast<std::size_t>(len)) return false;
  unsigned char h0 = 0, h1 = 0;
  length_header(len, &h0, &h1);
  uint64_t v = negative ? ~uint64_t{0} : 0;
  for (int i = 0; i < len; ++i) {
    auto b = static_cast<unsigned char>((*src)[static_cast<std::size_t>(i)]);
    if (i == 0) b ^= h0;
    if (i == 1) b ^= h1;
    v = (v << 8) | b;
  }
  const auto result = static_cast<int64_t>(v);
  // Only the shortest encoding is valid; re-encoding catches overlong or overflowing inputs.
  std::string canonical;
  write_signed_num_increasing(&canonical, result);
  if (canonical != src->substr(0, static_cast<std::size_t>(len))) return false;
  *value = result;
  src->remove_prefix(static_cast<std::size_t>(len));
  return true;
}

}  // namespace tfport::bundle::ordered_code
