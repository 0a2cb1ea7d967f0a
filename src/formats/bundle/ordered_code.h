// TensorFlow's OrderedCode encodings (tensor_bundle.md §6.2), used for the keys under which the
// slices of a partitioned variable are stored. Encoded keys sort like the values they encode.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tfport::bundle::ordered_code {

void write_num_increasing(std::string* dst, uint64_t value);
void write_string(std::string* dst, std::string_view value);
void write_signed_num_increasing(std::string* dst, int64_t value);

// Each consumes its encoding from *src; false (src unchanged) on malformed or truncated input.
bool read_num_increasing(std::string_view* src, uint64_t* value);
bool read_string(std::string_view* src, std::string* value);
bool read_signed_num_increasing(std::string_view* src, int64_t* value);

}  // namespace tfport::bundle::ordered_code
