#include "formats/bundle/slices.h"

#include <cstring>

#include "formats/bundle/ordered_code.h"

namespace tfport::bundle {
namespace {

int64_t resolved_start(const SliceExtent& e) { return e.length < 0 ? 0 : e.start; }
int64_t resolved_length(const SliceExtent& e, int64_t dim) { return e.length < 0 ? dim : e.length; }

bool intersect(const TensorSlice& a, const TensorSlice& b, const Shape& full) {
  for (std::size_t d = 0; d < a.size(); ++d) {
    const int64_t dim = full.dim(static_cast<int>(d));
    const int64_t a0 = resolved_start(a[d]), a1 = a0 + resolved_length(a[d], dim);
    const int64_t b0 = resolved_start(b[d]), b1 = b0 + resolved_length(b[d], dim);
    if (a1 <= b0 || b1 <= a0) return false;  // disjoint (or empty) in this dimension
  }
  return true;
}

}  // namespace

StatusOr<TensorSlice> slice_from_proto(const tensorflow::TensorSliceProto& proto, const Shape& full) {
  if (proto.extent_size() != full.rank()) {
    return data_loss_error("slice has " + std::to_string(proto.extent_size()) + " extents for a tensor of shape " +
                           full.to_string());
  }
  TensorSlice slice;
  for (int d = 0; d < proto.extent_size(); ++d) {
    const auto& e = proto.extent(d);
    const int64_t dim = full.dim(d);
    if (!e.has_length()) {
      if (e.start() != 0) return data_loss_error("slice dimension " + std::to_string(d) + " is full but starts at " + std::to_string(e.start()));
      slice.push_back(SliceExtent{0, -1});
      continue;
    }
    if (e.start() < 0 || e.length() < 0 || e.start() > dim || e.length() > dim - e.start()) {
      return data_loss_error("slice extent " + std::to_string(e.start()) + "," + std::to_string(e.length()) +
                             " of dimension " + std::to_string(d) + " lies outside shape " + full.to_string());
    }
    slice.push_back(SliceExtent{e.start(), e.length()});
  }
  return slice;
}

Shape slice_shape(const TensorSlice& slice, const Shape& full) {
  std::vector<int64_t> dims;
  for (std::size_t d = 0; d < slice.size(); ++d) dims.push_back(resolved_length(slice[d], full.dim(static_cast<int>(d))));
  return Shape(std::move(dims));
}

std::string encode_tensor_name_slice(std::string_view name, const TensorSlice& slice) {
  std::string key;
  ordered_code::write_num_increasing(&key, 0);
  ordered_code::write_string(&key, name);
  ordered_code::write_num_increasing(&key, slice.size());
  for (const SliceExtent& e : slice) {
    ordered_code::write_signed_num_increasing(&key, e.length < 0 ? 0 : e.start);
    ordered_code::write_signed_num_increasing(&key, e.length < 0 ? -1 : e.length);
  }
  return key;
}

bool decode_tensor_name_slice(std::string_view key, std::string* name, TensorSlice* slice) {
  uint64_t zero = 1, rank = 0;
  if (!ordered_code::read_num_increasing(&key, &zero) || zero != 0) return false;
  if (!ordered_code::read_string(&key, name)) return false;
  // Each dimension takes at least two bytes, which bounds the loop by the key's size.
  if (!ordered_code::read_num_increasing(&key, &rank) || rank > key.size() / 2) return false;
  slice->clear();
  for (uint64_t d = 0; d < rank; ++d) {
    SliceExtent e;
    if (!ordered_code::read_signed_num_increasing(&key, &e.start) ||
        !ordered_code::read_signed_num_increasing(&key, &e.length)) {
      return false;
    }
    slice->push_back(e);
  }
  return key.empty();
}

bool slices_tile(const std::vector<TensorSlice>& slices, const Shape& full) {
  int64_t covered = 0;
  for (std::size_t i = 0; i < slices.size(); ++i) {
    if (static_cast<int>(slices[i].size()) != full.rank()) return false;
    for (std::size_t j = 0; j < i; ++j) {
      if (intersect(slices[i], slices[j], full)) return false;
    }
    covered += slice_shape(slices[i], full).num_elements();  // each <= full, disjoint: no overflow
  }
  return covered == full.num_elements();
}

Status copy_slice_into(const Tensor& part, const TensorSlice& slice, Tensor* whole) {
  const Shape& full = whole->shape();
  if (part.dtype() != whole->dtype() || part.shape() != slice_shape(slice, full)) {
    return internal_error("slice data " + part.description() + " does not fit slice of " + whole->description());
  }
  if (part.num_elements() == 0) return Status::OK();
  const int rank = full.rank();
  // Trailing dimensions the slice covers fully are contiguous in both tensors: copy them as one
  // run together with the innermost partial dimension.
  int inner = rank;  // first dimension of the contiguous run
  int64_t run = 1;
  while (inner > 0) {
    --inner;
    run *= resolved_length(slice[static_cast<std::size_t>(inner)], full.dim(inner));
    if (slice[static_cast<std::size_t>(inner)].length >= 0 &&
        slice[static_cast<std::size_t>(inner)].length != full.dim(inner)) {
      break;
    }
  }
  std::vector<int64_t> stride(static_cast<std::size_t>(rank), 1);
  for (int d = rank - 2; d >= 0; --d) stride[static_cast<std::size_t>(d)] = stride[static_cast<std::size_t>(d) + 1] * full.dim(d + 1);
  const bool strings = whole->dtype() == DType::kString;
  const std::size_t elem = element_storage_size(whole->dtype());
  std::vector<int64_t> index(static_cast<std::size_t>(inner), 0);  // odometer over outer dims
  int64_t src = 0;
  for (;;) {
    int64_t dst = 0;
    for (int d = 0; d < rank; ++d) {
      const auto ud = static_cast<std::size_t>(d);
      const int64_t i = d < inner ? index[ud] : 0;
      dst += (resolved_start(slice[ud]) + i) * stride[ud];
    }
    if (strings) {
      for (int64_t k = 0; k < run; ++k) {
        whole->mutable_strings()[static_cast<std::size_t>(dst + k)] = part.strings()[static_cast<std::size_t>(src + k)];
      }
    } else {
      std::memcpy(static_cast<char*>(whole->mutable_raw_data()) + static_cast<std::size_t>(dst) * elem,
                  static_cast<const char*>(part.raw_data()) + static_cast<std::size_t>(src) * elem,
                  static_cast<std::size_t>(run) * elem);
    }
    src += run;
    int d = inner - 1;
    for (; d >= 0; --d) {
      const auto ud = static_cast<std::size_t>(d);
      if (++index[ud] < resolved_length(slice[ud], full.dim(d))) break;
      index[ud] = 0;
    }
    if (d < 0) break;
  }
  return Status::OK();
}

}  // namespace tfport::bundle
