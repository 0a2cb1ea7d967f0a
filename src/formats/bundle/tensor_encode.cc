#include "formats/bundle/tensor_encode.h"

#include "core/coding.h"
#include "core/crc32c.h"

namespace tfport::bundle {
namespace {

// C1 runs over each length as a little-endian 4-byte integer (8 bytes above 4 GiB), not over
// the varints; the entry CRC then extends C1 over the stored checksum and the string bytes.
EncodedTensor encode_strings(const std::vector<std::string>& values) {
  EncodedTensor out;
  uint32_t length_crc = 0;
  for (const std::string& v : values) {
    const uint64_t len = v.size();
    put_varint64(&out.bytes, len);
    std::string le;
    if (len <= 0xffffffffull) {
      put_fixed32(&le, static_cast<uint32_t>(len));
    } else {
      put_fixed64(&le, len);
    }
    length_crc = crc32c::extend(length_crc, le.data(), le.size());
  }
  const std::size_t checksum_at = out.bytes.size();
  put_fixed32(&out.bytes, crc32c::mask(length_crc));
  uint32_t crc = crc32c::extend(length_crc, out.bytes.data() + checksum_at, 4);
  for (const std::string& v : values) {
    out.bytes.append(v);
    crc = crc32c::extend(crc, v.data(), v.size());
  }
  out.masked_crc = crc32c::mask(crc);
  return out;
}

}  // namespace

StatusOr<EncodedTensor> encode_tensor(const Tensor& tensor) {
  if (!tensor.valid()) return invalid_argument_error("cannot save an empty (invalid) tensor");
  if (tensor.dtype() == DType::kString) return encode_strings(tensor.strings());
  if (!is_fixed_size(tensor.dtype())) {
    return unimplemented_error(std::string("cannot save ") + std::string(dtype_name(tensor.dtype())) +
                               " tensors in a checkpoint");
  }
  EncodedTensor out;
  const std::size_t size = static_cast<std::size_t>(tensor.num_elements()) * element_storage_size(tensor.dtype());
  // tfport tensors are little-endian in memory, as on every host TF writes checkpoints from.
  out.bytes.assign(static_cast<const char*>(tensor.raw_data()), size);
  out.masked_crc = crc32c::mask(crc32c::value(out.bytes.data(), out.bytes.size()));
  return out;
}

}  // namespace tfport::bundle
