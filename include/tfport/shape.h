// Tensor shapes. Shape is a concrete shape (every dim known, as a tensor has);
// PartialShape is a static shape from a model file (unknown dims are -1, rank may be unknown).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "tfport/status.h"

namespace tfport {

class Shape {
 public:
  Shape() = default;  // scalar
  Shape(std::initializer_list<int64_t> dims) : dims_(dims) {}
  explicit Shape(std::vector<int64_t> dims) : dims_(std::move(dims)) {}

  // Checks every dim is >= 0 and the element count fits in int64.
  static StatusOr<Shape> make(std::vector<int64_t> dims);

  int rank() const { return static_cast<int>(dims_.size()); }
  int64_t dim(int i) const { return dims_[static_cast<size_t>(i)]; }
  const std::vector<int64_t>& dims() const { return dims_; }
  int64_t num_elements() const;

  // "[2, 3]"; "[]" for a scalar.
  std::string to_string() const;

  bool operator==(const Shape& other) const = default;

 private:
  std::vector<int64_t> dims_;
};

class PartialShape {
 public:
  PartialShape() = default;  // scalar
  explicit PartialShape(std::vector<int64_t> dims) : dims_(std::move(dims)) {}
  static PartialShape unknown() {
    PartialShape s;
    s.unknown_rank_ = true;
    return s;
  }

  bool unknown_rank() const { return unknown_rank_; }
  int rank() const { return static_cast<int>(dims_.size()); }
  const std::vector<int64_t>& dims() const { return dims_; }
  bool is_fully_defined() const;

  // True iff `shape` has this rank (when known) and agrees on every known dim.
  bool is_compatible_with(const Shape& shape) const;

  // "[?, 3]", "<unknown>".
  std::string to_string() const;

  bool operator==(const PartialShape& other) const = default;

 private:
  std::vector<int64_t> dims_;
  bool unknown_rank_ = false;
};

}  // namespace tfport
