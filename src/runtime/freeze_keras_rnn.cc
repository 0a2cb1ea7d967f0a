#include "runtime/freeze_keras_rnn.h"

#include <cctype>
#include <set>
#include <vector>

#include "runtime/function_def_builder.h"
#include "runtime/keras_rnn_step.h"
#include "runtime/passes/pass_util.h"

namespace tfport::runtime {
namespace {

using graph::Endpoint;
using graph::Graph;
using graph::Node;

constexpr DType kF32 = DType::kFloat;
constexpr DType kI32 = DType::kInt32;

// The fused node's configuration (src/graph/keras/recurrent.cc writes it, the kernel in
// src/runtime/ops/recurrent.cc defines its meaning).
struct RnnConfig {
  std::string cell, activation = "tanh", recurrent_activation = "sigmoid";
  int64_t units = 0;
  bool reset_after = true, go_backwards = false, return_sequences = false, reverse_output = false;
  bool zero_output_for_mask = false, has_mask = false;
  int num_initial_states = 0;
  int num_states() const { return cell == "lstm" ? 2 : 1; }
  int64_t gates() const { return cell == "lstm" ? 4 : cell == "gru" ? 3 : 1; }
};

RnnConfig read_config(const Node& n) {
  RnnConfig c;
  auto s = [&](const char* key, std::string* out) {
    auto it = n.attrs.find(key);
    if (it != n.attrs.end()) *out = it->second.s();
  };
  auto b = [&](const char* key, bool* out) {
    auto it = n.attrs.find(key);
    if (it != n.attrs.end()) *out = it->second.b();
  };
  s("cell", &c.cell);
  s("activation", &c.activation);
  s("recurrent_activation", &c.recurrent_activation);
  b("reset_after", &c.reset_after);
  b("go_backwards", &c.go_backwards);
  b("return_sequences", &c.return_sequences);
  b("reverse_output", &c.reverse_output);
  b("zero_output_for_mask", &c.zero_output_for_mask);
  b("has_mask", &c.has_mask);
  auto units = n.attrs.find("units");
  if (units != n.attrs.end()) c.units = units->second.i();
  auto states = n.attrs.find("num_initial_states");
  if (states != n.attrs.end()) c.num_initial_states = static_cast<int>(states->second.i());
  return c;
}

Tensor i32_scalar(int32_t v) { return Tensor::from_vector<int32_t>(kI32, Shape{}, {v}); }
Tensor i32_vector(const std::vector<int32_t>& v) {
  return Tensor::from_vector<int32_t>(kI32, Shape{static_cast<int64_t>(v.size())}, v);
}
Tensor f32_scalar(float v) { return Tensor::from_vector<float>(kF32, Shape{}, {v}); }

tensorflow::TensorShapeProto shape_proto(const std::vector<int64_t>& dims) {
  tensorflow::TensorShapeProto p;
  for (int64_t d : dims) p.add_dim()->set_size(d);
  return p;
}

// Ops whose output is a bool tensor: the masks Keras lowering builds (Embedding's NotEqual,
// Masking's Any) and their combinations.
bool produces_bool(const Node& n) {
  static const std::set<std::string> ops = {"NotEqual", "Equal",   "Any",  "All",          "LogicalAnd",
                                            "LogicalOr", "LogicalNot", "Less", "LessEqual", "Greater",
                                            "GreaterEqual"};
  if (ops.count(n.op)) return true;
  auto dst = n.attrs.find("DstT");
  if (n.op == "Cast" && dst != n.attrs.end()) return dst->second.type() == tensorflow::DT_BOOL;
  auto dtype = n.attrs.find("dtype");
  if (n.op == "Placeholder" && dtype != n.attrs.end()) return dtype->second.type() == tensorflow::DT_BOOL;
  return false;
}

// One loop variable: its argument name in cond and body, type, shape, and initial value.
struct LoopVar {
  std::string name;
  DType dtype;
  std::vector<int64_t> shape;
  Endpoint init;
};

class RnnExpander {
 public:
  RnnExpander(Graph& g, int id) : g_(g), id_(id), n_(g.node(id)), c_(read_config(n_)), p_(n_.name + "/") {}

  Status run() {
    TFPORT_RETURN_IF_ERROR(check_supported());
    TFPORT_RETURN_IF_ERROR(read_weights());
    TFPORT_RETURN_IF_ERROR(build_loop_inputs());
    TFPORT_ASSIGN_OR_RETURN(std::string cond, add_cond());
    TFPORT_ASSIGN_OR_RETURN(std::string body, add_body());
    return add_loop_and_outputs(cond, body);
  }

 private:
  Status unsupported(const std::string& why) const {
    return unimplemented_error("Keras recurrent layer '" + n_.name + "' cannot be frozen into standard TensorFlow ops: " +
                               why);
  }

  Status check_supported() const {
    if (c_.cell != "lstm" && c_.cell != "gru" && c_.cell != "simple_rnn") return unsupported("cell '" + c_.cell + "'");
    if (c_.units <= 0) return unsupported("no units");
    const size_t want = 5 + (c_.has_mask ? 1 : 0) + static_cast<size_t>(c_.num_initial_states);
    if (n_.inputs.size() != want || c_.num_initial_states > c_.num_states()) return unsupported("unexpected inputs");
    if (c_.has_mask && !produces_bool(g_.node(n_.inputs[5].node))) return unsupported("its mask is not a bool tensor");
    return Status::OK();
  }

  StatusOr<Tensor> const_input(int i) const {
    const Node& src = g_.node(n_.inputs[static_cast<size_t>(i)].node);
    if (!passes::is_const(g_, n_.inputs[static_cast<size_t>(i)].node)) {
      return unimplemented_error("Keras recurrent layer '" + n_.name + "': weight input " + std::to_string(i) + " ('" +
                                 src.name + "') is not a constant");
    }
    TFPORT_ASSIGN_OR_RETURN(Tensor t, passes::const_value(src));
    if (t.dtype() != kF32) return unsupported("its weights are not float32");
    return t;
  }

  // The loop's weights in the form the cell's step uses (see add_step).
  Status read_weights() {
    TFPORT_ASSIGN_OR_RETURN(Tensor w, const_input(1));
    TFPORT_ASSIGN_OR_RETURN(Tensor u, const_input(2));
    TFPORT_ASSIGN_OR_RETURN(Tensor bi, const_input(3));
    TFPORT_ASSIGN_OR_RETURN(Tensor br, const_input(4));
    const int64_t units = c_.units, n = c_.gates() * units;
    if (w.shape().rank() != 2 || w.shape().dim(1) != n || u.shape() != Shape{units, n} || bi.num_elements() != n ||
        br.num_elements() != n) {
      return unsupported("weights do not match " + std::to_string(units) + " units");
    }
    features_ = w.shape().dim(0);
    weights_.push_back({"kernel", kF32, w.shape().dims(), n_.inputs[1]});
    const bool separate_biases = c_.cell == "gru" && c_.reset_after;
    if (c_.cell == "gru" && !c_.reset_after) {
      // The candidate's recurrent product uses r * h, so the recurrent kernel is split by gate.
      TFPORT_ASSIGN_OR_RETURN(Tensor zr, Tensor::allocate(kF32, Shape{units, 2 * units}));
      TFPORT_ASSIGN_OR_RETURN(Tensor hh, Tensor::allocate(kF32, Shape{units, units}));
      for (int64_t r = 0; r < units; ++r) {
        const float* row = u.data<float>() + r * n;
        std::copy(row, row + 2 * units, zr.mutable_data<float>() + r * 2 * units);
        std::copy(row + 2 * units, row + n, hh.mutable_data<float>() + r * units);
      }
      TFPORT_ASSIGN_OR_RETURN(int zr_id, passes::add_const(g_, p_ + "recurrent_kernel_zr", zr));
      TFPORT_ASSIGN_OR_RETURN(int hh_id, passes::add_const(g_, p_ + "recurrent_kernel_h", hh));
      weights_.push_back({"recurrent_kernel_zr", kF32, zr.shape().dims(), Endpoint{zr_id, 0}});
      weights_.push_back({"recurrent_kernel_h", kF32, hh.shape().dims(), Endpoint{hh_id, 0}});
    } else {
      weights_.push_back({"recurrent_kernel", kF32, u.shape().dims(), n_.inputs[2]});
    }
    if (separate_biases) {
      TFPORT_ASSIGN_OR_RETURN(int bi_id, passes::add_const(g_, p_ + "input_bias", bi));
      TFPORT_ASSIGN_OR_RETURN(int br_id, passes::add_const(g_, p_ + "recurrent_bias", br));
      weights_.push_back({"input_bias", kF32, {n}, Endpoint{bi_id, 0}});
      weights_.push_back({"recurrent_bias", kF32, {n}, Endpoint{br_id, 0}});
    } else {
      // The fused kernel adds both biases to every gate; one bias does the same.
      TFPORT_ASSIGN_OR_RETURN(Tensor b, Tensor::allocate(kF32, Shape{n}));
      for (int64_t k = 0; k < n; ++k) b.mutable_data<float>()[k] = bi.data<float>()[k] + br.data<float>()[k];
      TFPORT_ASSIGN_OR_RETURN(int b_id, passes::add_const(g_, p_ + "bias", b));
      weights_.push_back({"bias", kF32, {n}, Endpoint{b_id, 0}});
    }
    return Status::OK();
  }

  StatusOr<Endpoint> add(const std::string& name, const std::string& op, std::vector<Endpoint> inputs,
                         const NodeAttrs& attrs) {
    Node node;
    node.name = g_.unique_name(p_ + name);
    node.op = op;
    node.inputs = std::move(inputs);
    for (const auto& [key, value] : attrs) node.attrs[key] = value;
    TFPORT_ASSIGN_OR_RETURN(int id, g_.add_node(std::move(node)));
    return Endpoint{id, 0};
  }

  StatusOr<Endpoint> constant(const std::string& name, const Tensor& value) {
    TFPORT_ASSIGN_OR_RETURN(int id, passes::add_const(g_, p_ + name, value));
    return Endpoint{id, 0};
  }

  // shape[index] as an int32 scalar.
  StatusOr<Endpoint> dim_of(Endpoint shape, int index, const std::string& name) {
    TFPORT_ASSIGN_OR_RETURN(Endpoint begin, constant(name + "/stack", i32_vector({index})));
    TFPORT_ASSIGN_OR_RETURN(Endpoint end, constant(name + "/stack_1", i32_vector({index + 1})));
    TFPORT_ASSIGN_OR_RETURN(Endpoint stride, constant(name + "/stack_2", i32_vector({1})));
    return add(name, "StridedSlice", {shape, begin, end, stride},
               {{"T", graph::attr_type(kI32)},
                {"Index", graph::attr_type(kI32)},
                {"begin_mask", graph::attr_int(0)},
                {"end_mask", graph::attr_int(0)},
                {"ellipsis_mask", graph::attr_int(0)},
                {"new_axis_mask", graph::attr_int(0)},
                {"shrink_axis_mask", graph::attr_int(1)}});
  }

  // Time-major input and mask as TensorLists, zero states, the output list: what tf.keras'
  // backend.rnn sets up before its while_loop.
  Status build_loop_inputs() {
    const NodeAttrs list_attrs{{"element_dtype", graph::attr_type(kF32)}, {"shape_type", graph::attr_type(kI32)}};
    TFPORT_ASSIGN_OR_RETURN(Endpoint perm, constant("transpose/perm", i32_vector({1, 0, 2})));
    TFPORT_ASSIGN_OR_RETURN(Endpoint xt, add("transpose", "Transpose", {n_.inputs[0], perm},
                                             {{"T", graph::attr_type(kF32)}, {"Tperm", graph::attr_type(kI32)}}));
    TFPORT_ASSIGN_OR_RETURN(Endpoint shape, add("Shape", "Shape", {xt}, {{"T", graph::attr_type(kF32)}, {"out_type", graph::attr_type(kI32)}}));
    TFPORT_ASSIGN_OR_RETURN(Endpoint steps, dim_of(shape, 0, "strided_slice"));
    TFPORT_ASSIGN_OR_RETURN(Endpoint batch, dim_of(shape, 1, "strided_slice_1"));
    TFPORT_ASSIGN_OR_RETURN(Endpoint units, constant("zeros/packed/1", i32_scalar(static_cast<int32_t>(c_.units))));
    TFPORT_ASSIGN_OR_RETURN(Endpoint packed, add("zeros/packed", "Pack", {batch, units},
                                                 {{"N", graph::attr_int(2)}, {"T", graph::attr_type(kI32)}, {"axis", graph::attr_int(0)}}));
    TFPORT_ASSIGN_OR_RETURN(Endpoint zero, constant("zeros/Const", f32_scalar(0.0f)));
    TFPORT_ASSIGN_OR_RETURN(Endpoint zeros, add("zeros", "Fill", {packed, zero},
                                                {{"T", graph::attr_type(kF32)}, {"index_type", graph::attr_type(kI32)}}));
    TFPORT_ASSIGN_OR_RETURN(Endpoint x_shape, constant("TensorArrayUnstack/element_shape",
                                                       i32_vector({-1, static_cast<int32_t>(features_)})));
    TFPORT_ASSIGN_OR_RETURN(Endpoint x_list, add("TensorArrayUnstack/TensorListFromTensor", "TensorListFromTensor",
                                                 {xt, x_shape}, list_attrs));
    TFPORT_ASSIGN_OR_RETURN(Endpoint t0, constant("time", i32_scalar(0)));
    const std::vector<int64_t> state_shape{-1, c_.units};
    vars_.push_back({"time", kI32, {}, t0});
    vars_.push_back({"time_steps", kI32, {}, steps});
    vars_.push_back({"prev_output", kF32, state_shape, zeros});
    const size_t first_state = 5 + (c_.has_mask ? 1 : 0);
    for (int s = 0; s < c_.num_states(); ++s) {
      Endpoint init = s < c_.num_initial_states ? n_.inputs[first_state + static_cast<size_t>(s)] : zeros;
      vars_.push_back({s == 0 ? "h" : "c", kF32, state_shape, init});
    }
    if (c_.return_sequences) {
      TFPORT_ASSIGN_OR_RETURN(Endpoint y_shape, constant("TensorArrayV2/element_shape",
                                                         i32_vector({-1, static_cast<int32_t>(c_.units)})));
      TFPORT_ASSIGN_OR_RETURN(Endpoint y_list, add("TensorArrayV2", "TensorListReserve", {y_shape, steps}, list_attrs));
      vars_.push_back({"output_list", DType::kVariant, {}, y_list});
    }
    vars_.push_back({"input_list", DType::kVariant, {}, x_list});
    if (c_.has_mask) {
      TFPORT_ASSIGN_OR_RETURN(Endpoint mperm, constant("mask_transpose/perm", i32_vector({1, 0})));
      TFPORT_ASSIGN_OR_RETURN(Endpoint mt, add("mask_transpose", "Transpose", {n_.inputs[5], mperm},
                                               {{"T", graph::attr_type(DType::kBool)}, {"Tperm", graph::attr_type(kI32)}}));
      TFPORT_ASSIGN_OR_RETURN(Endpoint m_shape, constant("MaskUnstack/element_shape", i32_vector({-1})));
      TFPORT_ASSIGN_OR_RETURN(Endpoint m_list, add("MaskUnstack/TensorListFromTensor", "TensorListFromTensor", {mt, m_shape},
                                                   {{"element_dtype", graph::attr_type(DType::kBool)},
                                                    {"shape_type", graph::attr_type(kI32)}}));
      vars_.push_back({"mask_list", DType::kVariant, {}, m_list});
    }
    for (const LoopVar& w : weights_) vars_.push_back(w);
    return Status::OK();
  }

  int var_index(const std::string& name) const {
    for (size_t i = 0; i < vars_.size(); ++i) {
      if (vars_[i].name == name) return static_cast<int>(i);
    }
    return -1;
  }

  // A function name not yet in the library, from the layer's node name.
  std::string function_name(const std::string& suffix) const {
    std::string base;
    for (char ch : n_.name) base += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
    base += suffix;
    std::set<std::string> taken;
    for (const auto& f : g_.library().function()) taken.insert(f.signature().name());
    std::string name = base;
    for (int k = 1; taken.count(name); ++k) name = base + "_" + std::to_string(k);
    return name;
  }

  std::vector<std::string> add_args(FunctionDefBuilder& b) const {
    std::vector<std::string> refs;
    for (const LoopVar& v : vars_) refs.push_back(b.arg(v.name, v.dtype));
    return refs;
  }

  StatusOr<std::string> add_cond() {
    const std::string name = function_name("_while_cond");
    FunctionDefBuilder b(name);
    std::vector<std::string> a = add_args(b);
    std::string less = b.node("while/Less", "Less", {a[0], a[1]}, {{"T", graph::attr_type(kI32)}}, "z");
    std::string out = b.node("while/Identity", "Identity", {less}, {{"T", graph::attr_type(DType::kBool)}}, "output");
    b.ret("identity", out, DType::kBool);
    *g_.library().add_function() = std::move(b.def());
    return name;
  }

  // The body: one time step of the cell, then the masked state update and the output write.
  StatusOr<std::string> add_body() {
    const std::string name = function_name("_while_body");
    FunctionDefBuilder b(name);
    std::vector<std::string> a = add_args(b);
    auto arg = [&](const char* v) { return a[static_cast<size_t>(var_index(v))]; };
    const NodeAttrs f32{{"T", graph::attr_type(kF32)}}, i32{{"T", graph::attr_type(kI32)}};
    const std::string w = "while/";
    TFPORT_ASSIGN_OR_RETURN(std::string one, b.constant(w + "add_time/y", i32_scalar(1)));
    std::string read_index = arg("time");
    if (c_.go_backwards) {  // reads step T-1-t, as Keras reads the reversed sequence
      std::string last = b.node(w + "last_index", "Sub", {arg("time_steps"), one}, i32, "z");
      read_index = b.node(w + "read_index", "Sub", {last, arg("time")}, i32, "z");
    }
    TFPORT_ASSIGN_OR_RETURN(std::string x_shape, b.constant(w + "TensorArrayV2Read/TensorListGetItem/element_shape",
                                                            i32_vector({-1, static_cast<int32_t>(features_)})));
    std::string x = b.node(w + "TensorArrayV2Read/TensorListGetItem", "TensorListGetItem",
                           {arg("input_list"), read_index, x_shape}, {{"element_dtype", graph::attr_type(kF32)}}, "item");
    const std::string h = arg("h");
    RnnStepSpec spec{c_.cell, c_.activation, c_.recurrent_activation, c_.reset_after};
    auto weight = [&](const char* v) { return arg(v); };
    auto step = add_cell_step(b, spec, x, h, c_.cell == "lstm" ? arg("c") : std::string(), weight);
    if (!step.ok()) return unsupported(step.status().message());
    const std::string h_new = step->h, c_new = step->c;
    // Masked steps keep the states and repeat the previous output (or zeros).
    std::string out = h_new, h_out = h_new, c_out = c_new;
    if (c_.has_mask) {
      TFPORT_ASSIGN_OR_RETURN(std::string m_shape, b.constant(w + "MaskRead/element_shape", i32_vector({-1})));
      std::string m = b.node(w + "MaskRead/TensorListGetItem", "TensorListGetItem", {arg("mask_list"), read_index, m_shape},
                             {{"element_dtype", graph::attr_type(DType::kBool)}}, "item");
      TFPORT_ASSIGN_OR_RETURN(std::string axis, b.constant(w + "ExpandDims/dim", i32_scalar(-1)));
      std::string m2 = b.node(w + "ExpandDims", "ExpandDims", {m, axis},
                              {{"T", graph::attr_type(DType::kBool)}, {"Tdim", graph::attr_type(kI32)}}, "output");
      std::string held = arg("prev_output");
      if (c_.zero_output_for_mask) held = b.node(w + "zeros_like", "ZerosLike", {h_new}, f32, "y");
      out = b.node(w + "SelectV2", "SelectV2", {m2, h_new, held}, f32, "output");
      h_out = b.node(w + "SelectV2_1", "SelectV2", {m2, h_new, h}, f32, "output");
      if (c_.cell == "lstm") c_out = b.node(w + "SelectV2_2", "SelectV2", {m2, c_new, arg("c")}, f32, "output");
    }
    std::string y_list;
    if (c_.return_sequences) {
      y_list = b.node(w + "TensorArrayV2Write/TensorListSetItem", "TensorListSetItem",
                      {arg("output_list"), c_.reverse_output ? read_index : arg("time"), out},
                      {{"element_dtype", graph::attr_type(kF32)}}, "output_handle");
    }
    std::string next = b.node(w + "add_time", "AddV2", {arg("time"), one}, i32, "z");
    for (const LoopVar& v : vars_) {
      std::string r = arg(v.name.c_str());
      if (v.name == "time") r = next;
      if (v.name == "prev_output") r = out;
      if (v.name == "h") r = h_out;
      if (v.name == "c") r = c_out;
      if (v.name == "output_list") r = y_list;
      b.ret(v.name + "_next", r, v.dtype);
    }
    *g_.library().add_function() = std::move(b.def());
    return name;
  }

  Status add_loop_and_outputs(const std::string& cond, const std::string& body) {
    std::vector<Endpoint> inputs;
    tensorflow::AttrValue types, shapes, cond_fn, body_fn;
    for (const LoopVar& v : vars_) {
      inputs.push_back(v.init);
      types.mutable_list()->add_type(static_cast<tensorflow::DataType>(v.dtype));
      *shapes.mutable_list()->add_shape() = shape_proto(v.shape);
    }
    cond_fn.mutable_func()->set_name(cond);
    body_fn.mutable_func()->set_name(body);
    TFPORT_ASSIGN_OR_RETURN(Endpoint loop, add("while", "StatelessWhile", inputs,
                                               {{"T", types},
                                                {"cond", cond_fn},
                                                {"body", body_fn},
                                                {"output_shapes", shapes},
                                                {"parallel_iterations", graph::attr_int(32)}}));
    auto result = [&](const char* name) { return Endpoint{loop.node, var_index(name)}; };
    Endpoint y = result("prev_output");
    if (c_.return_sequences) {
      TFPORT_ASSIGN_OR_RETURN(Endpoint y_shape, constant("TensorArrayV2Stack/TensorListStack/element_shape",
                                                         i32_vector({-1, static_cast<int32_t>(c_.units)})));
      TFPORT_ASSIGN_OR_RETURN(Endpoint stacked, add("TensorArrayV2Stack/TensorListStack", "TensorListStack",
                                                    {result("output_list"), y_shape},
                                                    {{"element_dtype", graph::attr_type(kF32)}, {"num_elements", graph::attr_int(-1)}}));
      TFPORT_ASSIGN_OR_RETURN(Endpoint perm, constant("transpose_1/perm", i32_vector({1, 0, 2})));
      TFPORT_ASSIGN_OR_RETURN(y, add("transpose_1", "Transpose", {stacked, perm},
                                     {{"T", graph::attr_type(kF32)}, {"Tperm", graph::attr_type(kI32)}}));
    }
    // The layer's node keeps its name and outputs (sequence or last output, then the states).
    Node& n = g_.mutable_node(id_);
    n.op = "IdentityN";
    n.inputs = {y, result("h")};
    if (c_.cell == "lstm") n.inputs.push_back(result("c"));
    n.attrs.clear();
    tensorflow::AttrValue t;
    for (size_t i = 0; i < n.inputs.size(); ++i) t.mutable_list()->add_type(tensorflow::DT_FLOAT);
    n.attrs["T"] = t;
    return Status::OK();
  }

  Graph& g_;
  int id_;
  const Node n_;  // the fused node as it was (a copy: the graph grows below)
  RnnConfig c_;
  std::string p_;
  int64_t features_ = 0;
  std::vector<LoopVar> weights_;
  std::vector<LoopVar> vars_;
};

}  // namespace

Status expand_keras_rnn_nodes(Graph& g) {
  const int count = g.num_nodes();
  for (int id = 0; id < count; ++id) {
    if (g.node(id).removed || g.node(id).op != "_TfportKerasRNN") continue;
    RnnExpander expander(g, id);
    TFPORT_RETURN_IF_ERROR(expander.run());
  }
  return Status::OK();
}

}  // namespace tfport::runtime
