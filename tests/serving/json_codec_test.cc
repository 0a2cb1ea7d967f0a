// The JSON codec against json_tensor_test's cases (§5 and §6 of the spec).
#include <gtest/gtest.h>

#include <cmath>

#include "serving/json_codec.h"

namespace tfport::serving {
namespace {

TensorSpec spec(const std::string& key, DType dtype) {
  TensorSpec s;
  s.key = key;
  s.dtype = dtype;
  return s;
}

StatusOr<std::map<std::string, Tensor>> parse(const std::string& body, const std::vector<TensorSpec>& inputs,
                                              JsonFormat* format) {
  rapidjson::Document doc;
  TFPORT_RETURN_IF_ERROR(parse_json_body(body, &doc));
  return json_predict_inputs(doc, inputs, 1 << 20, format);
}

TEST(JsonCodecTest, DecimalText) {
  EXPECT_EQ(decimal_text(9000000, true), "9e+06");
  EXPECT_EQ(decimal_text(999999, true), "999999.0");
  EXPECT_EQ(decimal_text(0.5, true), "0.5");
  EXPECT_EQ(decimal_text(0.0003f, true), "0.0003");
  EXPECT_EQ(decimal_text(0.00003f, true), "3e-05");
  EXPECT_EQ(decimal_text(555557.5, true), "555557.5");
  EXPECT_EQ(decimal_text(3, false), "3.0");
  EXPECT_EQ(decimal_text(42, true), "42.0");
  EXPECT_EQ(decimal_text(0.1f, true), "0.1");
  EXPECT_EQ(decimal_text(1.0 / 0.0, true), "Infinity");
  EXPECT_EQ(decimal_text(-1.0 / 0.0, true), "-Infinity");
  EXPECT_EQ(decimal_text(std::nan(""), true), "NaN");
}

TEST(JsonCodecTest, RowFormatShapesAndErrors) {
  JsonFormat f;
  auto t = parse(R"({"instances": [[1,2],[3,4],[5,6]]})", {spec("default", DType::kInt32)}, &f);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(f, JsonFormat::kRow);
  EXPECT_EQ(t->at("default").shape(), (Shape{3, 2}));
  EXPECT_EQ(t->at("default").data<int32_t>()[5], 6);
  auto e = parse(R"({"instances": [1, [1]]})", {spec("default", DType::kInt32)}, &f);
  EXPECT_NE(e.status().message().find("Expecting shape"), std::string::npos) << e.status();
  e = parse(R"({"instances": [[1,2],[3,4],[[5,6]]]})", {spec("default", DType::kInt32)}, &f);
  EXPECT_NE(e.status().message().find("Expecting shape"), std::string::npos) << e.status();
  e = parse(R"({"instances": [[1,2],[3,4],[5,6,7]]})", {spec("default", DType::kInt32)}, &f);
  EXPECT_NE(e.status().message().find("Expecting tensor size"), std::string::npos) << e.status();
  e = parse(R"({"instances": [1.5]})", {spec("default", DType::kInt32)}, &f);
  EXPECT_NE(e.status().message().find("is not of expected type: int32"), std::string::npos);
  auto s = parse(R"({"instances": [{"b64":"aGVsbG8="},{"b64":"d29ybGQ="}]})", {spec("default", DType::kString)}, &f);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->at("default").strings(), (std::vector<std::string>{"hello", "world"}));
  s = parse(R"({"instances":[{"default":[[{"b64":"aGVsbG8="}],[{"b64":"d29ybGQ="}]]}]})",
            {spec("default", DType::kString)}, &f);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->at("default").shape(), (Shape{1, 2, 1}));
}

TEST(JsonCodecTest, RowFormatSeveralInputs) {
  JsonFormat f;
  std::vector<TensorSpec> in = {spec("dbl_tensor", DType::kDouble), spec("float_tensor", DType::kFloat),
                                spec("int_tensor", DType::kInt32), spec("str_tensor", DType::kString)};
  auto t = parse(R"({"instances": [
      {"int_tensor": [[1,2],[3,4],[5,6]], "str_tensor": ["foo","bar"], "float_tensor": [1.0, NaN], "dbl_tensor": [NaN]},
      {"int_tensor": [[7,8],[9,0],[1,2]], "str_tensor": ["baz","bat"], "float_tensor": [2.0, Infinity], "dbl_tensor": [2.0]}]})",
                 in, &f);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->at("int_tensor").shape(), (Shape{2, 3, 2}));
  EXPECT_EQ(t->at("str_tensor").shape(), (Shape{2, 2}));
  EXPECT_EQ(t->at("float_tensor").shape(), (Shape{2, 2}));
  EXPECT_EQ(t->at("dbl_tensor").shape(), (Shape{2, 1}));
  auto e = parse(R"({"instances": [[1]]})", in, &f);
  EXPECT_EQ(e.status().message(),
            "instances is a plain list, but expecting list of objects as multiple input tensors required as per "
            "tensorinfo_map");
  e = parse(R"({"inputs": {"int_tensor": [1]}})", in, &f);
  EXPECT_EQ(e.status().message(), "Missing named input: dbl_tensor in 'inputs' object.");
}

TEST(JsonCodecTest, ColumnarAndResponses) {
  JsonFormat f;
  auto t = parse(R"({"inputs": [[[1,2],[3,4],[5,6]]]})", {spec("x", DType::kInt32)}, &f);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(f, JsonFormat::kColumnar);
  EXPECT_EQ(t->at("x").shape(), (Shape{1, 3, 2}));

  std::map<std::string, Tensor> out;
  out["scores"] = Tensor::from_vector<float>(DType::kFloat, Shape{2, 2}, {0.1f, 0.9f, 0.8f, 0.2f});
  out["classes"] = Tensor::from_vector<int32_t>(DType::kInt32, Shape{2}, {1, 0});
  EXPECT_EQ(*predict_response_json(out, JsonFormat::kRow),
            "{\n    \"predictions\": [\n        {\n            \"classes\": 1,\n            \"scores\": [0.1, 0.9]\n"
            "        },\n        {\n            \"classes\": 0,\n            \"scores\": [0.8, 0.2]\n        }\n    ]\n}");
  std::map<std::string, Tensor> bytes;
  bytes["out_bytes"] = *Tensor::from_strings(Shape{1}, {"hello"});
  EXPECT_EQ(*predict_response_json(bytes, JsonFormat::kColumnar),
            "{\n    \"outputs\": [\n        {\n            \"b64\": \"aGVsbG8=\"\n        }\n    ]\n}");

  tensorflow::serving::RegressionResult r;
  for (float v : {0.2f, 1.0f / 0.0f, 1.0f, -1.0f / 0.0f, std::nanf("")}) r.add_regressions()->set_value(v);
  EXPECT_EQ(*regression_json(r), "{\n    \"results\": [0.2, Infinity, 1.0, -Infinity, NaN]\n}");
  tensorflow::serving::ClassificationResult c;
  auto* c1 = c.add_classifications();
  for (auto [l, s] : std::vector<std::pair<std::string, float>>{{"car", .2f}, {"bike", .7f}, {"bus", .1f}}) {
    auto* cls = c1->add_classes();
    cls->set_label(l);
    cls->set_score(s);
  }
  EXPECT_EQ(*classification_json(c),
            "{\n    \"results\": [[[\"car\", 0.2], [\"bike\", 0.7], [\"bus\", 0.1]]\n    ]\n}");
}

TEST(JsonCodecTest, Examples) {
  rapidjson::Document doc;
  ASSERT_TRUE(parse_json_body(
                  R"({"examples":[{"names":["foo","bar"],"ratings":[8.0,9.0],"age":20},{"names":["baz",{"b64":"aGVsbG8="}],"intboolmix":[1,true,false]}]})",
                  &doc)
                  .ok());
  tensorflow::serving::Input input;
  ASSERT_TRUE(json_examples(doc, &input).ok());
  const auto& ex = input.example_list().examples();
  ASSERT_EQ(ex.size(), 2);
  EXPECT_EQ(ex[0].features().feature().at("names").bytes_list().value(1), "bar");
  EXPECT_EQ(ex[0].features().feature().at("ratings").float_list().value(1), 9.0f);
  EXPECT_EQ(ex[0].features().feature().at("age").int64_list().value(0), 20);
  EXPECT_EQ(ex[1].features().feature().at("names").bytes_list().value(1), "hello");
  EXPECT_EQ(ex[1].features().feature().at("intboolmix").int64_list().value(1), 1);
  ASSERT_TRUE(parse_json_body(R"({"examples":[{"x":[10, 10.0]}]})", &doc).ok());
  tensorflow::serving::Input bad;
  EXPECT_EQ(json_examples(doc, &bad).message(), "Unexpected element type in feature: x expecting type: int64");
}

}  // namespace
}  // namespace tfport::serving
