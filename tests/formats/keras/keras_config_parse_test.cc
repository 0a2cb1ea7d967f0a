// The Keras config parse (simdjson, layer configs converted to nlohmann::json) gives lowering
// exactly what nlohmann's own parser gave: same values, same number kinds, last duplicate key.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "formats/hdf5/hdf5_file.h"
#include "formats/keras/json_from_simdjson.h"
#include "formats/keras/keras_config.h"
#include "support/test_support.h"
#include "tfport/keras.h"

namespace tfport {
namespace {

using nlohmann::json;

json convert(const std::string& text) {
  simdjson::dom::parser parser;
  simdjson::dom::element e;
  EXPECT_EQ(parser.parse(text).get(e), simdjson::SUCCESS) << text;
  return keras::json_from_simdjson(e);
}

// Equal values of the same kinds (json's == treats 1 and 1u and 1.0 as equal).
void expect_same(const json& a, const json& b, const std::string& where) {
  ASSERT_EQ(a.type(), b.type()) << where << ": " << a.dump() << " vs " << b.dump();
  if (a.is_object()) {
    ASSERT_EQ(a.size(), b.size()) << where;
    for (auto it = a.begin(); it != a.end(); ++it) {
      ASSERT_TRUE(b.contains(it.key())) << where << "." << it.key();
      expect_same(it.value(), b[it.key()], where + "." + it.key());
    }
  } else if (a.is_array()) {
    ASSERT_EQ(a.size(), b.size()) << where;
    for (size_t i = 0; i < a.size(); ++i) expect_same(a[i], b[i], where + "[" + std::to_string(i) + "]");
  } else {
    EXPECT_EQ(a, b) << where;
  }
}

TEST(JsonFromSimdjson, NumberKindsAsNlohmann) {
  const std::string text =
      R"({"u": 3, "zero": 0, "neg": -7, "big": 18446744073709551615, "min": -9223372036854775808,)"
      R"( "f": 0.001, "e": 1e-05, "whole": 2.0, "t": true, "n": null, "s": "a\"b\u00e9", "l": [1, -1, 1.5, [], {}]})";
  json converted = convert(text);
  expect_same(converted, json::parse(text), "$");
  EXPECT_TRUE(converted["u"].is_number_unsigned());
  EXPECT_TRUE(converted["neg"].is_number_integer() && !converted["neg"].is_number_unsigned());
  EXPECT_EQ(converted["big"].get<uint64_t>(), 18446744073709551615u);
  EXPECT_EQ(converted["min"].get<int64_t>(), INT64_MIN);
  EXPECT_EQ(converted["s"].get<std::string>(), "a\"b\xc3\xa9");
  EXPECT_DOUBLE_EQ(converted["e"].get<double>(), 1e-05);
}

TEST(JsonFromSimdjson, DuplicateKeyKeepsTheLastValue) {
  json converted = convert(R"({"units": 1, "units": 2})");
  EXPECT_EQ(converted.size(), 1u);
  EXPECT_EQ(converted["units"].get<int>(), 2);
  EXPECT_EQ(converted, json::parse(R"({"units": 1, "units": 2})"));
}

// Every layer config of real files: the parsed form lowering reads is what nlohmann parses
// from the layer's config_json, and config_json is the config object of the file's text.
TEST(KerasConfigParse, LayerConfigsOfFixturesMatchNlohmann) {
  for (const char* rel : {"bench/mobilenet_v2_nsfw.h5", "realworld/mnist-cnn/model/mnist_cnn.h5"}) {
    std::string path = tfport::testing::fixture(rel);
    auto file = hdf5::File::open(path);
    ASSERT_TRUE(file.ok()) << file.status();
    auto text = file->root().string_attribute("model_config");
    ASSERT_TRUE(text.ok()) << text.status();
    KerasModel model;
    ASSERT_TRUE(keras::parse_model_config(*text, path, &model).ok());
    json whole = json::parse(*text);
    const json& layers = whole["config"]["layers"];
    ASSERT_EQ(model.layers.size(), layers.size()) << rel;
    ASSERT_GT(model.layers.size(), 5u) << rel;
    for (size_t i = 0; i < layers.size(); ++i) {
      const KerasLayer& l = model.layers[i];
      ASSERT_NE(l.parsed_config, nullptr) << l.name;
      EXPECT_EQ(l.parsed_config->text, l.config_json);
      expect_same(json::parse(l.config_json), layers[i]["config"], std::string(rel) + ":" + l.name);
      expect_same(l.parsed_config->value, layers[i]["config"], std::string(rel) + ":" + l.name);
    }
  }
}

TEST(KerasConfigParse, RepeatedKeysKeepTheirLastValue) {
  KerasModel model;
  Status s = keras::parse_model_config(
      R"({"class_name": "Sequential", "config": {"name": "a", "name": "b", "layers": [)"
      R"({"class_name": "Dense", "name": "x", "name": "d", "config": {"units": 1, "units": 4}}]}})",
      "m.h5", &model);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(model.name, "b");
  ASSERT_EQ(model.layers.size(), 1u);
  EXPECT_EQ(model.layers[0].name, "d");
  EXPECT_EQ(model.layers[0].parsed_config->value["units"].get<int>(), 4);
}

TEST(KerasConfigParse, InvalidJsonIsDataLoss) {
  KerasModel model;
  Status s = keras::parse_model_config(R"({"class_name": "Sequential", "config": {"layers": [)", "m.h5", &model);
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_NE(s.message().find("m.h5: not valid JSON"), std::string::npos) << s.message();
  // Deeper than the parser's limit (the conversion to nlohmann recurses per level).
  std::string deep = R"({"class_name": "Sequential", "config": )" + std::string(600, '[') + std::string(600, ']') + "}";
  EXPECT_EQ(keras::parse_model_config(deep, "m.h5", &model).code(), StatusCode::kDataLoss);
}

}  // namespace
}  // namespace tfport
