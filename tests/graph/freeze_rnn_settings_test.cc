// Every setting of the fused Keras RNN node (cells, GRU reset_after, go_backwards, sequences,
// masks, Bidirectional's backward half, initial states, activations) expanded into a While
// loop computes what the fused kernel computes; settings the loop cannot express are refused.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>

#include "frozen_graph_checks.h"
#include "graph/export_graph_def.h"
#include "graph/graph.h"
#include "runtime/freeze_keras_rnn.h"
#include "runtime/tensor_to_proto.h"
#include "support/test_support.h"
#include "tfport/freeze.h"
#include "tfport/model.h"

namespace tfport {
namespace {

using freeze_testing::expect_allclose;
using freeze_testing::expect_loadable_frozen_graph;
using tfport::testing::TempDir;

struct RnnCase {
  std::string label, cell;
  std::string activation = "tanh", recurrent_activation = "sigmoid";
  bool reset_after = true, go_backwards = false, return_sequences = false, reverse_output = false;
  bool zero_output_for_mask = false, mask = false;
  int initial_states = 0;
};
void PrintTo(const RnnCase& c, std::ostream* os) { *os << c.label; }

constexpr int64_t kBatch = 3, kSteps = 5, kFeatures = 3, kUnits = 4;

Tensor pseudo_random(Shape shape, uint32_t seed, float scale) {
  Tensor t = *Tensor::allocate(DType::kFloat, shape);
  uint32_t s = seed * 2654435761u + 12345u;
  for (int64_t i = 0; i < t.num_elements(); ++i) {
    s = s * 1664525u + 1013904223u;
    t.mutable_data<float>()[i] = scale * (static_cast<float>(s >> 8) / static_cast<float>(1u << 24) * 2.0f - 1.0f);
  }
  return t;
}

// Padding at either end and in the middle; batch row 2 is fully masked after its first step.
Tensor mask_tensor() {
  Tensor m = *Tensor::allocate(DType::kBool, Shape{kBatch, kSteps});
  const bool on[kBatch][kSteps] = {{true, true, true, false, false}, {false, true, true, true, true}, {true, false, false, false, false}};
  for (int64_t b = 0; b < kBatch; ++b) {
    for (int64_t t = 0; t < kSteps; ++t) m.mutable_data<bool>()[b * kSteps + t] = on[b][t];
  }
  return m;
}

graph::Node placeholder(const std::string& name, DType dtype) {
  graph::Node n;
  n.name = name;
  n.op = "Placeholder";
  n.attrs["dtype"].set_type(static_cast<tensorflow::DataType>(dtype));
  return n;
}

graph::Node constant(const std::string& name, const Tensor& value) {
  graph::Node n;
  n.name = name;
  n.op = "Const";
  n.attrs["dtype"].set_type(static_cast<tensorflow::DataType>(value.dtype()));
  *n.attrs["value"].mutable_tensor() = *runtime::tensor_to_proto(value);
  return n;
}

// x, the weights, [mask], [initial states] -> _TfportKerasRNN "layer/rnn" -> IdentityN "y".
graph::Graph fused_graph(const RnnCase& c) {
  const int64_t n = (c.cell == "lstm" ? 4 : c.cell == "gru" ? 3 : 1) * kUnits;
  graph::Graph g;
  std::vector<graph::Endpoint> inputs;
  auto add = [&](graph::Node node) {
    auto id = g.add_node(std::move(node));
    EXPECT_TRUE(id.ok());
    return graph::Endpoint{*id, 0};
  };
  inputs.push_back(add(placeholder("x", DType::kFloat)));
  inputs.push_back(add(constant("kernel", pseudo_random(Shape{kFeatures, n}, 1, 0.6f))));
  inputs.push_back(add(constant("recurrent_kernel", pseudo_random(Shape{kUnits, n}, 2, 0.6f))));
  inputs.push_back(add(constant("input_bias", pseudo_random(Shape{n}, 3, 0.3f))));
  Tensor recurrent_bias = pseudo_random(Shape{n}, 4, 0.3f);
  // GRU with reset_after=False has one bias: Keras lowering passes zeros as the recurrent one.
  if (c.cell == "gru" && !c.reset_after) std::fill_n(recurrent_bias.mutable_data<float>(), n, 0.0f);
  inputs.push_back(add(constant("recurrent_bias", recurrent_bias)));
  if (c.mask) {
    graph::Node m = placeholder("mask_input", DType::kBool);
    const graph::Endpoint mi = add(std::move(m));
    graph::Node copy;  // a bool-producing op, as Keras lowering's masks are
    copy.name = "mask";
    copy.op = "LogicalAnd";
    copy.inputs = {mi, mi};
    inputs.push_back(add(std::move(copy)));
  }
  for (int s = 0; s < c.initial_states; ++s) inputs.push_back(add(placeholder("state" + std::to_string(s), DType::kFloat)));
  graph::Node rnn;
  rnn.name = "layer/rnn";
  rnn.op = "_TfportKerasRNN";
  rnn.inputs = inputs;
  auto str = [](const std::string& v) { tensorflow::AttrValue a; a.set_s(v); return a; };
  auto flag = [](bool v) { tensorflow::AttrValue a; a.set_b(v); return a; };
  auto num = [](int64_t v) { tensorflow::AttrValue a; a.set_i(v); return a; };
  rnn.attrs["cell"] = str(c.cell);
  rnn.attrs["units"] = num(kUnits);
  rnn.attrs["activation"] = str(c.activation);
  rnn.attrs["recurrent_activation"] = str(c.recurrent_activation);
  rnn.attrs["reset_after"] = flag(c.reset_after);
  rnn.attrs["go_backwards"] = flag(c.go_backwards);
  rnn.attrs["return_sequences"] = flag(c.return_sequences);
  rnn.attrs["reverse_output"] = flag(c.reverse_output);
  rnn.attrs["zero_output_for_mask"] = flag(c.zero_output_for_mask);
  rnn.attrs["has_mask"] = flag(c.mask);
  rnn.attrs["num_initial_states"] = num(c.initial_states);
  add(std::move(rnn));
  return g;
}

// GraphDefs spell Const values as attributes; the expansion keeps new ones as tensors.
void values_to_attrs(graph::Graph& g) {
  for (int id = 0; id < g.num_nodes(); ++id) {
    graph::Node& n = g.mutable_node(id);
    if (!n.value.valid()) continue;
    n.attrs["dtype"].set_type(static_cast<tensorflow::DataType>(n.value.dtype()));
    *n.attrs["value"].mutable_tensor() = *runtime::tensor_to_proto(n.value);
    n.value = Tensor();
  }
}

class FreezeRnnSettings : public ::testing::TestWithParam<RnnCase> {};

TEST_P(FreezeRnnSettings, LoopMatchesTheFusedKernel) {
  const RnnCase& c = GetParam();
  graph::Graph fused = fused_graph(c);
  graph::Graph loop = fused;
  ASSERT_TRUE(runtime::expand_keras_rnn_nodes(loop).ok());
  values_to_attrs(loop);
  const tensorflow::GraphDef loop_def = graph::export_graph_def(loop);
  // The fused kernel's unused weights remain in this unpruned graph; all else is standard.
  EXPECT_EQ(expect_loadable_frozen_graph(loop_def), 1);

  TempDir tmp;
  ASSERT_TRUE(write_graph_def_file(tmp.file("fused.pb"), graph::export_graph_def(fused)).ok());
  ASSERT_TRUE(write_graph_def_file(tmp.file("loop.pb"), loop_def).ok());
  auto fused_model = Model::load(tmp.file("fused.pb"));
  auto loop_model = Model::load(tmp.file("loop.pb"));
  ASSERT_TRUE(fused_model.ok()) << fused_model.status();
  ASSERT_TRUE(loop_model.ok()) << loop_model.status();
  std::vector<std::pair<std::string, Tensor>> feeds{{"x", pseudo_random(Shape{kBatch, kSteps, kFeatures}, 5, 1.5f)}};
  if (c.mask) feeds.emplace_back("mask_input", mask_tensor());
  for (int s = 0; s < c.initial_states; ++s) {
    feeds.emplace_back("state" + std::to_string(s), pseudo_random(Shape{kBatch, kUnits}, 6 + static_cast<uint32_t>(s), 0.8f));
  }
  std::vector<std::string> fetches{"layer/rnn:0", "layer/rnn:1"};
  if (c.cell == "lstm") fetches.push_back("layer/rnn:2");
  auto want = (*fused_model)->run_tensors(feeds, fetches);
  auto got = (*loop_model)->run_tensors(feeds, fetches);
  ASSERT_TRUE(want.ok()) << want.status();
  ASSERT_TRUE(got.ok()) << got.status();
  for (size_t i = 0; i < fetches.size(); ++i) expect_allclose((*got)[i], (*want)[i], 1e-5, 1e-6, c.label + " " + fetches[i]);
}

std::vector<RnnCase> rnn_cases() {
  std::vector<RnnCase> out;
  for (const char* cell : {"lstm", "gru", "simple_rnn"}) {
    RnnCase base;
    base.cell = cell;
    base.label = cell;
    out.push_back(base);
    RnnCase seq = base;
    seq.label += "_sequences_backwards";
    seq.return_sequences = seq.go_backwards = true;
    out.push_back(seq);
    RnnCase masked = base;
    masked.label += "_masked_sequences";
    masked.mask = masked.return_sequences = true;
    out.push_back(masked);
    RnnCase bidi_back = masked;  // Bidirectional's backward half with return_sequences
    bidi_back.label = std::string(cell) + "_bidirectional_backward";
    bidi_back.go_backwards = bidi_back.reverse_output = bidi_back.zero_output_for_mask = true;
    out.push_back(bidi_back);
    RnnCase masked_last = base;
    masked_last.label += "_masked_last_output_with_states";
    masked_last.mask = true;
    masked_last.initial_states = std::string(cell) == "lstm" ? 2 : 1;
    out.push_back(masked_last);
  }
  RnnCase gru_v1;
  gru_v1.cell = "gru";
  gru_v1.reset_after = false;
  gru_v1.label = "gru_reset_before";
  out.push_back(gru_v1);
  gru_v1.label = "gru_reset_before_masked_backwards";
  gru_v1.mask = gru_v1.go_backwards = gru_v1.return_sequences = true;
  out.push_back(gru_v1);
  RnnCase one_state;
  one_state.cell = "lstm";
  one_state.initial_states = 1;  // c starts at zero
  one_state.label = "lstm_initial_h_only";
  out.push_back(one_state);
  for (const char* act : {"hard_sigmoid", "hard_sigmoid_v3", "relu", "linear", "softsign", "softplus", "elu", "selu"}) {
    RnnCase a;
    a.cell = "lstm";
    a.recurrent_activation = act;
    a.activation = std::string(act) == "relu" ? "tanh" : act;
    a.return_sequences = true;
    a.label = std::string("lstm_") + act;
    out.push_back(a);
    RnnCase s;
    s.cell = "simple_rnn";
    s.activation = act;
    s.label = std::string("simple_rnn_") + act;
    out.push_back(s);
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Settings, FreezeRnnSettings, ::testing::ValuesIn(rnn_cases()),
                         [](const ::testing::TestParamInfo<RnnCase>& info) { return info.param.label; });

// What the loop rewrite cannot express is refused, naming the layer and the reason.
TEST(FreezeRnn, UnsupportedSettingsAreRefusedWithTheReason) {
  struct Bad {
    std::function<void(graph::Graph&)> edit;
    std::string reason;
  };
  const std::vector<Bad> bad = {
      {[](graph::Graph& g) {
         g.mutable_node(g.find("layer/rnn")).attrs["activation"].set_s("gelu");
       },
       "activation 'gelu'"},
      {[](graph::Graph& g) {  // a float mask: Keras lowering makes bool ones only
         graph::Node& m = g.mutable_node(g.find("mask"));
         m.op = "Placeholder";
         m.inputs.clear();
         m.attrs["dtype"].set_type(tensorflow::DT_FLOAT);
       },
       "mask is not a bool tensor"},
      {[](graph::Graph& g) {  // weights fed at run time
         graph::Node& k = g.mutable_node(g.find("kernel"));
         k.op = "Placeholder";
         k.attrs.erase("value");
       },
       "is not a constant"},
  };
  RnnCase c;
  c.cell = "lstm";
  c.mask = true;
  for (const Bad& b : bad) {
    SCOPED_TRACE(b.reason);
    graph::Graph g = fused_graph(c);
    b.edit(g);
    Status s = runtime::expand_keras_rnn_nodes(g);
    EXPECT_EQ(s.code(), StatusCode::kUnimplemented) << s;
    EXPECT_NE(s.message().find("layer/rnn"), std::string::npos) << s;
    EXPECT_NE(s.message().find(b.reason), std::string::npos) << s;
  }
}

}  // namespace
}  // namespace tfport
