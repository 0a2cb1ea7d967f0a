#include "runtime/passes/pass_util.h"

#include <algorithm>

#include "graph/attr_values.h"
#include "runtime/tensor_proto.h"

namespace tfport::runtime::passes {

Consumers::Consumers(const graph::Graph& g)
    : data(static_cast<size_t>(g.num_nodes())), control(static_cast<size_t>(g.num_nodes()), 0) {
  for (int id = 0; id < g.num_nodes(); ++id) {
    const graph::Node& n = g.node(id);
    if (n.removed) continue;
    for (size_t i = 0; i < n.inputs.size(); ++i) {
      const int src = n.inputs[i].node;
      if (src >= 0 && src < g.num_nodes()) data[static_cast<size_t>(src)].push_back(Use{id, static_cast<int>(i)});
    }
    for (int c : n.control_inputs) {
      if (c >= 0 && c < g.num_nodes()) ++control[static_cast<size_t>(c)];
    }
  }
}

Consumers::Before Consumers::before(const graph::Graph& g, int id) {
  const graph::Node& n = g.node(id);
  return Before{id, n.inputs, n.control_inputs};
}

void Consumers::update(const graph::Graph& g, const Before& before) {
  const auto nodes = static_cast<size_t>(g.num_nodes());
  data.resize(nodes);
  control.resize(nodes, 0);
  const int id = before.node;
  for (const graph::Endpoint& e : before.inputs) {
    if (e.node < 0 || static_cast<size_t>(e.node) >= nodes) continue;
    auto& uses = data[static_cast<size_t>(e.node)];
    uses.erase(std::remove_if(uses.begin(), uses.end(), [id](const Use& u) { return u.node == id; }), uses.end());
  }
  for (int c : before.control_inputs) {
    if (c >= 0 && static_cast<size_t>(c) < nodes) --control[static_cast<size_t>(c)];
  }
  const graph::Node& n = g.node(id);
  if (n.removed) return;
  for (size_t i = 0; i < n.inputs.size(); ++i) {
    const int src = n.inputs[i].node;
    if (src < 0 || static_cast<size_t>(src) >= nodes) continue;
    auto& uses = data[static_cast<size_t>(src)];
    // Re-adding each source once: a node may read the same source at several inputs.
    if (std::none_of(uses.begin(), uses.end(), [&](const Use& u) { return u.node == id && u.input == static_cast<int>(i); })) {
      uses.push_back(Use{id, static_cast<int>(i)});
    }
  }
  for (int c : n.control_inputs) {
    if (c >= 0 && static_cast<size_t>(c) < nodes) ++control[static_cast<size_t>(c)];
  }
}

bool Consumers::single_data_use(int id, Use* use) const {
  const auto& uses = data[static_cast<size_t>(id)];
  if (uses.size() != 1 || control[static_cast<size_t>(id)] != 0) return false;
  *use = uses[0];
  return true;
}

bool is_const(const graph::Graph& g, int id) {
  return id >= 0 && id < g.num_nodes() && !g.node(id).removed && g.node(id).op == "Const";
}

StatusOr<Tensor> const_value(const graph::Node& node) {
  if (node.op == "Const" && node.value.valid()) return node.value;
  auto it = node.attrs.find("value");
  if (node.op != "Const" || it == node.attrs.end() || it->second.value_case() != tensorflow::AttrValue::kTensor) {
    return invalid_argument_error("node '" + node.name + "' is not a Const with a value");
  }
  auto t = tensor_from_proto(it->second.tensor());
  if (!t.ok()) return t.status().with_context("node '" + node.name + "'");
  return t;
}

bool const_shape(const graph::Node& node, Shape* shape) {
  if (node.op != "Const") return false;
  if (node.value.valid()) {
    *shape = node.value.shape();
    return true;
  }
  auto it = node.attrs.find("value");
  if (it == node.attrs.end() || it->second.value_case() != tensorflow::AttrValue::kTensor) return false;
  auto s = shape_from_proto(it->second.tensor().tensor_shape());
  if (!s.ok()) return false;
  *shape = *s;
  return true;
}

Status make_const(graph::Graph& g, int id, const Tensor& value) {
  graph::Node& n = g.mutable_node(id);
  if (!value.valid() || value.dtype() == DType::kString || value.dtype() == DType::kResource) {
    return invalid_argument_error("cannot fold node '" + n.name + "' into a " + value.description() + " constant");
  }
  n.op = "Const";
  n.inputs.clear();
  n.attrs = graph::const_node_attrs(value.dtype());
  n.value = value;
  return Status::OK();
}

StatusOr<int> add_const(graph::Graph& g, std::string_view base, const Tensor& value) {
  graph::Node n;
  n.name = base;
  n.op = "Const";
  TFPORT_ASSIGN_OR_RETURN(int id, g.add_node_unique(std::move(n)));
  TFPORT_RETURN_IF_ERROR(make_const(g, id, value));
  return id;
}

bool is_float_op(const graph::Node& node) {
  auto it = node.attrs.find("T");
  return it != node.attrs.end() && it->second.type() == tensorflow::DT_FLOAT;
}

}  // namespace tfport::runtime::passes
