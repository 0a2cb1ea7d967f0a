// Partitioned (sliced) variables (tensor_bundle.md §6): a full entry lists its slices as
// TensorSliceProtos, each slice is stored under an OrderedCode key, and reading the variable
// copies every slice into place.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tfport/tensor.h"
#include "tfport/tf/tensor_slice.pb.h"

namespace tfport::bundle {

// One dimension of a slice; length -1 means "the whole dimension" (start is then 0).
struct SliceExtent {
  int64_t start = 0;
  int64_t length = -1;
  bool operator==(const SliceExtent&) const = default;
};
using TensorSlice = std::vector<SliceExtent>;

// Converts and validates against the full shape (rank, start >= 0, start + length <= dim).
StatusOr<TensorSlice> slice_from_proto(const tensorflow::TensorSliceProto& proto, const Shape& full);

// The shape of the slice's own data.
Shape slice_shape(const TensorSlice& slice, const Shape& full);

// TF's EncodeTensorNameSlice: the key a slice is stored under.
std::string encode_tensor_name_slice(std::string_view name, const TensorSlice& slice);
// The inverse; false when `key` is not such a key.
bool decode_tensor_name_slice(std::string_view key, std::string* name, TensorSlice* slice);

// True when the slices are pairwise disjoint and together cover every element of `full`.
bool slices_tile(const std::vector<TensorSlice>& slices, const Shape& full);

// Copies `part` (holding exactly the slice's elements, same dtype as *whole) into *whole.
Status copy_slice_into(const Tensor& part, const TensorSlice& slice, Tensor* whole);

}  // namespace tfport::bundle
