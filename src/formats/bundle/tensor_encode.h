// A Tensor as the bytes a data shard stores for it (tensor_bundle.md §5) and the masked CRC32C
// the index entry records: fixed-size types little-endian in row-major order; strings as
// varint lengths, the masked length checksum, then the bytes. The inverse of tensor_data.h.
#pragma once

#include <cstdint>
#include <string>

#include "tfport/status.h"
#include "tfport/tensor.h"

namespace tfport::bundle {

struct EncodedTensor {
  std::string bytes;
  uint32_t masked_crc = 0;
};

// UNIMPLEMENTED for DT_RESOURCE and DT_VARIANT (TF never saves resource handles; variants need
// their own serialization), INVALID_ARGUMENT for an invalid tensor.
StatusOr<EncodedTensor> encode_tensor(const Tensor& tensor);

}  // namespace tfport::bundle
