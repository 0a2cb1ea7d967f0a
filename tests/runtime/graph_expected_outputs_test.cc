// Every feed-forward (kind ff) and control-flow (kind cf) fixture that is a graph (SavedModel, frozen GraphDef, TF1 .meta) must
// reproduce the outputs in its expected/ folder, computed by an independent implementation.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "support/test_support.h"
#include "tfport/model.h"
#include "tfport/npy.h"

namespace fs = std::filesystem;

namespace tfport {
namespace {

struct Case {
  std::string slug;
  nlohmann::json meta;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.slug; }

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Graph fixtures per realworld/MANIFEST.tsv: feed-forward (kind "ff") and control flow,
// recurrent and text models (kind "cf").
std::vector<Case> graph_cases() {
  std::vector<Case> cases;
  fs::path root = testing::fixture("realworld");
  std::ifstream manifest(root / "MANIFEST.tsv");
  for (std::string line; std::getline(manifest, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream f(line);
    std::string slug, kind, format;
    std::getline(f, slug, '\t');
    std::getline(f, kind, '\t');
    std::getline(f, format, '\t');
    if ((kind != "ff" && kind != "cf") || format == "keras-h5" || format == "keras-v3") continue;
    auto meta = nlohmann::json::parse(slurp(root / slug / "expected" / "meta.json"), nullptr, false);
    if (meta.is_discarded() || !meta.contains("outputs") || meta["outputs"].empty()) continue;
    cases.push_back({slug, meta});
  }
  return cases;
}

class GraphExpectedOutputs : public ::testing::TestWithParam<Case> {};

void expect_allclose(const Tensor& got, const Tensor& want, double rtol, double atol, const std::string& what) {
  ASSERT_EQ(got.shape(), want.shape()) << what;
  ASSERT_EQ(got.dtype(), DType::kFloat) << what;
  ASSERT_EQ(want.dtype(), DType::kFloat) << what;
  double worst = 0;
  int64_t bad = 0;
  for (int64_t i = 0; i < got.num_elements(); ++i) {
    double g = got.data<float>()[i], w = want.data<float>()[i];
    double err = std::abs(g - w);
    worst = std::max(worst, err);
    if (!(err <= atol + rtol * std::abs(w))) ++bad;
  }
  EXPECT_EQ(bad, 0) << what << ": " << bad << " of " << got.num_elements() << " elements differ; max abs error "
                    << worst;
}

// Each fixture twice: as loaded by default, and with tf.keras recurrent layers left as the
// graph's While loops (so both the fused path and the While/TensorList path are checked).
void check_case(const Case& c, bool fuse);

TEST_P(GraphExpectedOutputs, ReproducesExpectedOutputs) {
  for (bool fuse : {true, false}) {
    SCOPED_TRACE(fuse ? "fused Keras recurrent layers" : "graph as saved");
    check_case(GetParam(), fuse);
    if (::testing::Test::HasFatalFailure()) return;
  }
}

void check_case(const Case& c, bool fuse) {
  fs::path dir = testing::fixture("realworld/" + c.slug);
  LoadOptions options;
  options.fuse_keras_recurrent_layers = fuse;
  auto model = Model::load((dir / c.meta["model"].get<std::string>()).string(), options);
  ASSERT_TRUE(model.ok()) << model.status();
  double rtol = c.meta.value("rtol", 1e-4), atol = c.meta.value("atol", 1e-5);

  std::map<std::string, Tensor> inputs;
  for (auto& [key, file] : c.meta["inputs"].items()) {
    auto t = read_npy((dir / "expected" / file.get<std::string>()).string());
    ASSERT_TRUE(t.ok()) << t.status();
    inputs[key] = *t;
  }
  std::map<std::string, Tensor> outputs;
  bool by_signature = !(*model)->signatures().empty() && !c.meta.contains("fetch");
  if (by_signature) {
    std::string sig = c.meta["signature"].is_string() ? c.meta["signature"].get<std::string>() : "serving_default";
    auto out = (*model)->run(sig, inputs);
    ASSERT_TRUE(out.ok()) << out.status();
    outputs = *out;
  } else {
    std::vector<std::pair<std::string, Tensor>> feeds(inputs.begin(), inputs.end());
    std::vector<std::string> fetches;
    for (auto& [key, file] : c.meta["outputs"].items()) fetches.push_back(key);
    auto out = (*model)->run_tensors(feeds, fetches);
    ASSERT_TRUE(out.ok()) << out.status();
    for (size_t i = 0; i < fetches.size(); ++i) outputs[fetches[i]] = (*out)[i];
  }
  for (auto& [key, file] : c.meta["outputs"].items()) {
    auto want = read_npy((dir / "expected" / file.get<std::string>()).string());
    ASSERT_TRUE(want.ok()) << want.status();
    ASSERT_TRUE(outputs.count(key)) << "no output " << key;
    expect_allclose(outputs[key], *want, rtol, atol, c.slug + " output " + key);
  }
}

std::string name_of(const ::testing::TestParamInfo<Case>& info) {
  std::string s = info.param.slug;
  for (char& ch : s) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return s;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, GraphExpectedOutputs, ::testing::ValuesIn(graph_cases()), name_of);

}  // namespace
}  // namespace tfport
