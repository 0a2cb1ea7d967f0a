// Every Keras fixture (realworld keras-h5 / keras-v3 / keras-savedmodel, bench/*.h5) opens,
// found by enumerating the fixture folders so new fixtures are picked up without code changes.
#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/test_support.h"
#include "tfport/keras.h"

namespace tfport {
namespace {

namespace fs = std::filesystem;
using tfport::testing::fixture;

struct KerasFixture {
  std::string path;
  std::string format;  // keras-h5, keras-v3, keras-savedmodel
};

std::vector<KerasFixture> keras_fixtures() {
  std::vector<KerasFixture> out;
  for (const auto& entry : fs::directory_iterator(fixture("realworld"))) {
    fs::path meta_path = entry.path() / "expected" / "meta.json";
    if (!fs::exists(meta_path)) continue;
    auto meta = nlohmann::json::parse(testing::read_all(meta_path.string()), nullptr, false);
    if (meta.is_discarded() || !meta.contains("format") || !meta.contains("model")) continue;
    std::string format = meta["format"].get<std::string>();
    std::string model = (entry.path() / meta["model"].get<std::string>()).string();
    if (format.rfind("keras-savedmodel", 0) == 0) {
      out.push_back({model, "keras-savedmodel"});
    } else if (format == "keras-h5" || format == "keras-v3") {
      out.push_back({model, format});
    }
  }
  for (const auto& entry : fs::directory_iterator(fixture("bench"))) {
    if (entry.path().extension() == ".h5") out.push_back({entry.path().string(), "keras-h5"});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
  return out;
}

StatusOr<KerasModel> open(const KerasFixture& f) {
  if (f.format == "keras-h5") return read_keras_h5(f.path);
  if (f.format == "keras-v3") return read_keras_v3(f.path);
  return read_keras_saved_model_metadata(f.path);
}

TEST(KerasFixtures, EnumerationFindsEveryFormat) {
  auto all = keras_fixtures();
  int h5 = 0, v3 = 0, sm = 0;
  for (const auto& f : all) {
    h5 += f.format == "keras-h5";
    v3 += f.format == "keras-v3";
    sm += f.format == "keras-savedmodel";
  }
  EXPECT_GE(h5, 8);
  EXPECT_GE(v3, 5);
  EXPECT_GE(sm, 5);
}

TEST(KerasFixtures, EveryFixtureOpensAndSummarises) {
  for (const KerasFixture& f : keras_fixtures()) {
    SCOPED_TRACE(f.path);
    StatusOr<KerasModel> m = open(f);
    ASSERT_TRUE(m.ok()) << m.status();
    EXPECT_FALSE(m->layers.empty());
    EXPECT_FALSE(m->class_name.empty());
    KerasSummary s = summarize_keras_model(*m);
    EXPECT_GT(s.trainable_params + s.non_trainable_params, 0);
    if (m->weights_loaded) {
      // Total params equal the element count of every stored weight.
      int64_t stored = 0;
      for (const KerasLayer& l : m->layers) {
        for (const KerasWeight& w : l.weights) stored += w.value.num_elements();
      }
      EXPECT_EQ(stored, s.trainable_params + s.non_trainable_params);
    }
    std::ostringstream text;
    print_keras_summary(*m, text);
    EXPECT_NE(text.str().find("Total params: "), std::string::npos);
    auto j = nlohmann::json::parse(keras_summary_json(*m), nullptr, false);
    ASSERT_FALSE(j.is_discarded());
    EXPECT_EQ(j["total_params"].get<int64_t>(), s.trainable_params + s.non_trainable_params);
  }
}

}  // namespace
}  // namespace tfport
