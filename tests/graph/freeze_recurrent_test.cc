// freeze_model on the recurrent fixtures: Keras files (whose LSTM/GRU/SimpleRNN layers tfport
// runs fused) and tf.keras SavedModels (whose While bodies read variables) freeze into graphs
// of standard TensorFlow ops with functional While loops; loaded back (with and without Keras
// recurrent fusion) they reproduce the fixtures' expected outputs and the source model's.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "frozen_graph_checks.h"
#include "support/test_support.h"
#include "tfport/freeze.h"
#include "tfport/model.h"
#include "tfport/npy.h"

namespace fs = std::filesystem;

namespace tfport {
namespace {

using freeze_testing::expect_allclose;
using freeze_testing::expect_loadable_frozen_graph;
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
