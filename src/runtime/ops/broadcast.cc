#include "runtime/ops/broadcast.h"

#include <algorithm>

namespace tfport::runtime::ops {

std::optional<Shape> broadcast_shapes(std::span<const Shape> shapes) {
  int rank = 0;
  for (const Shape& s : shapes) rank = std::max(rank, s.rank());
  std::vector<int64_t> out(static_cast<std::size_t>(rank), 1);
  for (const Shape& s : shapes) {
    for (int i = 0; i < s.rank(); ++i) {
      const int64_t dim = s.dim(s.rank() - 1 - i);
      int64_t& o = out[static_cast<std::size_t>(rank - 1 - i)];
      if (dim == o || dim == 1) continue;
      if (o == 1) {
        o = dim;
        continue;
      }
      return std::nullopt;
    }
  }
  return Shape(std::move(out));
}

std::optional<Shape> broadcast_shapes(const Shape& a, const Shape& b) {
  const Shape both[] = {a, b};
  return broadcast_shapes(std::span<const Shape>(both));
}

std::optional<PartialShape> broadcast_partial_shapes(const PartialShape& a, const PartialShape& b) {
  if (a.unknown_rank() || b.unknown_rank()) return PartialShape::unknown();
  const int rank = std::max(a.rank(), b.rank());
  std::vector<int64_t> out(static_cast<std::size_t>(rank));
  for (int i = 0; i < rank; ++i) {
    const int ia = a.rank() - 1 - i, ib = b.rank() - 1 - i;
    const int64_t da = ia >= 0 ? a.dims()[static_cast<std::size_t>(ia)] : 1;
    const int64_t db = ib >= 0 ? b.dims()[static_cast<std::size_t>(ib)] : 1;
    int64_t o;
    if (da == 1) o = db;
    else if (db == 1) o = da;
    else if (da == -1) o = db == -1 ? -1 : db;  // unknown vs n>1: must be n (or 1), TF says n
    else if (db == -1) o = da;
    else if (da == db) o = da;
    else return std::nullopt;
    out[static_cast<std::size_t>(rank - 1 - i)] = o;
  }
  return PartialShape(std::move(out));
}

}  // namespace tfport::runtime::ops
