#define EIGEN_USE_THREADS
#include "runtime/passes/fold_constants.h"

#include <climits>
#include <map>
#include <memory>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <unsupported/Eigen/CXX11/Tensor>

#include "runtime/kernel.h"
#include "runtime/passes/pass_util.h"
#include "runtime/tensor_proto.h"

namespace tfport::runtime::passes {
namespace {

using graph::Graph;
using graph::Node;

constexpr std::size_t kMaxFoldedBytes = 16u << 20;  // larger results are cheaper to compute than to store

bool foldable_op(std::string_view op) {
  static const std::unordered_set<std::string_view> ops = {
      "Shape",     "Size",      "Rank",     "Reshape",   "StridedSlice", "Slice",     "Pack",     "ConcatV2",
      "Concat",    "Cast",      "Add",      "AddV2",     "Sub",          "Mul",       "RealDiv",  "FloorDiv",
      "FloorMod",  "Maximum",   "Minimum",  "Neg",       "Range",        "Fill",      "ExpandDims", "Squeeze",
      "Transpose", "Prod",      "Sum",      "Max",       "Min",          "GatherV2",  "Identity", "Sqrt",
      "Rsqrt",     "Reciprocal", "Square",  "BroadcastArgs", "Equal",    "ZerosLike", "OnesLike", "Floor",
      "Select",    "SelectV2", "Tile"};
  return ops.count(op) > 0;
}

// Static output shapes per node (index 0 only is needed for Shape/Size/Rank inputs).
class StaticShapes {
 public:
  StaticShapes(const Graph& g, const std::unordered_set<int>& fed) : g_(g), fed_(fed) {}

  PartialShape output(graph::Endpoint e) {
    auto key = std::make_pair(e.node, e.index);
    auto it = memo_.find(key);
    if (it != memo_.end()) return it->second;
    PartialShape s = compute(e, 0);
    memo_[key] = s;
    return s;
  }

 private:
  PartialShape compute(graph::Endpoint e, int depth) {
    if (depth > 64 || e.node < 0 || e.node >= g_.num_nodes()) return PartialShape::unknown();
    // A fed tensor's shape is the caller's, whatever the graph computes there; only a
    // Placeholder's declared shape binds it (TensorFlow refuses feeds that contradict it).
    const Node& n = g_.node(e.node);
    if (fed_.count(e.node) && n.op != "Placeholder" && n.op != "PlaceholderV2") return PartialShape::unknown();
    if (n.op == "Const" && e.index == 0) {
      Shape s;
      return const_shape(n, &s) ? PartialShape(s.dims()) : PartialShape::unknown();
    }
    if ((n.op == "Placeholder" || n.op == "PlaceholderV2") && e.index == 0) {
      auto it = n.attrs.find("shape");
      if (it == n.attrs.end()) return PartialShape::unknown();
      auto s = partial_shape_from_proto(it->second.shape());
      return s.ok() ? *s : PartialShape::unknown();
    }
    const OpRegistration* reg = OpRegistry::global().find(n.op);
    if (reg == nullptr || reg->infer_shapes == nullptr) return PartialShape::unknown();
    std::vector<PartialShape> in;
    for (const graph::Endpoint& x : n.inputs) {
      auto key = std::make_pair(x.node, x.index);
      auto it = memo_.find(key);
      PartialShape s = it != memo_.end() ? it->second : compute(x, depth + 1);
      memo_[key] = s;
      in.push_back(std::move(s));
    }
    Attrs attrs(n.attrs, n.name, n.op);
    auto out = reg->infer_shapes(in, attrs);
    if (!out.ok() || e.index >= static_cast<int>(out->size())) return PartialShape::unknown();
    return (*out)[static_cast<size_t>(e.index)];
  }

  const Graph& g_;
  const std::unordered_set<int>& fed_;
  std::map<std::pair<int, int>, PartialShape> memo_;
};

// Shape / Size / Rank of an input whose static shape is fully known, or an invalid Tensor.
Tensor static_shape_value(const Node& n, StaticShapes& shapes) {
  if ((n.op != "Shape" && n.op != "Size" && n.op != "Rank") || n.inputs.size() != 1) return Tensor();
  const PartialShape s = shapes.output(n.inputs[0]);
  if (s.unknown_rank()) return Tensor();
  auto out_type = n.attrs.find("out_type");
  const bool i64 = out_type != n.attrs.end() && out_type->second.type() == tensorflow::DT_INT64;
  const DType dt = i64 ? DType::kInt64 : DType::kInt32;
  if (n.op == "Rank") return Tensor::from_vector<int32_t>(DType::kInt32, Shape{}, {s.rank()});
  if (!s.is_fully_defined()) return Tensor();
  if (n.op == "Size") {
    int64_t size = 1;
    for (int64_t d : s.dims()) size *= d;
    if (i64) return Tensor::from_vector<int64_t>(dt, Shape{}, {size});
    if (size > INT32_MAX) return Tensor();
    return Tensor::from_vector<int32_t>(dt, Shape{}, {static_cast<int32_t>(size)});
  }
  if (i64) return Tensor::from_vector<int64_t>(dt, Shape{s.rank()}, s.dims());
  std::vector<int32_t> dims;
  for (int64_t d : s.dims()) {
    if (d > INT32_MAX) return Tensor();
    dims.push_back(static_cast<int32_t>(d));
  }
  return Tensor::from_vector<int32_t>(dt, Shape{s.rank()}, dims);
}

}  // namespace

StatusOr<int> fold_constants(Graph& g, const std::unordered_set<int>& keep, const std::unordered_set<int>& fed) {
  // Topological order so a folded node's result is seen by its readers in the same sweep.
  const int n = g.num_nodes();
  std::vector<int> pending(static_cast<size_t>(n), 0), order;
  std::vector<std::vector<int>> readers(static_cast<size_t>(n));
  for (int id = 0; id < n; ++id) {
    const Node& node = g.node(id);
    if (node.removed) continue;
    for (const graph::Endpoint& e : node.inputs) {
      if (e.node < 0 || e.node >= n) continue;
      ++pending[static_cast<size_t>(id)];
      readers[static_cast<size_t>(e.node)].push_back(id);
    }
  }
  for (int id = 0; id < n; ++id) {
    if (!g.node(id).removed && pending[static_cast<size_t>(id)] == 0) order.push_back(id);
  }
  for (size_t i = 0; i < order.size(); ++i) {
    for (int r : readers[static_cast<size_t>(order[i])]) {
      if (--pending[static_cast<size_t>(r)] == 0) order.push_back(r);
    }
  }

  StaticShapes shapes(g, fed);
  bool asks_shapes = false;
  for (int id : order) {
    const std::string& op = g.node(id).op;
    asks_shapes = asks_shapes || op == "Shape" || op == "Size" || op == "Rank";
  }
  std::unique_ptr<Eigen::ThreadPool> pool;
  std::unique_ptr<Eigen::ThreadPoolDevice> device;
  int folded = 0;
  for (int id : order) {
    // Shapes are memoized in topological order, so a Shape deep in a network never recurses
    // far (the recursion bound would otherwise leave it unknown).
    if (asks_shapes) shapes.output(graph::Endpoint{id, 0});
    const Node& node = g.node(id);
    if (fed.count(id) || keep.count(id) || !node.control_inputs.empty() || !foldable_op(node.op)) continue;
    Tensor shape_value = static_shape_value(node, shapes);
    if (shape_value.valid()) {
      TFPORT_RETURN_IF_ERROR(make_const(g, id, shape_value));
      ++folded;
      continue;
    }
    bool all_const = !node.inputs.empty();
    for (const graph::Endpoint& e : node.inputs) {
      all_const = all_const && e.index == 0 && is_const(g, e.node) && !fed.count(e.node);
    }
    if (!all_const) continue;
    const OpRegistration* reg = OpRegistry::global().find(node.op);
    if (reg == nullptr) continue;
    std::vector<Tensor> inputs;
    bool decoded = true;
    for (const graph::Endpoint& e : node.inputs) {
      auto v = const_value(g.node(e.node));
      if (!v.ok()) {
        decoded = false;
        break;
      }
      inputs.push_back(std::move(*v));
    }
    if (!decoded) continue;
    Attrs attrs(node.attrs, node.name, node.op);
    auto kernel = reg->create(attrs);
    if (!kernel.ok()) continue;  // the plan reports it with full context
    if (!pool) {
      pool = std::make_unique<Eigen::ThreadPool>(1);
      device = std::make_unique<Eigen::ThreadPoolDevice>(pool.get(), 1);
    }
    std::vector<Tensor> outputs;
    KernelContext ctx{inputs, &outputs, device.get(), node.name, nullptr};
    // A failing op is left in place: the error then surfaces when the model runs, as it would
    // without folding.
    if (!(*kernel)->compute(ctx).ok() || outputs.size() != 1 || !outputs[0].valid()) continue;
    if (outputs[0].dtype() == DType::kString || outputs[0].byte_size() > kMaxFoldedBytes) continue;
    TFPORT_RETURN_IF_ERROR(make_const(g, id, outputs[0]));
    ++folded;
  }
  return folded;
}

}  // namespace tfport::runtime::passes
