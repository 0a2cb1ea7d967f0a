// `tfport convert` on the Keras fixtures: every conversion is checked by running the source and
// the result on the fixture's inputs (weights-only files by comparing the stored weights).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/export_commands.h"
#include "cli/progress.h"
#include "support/test_support.h"
#include "tfport/keras.h"
#include "tfport/model.h"
#include "tfport/npy.h"
#include "tfport/saved_model.h"

namespace fs = std::filesystem;

namespace tfport {
namespace {

using ::testing::HasSubstr;
using tfport::testing::fixture;
using tfport::testing::TempDir;

struct Source {
  std::string slug;
  std::string model;
  nlohmann::json meta;
};

std::vector<Source> keras_sources() {
  std::vector<Source> out;
  for (const char* slug : {"mnist-cnn", "conv1d-cnn", "fashion-cnn-keras3"}) {
    const fs::path dir = fixture(std::string("realworld/") + slug);
    auto meta = nlohmann::json::parse(testing::read_all((dir / "expected/meta.json").string()));
    out.push_back({slug, (dir / meta["model"].get<std::string>()).string(), meta});
  }
  return out;
}

std::map<std::string, Tensor> inputs_of(const Source& s) {
  std::map<std::string, Tensor> in;
  for (auto& [key, file] : s.meta["inputs"].items()) {
    in[key] = *read_npy(fixture("realworld/" + s.slug + "/expected/" + file.get<std::string>()));
  }
  return in;
}

void expect_close(const Tensor& a, const Tensor& b, const std::string& what) {
  ASSERT_EQ(a.shape(), b.shape()) << what;
  for (int64_t i = 0; i < a.num_elements(); ++i) {
    ASSERT_NEAR(a.data<float>()[i], b.data<float>()[i], 1e-5 + 1e-5 * std::abs(b.data<float>()[i])) << what << " @" << i;
  }
}

Status convert(const std::string& src, const std::string& dest, const std::string& to = "", bool overwrite = false) {
  cli::ConvertCommandOptions o;
  o.dir = src;
  o.output = dest;
  o.to = to;
  o.overwrite = overwrite;
  std::ostringstream out;
  return cli::run_convert(o, out);
}

TEST(ConvertCommand, KerasFormatsRunLikeTheirSource) {
  for (const Source& s : keras_sources()) {
    SCOPED_TRACE(s.slug);
    auto source = Model::load(s.model);
    ASSERT_TRUE(source.ok()) << source.status();
    auto want = (*source)->run("serving_default", inputs_of(s));
    ASSERT_TRUE(want.ok()) << want.status();
    TempDir tmp;
    for (const std::string dest : {"m.h5", "m.keras", "sm"}) {
      SCOPED_TRACE(dest);
      Status st = convert(s.model, tmp.file(dest));
      ASSERT_TRUE(st.ok()) << st;
      auto result = Model::load(tmp.file(dest));
      ASSERT_TRUE(result.ok()) << result.status();
      auto got = (*result)->run("serving_default", inputs_of(s));
      ASSERT_TRUE(got.ok()) << got.status();
      for (const auto& [key, value] : *want) {
        ASSERT_TRUE(got->count(key)) << key;
        expect_close(got->at(key), value, key);
      }
    }
    // The SavedModel carries the Keras structure.
    auto files = read_saved_model(tmp.file("sm"));
    ASSERT_TRUE(files.ok());
    EXPECT_TRUE(files->has_keras_metadata);
    auto meta = read_keras_saved_model_metadata(tmp.file("sm"));
    ASSERT_TRUE(meta.ok()) << meta.status();
    EXPECT_EQ(meta->layers.size(), read_keras_h5(s.model).ok() ? read_keras_h5(s.model)->layers.size()
                                                                : read_keras_v3(s.model)->layers.size());
    // And back: the SavedModel's variables follow tf.keras' object paths, so it converts to h5.
    ASSERT_TRUE(convert(tmp.file("sm"), tmp.file("back.h5")).ok());
    auto back = read_keras_h5(tmp.file("back.h5"));
    ASSERT_TRUE(back.ok()) << back.status();
    auto original = s.model.ends_with(".keras") ? read_keras_v3(s.model) : read_keras_h5(s.model);
    for (const KerasLayer& l : original->layers) {
      const KerasLayer* b = back->find_layer(l.name);
      ASSERT_NE(b, nullptr) << l.name;
      ASSERT_EQ(b->weights.size(), l.weights.size()) << l.name;
      for (size_t i = 0; i < l.weights.size(); ++i) EXPECT_TRUE(b->weights[i].value.equals(l.weights[i].value)) << l.name;
    }
    // Weights only: the same values, layer by layer.
    ASSERT_TRUE(convert(s.model, tmp.file("w.weights.h5")).ok());
    auto weights = read_keras_h5(tmp.file("w.weights.h5"));
    ASSERT_TRUE(weights.ok()) << weights.status();
    EXPECT_EQ(weights->format, "keras-h5-weights");
    auto full = s.model.ends_with(".keras") ? read_keras_v3(s.model) : read_keras_h5(s.model);
    for (const KerasLayer& l : full->layers) {
      if (l.weights.empty()) continue;
      const KerasLayer* w = weights->find_layer(l.name);
      ASSERT_NE(w, nullptr) << l.name;
      ASSERT_EQ(w->weights.size(), l.weights.size());
      for (size_t i = 0; i < l.weights.size(); ++i) EXPECT_TRUE(w->weights[i].value.equals(l.weights[i].value));
    }
  }
}

// Keras SavedModels become Keras files whose outputs match the SavedModel's.
TEST(ConvertCommand, KerasSavedModelsToKerasFiles) {
  for (const char* slug : {"auto-mpg-dnn", "potato-disease-cnn"}) {
    SCOPED_TRACE(slug);
    const fs::path dir = fixture(std::string("realworld/") + slug);
    auto meta = nlohmann::json::parse(testing::read_all((dir / "expected/meta.json").string()));
    Source s{slug, (dir / meta["model"].get<std::string>()).string(), meta};
    auto source = Model::load(s.model);
    ASSERT_TRUE(source.ok()) << source.status();
    auto want = (*source)->run("serving_default", inputs_of(s));
    ASSERT_TRUE(want.ok()) << want.status();
    TempDir tmp;
    for (const std::string dest : {"m.h5", "m.keras"}) {
      SCOPED_TRACE(dest);
      Status st = convert(s.model, tmp.file(dest));
      ASSERT_TRUE(st.ok()) << st;
      auto result = Model::load(tmp.file(dest));
      ASSERT_TRUE(result.ok()) << result.status();
      auto got = (*result)->run("serving_default", inputs_of(s));
      ASSERT_TRUE(got.ok()) << got.status();
      // Keras files name outputs after layers, the SavedModel after its signature.
      ASSERT_EQ(got->size(), 1u);
      ASSERT_EQ(want->size(), 1u);
      expect_close(got->begin()->second, want->begin()->second, dest);
    }
  }
}

// Recurrent Keras layers reach the SavedModel as the While loops freeze writes (with their
// cond/body functions); Bidirectional keeps the plain variable layout.
TEST(ConvertCommand, RecurrentKerasFilesToSavedModel) {
  for (const char* slug : {"gru-regressor", "emoji-bilstm", "crypto-lstm-keras3"}) {
    SCOPED_TRACE(slug);
    const fs::path dir = fixture(std::string("realworld/") + slug);
    auto meta = nlohmann::json::parse(testing::read_all((dir / "expected/meta.json").string()));
    Source s{slug, (dir / meta["model"].get<std::string>()).string(), meta};
    TempDir tmp;
    Status st = convert(s.model, tmp.file("sm"));
    ASSERT_TRUE(st.ok()) << st;
    auto result = Model::load(tmp.file("sm"));
    ASSERT_TRUE(result.ok()) << result.status();
    auto got = (*result)->run("serving_default", inputs_of(s));
    ASSERT_TRUE(got.ok()) << got.status();
    for (auto& [key, file] : meta["outputs"].items()) {
      ASSERT_TRUE(got->count(key)) << key;
      auto want = read_npy((dir / "expected" / file.get<std::string>()).string());
      ASSERT_TRUE(want.ok()) << want.status();
      expect_close(got->at(key), *want, key);
    }
  }
}

TEST(ConvertCommand, GraphModelsToSavedModel) {
  TempDir tmp;
  const std::string src = fixture("tfserving/saved_model_half_plus_two_cpu/00000123");
  ASSERT_TRUE(convert(src, tmp.file("hp2"), "savedmodel").ok());
  auto m = Model::load(tmp.file("hp2"));
  ASSERT_TRUE(m.ok()) << m.status();
  auto y = (*m)->run("serving_default", {{"x", Tensor::from_vector<float>(DType::kFloat, Shape{1, 1}, {4.0f})}});
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(y->at("y").data<float>()[0], 4.0f);
}

TEST(ConvertCommand, Errors) {
  TempDir tmp;
  const std::string h5 = fixture("realworld/mnist-cnn/model/mnist_cnn.h5");
  EXPECT_EQ(convert(h5, tmp.file("out"), "onnx").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(convert(h5, tmp.file("out.txt")).code(), StatusCode::kInvalidArgument);
  // Graph-only sources hold no Keras layers.
  Status s = convert(fixture("tfserving/saved_model_half_plus_two_cpu/00000123"), tmp.file("x.h5"));
  EXPECT_EQ(s.code(), StatusCode::kUnimplemented) << s;
  EXPECT_FALSE(fs::exists(tmp.file("x.h5")));
  EXPECT_EQ(convert("/no/such/model.h5", tmp.file("y.h5")).code(), StatusCode::kNotFound);
  // Weights-only sources cannot become full models.
  ASSERT_TRUE(convert(h5, tmp.file("w.weights.h5")).ok());
  EXPECT_EQ(convert(tmp.file("w.weights.h5"), tmp.file("full.keras")).code(), StatusCode::kFailedPrecondition);
  // Existing destinations need --overwrite.
  testing::write_all(tmp.file("exists.h5"), "keep");
  EXPECT_EQ(convert(h5, tmp.file("exists.h5")).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(testing::read_all(tmp.file("exists.h5")), "keep");
  EXPECT_TRUE(convert(h5, tmp.file("exists.h5"), "", true).ok());
  EXPECT_FALSE(fs::exists(tmp.file("full.keras")));
  EXPECT_FALSE(convert(h5, tmp.file("no/dir/m.h5")).ok());
}

TEST(ConvertCommand, BinaryPrintsAndFails) {
  TempDir tmp;
  auto ok = testing::run_tfport({"convert", "--dir", fixture("realworld/mnist-cnn/model/mnist_cnn.h5"), "--output",
                                 tmp.file("m.keras")});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_THAT(ok.out, HasSubstr("Wrote keras file"));
  EXPECT_EQ(ok.err, "");  // no progress display when stderr is not a terminal
  auto bad = testing::run_tfport({"convert", "--dir", fixture("realworld/mnist-cnn/model/mnist_cnn.h5"), "--output",
                                  tmp.file("m.keras")});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("already exists"));
}

TEST(Progress, SilentUnlessEnabled) {
  ::testing::internal::CaptureStderr();
  {
    cli::Progress quiet("writing", false);
    quiet.update(1, 2);
  }
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
  ::testing::internal::CaptureStderr();
  {
    cli::Progress shown("writing", true);
    shown.callback()(1 << 20, 2 << 20);
  }
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "\rwriting  50%  1.0 of 2.0 MB\n");
}

}  // namespace
}  // namespace tfport
