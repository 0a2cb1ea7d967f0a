// UTF-8 <-> code points for numpy's '<U' strings (UTF-32 in the file, UTF-8 in tfport).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tfport {

// Appends the UTF-8 encoding of `code_point`; false (nothing appended) for surrogates and
// values above U+10FFFF, which are not characters.
bool append_utf8(uint32_t code_point, std::string* out);

// Strict decoding: false for overlong forms, surrogates, values above U+10FFFF and truncated
// or stray continuation bytes.
bool decode_utf8(std::string_view text, std::u32string* out);

// "U+00E9", or "0x0011FFFF" for values outside Unicode.
std::string describe_code_point(uint32_t code_point);

}  // namespace tfport
