// The Keras writers on every Keras fixture: h5 -> h5/.keras/weights and .keras -> .keras/h5
// give files our readers open with the same layers, configs and weight values.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/staged_file.h"
#include "support/test_support.h"
#include "tfport/keras.h"
#include "tfport/keras_saved_model.h"
#include "tfport/keras_writer.h"

namespace tfport {
namespace {

namespace fs = std::filesystem;
using tfport::testing::fixture;
using tfport::testing::TempDir;

std::vector<std::string> keras_files() {
  std::vector<std::string> out;
  for (const auto& entry : fs::directory_iterator(fixture("realworld"))) {
    fs::path meta_path = entry.path() / "expected" / "meta.json";
    if (!fs::exists(meta_path)) continue;
    auto meta = nlohmann::json::parse(testing::read_all(meta_path.string()), nullptr, false);
    if (meta.is_discarded()) continue;
    const std::string format = meta.value("format", "");
    if (format == "keras-h5" || format == "keras-v3") out.push_back((entry.path() / meta["model"].get<std::string>()).string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

StatusOr<KerasModel> read_any(const std::string& path) {
  return path.ends_with(".keras") ? read_keras_v3(path) : read_keras_h5(path);
}

// Weight values per layer name, in order, for layers that hold weights.
std::map<std::string, std::vector<Tensor>> weights_by_layer(const KerasModel& m) {
  std::map<std::string, std::vector<Tensor>> out;
  for (const KerasLayer& l : m.layers) {
    for (const KerasWeight& w : l.weights) out[l.name].push_back(w.value);
  }
  return out;
}

void expect_same_weights(const KerasModel& a, const KerasModel& b) {
  auto wa = weights_by_layer(a), wb = weights_by_layer(b);
  ASSERT_EQ(wa.size(), wb.size());
  for (const auto& [layer, values] : wa) {
    ASSERT_TRUE(wb.count(layer)) << layer;
    ASSERT_EQ(values.size(), wb[layer].size()) << layer;
    for (size_t i = 0; i < values.size(); ++i) EXPECT_TRUE(values[i].equals(wb[layer][i])) << layer << " " << i;
  }
}

TEST(KerasWriters, EveryFixtureRoundTrips) {
  const auto files = keras_files();
  ASSERT_GE(files.size(), 8u);
  int written = 0;
  for (const std::string& src : files) {
    SCOPED_TRACE(src);
    auto model = read_any(src);
    ASSERT_TRUE(model.ok()) << model.status();
    bool has_nested = false;
    for (const KerasLayer& l : model->layers) has_nested = has_nested || l.nested != nullptr;
    TempDir tmp;
    for (const std::string name : {"m.h5", "m.keras", "m.weights.h5"}) {
      SCOPED_TRACE(name);
      const std::string out = tmp.file(name);
      Status s = name == "m.h5"      ? write_keras_h5(*model, out)
                 : name == "m.keras" ? write_keras_v3(*model, out)
                                     : write_keras_h5_weights(*model, out);
      if (has_nested && name == "m.keras" && model->format != "keras-v3") {
        EXPECT_EQ(s.code(), StatusCode::kUnimplemented) << s;
        continue;
      }
      ASSERT_TRUE(s.ok()) << s;
      auto back = read_any(out);
      ASSERT_TRUE(back.ok()) << back.status();
      if (name != "m.weights.h5") {
        EXPECT_EQ(back->class_name, model->class_name);
        ASSERT_EQ(back->layers.size(), model->layers.size());
        for (size_t i = 0; i < back->layers.size(); ++i) {
          EXPECT_EQ(back->layers[i].name, model->layers[i].name);
          EXPECT_EQ(back->layers[i].class_name, model->layers[i].class_name);
          EXPECT_EQ(back->layers[i].inbound_nodes.size(), model->layers[i].inbound_nodes.size());
        }
        EXPECT_EQ(back->inputs, model->inputs);
        EXPECT_EQ(back->outputs, model->outputs);
      } else {
        EXPECT_EQ(back->format, "keras-h5-weights");
      }
      expect_same_weights(*model, *back);
      ++written;
    }
  }
  EXPECT_GE(written, 20);
}

TEST(KerasWriters, H5LayoutIsKeras2s) {
  auto model = read_keras_h5(fixture("realworld/mnist-cnn/model/mnist_cnn.h5"));
  ASSERT_TRUE(model.ok());
  TempDir tmp;
  ASSERT_TRUE(write_keras_h5(*model, tmp.file("m.h5")).ok());
  auto back = read_keras_h5(tmp.file("m.h5"));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->keras_version, model->keras_version);
  EXPECT_EQ(back->backend, "tensorflow");
  EXPECT_EQ(nlohmann::json::parse(back->config_json), nlohmann::json::parse(model->config_json));
  const KerasLayer* conv = back->find_layer("conv2d");
  ASSERT_NE(conv, nullptr);
  ASSERT_EQ(conv->weights.size(), 2u);
  EXPECT_EQ(conv->weights[0].name, "conv2d/kernel:0");
}

TEST(KerasWriters, KerasV3FromH5HasKeras3Config) {
  auto model = read_keras_h5(fixture("realworld/mnist-cnn/model/mnist_cnn.h5"));
  ASSERT_TRUE(model.ok());
  TempDir tmp;
  ASSERT_TRUE(write_keras_v3(*model, tmp.file("m.keras")).ok());
  auto back = read_keras_v3(tmp.file("m.keras"));
  ASSERT_TRUE(back.ok()) << back.status();
  auto cfg = nlohmann::json::parse(back->config_json);
  EXPECT_EQ(cfg["module"], "keras");
  EXPECT_EQ(cfg["config"]["layers"][1]["module"], "keras.layers");
  EXPECT_EQ(back->layers[1].weights[0].name, "layers/conv2d/vars/0");
}

TEST(KerasWriters, RefusesWhatTheSourceLacks) {
  TempDir tmp;
  auto weights_only = read_keras_h5(fixture("realworld/mnist-cnn/model/mnist_cnn.h5"));
  ASSERT_TRUE(weights_only.ok());
  ASSERT_TRUE(write_keras_h5_weights(*weights_only, tmp.file("w.h5")).ok());
  auto w = read_keras_h5(tmp.file("w.h5"));
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(write_keras_h5(*w, tmp.file("full.h5")).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(write_keras_v3(*w, tmp.file("full.keras")).code(), StatusCode::kFailedPrecondition);
  EXPECT_FALSE(fs::exists(tmp.file("full.h5")));
  auto meta_only = read_keras_saved_model_metadata(fixture("realworld/auto-mpg-dnn/model"));
  ASSERT_TRUE(meta_only.ok());
  EXPECT_EQ(write_keras_h5(*meta_only, tmp.file("x.h5")).code(), StatusCode::kFailedPrecondition);
  EXPECT_FALSE(write_keras_h5(*weights_only, tmp.file("no/dir/x.h5")).ok());
}

TEST(KerasWriters, FailedWriteKeepsTheExistingFile) {
  auto model = read_keras_h5(fixture("realworld/mnist-cnn/model/mnist_cnn.h5"));
  ASSERT_TRUE(model.ok());
  TempDir tmp;
  testing::write_all(tmp.file("m.h5"), "previous");
  write_faults::fail_after_bytes(1000);
  Status s = write_keras_h5(*model, tmp.file("m.h5"));
  write_faults::clear();
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(testing::read_all(tmp.file("m.h5")), "previous");
  int files = 0;
  for (const auto& e : fs::directory_iterator(tmp.path())) files += e.is_regular_file() ? 1 : 0;
  EXPECT_EQ(files, 1);
}

}  // namespace
}  // namespace tfport

namespace tfport {
namespace {

TEST(KerasSavedModel, WeightsComeFromTheObjectGraph) {
  auto m = read_keras_saved_model(fixture("realworld/auto-mpg-dnn/model"));
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_TRUE(m->weights_loaded);
  const KerasLayer* norm = m->find_layer("normalization");
  ASSERT_NE(norm, nullptr);
  // mean and adapt_mean are one variable; it is taken once, in Keras' order.
  ASSERT_EQ(norm->weights.size(), 3u);
  EXPECT_EQ(norm->weights[0].name, "normalization/mean:0");
  EXPECT_EQ(norm->weights[2].name, "normalization/count:0");
  EXPECT_FALSE(norm->weights[0].trainable);
  const KerasLayer* dense = m->find_layer("dense_7");
  ASSERT_NE(dense, nullptr);
  ASSERT_EQ(dense->weights.size(), 2u);
  EXPECT_EQ(dense->weights[0].value.shape(), Shape({64, 1}));
  // No keras_metadata.pb: not a Keras SavedModel.
  EXPECT_EQ(read_keras_saved_model(fixture("realworld/lso-savedmodel-tf22/model")).status().code(), StatusCode::kNotFound);
}

// Each writer reports weight bytes: from 0 up to the sum of every weight's bytes, never
// backwards, and the last report is complete.
TEST(KerasWriters, ReportProgressInWeightBytes) {
  auto model = read_keras_h5(fixture("realworld/mnist-cnn/model/mnist_cnn.h5"));
  ASSERT_TRUE(model.ok());
  uint64_t weight_bytes = 0;
  for (const KerasLayer& l : model->layers) {
    for (const KerasWeight& w : l.weights) weight_bytes += w.value.byte_size();
  }
  ASSERT_GT(weight_bytes, 100000u);
  TempDir tmp;
  for (const std::string name : {"m.h5", "m.keras", "w.weights.h5"}) {
    std::vector<std::pair<uint64_t, uint64_t>> calls;
    KerasWriteOptions options;
    options.progress = [&](uint64_t done, uint64_t total) { calls.emplace_back(done, total); };
    const std::string out = tmp.file(name);
    Status s = name == "m.h5"      ? write_keras_h5(*model, out, options)
               : name == "m.keras" ? write_keras_v3(*model, out, options)
                                   : write_keras_h5_weights(*model, out, options);
    ASSERT_TRUE(s.ok()) << s;
    ASSERT_GE(calls.size(), 3u) << name;
    EXPECT_EQ(calls.front().first, 0u) << name;
    EXPECT_EQ(calls.back(), std::make_pair(weight_bytes, weight_bytes)) << name;
    for (size_t i = 1; i < calls.size(); ++i) {
      EXPECT_GE(calls[i].first, calls[i - 1].first) << name;
      EXPECT_EQ(calls[i].second, weight_bytes) << name;
    }
  }
}

}  // namespace
}  // namespace tfport
