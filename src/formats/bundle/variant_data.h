// DT_VARIANT tensors in a data shard (tensor_bundle.md §5.3): per element, a varint64 length,
// the serialized VariantTensorDataProto, and the masked running CRC32C so far. The running CRC
// covers each length as 8 little-endian bytes, the payload and the stored checksum; the index
// entry records its final value, masked. tfport keeps the elements opaque.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "formats/bundle/tensor_encode.h"
#include "tfport/tf/tensor.pb.h"

namespace tfport::bundle {

StatusOr<EncodedTensor> encode_variants(const std::vector<tensorflow::VariantTensorDataProto>& elements);

// Exactly `count` elements must fill `bytes`; every per-element checksum and the entry's
// `masked_crc` are verified (DATA_LOSS otherwise).
StatusOr<std::vector<tensorflow::VariantTensorDataProto>> decode_variants(std::string_view bytes, uint64_t count,
                                                                          uint32_t masked_crc);

}  // namespace tfport::bundle
