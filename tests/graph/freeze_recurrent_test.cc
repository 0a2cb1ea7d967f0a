// freeze_model on the recurrent fixtures: Keras files (whose LSTM/GRU/SimpleRNN layers tfport
// runs fused) and tf.keras SavedModels (whose While bodies read variables) freeze into graphs
// of standard TensorFlow ops with functional While loops; loaded back (with and without Keras
// recurrent fusion) they reproduce the fixtures' expected outputs and the source model's.
// What cannot be frozen is refused with the reason.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "graph/graph.h"
#include "runtime/freeze_functions.h"
#include "runtime/freeze_keras_rnn.h"
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
  static const std::set<std::string> ops = {"VarHandleOp", "VariableV2",      "ReadVariableOp", "AssignVariableOp",
                                            "Assign",      "RestoreV2",       "SaveV2",         "ResourceGather",
                                            "PartitionedCall", "StatefulPartitionedCall"};
  return ops;
}

void expect_standard_node(const tensorflow::NodeDef& n, const std::set<std::string>& library, const std::string& where) {
  EXPECT_NE(n.op().rfind("_Tfport", 0), 0u) << where << n.name() << " (" << n.op() << ")";
  EXPECT_EQ(stateful_ops().count(n.op()), 0u) << where << n.name() << " (" << n.op() << ")";
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
  int loops = 0;
  for (const auto& n : g.node()) {
    expect_standard_node(n, library, "");
    loops += n.op() == "While" || n.op() == "StatelessWhile";
    for (const std::string& in : n.input()) {
      const std::string src = in[0] == '^' ? in.substr(1) : in.substr(0, in.find(':'));
      EXPECT_TRUE(names.count(src)) << n.name() << " input " << in;
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

}  // namespace
}  // namespace tfport
