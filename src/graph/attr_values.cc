#include "graph/attr_values.h"

#include <array>

namespace tfport::graph {

tensorflow::AttrValue attr_type(DType v) {
  tensorflow::AttrValue a;
  a.set_type(static_cast<tensorflow::DataType>(v));
  return a;
}
tensorflow::AttrValue attr_int(int64_t v) {
  tensorflow::AttrValue a;
  a.set_i(v);
  return a;
}
tensorflow::AttrValue attr_ints(const std::vector<int64_t>& v) {
  tensorflow::AttrValue a;
  auto* list = a.mutable_list();
  for (int64_t x : v) list->add_i(x);
  return a;
}
tensorflow::AttrValue attr_float(float v) {
  tensorflow::AttrValue a;
  a.set_f(v);
  return a;
}
tensorflow::AttrValue attr_bool(bool v) {
  tensorflow::AttrValue a;
  a.set_b(v);
  return a;
}
tensorflow::AttrValue attr_string(std::string v) {
  tensorflow::AttrValue a;
  a.set_s(std::move(v));
  return a;
}
tensorflow::AttrValue attr_shape(const std::vector<int64_t>& dims) {
  tensorflow::AttrValue a;
  auto* s = a.mutable_shape();
  for (int64_t d : dims) s->add_dim()->set_size(d < 0 ? -1 : d);
  return a;
}
tensorflow::AttrValue attr_types(const std::vector<DType>& v) {
  tensorflow::AttrValue a;
  auto* list = a.mutable_list();
  for (DType t : v) list->add_type(static_cast<tensorflow::DataType>(t));
  return a;
}

NodeAttrs const_node_attrs(DType dtype) {
  constexpr int kShared = 32;  // every DType tfport names
  static const std::array<NodeAttrs, kShared> shared = [] {
    std::array<NodeAttrs, kShared> maps;
    for (int i = 0; i < kShared; ++i) {
      AttrMap m;
      m["dtype"] = attr_type(static_cast<DType>(i));
      maps[static_cast<size_t>(i)] = m;
    }
    return maps;
  }();
  const int i = static_cast<int>(dtype);
  if (i >= 0 && i < kShared) return shared[static_cast<size_t>(i)];
  AttrMap m;
  m["dtype"] = attr_type(dtype);
  return NodeAttrs(m);
}

}  // namespace tfport::graph
