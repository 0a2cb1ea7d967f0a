#include "tfport/shape.h"

#include <limits>

namespace tfport {

StatusOr<Shape> Shape::make(std::vector<int64_t> dims) {
  int64_t count = 1;
  for (size_t i = 0; i < dims.size(); ++i) {
    int64_t d = dims[i];
    if (d < 0) {
      return invalid_argument_error("dimension " + std::to_string(i) + " is " + std::to_string(d) +
                                    ", expected a size >= 0");
    }
    if (d != 0 && count > std::numeric_limits<int64_t>::max() / d) {
      return invalid_argument_error("shape " + Shape(dims).to_string() +
                                    " has more elements than fit in 64 bits");
    }
    count *= d;
  }
  return Shape(std::move(dims));
}

int64_t Shape::num_elements() const {
  int64_t n = 1;
  for (int64_t d : dims_) n *= d;
  return n;
}

std::string Shape::to_string() const {
  std::string s = "[";
  for (size_t i = 0; i < dims_.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(dims_[i]);
  }
  return s + "]";
}

bool PartialShape::is_fully_defined() const {
  if (unknown_rank_) return false;
  for (int64_t d : dims_) {
    if (d < 0) return false;
  }
  return true;
}

bool PartialShape::is_compatible_with(const Shape& shape) const {
  if (unknown_rank_) return true;
  if (shape.rank() != rank()) return false;
  for (int i = 0; i < rank(); ++i) {
    int64_t d = dims_[static_cast<size_t>(i)];
    if (d >= 0 && d != shape.dim(i)) return false;
  }
  return true;
}

std::string PartialShape::to_string() const {
  if (unknown_rank_) return "<unknown>";
  std::string s = "[";
  for (size_t i = 0; i < dims_.size(); ++i) {
    if (i) s += ", ";
    s += dims_[i] < 0 ? "?" : std::to_string(dims_[i]);
  }
  return s + "]";
}

}  // namespace tfport
