// freeze_model on the recurrent fixtures: Keras files (whose LSTM/GRU/SimpleRNN layers tfport
// runs fused) and tf.keras SavedModels (whose While bodies read variables) freeze into graphs
// of standard TensorFlow ops with functional While loops; loaded back (with and without Keras
// recurrent fusion) they reproduce the fixtures' expected outputs and the source model's.
// What cannot be frozen is refused with the reason.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include <google/protobuf/text_format.h>
#include <nlohmann/json.hpp>

#include "graph/export_graph_def.h"
#include "graph/graph.h"
#include "runtime/freeze_functions.h"
#include "runtime/freeze_keras_rnn.h"
#include "runtime/tensor_to_proto.h"
#include "support/test_support.h"
#include "tfport/freeze.h"
#include "tfport/model.h"
#include "tfport/npy.h"

namespace fs = std::filesystem;

namespace tfport {
namespace {

using tfport::testing::TempDir;

// Every realworld fixture with a recurrent layer.
const std::vector<std::string> kRecurrentFixtures = {
    "lstm-multistep",     "katakana-seq2seq",     "crypto-lstm-keras3",      "stock-lstm-savedmodel", "imdb-sentiment-savedmodel",
    "imdb-sentiment-keras3", "gru-regressor",     "simplernn-text-keras3h5", "emoji-bilstm",
};

nlohmann::json read_meta(const fs::path& dir) {
  std::ifstream in(dir / "expected" / "meta.json");
  std::stringstream ss;
  ss << in.rdbuf();
  return nlohmann::json::parse(ss.str(), nullptr, false);
}

void expect_allclose(const Tensor& got, const Tensor& want, double rtol, double atol, const std::string& what) {
  ASSERT_EQ(got.shape(), want.shape()) << what;
  ASSERT_EQ(got.dtype(), DType::kFloat) << what;
  ASSERT_EQ(want.dtype(), DType::kFloat) << what;
  int64_t bad = 0;
  double worst = 0;
  for (int64_t i = 0; i < got.num_elements(); ++i) {
    const double g = got.data<float>()[i], w = want.data<float>()[i];
    if (!(std::abs(g - w) <= atol + rtol * std::abs(w))) ++bad;
    worst = std::max(worst, std::abs(g - w));
  }
  EXPECT_EQ(bad, 0) << what << ": " << bad << " of " << got.num_elements() << " elements differ (max |diff| " << worst << ")";
}

bool is_arg(const tensorflow::FunctionDef& f, const std::string& name) {
  for (const auto& a : f.signature().input_arg()) {
    if (a.name() == name) return true;
  }
  return false;
}

// A reference inside a function body: an argument, or "node:output_arg:index" naming a node of
// the body (TensorFlow's FunctionDef form; "node:0" is a GraphDef form it rejects there).
void expect_body_ref(const tensorflow::FunctionDef& f, const std::set<std::string>& nodes, const std::string& ref,
                     const std::string& where) {
  if (is_arg(f, ref)) return;
  const size_t a = ref.find(':');
  const size_t b = a == std::string::npos ? a : ref.find(':', a + 1);
  ASSERT_NE(b, std::string::npos) << where << ": '" << ref << "' is neither an argument nor node:output:index";
  EXPECT_TRUE(nodes.count(ref.substr(0, a))) << where << ": '" << ref << "' names no node";
  EXPECT_GT(b, a + 1) << where << ": '" << ref << "' has no output argument name";
  const std::string index = ref.substr(b + 1);
  EXPECT_TRUE(!index.empty() && index.find_first_not_of("0123456789") == std::string::npos) << where << ": " << ref;
}

const std::set<std::string>& stateful_ops() {
  static const std::set<std::string> ops = {"VarHandleOp", "VariableV2", "ReadVariableOp", "AssignVariableOp",
                                            "Assign",      "RestoreV2",  "SaveV2",         "ResourceGather"};
  return ops;
}

void expect_standard_node(const tensorflow::NodeDef& n, const std::set<std::string>& library, const std::string& where) {
  EXPECT_NE(n.op().rfind("_Tfport", 0), 0u) << where << n.name() << " (" << n.op() << ")";
  EXPECT_EQ(stateful_ops().count(n.op()), 0u) << where << n.name() << " (" << n.op() << ")";
  // Freezing inlines the main graph's calls; loop and branch bodies may keep theirs.
  if (where.empty()) {
    EXPECT_TRUE(n.op() != "PartitionedCall" && n.op() != "StatefulPartitionedCall") << n.name() << " (" << n.op() << ")";
  }
  EXPECT_EQ(library.count(n.op()), 0u) << where << n.name() << " calls a function directly";
  for (const auto& [key, value] : n.attr()) {
    EXPECT_NE(key.rfind("_tfport", 0), 0u) << where << n.name() << " " << key;
    if (value.has_func()) {
      EXPECT_TRUE(library.count(value.func().name())) << where << n.name() << " " << value.func().name();
    }
    if (value.value_case() == tensorflow::AttrValue::kType) {
      EXPECT_NE(value.type(), tensorflow::DT_RESOURCE) << where << n.name() << " " << key;
    }
    for (int t : value.list().type()) EXPECT_NE(t, tensorflow::DT_RESOURCE) << where << n.name() << " " << key;
  }
  if (n.op() == "While" || n.op() == "StatelessWhile") {
    for (const char* key : {"T", "cond", "body", "output_shapes", "parallel_iterations"}) {
      EXPECT_TRUE(n.attr().count(key)) << where << n.name() << " lacks " << key;
    }
    EXPECT_EQ(n.attr().at("T").list().type_size(), n.input_size()) << where << n.name();
    EXPECT_EQ(n.attr().at("output_shapes").list().shape_size(), n.input_size()) << where << n.name();
  }
}

// A frozen graph TensorFlow would load: standard ops only, no variables, every input names a
// node, and every library function is well-formed and typed like its callers.
int expect_loadable_frozen_graph(const tensorflow::GraphDef& g) {
  std::set<std::string> library;
  for (const auto& f : g.library().function()) {
    EXPECT_TRUE(library.insert(f.signature().name()).second) << "duplicate function " << f.signature().name();
  }
  std::set<std::string> names;
  for (const auto& n : g.node()) EXPECT_TRUE(names.insert(n.name()).second) << "duplicate node " << n.name();
  // Outputs of the multi-output ops a frozen recurrent graph uses: one per `T` entry.
  std::map<std::string, int> outputs;
  for (const auto& n : g.node()) {
    if (n.op() == "While" || n.op() == "StatelessWhile" || n.op() == "IdentityN") {
      outputs[n.name()] = n.attr().at("T").list().type_size();
    }
  }
  int loops = 0;
  for (const auto& n : g.node()) {
    expect_standard_node(n, library, "");
    loops += n.op() == "While" || n.op() == "StatelessWhile";
    for (const std::string& in : n.input()) {
      const size_t colon = in.find(':');
      const std::string src = in[0] == '^' ? in.substr(1) : in.substr(0, colon);
      EXPECT_TRUE(names.count(src)) << n.name() << " input " << in;
      if (colon != std::string::npos && outputs.count(src)) {
        EXPECT_LT(std::stoi(in.substr(colon + 1)), outputs[src]) << n.name() << " input " << in;
      }
    }
    auto read_only = n.attr().find("_read_only_resource_inputs");
    if (read_only != n.attr().end() && n.attr().count("T")) {
      for (int64_t i : read_only->second.list().i()) {
        EXPECT_EQ(n.attr().at("T").list().type(static_cast<int>(i)), tensorflow::DT_RESOURCE) << n.name() << " input " << i;
      }
    }
  }
  std::map<std::string, const tensorflow::FunctionDef*> by_name;
  for (const auto& f : g.library().function()) by_name[f.signature().name()] = &f;
  for (const auto& f : g.library().function()) {
    const std::string where = f.signature().name() + ": ";
    std::set<std::string> args, outs, nodes;
    for (const auto& a : f.signature().input_arg()) {
      EXPECT_TRUE(args.insert(a.name()).second) << where << "argument " << a.name();
      EXPECT_NE(a.type(), tensorflow::DT_RESOURCE) << where << "argument " << a.name();
    }
    for (const auto& a : f.signature().output_arg()) {
      EXPECT_TRUE(outs.insert(a.name()).second) << where << "result " << a.name();
      EXPECT_NE(a.type(), tensorflow::DT_RESOURCE) << where << "result " << a.name();
      EXPECT_TRUE(f.ret().count(a.name())) << where << "result " << a.name() << " has no ret entry";
    }
    EXPECT_EQ(static_cast<size_t>(f.ret_size()), outs.size()) << where;
    for (const auto& n : f.node_def()) EXPECT_TRUE(nodes.insert(n.name()).second) << where << "node " << n.name();
    for (const auto& n : f.node_def()) {
      expect_standard_node(n, library, where);
      for (const std::string& in : n.input()) {
        if (in[0] == '^') {
          EXPECT_TRUE(nodes.count(in.substr(1))) << where << n.name() << " " << in;
        } else {
          expect_body_ref(f, nodes, in, where + n.name());
        }
      }
    }
    for (const auto& [key, ref] : f.ret()) expect_body_ref(f, nodes, ref, where + "ret " + key);
  }
  // A While's loop variables have one type in the node, its cond's and body's arguments and
  // its body's results.
  auto check_loop = [&](const tensorflow::NodeDef& n, const std::string& where) {
    if (n.op() != "While" && n.op() != "StatelessWhile") return;
    const auto& types = n.attr().at("T").list().type();
    for (const char* key : {"cond", "body"}) {
      auto it = by_name.find(n.attr().at(key).func().name());
      if (it == by_name.end()) continue;
      const auto& sig = it->second->signature();
      ASSERT_EQ(sig.input_arg_size(), types.size()) << where << n.name() << " " << key;
      for (int i = 0; i < types.size(); ++i) EXPECT_EQ(sig.input_arg(i).type(), types[i]) << where << n.name() << " " << key << " arg " << i;
      if (std::string(key) == "body") {
        ASSERT_EQ(sig.output_arg_size(), types.size()) << where << n.name();
        for (int i = 0; i < types.size(); ++i) EXPECT_EQ(sig.output_arg(i).type(), types[i]) << where << n.name() << " result " << i;
      } else {
        ASSERT_EQ(sig.output_arg_size(), 1) << where << n.name();
        EXPECT_EQ(sig.output_arg(0).type(), tensorflow::DT_BOOL) << where << n.name();
      }
    }
  };
  for (const auto& n : g.node()) check_loop(n, "");
  for (const auto& f : g.library().function()) {
    for (const auto& n : f.node_def()) check_loop(n, f.signature().name() + ": ");
  }
  return loops;
}

std::string tensor_for(const std::vector<TensorSpec>& specs, const std::string& key) {
  for (const TensorSpec& s : specs) {
    if (s.key == key) return s.tensor_name;
  }
  return key;
}

class FreezeRecurrent : public ::testing::TestWithParam<std::string> {};

TEST_P(FreezeRecurrent, FrozenLoopsReproduceTheModel) {
  const fs::path dir = testing::fixture("realworld/" + GetParam());
  const nlohmann::json meta = read_meta(dir);
  ASSERT_FALSE(meta.is_discarded());
  const std::string model_path = (dir / meta["model"].get<std::string>()).string();
  auto frozen = freeze_model(model_path);
  ASSERT_TRUE(frozen.ok()) << frozen.status();
  EXPECT_GE(expect_loadable_frozen_graph(frozen->graph_def), 1) << "no While loop in the frozen graph";

  TempDir tmp;
  const std::string pb = tmp.file("frozen.pb");
  ASSERT_TRUE(write_graph_def_file(pb, frozen->graph_def).ok());

  std::vector<std::pair<std::string, Tensor>> frozen_feeds;
  std::map<std::string, Tensor> signature_feeds;
  for (auto& [key, file] : meta["inputs"].items()) {
    auto t = read_npy((dir / "expected" / file.get<std::string>()).string());
    ASSERT_TRUE(t.ok()) << t.status();
    frozen_feeds.emplace_back(tensor_for(frozen->inputs, key), *t);
    signature_feeds[key] = *t;
  }
  std::vector<std::string> keys, fetches;
  for (auto& [key, file] : meta["outputs"].items()) {
    keys.push_back(key);
    fetches.push_back(tensor_for(frozen->outputs, key));
  }
  auto original = Model::load(model_path);
  ASSERT_TRUE(original.ok()) << original.status();
  auto source_out = (*original)->run("serving_default", signature_feeds);
  ASSERT_TRUE(source_out.ok()) << source_out.status();

  const double rtol = meta.value("rtol", 1e-4), atol = meta.value("atol", 1e-5);
  for (bool fuse : {false, true}) {
    LoadOptions options;
    options.fuse_keras_recurrent_layers = fuse;
    auto model = Model::load(pb, options);
    ASSERT_TRUE(model.ok()) << model.status();
    auto out = (*model)->run_tensors(frozen_feeds, fetches);
    ASSERT_TRUE(out.ok()) << out.status();
    for (size_t i = 0; i < keys.size(); ++i) {
      const std::string what = GetParam() + " output " + keys[i] + (fuse ? " (fusion on)" : " (fusion off)");
      auto want = read_npy((dir / "expected" / meta["outputs"][keys[i]].get<std::string>()).string());
      ASSERT_TRUE(want.ok()) << want.status();
      expect_allclose((*out)[i], *want, rtol, atol, what + " vs expected");
      expect_allclose((*out)[i], source_out->at(keys[i]), 1e-4, 1e-5, what + " vs the source model");
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, FreezeRecurrent, ::testing::ValuesIn(kRecurrentFixtures),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string s = info.param;
                           for (char& ch : s) {
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           }
                           return s;
                         });

// Every setting of the fused node, not only those the fixtures use: the fused kernel and its
// frozen While loop give the same results.
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

tensorflow::FunctionDefLibrary parse_library(const std::string& text) {
  tensorflow::FunctionDefLibrary lib;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &lib));
  return lib;
}

const tensorflow::FunctionDef& function(const tensorflow::FunctionDefLibrary& lib, const std::string& name) {
  for (const auto& f : lib.function()) {
    if (f.signature().name() == name) return f;
  }
  ADD_FAILURE() << "no function " << name;
  return lib.function(0);
}

const tensorflow::NodeDef& body_node(const tensorflow::FunctionDef& f, const std::string& name) {
  for (const auto& n : f.node_def()) {
    if (n.name() == name) return n;
  }
  ADD_FAILURE() << "no node " << name << " in " << f.signature().name();
  return f.node_def(0);
}

// A While loop (counter, accumulator, variable) whose body reads the variable directly,
// passes its handle through an Identity, and hands it to a called function that gathers from it.
const char* const kLoopLibrary = R"pb(
  function {
    signature {
      name: "cond"
      input_arg { name: "i" type: DT_INT32 }
      input_arg { name: "acc" type: DT_FLOAT }
      input_arg { name: "v" type: DT_RESOURCE }
      output_arg { name: "go" type: DT_BOOL }
    }
    node_def { name: "n" op: "Const" attr { key: "dtype" value { type: DT_INT32 } }
               attr { key: "value" value { tensor { dtype: DT_INT32 int_val: 3 } } } }
    node_def { name: "less" op: "Less" input: "i" input: "n:output:0" attr { key: "T" value { type: DT_INT32 } } }
    ret { key: "go" value: "less:z:0" }
  }
  function {
    signature {
      name: "body"
      input_arg { name: "i" type: DT_INT32 }
      input_arg { name: "acc" type: DT_FLOAT }
      input_arg { name: "v" type: DT_RESOURCE handle_data { dtype: DT_FLOAT shape { dim { size: 3 } } } }
      output_arg { name: "i_next" type: DT_INT32 }
      output_arg { name: "acc_next" type: DT_FLOAT }
      output_arg { name: "v_next" type: DT_RESOURCE }
    }
    node_def { name: "read" op: "ReadVariableOp" input: "v" attr { key: "dtype" value { type: DT_FLOAT } } }
    node_def { name: "call" op: "PartitionedCall" input: "pass:output:0"
               attr { key: "Tin" value { list { type: DT_RESOURCE } } }
               attr { key: "Tout" value { list { type: DT_FLOAT } } }
               attr { key: "f" value { func { name: "inner" } } } }
    node_def { name: "pass" op: "Identity" input: "v" attr { key: "T" value { type: DT_RESOURCE } } }
    node_def { name: "sum" op: "Sum" input: "read:value:0" input: "axis:output:0"
               attr { key: "T" value { type: DT_FLOAT } } attr { key: "Tidx" value { type: DT_INT32 } } }
    node_def { name: "axis" op: "Const" attr { key: "dtype" value { type: DT_INT32 } }
               attr { key: "value" value { tensor { dtype: DT_INT32 int_val: 0 } } } }
    node_def { name: "add" op: "AddV2" input: "acc" input: "sum:output:0" attr { key: "T" value { type: DT_FLOAT } } }
    node_def { name: "add_1" op: "AddV2" input: "add:z:0" input: "call:output:0" attr { key: "T" value { type: DT_FLOAT } } }
    node_def { name: "one" op: "Const" attr { key: "dtype" value { type: DT_INT32 } }
               attr { key: "value" value { tensor { dtype: DT_INT32 int_val: 1 } } } }
    node_def { name: "next" op: "AddV2" input: "i" input: "one:output:0" attr { key: "T" value { type: DT_INT32 } } }
    ret { key: "i_next" value: "next:z:0" }
    ret { key: "acc_next" value: "add_1:z:0" }
    ret { key: "v_next" value: "v" }
  }
  function {
    signature {
      name: "inner"
      input_arg { name: "r" type: DT_RESOURCE }
      output_arg { name: "out" type: DT_FLOAT }
    }
    node_def { name: "idx" op: "Const" attr { key: "dtype" value { type: DT_INT32 } }
               attr { key: "value" value { tensor { dtype: DT_INT32 int_val: 1 } } } }
    node_def { name: "g" op: "ResourceGather" input: "r" input: "idx:output:0"
               attr { key: "dtype" value { type: DT_FLOAT } } attr { key: "Tindices" value { type: DT_INT32 } } }
    ret { key: "out" value: "g:output:0" }
  }
)pb";

google::protobuf::Map<std::string, tensorflow::AttrValue> loop_attrs() {
  tensorflow::NodeDef n;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(R"pb(
    attr { key: "T" value { list { type: DT_INT32 type: DT_FLOAT type: DT_RESOURCE } } }
    attr { key: "output_shapes" value { list { shape {} shape {} shape {} } } }
    attr { key: "cond" value { func { name: "cond" } } }
    attr { key: "body" value { func { name: "body" } } }
    attr { key: "_read_only_resource_inputs" value { list { i: 2 } } }
  )pb", &n));
  return n.attr();
}

TEST(FreezeFunctions, VariablesEnteringALoopBecomeItsValue) {
  tensorflow::FunctionDefLibrary lib = parse_library(kLoopLibrary);
  auto attrs = loop_attrs();
  runtime::FunctionArgFreezer freezer(lib);
  const Tensor value = Tensor::from_vector<float>(DType::kFloat, Shape{3}, {1, 2, 4});
  ASSERT_TRUE(freezer.freeze_caller_input("While", "loop", attrs, 2, value).ok());

  EXPECT_EQ(attrs.at("T").list().type(2), tensorflow::DT_FLOAT);
  EXPECT_EQ(attrs.at("_read_only_resource_inputs").list().i_size(), 0);  // no resource left
  ASSERT_EQ(attrs.at("output_shapes").list().shape(2).dim_size(), 1);
  EXPECT_EQ(attrs.at("output_shapes").list().shape(2).dim(0).size(), 3);
  for (const char* name : {"cond", "body"}) {
    const auto& arg = function(lib, name).signature().input_arg(2);
    EXPECT_EQ(arg.type(), tensorflow::DT_FLOAT) << name;
    EXPECT_EQ(arg.handle_data_size(), 0) << name;
  }
  const tensorflow::FunctionDef& body = function(lib, "body");
  EXPECT_EQ(body.signature().output_arg(2).type(), tensorflow::DT_FLOAT);
  const tensorflow::NodeDef& read = body_node(body, "read");
  EXPECT_EQ(read.op(), "Identity");
  EXPECT_EQ(read.attr().at("T").type(), tensorflow::DT_FLOAT);
  EXPECT_EQ(read.attr().count("dtype"), 0u);
  EXPECT_EQ(body_node(body, "sum").input(0), "read:output:0");  // Identity's result is "output"
  EXPECT_EQ(body_node(body, "pass").attr().at("T").type(), tensorflow::DT_FLOAT);
  EXPECT_EQ(body_node(body, "call").attr().at("Tin").list().type(0), tensorflow::DT_FLOAT);
  const tensorflow::FunctionDef& inner = function(lib, "inner");
  EXPECT_EQ(inner.signature().input_arg(0).type(), tensorflow::DT_FLOAT);
  const tensorflow::NodeDef& gather = body_node(inner, "g");
  EXPECT_EQ(gather.op(), "GatherV2");
  ASSERT_EQ(gather.input_size(), 3);
  EXPECT_EQ(gather.input(0), "r");
  EXPECT_EQ(gather.input(2), "g/axis:output:0");
  EXPECT_EQ(body_node(inner, "g/axis").op(), "Const");
  EXPECT_EQ(gather.attr().at("Tparams").type(), tensorflow::DT_FLOAT);

  // The rewritten loop runs: acc = sum over 3 iterations of (1+2+4) + v[1].
  tensorflow::GraphDef gd;
  *gd.mutable_library() = lib;
  auto* c = gd.add_node();
  c->set_name("v");
  c->set_op("Const");
  (*c->mutable_attr())["dtype"].set_type(tensorflow::DT_FLOAT);
  *(*c->mutable_attr())["value"].mutable_tensor() = *runtime::tensor_to_proto(value);
  for (const auto& [name, t] : std::vector<std::pair<std::string, Tensor>>{
           {"i0", Tensor::from_vector<int32_t>(DType::kInt32, Shape{}, {0})},
           {"acc0", Tensor::from_vector<float>(DType::kFloat, Shape{}, {0.5f})}}) {
    auto* n = gd.add_node();
    n->set_name(name);
    n->set_op("Const");
    (*n->mutable_attr())["dtype"].set_type(static_cast<tensorflow::DataType>(t.dtype()));
    *(*n->mutable_attr())["value"].mutable_tensor() = *runtime::tensor_to_proto(t);
  }
  auto* loop = gd.add_node();
  loop->set_name("loop");
  loop->set_op("While");
  loop->add_input("i0");
  loop->add_input("acc0");
  loop->add_input("v");
  *loop->mutable_attr() = attrs;
  (*loop->mutable_attr())["parallel_iterations"].set_i(10);
  EXPECT_EQ(expect_loadable_frozen_graph(gd), 1);
  TempDir tmp;
  ASSERT_TRUE(write_graph_def_file(tmp.file("loop.pb"), gd).ok());
  auto model = Model::load(tmp.file("loop.pb"));
  ASSERT_TRUE(model.ok()) << model.status();
  auto out = (*model)->run_tensors({}, {"loop:1"});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_FLOAT_EQ((*out)[0].data<float>()[0], 0.5f + 3 * (7.0f + 2.0f));
}

TEST(FreezeFunctions, WritingAVariableInsideALoopIsRefused) {
  std::string text = kLoopLibrary;
  const std::string write =
      R"pb(node_def { name: "bump" op: "AssignAddVariableOp" input: "v" input: "acc" attr { key: "dtype" value { type: DT_FLOAT } } })pb";
  text.insert(text.find("ret { key: \"i_next\""), write + "\n    ");
  tensorflow::FunctionDefLibrary lib = parse_library(text);
  auto attrs = loop_attrs();
  runtime::FunctionArgFreezer freezer(lib);
  Status s = freezer.freeze_caller_input("While", "loop", attrs, 2,
                                         Tensor::from_vector<float>(DType::kFloat, Shape{3}, {1, 2, 4}));
  EXPECT_EQ(s.code(), StatusCode::kUnimplemented) << s;
  EXPECT_NE(s.message().find("bump"), std::string::npos) << s;
  EXPECT_NE(s.message().find("AssignAddVariableOp"), std::string::npos) << s;
  // A variable as an If's predicate has no function argument to become.
  tensorflow::NodeDef if_node;
  (*if_node.mutable_attr())["Tin"].mutable_list();
  s = freezer.freeze_caller_input("If", "branch", *if_node.mutable_attr(), 0, Tensor::from_vector<float>(DType::kFloat, Shape{}, {1}));
  EXPECT_EQ(s.code(), StatusCode::kUnimplemented) << s;
}

}  // namespace
}  // namespace tfport
