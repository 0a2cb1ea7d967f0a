// The two record kinds of a bundle's index (tensor_bundle.md §4): the header under key "" and
// one BundleEntryProto per tensor, parsed and checked on their own (no shard access here).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "formats/bundle/slices.h"
#include "tfport/status.h"

namespace tfport::bundle {

struct BundleHeader {
  int num_shards = 0;
  bool big_endian = false;
};

// Checks num_shards >= 1, a known endianness, and that this reader (bundle version 1) may
// consume the data (min_consumer <= 1, 1 not in bad_consumers).
StatusOr<BundleHeader> parse_bundle_header(std::string_view bytes);

struct BundleEntry {
  DType dtype = DType::kInvalid;
  Shape shape;
  int shard_id = 0;
  uint64_t offset = 0;
  uint64_t size = 0;
  uint32_t masked_crc = 0;
  std::vector<TensorSlice> slices;  // non-empty: a partitioned tensor's full entry
};

// Checks the dtype is a TF data type (not a _REF), the shape is fully known and its element
// count fits, offsets/sizes are non-negative, and each slice lies inside the shape.
// Errors are DATA_LOSS without the key; the caller adds it.
StatusOr<BundleEntry> parse_bundle_entry(std::string_view bytes);

}  // namespace tfport::bundle
