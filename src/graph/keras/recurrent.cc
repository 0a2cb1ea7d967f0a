// Recurrent layers (LSTM, GRU, SimpleRNN, their CuDNN* forms, Bidirectional) and Masking.
// Each recurrent layer becomes one _TfportKerasRNN node (src/runtime/ops/recurrent.cc) that runs
// the whole sequence; Bidirectional is two of them merged. Masks travel beside values
// (Value::mask): Embedding(mask_zero) and Masking make one, recurrent layers consume it and
// pass it on when they return sequences.
#include "graph/keras/layer.h"

namespace tfport::graph::keras {
namespace {

struct RnnSpec {
  std::string cell;  // "lstm", "gru", "simple_rnn"
  int64_t units = 0;
  std::string activation = "tanh";
  std::string recurrent_activation = "sigmoid";
  bool reset_after = true;
  bool return_sequences = false;
  bool return_state = false;
  bool go_backwards = false;
  bool cudnn = false;  // CuDNNLSTM / CuDNNGRU: fixed activations, doubled biases
};

int num_gates(const std::string& cell) { return cell == "lstm" ? 4 : cell == "gru" ? 3 : 1; }

// The kernel's activation name for a config value: a string, or a serialized function object.
StatusOr<std::string> activation_name(const LayerCall& call, const char* field, const std::string& fallback) {
  const json* v = call.get(field);
  if (!v) return fallback;
  std::string name;
  if (v->is_string()) {
    name = v->get<std::string>();
  } else if (v->is_object() && v->contains("config") && (*v)["config"].is_string()) {
    name = (*v)["config"].get<std::string>();
  } else if (v->is_object() && v->contains("config") && (*v)["config"].is_object() &&
             (*v)["config"].contains("name") && (*v)["config"]["name"].is_string()) {
    name = (*v)["config"]["name"].get<std::string>();
  } else {
    return call.field_error(field, "unsupported activation " + v->dump());
  }
  // Keras 3 redefined hard_sigmoid as relu6(x + 3) / 6; Keras 1/2 use clip(0.2 x + 0.5).
  if (name == "hard_sigmoid" && call.keras_major >= 3) name = "hard_sigmoid_v3";
  static const char* kKnown[] = {"tanh", "sigmoid", "hard_sigmoid", "hard_sigmoid_v3", "relu", "linear",
                                 "softsign", "softplus", "elu", "selu"};
  for (const char* k : kKnown) {
    if (name == k) return name;
  }
  return call.field_error(field, "activation '" + name + "' is not supported in recurrent layers");
}

StatusOr<RnnSpec> read_spec(const LayerCall& call) {
  RnnSpec s;
  const std::string& cls = call.class_name;
  if (cls == "LSTM" || cls == "CuDNNLSTM") s.cell = "lstm";
  else if (cls == "GRU" || cls == "CuDNNGRU") s.cell = "gru";
  else s.cell = "simple_rnn";
  s.cudnn = cls.rfind("CuDNN", 0) == 0;
  TFPORT_ASSIGN_OR_RETURN(s.units, call.get_int("units"));
  if (s.units <= 0) return call.field_error("units", "must be positive");
  if (!s.cudnn) {
    // Keras 1 called the recurrent activation inner_activation; an absent activation is tanh.
    const json* a = call.get("activation");
    s.activation = "tanh";
    if (a) {
      TFPORT_ASSIGN_OR_RETURN(s.activation, activation_name(call, "activation", "tanh"));
    }
    if (s.cell != "simple_rnn") {
      const char* field = call.has("recurrent_activation") ? "recurrent_activation" : "inner_activation";
      s.recurrent_activation = call.keras_major >= 3 || call.has(field) ? "sigmoid" : "hard_sigmoid";
      if (call.has(field)) {
        TFPORT_ASSIGN_OR_RETURN(s.recurrent_activation, activation_name(call, field, "sigmoid"));
      }
    }
  }
  TFPORT_ASSIGN_OR_RETURN(s.return_sequences, call.get_bool("return_sequences", false));
  TFPORT_ASSIGN_OR_RETURN(s.return_state, call.get_bool("return_state", false));
  TFPORT_ASSIGN_OR_RETURN(s.go_backwards, call.get_bool("go_backwards", false));
  TFPORT_ASSIGN_OR_RETURN(bool time_major, call.get_bool("time_major", false));
  if (time_major) return call.unimplemented("time_major recurrent layers are not supported");
  TFPORT_ASSIGN_OR_RETURN(bool reset_after, call.get_bool("reset_after", call.keras_major >= 3));
  s.reset_after = s.cudnn || reset_after;
  return s;
}

// Emits one recurrent layer over x. `weights_from` is the first of this layer's weights in
// call.weights (Bidirectional holds two sets).
struct RnnRun {
  bool reverse_output = false;       // emit the sequence in input time order (Bidirectional backward)
  bool zero_output_for_mask = false;
  size_t weights_from = 0;
};

StatusOr<std::vector<Value>> emit_rnn(LayerCall& call, const RnnSpec& s, const Value& x,
                                      const std::vector<Value>& initial, const RnnRun& run) {
  if (x.rank() != 3) return call.error("expects a [batch, time, features] input, got " + shape_text(x.shape));
  if (x.dtype != DType::kFloat) return call.error("expects a float32 input");
  const int64_t feat = x.dim(2);
  if (feat < 0) return call.error("needs the feature dim of its input " + shape_text(x.shape) + " to be known");
  const int64_t g = num_gates(s.cell), u = s.units, n = g * u;
  const size_t w0 = run.weights_from;
  TFPORT_ASSIGN_OR_RETURN(Tensor kernel, call.weight(w0, {feat, n}));
  TFPORT_ASSIGN_OR_RETURN(Tensor recurrent, call.weight(w0 + 1, {u, n}));
  std::vector<float> bi(static_cast<size_t>(n), 0.0f), br(static_cast<size_t>(n), 0.0f);
  bool reset_after = s.reset_after;
  // Bias layouts: [n] (one bias), [2, n] (GRU reset_after: input then recurrent row), [2n]
  // (CuDNN layers: input then recurrent half).
  const bool has_bias = call.num_weights() > w0 + 2;
  TFPORT_ASSIGN_OR_RETURN(bool use_bias, call.get_bool("use_bias", true));
  if (use_bias && has_bias) {
    TFPORT_ASSIGN_OR_RETURN(Tensor b, call.weight(w0 + 2));
    const float* p = b.data<float>();
    if (b.num_elements() == n) {
      std::copy(p, p + n, bi.begin());
      if (s.cell == "gru" && b.shape().rank() == 1) reset_after = false;
    } else if (b.num_elements() == 2 * n) {
      std::copy(p, p + n, bi.begin());
      std::copy(p + n, p + 2 * n, br.begin());
      if (s.cell == "gru") reset_after = true;
    } else {
      return call.error("bias has shape " + shape_text(b.shape().dims()) + ", expected " + std::to_string(n) +
                        " or 2x" + std::to_string(n) + " values");
    }
  }
  Emitter& e = call.emit;
  TFPORT_ASSIGN_OR_RETURN(Endpoint k_ep, e.constant("kernel", kernel));
  TFPORT_ASSIGN_OR_RETURN(Endpoint r_ep, e.constant("recurrent_kernel", recurrent));
  TFPORT_ASSIGN_OR_RETURN(Endpoint bi_ep, e.floats("input_bias", bi, {n}));
  TFPORT_ASSIGN_OR_RETURN(Endpoint br_ep, e.floats("recurrent_bias", br, {n}));
  std::vector<Endpoint> inputs{x.ep, k_ep, r_ep, bi_ep, br_ep};
  const bool has_mask = x.mask_node >= 0;
  if (has_mask) inputs.push_back(Endpoint{x.mask_node, 0});
  const int num_states = s.cell == "lstm" ? 2 : 1;
  if (!initial.empty() && static_cast<int>(initial.size()) != num_states) {
    return call.error("got " + std::to_string(initial.size()) + " initial state tensors, expected " +
                      std::to_string(num_states));
  }
  for (const Value& v : initial) inputs.push_back(v.ep);
  TFPORT_ASSIGN_OR_RETURN(
      Endpoint node,
      e.add("rnn", "_TfportKerasRNN", inputs,
            {{"cell", attr_string(s.cell)},
             {"units", attr_int(u)},
             {"activation", attr_string(s.activation)},
             {"recurrent_activation", attr_string(s.recurrent_activation)},
             {"reset_after", attr_bool(reset_after)},
             {"go_backwards", attr_bool(s.go_backwards)},
             {"return_sequences", attr_bool(s.return_sequences)},
             {"reverse_output", attr_bool(run.reverse_output)},
             {"zero_output_for_mask", attr_bool(run.zero_output_for_mask)},
             {"has_mask", attr_bool(has_mask)},
             {"num_initial_states", attr_int(static_cast<int64_t>(initial.size()))}}));
  const int64_t batch = x.dim(0);
  std::vector<Value> out;
  Value y{node, DType::kFloat, s.return_sequences ? std::vector<int64_t>{batch, x.dim(1), u} : std::vector<int64_t>{batch, u}};
  if (s.return_sequences) y.mask_node = x.mask_node;
  out.push_back(y);
  for (int i = 0; i < num_states; ++i) out.push_back(Value{Endpoint{node.node, 1 + i}, DType::kFloat, {batch, u}});
  return out;
}

StatusOr<std::vector<Value>> lower_rnn(LayerCall& call) {
  TFPORT_ASSIGN_OR_RETURN(Value x, call.input());
  TFPORT_ASSIGN_OR_RETURN(RnnSpec s, read_spec(call));
  // Keras 2 functional files pass initial states as further inputs of the call.
  std::vector<Value> initial(call.inputs.begin() + 1, call.inputs.end());
  TFPORT_ASSIGN_OR_RETURN(std::vector<Value> out, emit_rnn(call, s, x, initial, RnnRun{}));
  if (!s.return_state) out.resize(1);
  return out;
}

StatusOr<std::vector<Value>> lower_bidirectional(LayerCall& call) {
  TFPORT_ASSIGN_OR_RETURN(Value x, call.input());
  const json* inner = call.get("layer");
  if (!inner || !inner->is_object() || !inner->contains("class_name") || !(*inner)["class_name"].is_string() ||
      !inner->contains("config") || !(*inner)["config"].is_object()) {
    return call.field_error("layer", "missing the wrapped recurrent layer");
  }
  TFPORT_ASSIGN_OR_RETURN(std::string merge, call.get_string("merge_mode", "concat"));
  if (call.get("merge_mode") == nullptr && call.config && call.config->contains("merge_mode")) merge = "none";
  LayerCall fwd = call;
  fwd.class_name = (*inner)["class_name"].get<std::string>();
  fwd.config = &(*inner)["config"];
  if (fwd.class_name != "LSTM" && fwd.class_name != "GRU" && fwd.class_name != "SimpleRNN" &&
      fwd.class_name != "CuDNNLSTM" && fwd.class_name != "CuDNNGRU") {
    return call.unimplemented("wraps a " + fwd.class_name + ", only LSTM, GRU and SimpleRNN are supported");
  }
  TFPORT_ASSIGN_OR_RETURN(RnnSpec fs, read_spec(fwd));
  LayerCall bwd = fwd;
  const json* back = call.get("backward_layer");
  if (back && back->is_object() && back->contains("config") && (*back)["config"].is_object()) {
    bwd.config = &(*back)["config"];
    if (back->contains("class_name") && (*back)["class_name"].is_string()) bwd.class_name = (*back)["class_name"].get<std::string>();
  }
  TFPORT_ASSIGN_OR_RETURN(RnnSpec bs, read_spec(bwd));
  if (!back) bs.go_backwards = !fs.go_backwards;
  const size_t per_layer = call.num_weights() / 2;
  if (per_layer < 2 || call.num_weights() % 2 != 0) {
    return call.error("expects two equal sets of weights, the file stores " + std::to_string(call.num_weights()));
  }
  // Each direction reads only its own weights.
  std::vector<KerasWeight> fw(call.weights->begin(), call.weights->begin() + static_cast<long>(per_layer));
  std::vector<KerasWeight> bw(call.weights->begin() + static_cast<long>(per_layer), call.weights->end());
  fwd.weights = &fw;
  bwd.weights = &bw;
  fwd.emit = call.emit.child("forward");
  bwd.emit = call.emit.child("backward");
  // Initial states: the forward layer's first, then the backward layer's.
  std::vector<Value> init_f, init_b;
  if (call.inputs.size() > 1) {
    size_t k = (call.inputs.size() - 1) / 2;
    init_f.assign(call.inputs.begin() + 1, call.inputs.begin() + 1 + static_cast<long>(k));
    init_b.assign(call.inputs.begin() + 1 + static_cast<long>(k), call.inputs.end());
  }
  RnnRun rf;
  rf.zero_output_for_mask = fs.return_sequences;
  RnnRun rb = rf;
  rb.reverse_output = true;
  TFPORT_ASSIGN_OR_RETURN(std::vector<Value> yf, emit_rnn(fwd, fs, x, init_f, rf));
  TFPORT_ASSIGN_OR_RETURN(std::vector<Value> yb, emit_rnn(bwd, bs, x, init_b, rb));
  Emitter& e = call.emit;
  std::vector<Value> out;
  const Value& a = yf[0];
  const Value& b = yb[0];
  if (merge == "concat") {
    TFPORT_ASSIGN_OR_RETURN(Endpoint axis, e.int32_scalar("axis", -1));
    std::vector<int64_t> shape = a.shape;
    shape.back() = a.shape.back() + b.shape.back();
    TFPORT_ASSIGN_OR_RETURN(Value m, e.op("ConcatV2", {a.ep, b.ep, axis},
                                          {{"T", attr_type(DType::kFloat)}, {"N", attr_int(2)}, {"Tidx", attr_type(DType::kInt32)}},
                                          DType::kFloat, shape));
    out.push_back(m);
  } else if (merge == "sum") {
    TFPORT_ASSIGN_OR_RETURN(Value m, e.binary("AddV2", a, b));
    out.push_back(m);
  } else if (merge == "mul") {
    TFPORT_ASSIGN_OR_RETURN(Value m, e.binary("Mul", a, b));
    out.push_back(m);
  } else if (merge == "ave") {
    TFPORT_ASSIGN_OR_RETURN(Value m, e.binary("AddV2", a, b));
    TFPORT_ASSIGN_OR_RETURN(m, e.binary_scalar("Mul", m, 0.5f));
    out.push_back(m);
  } else if (merge == "none") {
    out.push_back(a);
    out.push_back(b);
  } else {
    return call.field_error("merge_mode", "unknown merge mode '" + merge + "'");
  }
  if (fs.return_sequences) {
    for (Value& v : out) v.mask_node = x.mask_node;
  }
  if (fs.return_state) {
    out.insert(out.end(), yf.begin() + 1, yf.end());
    out.insert(out.end(), yb.begin() + 1, yb.end());
  }
  return out;
}

// Masking: steps whose features all equal mask_value are zeroed and masked out.
StatusOr<std::vector<Value>> lower_masking(LayerCall& call) {
  TFPORT_ASSIGN_OR_RETURN(Value x, call.input());
  TFPORT_ASSIGN_OR_RETURN(double mask_value, call.get_float("mask_value", 0.0));
  if (x.dtype != DType::kFloat || x.rank() < 2) return call.error("expects a float32 input of rank >= 2");
  Emitter& e = call.emit;
  TFPORT_ASSIGN_OR_RETURN(Endpoint mv, e.scalar("mask_value", static_cast<float>(mask_value)));
  TFPORT_ASSIGN_OR_RETURN(Value ne, e.op("NotEqual", {x.ep, mv}, {{"T", attr_type(DType::kFloat)}}, DType::kBool, x.shape));
  TFPORT_ASSIGN_OR_RETURN(Endpoint axis, e.int32_scalar("axis", -1));
  std::vector<int64_t> kept = x.shape;
  kept.back() = 1;
  std::vector<int64_t> reduced(x.shape.begin(), x.shape.end() - 1);
  TFPORT_ASSIGN_OR_RETURN(Value any_keep, e.op("Any", {ne.ep, axis}, {{"keep_dims", attr_bool(true)}, {"Tidx", attr_type(DType::kInt32)}},
                                               DType::kBool, kept));
  TFPORT_ASSIGN_OR_RETURN(Value mask, e.op("Any", {ne.ep, axis}, {{"keep_dims", attr_bool(false)}, {"Tidx", attr_type(DType::kInt32)}},
                                           DType::kBool, reduced));
  TFPORT_ASSIGN_OR_RETURN(Value keep, e.cast(any_keep, DType::kFloat));
  TFPORT_ASSIGN_OR_RETURN(Value y, e.binary("Mul", x, keep));
  y.mask_node = mask.ep.node;
  return one(y);
}

}  // namespace

void add_recurrent_layers(LayerTable& t) {
  for (const char* cls : {"LSTM", "GRU", "SimpleRNN", "CuDNNLSTM", "CuDNNGRU"}) t.lower[cls] = &lower_rnn;
  t.lower["Bidirectional"] = &lower_bidirectional;
  t.lower["Masking"] = &lower_masking;
}

}  // namespace tfport::graph::keras
