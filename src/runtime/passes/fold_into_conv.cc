#include "runtime/passes/fold_into_conv.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "runtime/passes/pass_util.h"

namespace tfport::runtime::passes {
namespace {

using graph::Graph;
using graph::Node;

bool is_conv(const std::string& op) { return op == "Conv2D" || op == "DepthwiseConv2dNative"; }

bool is_fused_conv(const std::string& op) { return op == "_FusedConv2D" || op == "_FusedDepthwiseConv2dNative"; }

// fused_ops of a fused conv as a list of names.
std::vector<std::string> fused_ops(const Node& n) {
  std::vector<std::string> out;
  auto it = n.attrs.find("fused_ops");
  if (it != n.attrs.end()) out.assign(it->second.list().s().begin(), it->second.list().s().end());
  return out;
}

bool nhwc(const Node& n) {
  auto it = n.attrs.find("data_format");
  return it == n.attrs.end() || it->second.s() == "NHWC";
}

// A per-output-channel float vector from a Const of shape [], [O] or [1, ..., 1, O].
bool channel_vector(const Tensor& t, int64_t channels, std::vector<float>* out) {
  if (t.dtype() != DType::kFloat) return false;
  const Shape& s = t.shape();
  for (int i = 0; i + 1 < s.rank(); ++i) {
    if (s.dim(i) != 1) return false;
  }
  const int64_t n = t.num_elements();
  if (n != 1 && !(s.rank() >= 1 && n == channels)) return false;
  out->resize(static_cast<size_t>(channels));
  for (int64_t c = 0; c < channels; ++c) (*out)[static_cast<size_t>(c)] = t.data<float>()[n == 1 ? 0 : c];
  return true;
}

// The conv being grown: y = conv(x, filter * scale) + bias, per output channel.
struct Chain {
  int node = -1;
  std::vector<float> scale;  // starts as the conv's own _tfport_filter_scale, else ones
  std::vector<float> bias;   // per output channel
  int64_t channels = 0;
};

// The per-channel (scale, shift) an absorbable consumer applies, or false.
bool affine_of(const Graph& g, const Node& n, int conv_input, int64_t channels, std::vector<float>* scale,
               std::vector<float>* shift) {
  if (!is_float_op(n) || !n.control_inputs.empty()) return false;
  scale->assign(static_cast<size_t>(channels), 1.0f);
  shift->assign(static_cast<size_t>(channels), 0.0f);
  auto const_at = [&](size_t i, std::vector<float>* v) {
    if (i >= n.inputs.size() || !is_const(g, n.inputs[i].node)) return false;
    auto t = const_value(g.node(n.inputs[i].node));
    return t.ok() && channel_vector(*t, channels, v);
  };
  const std::string& op = n.op;
  if (op == "BiasAdd" || op == "BiasAddV1") return nhwc(n) && conv_input == 0 && n.inputs.size() == 2 && const_at(1, shift);
  if (n.inputs.size() != 2) {
    if (op.rfind("FusedBatchNorm", 0) != 0 || conv_input != 0 || n.inputs.size() != 5 || !nhwc(n)) return false;
    auto training = n.attrs.find("is_training");
    if (training == n.attrs.end() || training->second.b()) return false;
    std::vector<float> gamma, beta, mean, var;
    if (!const_at(1, &gamma) || !const_at(2, &beta) || !const_at(3, &mean) || !const_at(4, &var)) return false;
    auto eps_it = n.attrs.find("epsilon");
    const float eps = eps_it == n.attrs.end() ? 0.0001f : eps_it->second.f();
    for (size_t c = 0; c < static_cast<size_t>(channels); ++c) {
      // As the FusedBatchNorm kernel evaluates it (normalization.cc).
      const float factor = (1.0f / std::sqrt(var[c] + eps)) * gamma[c];
      (*scale)[c] = factor;
      (*shift)[c] = beta[c] - mean[c] * factor;
    }
    return true;
  }
  const size_t other = conv_input == 0 ? 1 : 0;
  if (op == "Add" || op == "AddV2") return const_at(other, shift);
  if (op == "Sub") {
    if (conv_input != 0 || !const_at(1, shift)) return false;
    for (float& v : *shift) v = -v;
    return true;
  }
  if (op == "Mul") return const_at(other, scale);
  return false;
}

// The chain's start from a conv node: its filter, and its bias when already fused.
bool start_chain(const Graph& g, int id, Chain* chain) {
  const Node& n = g.node(id);
  const bool fused = is_fused_conv(n.op);
  if ((!is_conv(n.op) && !fused) || !is_float_op(n) || !nhwc(n)) return false;
  if (n.inputs.size() != (fused ? 3u : 2u) || !is_const(g, n.inputs[1].node)) return false;
  if (fused) {
    auto ops = fused_ops(n);
    if (ops.size() != 1 || ops[0] != "BiasAdd" || !is_const(g, n.inputs[2].node)) return false;
  }
  Shape filter;
  if (!const_shape(g.node(n.inputs[1].node), &filter) || filter.rank() != 4) return false;
  const bool depthwise = n.op.find("Depthwise") != std::string::npos;
  chain->node = id;
  chain->channels = depthwise ? filter.dim(2) * filter.dim(3) : filter.dim(3);
  if (chain->channels <= 0) return false;
  chain->bias.assign(static_cast<size_t>(chain->channels), 0.0f);
  chain->scale.assign(static_cast<size_t>(chain->channels), 1.0f);
  if (auto it = n.attrs.find("_tfport_filter_scale"); it != n.attrs.end()) {
    if (it->second.list().f_size() != chain->channels) return false;
    chain->scale.assign(it->second.list().f().begin(), it->second.list().f().end());
  }
  if (fused) {
    auto bias = const_value(g.node(n.inputs[2].node));
    if (!bias.ok() || !channel_vector(*bias, chain->channels, &chain->bias)) return false;
  }
  return chain->channels > 0;
}

// Rewrites node `into` as the fused conv of `chain` (taking the conv's attributes). The filter
// stays the conv's own Const: the scale travels as an attribute and the kernel applies it when
// it lays the filter out for oneDNN, so no scaled copy of the weights is made at load.
Status emit_fused(Graph& g, const Chain& chain, int into) {
  const bool depthwise = g.node(chain.node).op.find("Depthwise") != std::string::npos;
  TFPORT_ASSIGN_OR_RETURN(Tensor bias, Tensor::allocate(DType::kFloat, Shape{chain.channels}));
  std::copy(chain.bias.begin(), chain.bias.end(), bias.mutable_data<float>());
  TFPORT_ASSIGN_OR_RETURN(int bias_id, add_const(g, g.node(into).name + "/folded_bias", bias));
  // References taken after add_const, which may grow the node vector. The conv is removed
  // after this, so its attributes move to the fused node.
  Node& conv = g.mutable_node(chain.node);
  Node& n = g.mutable_node(into);
  n.op = depthwise ? "_FusedDepthwiseConv2dNative" : "_FusedConv2D";
  n.inputs = {conv.inputs[0], conv.inputs[1], graph::Endpoint{bias_id, 0}};
  n.attrs = std::move(conv.attrs);
  tensorflow::AttrValue ops;
  ops.mutable_list()->add_s("BiasAdd");
  n.attrs["fused_ops"] = ops;
  n.attrs["num_args"].set_i(1);
  n.attrs.erase("_tfport_filter_scale");
  if (std::any_of(chain.scale.begin(), chain.scale.end(), [](float s) { return s != 1.0f; })) {
    auto* list = n.attrs["_tfport_filter_scale"].mutable_list();
    for (float s : chain.scale) list->add_f(s);
  }
  for (int c : conv.control_inputs) n.control_inputs.push_back(c);
  return Status::OK();
}

}  // namespace

StatusOr<int> fold_into_conv(Graph& g, const std::unordered_set<int>& keep) {
  int absorbed = 0;
  Consumers consumers(g);
  const int n = g.num_nodes();
  for (int id = 0; id < n; ++id) {
    if (g.node(id).removed) continue;
    Chain chain;
    if (!start_chain(g, id, &chain)) continue;
    // Walk the single-reader chain, composing the affine maps into (scale, bias).
    std::vector<int> path{id};
    for (;;) {
      Use use;
      const int tail = path.back();
      if (keep.count(tail) || !consumers.single_data_use(tail, &use)) break;
      std::vector<float> s, b;
      if (!affine_of(g, g.node(use.node), use.input, chain.channels, &s, &b)) break;
      // Outputs other than 0 (FusedBatchNorm's statistics) must be unread.
      bool other_outputs = false;
      for (const Use& u : consumers.data[static_cast<size_t>(use.node)]) {
        if (g.node(u.node).inputs[static_cast<size_t>(u.input)].index != 0) other_outputs = true;
      }
      if (other_outputs) break;
      for (size_t c = 0; c < chain.scale.size(); ++c) {
        chain.scale[c] *= s[c];
        chain.bias[c] = chain.bias[c] * s[c] + b[c];
      }
      path.push_back(use.node);
    }
    if (path.size() < 2) continue;
    std::vector<Consumers::Before> before;
    for (int p : path) before.push_back(Consumers::before(g, p));
    TFPORT_RETURN_IF_ERROR(emit_fused(g, chain, path.back()));
    for (size_t i = 0; i + 1 < path.size(); ++i) g.remove_node(path[i]);
    absorbed += static_cast<int>(path.size()) - 1;
    for (const Consumers::Before& b : before) consumers.update(g, b);
  }
  return absorbed;
}

}  // namespace tfport::runtime::passes
