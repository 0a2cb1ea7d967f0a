// Every feed-forward or recurrent Keras fixture with expected outputs (realworld/*/expected,
// format keras-h5 or keras-v3, kind ff or cf) loaded with Model::load and run on its inputs; the outputs must match
// with numpy.allclose semantics. Plus the mobilenet_v2 bench model on a random input.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include "support/test_support.h"
#include "tfport/model.h"
#include "tfport/npy.h"

namespace tfport {
namespace {

using nlohmann::json;
using testing::fixture;

struct KerasCase {
  std::string slug;
  json meta;
};

std::vector<KerasCase> keras_cases(bool with_outputs = true) {
  std::vector<KerasCase> out;
  std::ifstream manifest(fixture("realworld/MANIFEST.tsv"));
  std::string line;
  std::set<std::string> seen;
  while (std::getline(manifest, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string slug, kind, format;
    std::getline(fields, slug, '\t');
    std::getline(fields, kind, '\t');
    std::getline(fields, format, '\t');
    if ((kind != "ff" && kind != "cf") || (format != "keras-h5" && format != "keras-v3") || !seen.insert(slug).second) continue;
    std::ifstream meta_file(fixture("realworld/" + slug + "/expected/meta.json"));
    if (!meta_file) continue;
    std::stringstream text;
    text << meta_file.rdbuf();
    json meta = json::parse(text.str(), nullptr, false);
    if (meta.is_discarded() || !meta.contains("outputs") || !meta["outputs"].is_object()) continue;
    if (meta["outputs"].empty() == with_outputs) continue;
    out.push_back({slug, meta});
  }
  return out;
}

double as_double(const Tensor& t, int64_t i) {
  switch (t.dtype()) {
    case DType::kFloat: return t.data<float>()[i];
    case DType::kDouble: return t.data<double>()[i];
    case DType::kInt32: return t.data<int32_t>()[i];
    case DType::kInt64: return static_cast<double>(t.data<int64_t>()[i]);
    default: return NAN;
  }
}

TEST(KerasExpectedOutputs, EnumeratesFixtures) { EXPECT_GE(keras_cases().size(), 3u); }

// One test per fixture, so a failing model does not hide the others.
class KerasFixture : public ::testing::TestWithParam<KerasCase> {};

void PrintTo(const KerasCase& c, std::ostream* os) { *os << c.slug; }

TEST_P(KerasFixture, ReproducesExpectedOutputs) {
  {
    const KerasCase& c = GetParam();
    const std::string dir = fixture("realworld/" + c.slug);
    auto model = Model::load(dir + "/" + c.meta["model"].get<std::string>());
    ASSERT_TRUE(model.ok()) << model.status();
    std::map<std::string, Tensor> inputs;
    for (const auto& [key, file] : c.meta["inputs"].items()) {
      auto t = read_npy(dir + "/expected/" + file.get<std::string>());
      ASSERT_TRUE(t.ok()) << t.status();
      inputs[key] = *t;
    }
    auto sig = (*model)->signature("serving_default");
    ASSERT_TRUE(sig.ok()) << sig.status();
    // Keras casts inputs to the input layer's dtype; the fixture's files may hold another one.
    for (const TensorSpec& spec : (*sig)->inputs) {
      auto it = inputs.find(spec.key);
      ASSERT_NE(it, inputs.end()) << "no input file for " << spec.key;
      ASSERT_EQ(it->second.dtype(), spec.dtype) << spec.key;
    }
    auto out = (*model)->run("serving_default", inputs);
    ASSERT_TRUE(out.ok()) << out.status();
    const double rtol = c.meta.value("rtol", 1e-4), atol = c.meta.value("atol", 1e-5);
    for (const auto& [key, file] : c.meta["outputs"].items()) {
      auto expected = read_npy(dir + "/expected/" + file.get<std::string>());
      ASSERT_TRUE(expected.ok()) << expected.status();
      ASSERT_TRUE(out->count(key)) << "no output " << key;
      const Tensor& got = out->at(key);
      ASSERT_EQ(got.shape(), expected->shape()) << key;
      double max_err = 0;
      int64_t bad = 0;
      for (int64_t i = 0; i < got.num_elements(); ++i) {
        double a = as_double(got, i), b = as_double(*expected, i);
        max_err = std::max(max_err, std::fabs(a - b));
        if (!(std::fabs(a - b) <= atol + rtol * std::fabs(b))) ++bad;
      }
      EXPECT_EQ(bad, 0) << key << ": " << bad << " elements differ; max abs error " << max_err;
      std::cout << "[ keras ] " << c.slug << " " << key << " max abs error " << max_err << "\n";
    }
  }
}

std::string keras_case_name(const ::testing::TestParamInfo<KerasCase>& info) {
  std::string s = info.param.slug;
  for (char& ch : s) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return s;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, KerasFixture, ::testing::ValuesIn(keras_cases()), keras_case_name);

// Fixtures the reference could not compute: they either run (finite outputs of the declared
// shapes for the given inputs) or fail at load naming what tfport lacks.
TEST(KerasExpectedOutputs, FixturesWithoutOutputsRunOrNameWhatIsMissing) {
  for (const KerasCase& c : keras_cases(false)) {
    SCOPED_TRACE(c.slug);
    const std::string dir = fixture("realworld/" + c.slug);
    auto model = Model::load(dir + "/" + c.meta["model"].get<std::string>());
    if (!model.ok()) {
      EXPECT_EQ(model.status().code(), StatusCode::kUnimplemented) << model.status();
      std::cout << "[ keras ] " << c.slug << " does not load: " << model.status().message() << "\n";
      continue;
    }
    std::map<std::string, Tensor> inputs;
    for (const auto& [key, file] : c.meta["inputs"].items()) {
      auto t = read_npy(dir + "/expected/" + file.get<std::string>());
      ASSERT_TRUE(t.ok()) << t.status();
      inputs[key] = *t;
    }
    // Inputs the fixture does not give: seeded values in [0, 1), batch 2, unknown dims 32.
    auto sig = (*model)->signature("serving_default");
    ASSERT_TRUE(sig.ok()) << sig.status();
    std::mt19937 rng(3);
    std::uniform_real_distribution<float> u(0.f, 1.f);
    for (const TensorSpec& spec : (*sig)->inputs) {
      if (inputs.count(spec.key) || spec.dtype != DType::kFloat) continue;
      std::vector<int64_t> dims = spec.shape.dims();
      for (size_t i = 0; i < dims.size(); ++i) dims[i] = i == 0 ? 2 : (dims[i] < 0 ? 32 : dims[i]);
      std::vector<float> v(static_cast<size_t>(Shape(dims).num_elements()));
      for (float& x : v) x = u(rng);
      inputs[spec.key] = Tensor::from_vector<float>(DType::kFloat, Shape(dims), v);
    }
    auto out = (*model)->run("serving_default", inputs);
    ASSERT_TRUE(out.ok()) << out.status();
    for (const auto& [key, t] : *out) {
      ASSERT_EQ(t.dtype(), DType::kFloat) << key;
      for (float v : t.values<float>()) ASSERT_TRUE(std::isfinite(v)) << key;
      std::cout << "[ keras ] " << c.slug << " runs: " << key << " " << t.description() << "\n";
    }
  }
}

TEST(KerasExpectedOutputs, MobileNetV2BenchModelGivesASoftmax) {
  auto start = std::chrono::steady_clock::now();
  auto model = Model::load(fixture("bench/mobilenet_v2_nsfw.h5"));
  ASSERT_TRUE(model.ok()) << model.status();
  std::cout << "[ keras ] mobilenet_v2_nsfw.h5 loaded in "
            << std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count() << " ms\n";
  auto sig = (*model)->signature("serving_default");
  ASSERT_TRUE(sig.ok()) << sig.status();
  ASSERT_EQ((*sig)->inputs.size(), 1u);
  const TensorSpec& in = (*sig)->inputs[0];
  std::vector<int64_t> dims = in.shape.dims();
  dims[0] = 2;
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> u(0.f, 1.f);
  std::vector<float> values(static_cast<size_t>(Shape(dims).num_elements()));
  for (float& v : values) v = u(rng);
  auto out = (*model)->run("serving_default", {{in.key, Tensor::from_vector<float>(DType::kFloat, Shape(dims), values)}});
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_EQ(out->size(), 1u);
  const Tensor& y = out->begin()->second;
  ASSERT_EQ(y.shape().rank(), 2);
  ASSERT_EQ(y.shape().dim(0), 2);
  for (int64_t r = 0; r < 2; ++r) {
    double sum = 0;
    for (int64_t c = 0; c < y.shape().dim(1); ++c) {
      float v = y.data<float>()[r * y.shape().dim(1) + c];
      ASSERT_TRUE(std::isfinite(v));
      EXPECT_GE(v, 0.f);
      sum += v;
    }
    EXPECT_NEAR(sum, 1.0, 1e-5);
  }
}

}  // namespace
}  // namespace tfport
