// freeze_model on the fixtures: the frozen GraphDef, loaded back as a frozen graph, gives the
// fixtures' expected outputs (or the original model's outputs), uses only standard TF ops with
// no variables, functions or tfport-internal attributes, and bad requests fail clearly.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/staged_file.h"
#include "support/test_support.h"
#include "tfport/checkpoint.h"
#include "tfport/checkpoint_writer.h"
#include "tfport/freeze.h"
#include "tfport/model.h"
#include "tfport/npy.h"

namespace fs = std::filesystem;

namespace tfport {
namespace {

using tfport::testing::TempDir;

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Case {
  std::string slug;
  nlohmann::json meta;
};
void PrintTo(const Case& c, std::ostream* os) { *os << c.slug; }

// Feed-forward realworld fixtures with expected outputs, plus the TF1 .meta + checkpoint one.
std::vector<Case> cases() {
  std::vector<Case> out;
  fs::path root = testing::fixture("realworld");
  std::ifstream manifest(root / "MANIFEST.tsv");
  for (std::string line; std::getline(manifest, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream f(line);
    std::string slug, kind;
    std::getline(f, slug, '\t');
    std::getline(f, kind, '\t');
    if (kind != "ff" && slug != "houseprices-tf1-ckpt") continue;
    auto meta = nlohmann::json::parse(slurp(root / slug / "expected" / "meta.json"), nullptr, false);
    if (meta.is_discarded() || !meta.contains("outputs") || meta["outputs"].empty()) continue;
    out.push_back({slug, meta});
  }
  return out;
}

void expect_allclose(const Tensor& got, const Tensor& want, double rtol, double atol, const std::string& what) {
  ASSERT_EQ(got.shape(), want.shape()) << what;
  ASSERT_EQ(got.dtype(), want.dtype()) << what;
  if (got.dtype() != DType::kFloat) {
    EXPECT_TRUE(got.equals(want)) << what;
    return;
  }
  int64_t bad = 0;
  for (int64_t i = 0; i < got.num_elements(); ++i) {
    const double g = got.data<float>()[i], w = want.data<float>()[i];
    if (!(std::abs(g - w) <= atol + rtol * std::abs(w))) ++bad;
  }
  EXPECT_EQ(bad, 0) << what << ": " << bad << " of " << got.num_elements() << " elements differ";
}

// Only TensorFlow's own vocabulary: no variables, no calls, no internal attributes.
void expect_standard_frozen_graph(const tensorflow::GraphDef& g) {
  static const std::set<std::string> forbidden = {"VarHandleOp", "VariableV2", "ReadVariableOp", "AssignVariableOp",
                                                  "Assign", "RestoreV2", "SaveV2", "PartitionedCall",
                                                  "StatefulPartitionedCall", "ResourceGather"};
  EXPECT_EQ(g.library().function_size(), 0);
  std::set<std::string> names;
  for (const auto& n : g.node()) names.insert(n.name());
  for (const auto& n : g.node()) {
    EXPECT_EQ(forbidden.count(n.op()), 0u) << n.name() << " (" << n.op() << ")";
    for (const auto& [key, value] : n.attr()) EXPECT_NE(key.rfind("_tfport", 0), 0u) << n.name() << " " << key;
    if (n.op() == "Const") {
      EXPECT_TRUE(n.attr().count("dtype") && n.attr().count("value")) << n.name();
    }
    for (const std::string& in : n.input()) {
      std::string src = in[0] == '^' ? in.substr(1) : in.substr(0, in.find(':'));
      EXPECT_TRUE(names.count(src)) << n.name() << " input " << in;
    }
  }
}

class FreezeFixture : public ::testing::TestWithParam<Case> {};

TEST_P(FreezeFixture, FrozenGraphReproducesExpectedOutputs) {
  const Case& c = GetParam();
  const fs::path dir = testing::fixture("realworld/" + c.slug);
  const std::string model_path = (dir / c.meta["model"].get<std::string>()).string();
  FreezeOptions options;
  // Graphs without signatures are frozen by node names, as freeze_graph --output_node_names.
  if (c.meta.contains("fetch")) {
    for (const auto& f : c.meta["fetch"]) options.output_node_names.push_back(f.get<std::string>());
  } else if (c.meta.value("format", "") == "frozen-graph") {
    for (auto& [key, file] : c.meta["outputs"].items()) options.output_node_names.push_back(key);
  } else if (c.meta["signature"].is_string()) {
    options.signature_key = c.meta["signature"].get<std::string>();
  }
  auto frozen = freeze_model(model_path, options);
  ASSERT_TRUE(frozen.ok()) << frozen.status();
  expect_standard_frozen_graph(frozen->graph_def);

  TempDir tmp;
  const std::string pb = tmp.file("frozen.pb");
  ASSERT_TRUE(write_graph_def_file(pb, frozen->graph_def).ok());
  auto model = Model::load(pb);
  ASSERT_TRUE(model.ok()) << model.status();
  EXPECT_TRUE((*model)->signatures().empty());

  auto tensor_for = [&](const std::vector<TensorSpec>& specs, const std::string& key) {
    for (const TensorSpec& s : specs) {
      if (s.key == key) return s.tensor_name;
    }
    return key;  // by node name
  };
  std::vector<std::pair<std::string, Tensor>> feeds;
  for (auto& [key, file] : c.meta["inputs"].items()) {
    auto t = read_npy((dir / "expected" / file.get<std::string>()).string());
    ASSERT_TRUE(t.ok()) << t.status();
    feeds.emplace_back(tensor_for(frozen->inputs, key), *t);
  }
  std::vector<std::string> fetches, keys;
  for (auto& [key, file] : c.meta["outputs"].items()) {
    keys.push_back(key);
    fetches.push_back(tensor_for(frozen->outputs, key));
  }
  auto out = (*model)->run_tensors(feeds, fetches);
  if (!out.ok() && out.status().code() == StatusCode::kUnimplemented) {
    // The frozen graph is checked above; running it needs ops tfport lacks (TF1 control flow),
    // which the source model needs as well.
    auto original = Model::load(model_path);
    ASSERT_TRUE(original.ok()) << original.status();
    auto source_run = (*original)->run_tensors(feeds, fetches);
    ASSERT_FALSE(source_run.ok()) << "the source runs but its frozen graph does not: " << out.status();
    GTEST_SKIP() << "runs neither before nor after freezing: " << out.status();
  }
  ASSERT_TRUE(out.ok()) << out.status();
  const double rtol = c.meta.value("rtol", 1e-4), atol = c.meta.value("atol", 1e-5);
  for (size_t i = 0; i < keys.size(); ++i) {
    auto want = read_npy((dir / "expected" / c.meta["outputs"][keys[i]].get<std::string>()).string());
    ASSERT_TRUE(want.ok()) << want.status();
    expect_allclose((*out)[i], *want, rtol, atol, c.slug + " output " + keys[i]);
  }
}

std::string name_of(const ::testing::TestParamInfo<Case>& info) {
  std::string s = info.param.slug;
  for (char& ch : s) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return s;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, FreezeFixture, ::testing::ValuesIn(cases()), name_of);

// Every TF Serving model with a serving_default signature freezes to a graph computing the same.
TEST(Freeze, TfServingModelsKeepTheirOutputs) {
  int frozen_models = 0;
  for (const auto& base : fs::directory_iterator(testing::fixture("tfserving"))) {
    if (!base.is_directory()) continue;
    for (const auto& version : fs::directory_iterator(base.path())) {
      if (!fs::exists(version.path() / "saved_model.pb")) continue;
      SCOPED_TRACE(version.path().string());
      auto original = Model::load(version.path().string());
      if (!original.ok() || !(*original)->signature("serving_default").ok()) continue;
      auto frozen = freeze_model(version.path().string());
      ASSERT_TRUE(frozen.ok()) << frozen.status();
      expect_standard_frozen_graph(frozen->graph_def);
      EXPECT_GE(frozen->frozen_variables, 1);
      TempDir tmp;
      ASSERT_TRUE(write_graph_def_file(tmp.file("f.pb"), frozen->graph_def).ok());
      auto model = Model::load(tmp.file("f.pb"));
      ASSERT_TRUE(model.ok()) << model.status();
      ASSERT_EQ(frozen->inputs.size(), 1u);
      std::vector<int64_t> dims;
      for (int64_t d : frozen->inputs[0].shape.dims()) dims.push_back(d < 0 ? 3 : d);
      auto x = *Tensor::allocate(DType::kFloat, Shape(dims));
      for (int64_t i = 0; i < x.num_elements(); ++i) x.mutable_data<float>()[i] = 1.0f + 2.0f * static_cast<float>(i);
      auto want = (*original)->run("serving_default", {{frozen->inputs[0].key, x}});
      ASSERT_TRUE(want.ok()) << want.status();
      std::vector<std::string> fetches;
      for (const TensorSpec& s : frozen->outputs) fetches.push_back(s.tensor_name);
      auto got = (*model)->run_tensors({{frozen->inputs[0].tensor_name, x}}, fetches);
      ASSERT_TRUE(got.ok()) << got.status();
      for (size_t i = 0; i < fetches.size(); ++i) {
        EXPECT_TRUE((*got)[i].equals(want->at(frozen->outputs[i].key))) << fetches[i];
      }
      ++frozen_models;
    }
  }
  EXPECT_GE(frozen_models, 8);
}

TEST(Freeze, HalfPlusTwoValues) {
  auto frozen = freeze_model(testing::fixture("tfserving/saved_model_half_plus_two_cpu/00000123"));
  ASSERT_TRUE(frozen.ok()) << frozen.status();
  ASSERT_EQ(frozen->outputs.size(), 1u);
  EXPECT_EQ(frozen->inputs[0].tensor_name, "x:0");
  EXPECT_EQ(frozen->outputs[0].tensor_name, "y:0");
  EXPECT_EQ(frozen->frozen_variables, 2);  // a and b; c, a2, c2 are not on y's path
  EXPECT_GT(frozen->graph_def.versions().producer(), 0);  // the source graph's version
  TempDir tmp;
  ASSERT_TRUE(write_graph_def_file(tmp.file("f.pb"), frozen->graph_def).ok());
  auto model = Model::load(tmp.file("f.pb"));
  ASSERT_TRUE(model.ok()) << model.status();
  auto y = (*model)->run_tensors({{"x:0", Tensor::from_vector<float>(DType::kFloat, Shape{2, 1}, {1.0f, 4.0f})}},
                                 {"y:0"});
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ((*y)[0].data<float>()[0], 2.5f);
  EXPECT_EQ((*y)[0].data<float>()[1], 4.0f);
}

TEST(Freeze, BadRequestsFailClearly) {
  const std::string hp2 = testing::fixture("tfserving/saved_model_half_plus_two_cpu/00000123");
  FreezeOptions bad_sig;
  bad_sig.signature_key = "nope";
  EXPECT_EQ(freeze_model(hp2, bad_sig).status().code(), StatusCode::kNotFound);
  FreezeOptions bad_node;
  bad_node.output_node_names = {"no_such_node"};
  auto s = freeze_model(hp2, bad_node).status();
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_NE(s.message().find("no_such_node"), std::string::npos) << s;
  // No signatures: the outputs must be named.
  auto nosig = freeze_model(testing::fixture("realworld/mnist-tf12-savedmodel-nosig/model"));
  EXPECT_EQ(nosig.status().code(), StatusCode::kInvalidArgument) << nosig.status();
  // Not a model with a graph.
  EXPECT_FALSE(freeze_model(testing::fixture("checkpoints/lso_ckpt_tf2.2")).ok());
  EXPECT_EQ(freeze_model("/no/such/model").status().code(), StatusCode::kNotFound);
}

// Recurrent models (Keras RNN layers, variables read inside While bodies) and what freeze still
// refuses there: freeze_recurrent_test.cc.

TEST(Freeze, MissingVariableIsNamed) {
  // half_plus_two with a checkpoint that lacks variable "b".
  TempDir tmp;
  const std::string copy = testing::copy_to(testing::fixture("tfserving/saved_model_half_plus_two_cpu/00000123"),
                                            tmp.file("m"));
  auto reader = CheckpointReader::open(copy + "/variables/variables");
  ASSERT_TRUE(reader.ok());
  {
    std::map<std::string, Tensor> values;
    for (const auto& v : reader->variables()) values[v.name] = reader->read(v.name)->clone();
    auto w = CheckpointWriter::create(copy + "/variables/variables");
    ASSERT_TRUE(w.ok());
    for (const auto& [name, value] : values) {
      if (name != "b") {
        ASSERT_TRUE(w->add(name, value).ok());
      }
    }
    ASSERT_TRUE(w->finish().ok());
  }
  auto frozen = freeze_model(copy);
  ASSERT_FALSE(frozen.ok());
  EXPECT_NE(frozen.status().message().find("b"), std::string::npos) << frozen.status();
}

TEST(Freeze, WritesAreAtomic) {
  auto frozen = freeze_model(testing::fixture("tfserving/saved_model_half_plus_two_cpu/00000123"));
  ASSERT_TRUE(frozen.ok());
  TempDir tmp;
  EXPECT_FALSE(write_graph_def_file(tmp.file("missing/dir/f.pb"), frozen->graph_def).ok());
  testing::write_all(tmp.file("f.pb"), "previous");
  write_faults::fail_after_bytes(10);
  Status s = write_graph_def_file(tmp.file("f.pb"), frozen->graph_def);
  write_faults::clear();
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(testing::read_all(tmp.file("f.pb")), "previous");
  int files = 0;
  for (const auto& e : fs::directory_iterator(tmp.path())) files += e.is_regular_file() ? 1 : 0;
  EXPECT_EQ(files, 1);
}

}  // namespace
}  // namespace tfport
