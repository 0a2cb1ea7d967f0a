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

namespace {

// {key: dtype} maps shared by every node that has only that attribute (copy on write), filled
// per dtype on first use: a one-shot process (tfport run) builds only the few it needs.
NodeAttrs shared_single_type_attrs(std::array<NodeAttrs, 32>& cache, const char* key, DType dtype) {
  static std::mutex mu;
  const int i = static_cast<int>(dtype);
  if (i >= 0 && i < static_cast<int>(cache.size())) {
    std::lock_guard<std::mutex> lock(mu);
    NodeAttrs& slot = cache[static_cast<size_t>(i)];
    if (slot.empty()) slot[key] = attr_type(dtype);
    return slot;
  }
  AttrMap m;
  m[key] = attr_type(dtype);
  return NodeAttrs(m);
}

}  // namespace

NodeAttrs const_node_attrs(DType dtype) {
  static std::array<NodeAttrs, 32> cache;
  return shared_single_type_attrs(cache, "dtype", dtype);
}

NodeAttrs t_node_attrs(DType dtype) {
  static std::array<NodeAttrs, 32> cache;
  return shared_single_type_attrs(cache, "T", dtype);
}

}  // namespace tfport::graph
