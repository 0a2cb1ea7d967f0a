#include "graph/attr_values.h"

#include <array>
#include <mutex>

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
  // Filled per dtype on first use: a one-shot process (tfport run) builds only the few it needs.
  constexpr int kShared = 32;
  static std::mutex mu;
  static std::array<NodeAttrs, kShared> shared;
  const int i = static_cast<int>(dtype);
  if (i >= 0 && i < kShared) {
    std::lock_guard<std::mutex> lock(mu);
    NodeAttrs& slot = shared[static_cast<size_t>(i)];
    if (slot.empty()) slot["dtype"] = attr_type(dtype);
    return slot;
  }
  AttrMap m;
  m["dtype"] = attr_type(dtype);
  return NodeAttrs(m);
}

}  // namespace tfport::graph
