// NumPy/TensorFlow broadcasting: output shapes, and a walk over the output in contiguous runs
// with each input's offset, after merging dimensions that broadcast alike (so Add of
// [N,H,W,C] + [C] is one loop over N*H*W rows of C).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "tfport/shape.h"

namespace tfport::runtime::ops {

// The broadcast shape of `shapes`, or nullopt when some dimension pair is incompatible.
std::optional<Shape> broadcast_shapes(std::span<const Shape> shapes);
std::optional<Shape> broadcast_shapes(const Shape& a, const Shape& b);

// Static version for shape functions: unknown dims (-1) stay unknown unless another input
// fixes them; nullopt on a definite mismatch.
std::optional<PartialShape> broadcast_partial_shapes(const PartialShape& a, const PartialShape& b);

template <int N>
class BroadcastWalk {
 public:
  // `out` must be the broadcast shape of `inputs`.
  BroadcastWalk(const Shape& out, const std::array<const Shape*, N>& inputs);

  int64_t num_elements() const { return total_; }
  // Inner stride of each input: 1 (contiguous) or 0 (one value repeated).
  int64_t inner_stride(int i) const { return inner_stride_[static_cast<std::size_t>(i)]; }

  // Calls fn(out_offset, std::array<int64_t, N> input_offsets, length) for consecutive runs
  // covering output elements [begin, end).
  template <typename F>
  void for_each_run(int64_t begin, int64_t end, F&& fn) const;

 private:
  std::vector<int64_t> dims_;                              // merged output dims
  std::array<std::vector<int64_t>, N> strides_;            // per input, per merged dim
  std::array<int64_t, N> inner_stride_{};
  int64_t total_ = 1;
};

template <int N>
BroadcastWalk<N>::BroadcastWalk(const Shape& out, const std::array<const Shape*, N>& inputs) {
  const int rank = out.rank();
  total_ = out.num_elements();
  // Per-input strides aligned to the output's rank (0 where broadcast).
  std::array<std::vector<int64_t>, N> full;
  for (int k = 0; k < N; ++k) {
    const Shape& in = *inputs[static_cast<std::size_t>(k)];
    auto& s = full[static_cast<std::size_t>(k)];
    s.assign(static_cast<std::size_t>(rank), 0);
    int64_t acc = 1;
    for (int d = rank - 1, id = in.rank() - 1; d >= 0; --d, --id) {
      if (id < 0) break;
      const int64_t dim = in.dim(id);
      s[static_cast<std::size_t>(d)] = (dim == 1 && out.dim(d) != 1) ? 0 : acc;
      acc *= dim;
    }
  }
  // Merge: drop size-1 dims, fuse neighbours that every input steps through the same way.
  for (int d = 0; d < rank; ++d) {
    const int64_t dim = out.dim(d);
    if (dim == 1) continue;
    bool can_merge = !dims_.empty();
    for (int k = 0; k < N && can_merge; ++k) {
      const int64_t prev = strides_[static_cast<std::size_t>(k)].back();
      const int64_t cur = full[static_cast<std::size_t>(k)][static_cast<std::size_t>(d)];
      can_merge = (prev == 0 && cur == 0) || (prev != 0 && cur != 0 && prev == cur * dim);
    }
    if (can_merge) {
      dims_.back() *= dim;
      for (int k = 0; k < N; ++k) {
        strides_[static_cast<std::size_t>(k)].back() = full[static_cast<std::size_t>(k)][static_cast<std::size_t>(d)];
      }
    } else {
      dims_.push_back(dim);
      for (int k = 0; k < N; ++k) {
        strides_[static_cast<std::size_t>(k)].push_back(full[static_cast<std::size_t>(k)][static_cast<std::size_t>(d)]);
      }
    }
  }
  if (dims_.empty()) {
    dims_.push_back(1);
    for (int k = 0; k < N; ++k) strides_[static_cast<std::size_t>(k)].push_back(1);
  }
  for (int k = 0; k < N; ++k) inner_stride_[static_cast<std::size_t>(k)] = strides_[static_cast<std::size_t>(k)].back() != 0 ? 1 : 0;
}

template <int N>
template <typename F>
void BroadcastWalk<N>::for_each_run(int64_t begin, int64_t end, F&& fn) const {
  if (begin >= end) return;
  const int r = static_cast<int>(dims_.size());
  const int64_t inner = dims_.back();
  // Coordinates of `begin`.
  std::vector<int64_t> coord(static_cast<std::size_t>(r), 0);
  int64_t rest = begin;
  for (int d = r - 1; d >= 0; --d) {
    coord[static_cast<std::size_t>(d)] = rest % dims_[static_cast<std::size_t>(d)];
    rest /= dims_[static_cast<std::size_t>(d)];
  }
  std::array<int64_t, N> off{};
  for (int k = 0; k < N; ++k) {
    int64_t o = 0;
    for (int d = 0; d < r; ++d) o += coord[static_cast<std::size_t>(d)] * strides_[static_cast<std::size_t>(k)][static_cast<std::size_t>(d)];
    off[static_cast<std::size_t>(k)] = o;
  }
  int64_t pos = begin;
  while (pos < end) {
    const int64_t in_row = coord[static_cast<std::size_t>(r - 1)];
    const int64_t len = std::min(inner - in_row, end - pos);
    fn(pos, off, len);
    pos += len;
    if (pos >= end) break;
    // Advance to the start of the next row.
    for (int k = 0; k < N; ++k) off[static_cast<std::size_t>(k)] -= in_row * strides_[static_cast<std::size_t>(k)][static_cast<std::size_t>(r - 1)];
    coord[static_cast<std::size_t>(r - 1)] = 0;
    for (int d = r - 2; d >= 0; --d) {
      auto& c = coord[static_cast<std::size_t>(d)];
      ++c;
      for (int k = 0; k < N; ++k) off[static_cast<std::size_t>(k)] += strides_[static_cast<std::size_t>(k)][static_cast<std::size_t>(d)];
      if (c < dims_[static_cast<std::size_t>(d)]) break;
      for (int k = 0; k < N; ++k) off[static_cast<std::size_t>(k)] -= c * strides_[static_cast<std::size_t>(k)][static_cast<std::size_t>(d)];
      c = 0;
    }
  }
}

}  // namespace tfport::runtime::ops
