// Turns the bytes of one tensor in a data shard into a Tensor (tensor_bundle.md §5): checks
// the stored size against dtype and shape, verifies the masked CRC32C, byte-swaps big-endian
// data, and decodes the DT_STRING layout (varint lengths, length checksum, bytes).
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "tfport/tensor.h"

namespace tfport::bundle {

struct StoredTensor {
  DType dtype = DType::kInvalid;
  Shape shape;
  std::string_view bytes;                  // exactly the entry's [offset, offset + size)
  uint32_t masked_crc = 0;                 // the entry's crc32c field
  bool big_endian = false;                 // the header said BIG
  std::shared_ptr<const void> keepalive;   // keeps `bytes` valid for zero-copy tensors
};

// Checks `size` against dtype and shape without touching the data: fixed-size types need
// exactly num_elements * element size; strings at least one byte per element (or 4 for an
// empty tensor); variant and resource tensors cannot be decoded (UNIMPLEMENTED).
// Errors carry no key; the caller adds it.
Status check_stored_size(DType dtype, const Shape& shape, uint64_t size);

// Decodes and verifies. Fixed-size tensors wrap `bytes` without copying when the data is
// little-endian and suitably aligned; otherwise they are copied. A checksum mismatch is
// DATA_LOSS "checksum does not match: stored X vs. calculated Y".
StatusOr<Tensor> decode_stored_tensor(const StoredTensor& stored);

}  // namespace tfport::bundle
