// libFuzzer target: tensor bytes from a data shard (fixed-size and DT_STRING layouts, CRC
// checks, big-endian swapping), DT_VARIANT elements and slice keys. Input: byte 0 picks the dtype, byte 1 the flags,
// bytes 2..5 the element count; the rest is the stored tensor.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/crc32c.h"
#include "formats/bundle/slices.h"
#include "formats/bundle/tensor_data.h"
#include "formats/bundle/variant_data.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 6) return 0;
  static constexpr tfport::DType kTypes[] = {tfport::DType::kString, tfport::DType::kFloat, tfport::DType::kHalf,
                                             tfport::DType::kBool, tfport::DType::kComplex128, tfport::DType::kInt8};
  tfport::bundle::StoredTensor s;
  s.dtype = kTypes[data[0] % (sizeof(kTypes) / sizeof(kTypes[0]))];
  s.big_endian = (data[1] & 1) != 0;
  const uint32_t n = static_cast<uint32_t>(data[2]) | static_cast<uint32_t>(data[3]) << 8 |
                     static_cast<uint32_t>(data[4]) << 16 | static_cast<uint32_t>(data[5]) << 24;
  s.shape = tfport::Shape{static_cast<int64_t>(n)};
  s.bytes = std::string_view(reinterpret_cast<const char*>(data) + 6, size - 6);
  // Half of the time use the right CRC so decoding gets past the checksum.
  s.masked_crc = (data[1] & 2) != 0 ? 0 : tfport::crc32c::mask(tfport::crc32c::value(s.bytes.data(), s.bytes.size()));
  tfport::bundle::decode_stored_tensor(s).status().ignore_error();
  tfport::bundle::decode_variants(s.bytes, n, s.masked_crc).status().ignore_error();
  std::string name;
  tfport::bundle::TensorSlice slice;
  tfport::bundle::decode_tensor_name_slice(s.bytes, &name, &slice);
  return 0;
}
