// The golden request/response pairs of ../shared/spec/tf_serving_rest.md §10 against a real
// server on a loopback port, byte for byte.
#include <gtest/gtest.h>

#include "serving_test_util.h"

namespace tfport::serving::testing {
namespace {

constexpr char kModel[] = "saved_model_half_plus_two_2_versions";

class RestGoldenTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new tfport::testing::TempDir();
    const std::string config = dir_->file("models.config");
    tfport::testing::write_all(config, "model_config_list {\n  config {\n    name: '" + std::string(kModel) +
                                           "'\n    base_path: '" + tfserving_fixture("saved_model_half_plus_two_cpu") +
                                           "'\n    model_platform: 'tensorflow'\n"
                                           "    version_labels { key: 'Version_Label' value: 123 }\n  }\n}\n");
    ServerOptions o;
    o.model_config_file = config;
    server_ = start_server(o).release();
  }
  static void TearDownTestSuite() {
    if (server_ != nullptr) server_->shutdown(std::chrono::seconds(5));
    delete server_;
    delete dir_;
  }
  HttpResult post(const std::string& path, const std::string& body) { return http(server_->rest_port(), "POST", path, body); }
  HttpResult get(const std::string& path) { return http(server_->rest_port(), "GET", path); }

  static tfport::testing::TempDir* dir_;
  static ModelServer* server_;
};
tfport::testing::TempDir* RestGoldenTest::dir_ = nullptr;
ModelServer* RestGoldenTest::server_ = nullptr;

const std::string kBase = std::string("/v1/models/") + kModel;

TEST_F(RestGoldenTest, PredictRowFormat) {
  auto r = post(kBase + ":predict", R"({"instances": [[1.0, 2.0], [3.0, 4.0]]})");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body, "{\n    \"predictions\": [[2.5, 3.0], [3.5, 4.0]\n    ]\n}");
  r = post(kBase + "/versions/123:predict", R"({"instances": [1.0, 2.0]})");
  EXPECT_EQ(r.body, "{\n    \"predictions\": [2.5, 3.0\n    ]\n}");
  r = post(kBase + "/labels/Version_Label:predict", R"({"instances": [1.0, 2.0]})");
  EXPECT_EQ(r.body, "{\n    \"predictions\": [2.5, 3.0\n    ]\n}");
  r = post(kBase + "/versions/123:predict", R"({"signature_name": "serving_default", "instances": [3.0, 4.0]})");
  EXPECT_EQ(r.body, "{\n    \"predictions\": [3.5, 4.0\n    ]\n}");
}

TEST_F(RestGoldenTest, PredictColumnarFormat) {
  auto r = post(kBase + "/versions/123:predict", R"({"signature_name": "serving_default", "inputs": [3.0, 4.0]})");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "{\n    \"outputs\": [\n        3.5,\n        4.0\n    ]\n}");
}

TEST_F(RestGoldenTest, RegressAndClassify) {
  for (const std::string& path : {kBase, kBase + "/versions/123", kBase + "/labels/Version_Label"}) {
    auto r = post(path + ":regress", R"({"signature_name": "regress_x_to_y", "examples": [{"x": 80.0}]})");
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.body, "{\n    \"results\": [42.0]\n}");
  }
  auto r = post(kBase + ":classify", R"({"signature_name": "classify_x_to_y", "examples": [{"x": 20.0}]})");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, "{\n    \"results\": [[[\"\", 12.0]]\n    ]\n}");
  r = post(kBase + "/labels/Version_Label:classify", R"({"signature_name": "classify_x_to_y", "examples": [{"x": 10.0}]})");
  EXPECT_EQ(r.body, "{\n    \"results\": [[[\"\", 7.0]]\n    ]\n}");
  // regress_x2_to_y3 takes the float x2, not serialized examples: TF's session refuses the feed.
  r = post(kBase + ":regress", R"({"signature_name": "regress_x2_to_y3", "examples": [{"x": 1.0}]})");
  EXPECT_EQ(r.body, "{\n    \"error\": \"Expects arg[0] to be float but string is provided\"\n}");
  r = post(kBase + ":predict", R"({"signature_name": "regress_x2_to_y3", "inputs": {"inputs": [[1.0]]}})");
  EXPECT_EQ(r.body, "{\n    \"outputs\": [\n        [\n            3.5\n        ]\n    ]\n}");
  r = post(kBase + ":regress",
           R"({"signature_name": "regress_x_to_y2", "context": {"x": 4.0}, "examples": [{}, {"x": 2.0}]})");
  EXPECT_EQ(r.body, "{\n    \"results\": [5.0, 4.0]\n}");
}

TEST_F(RestGoldenTest, StatusForModelVersionAndLabel) {
  const std::string expected =
      "{\n \"model_version_status\": [\n  {\n   \"version\": \"123\",\n   \"state\": \"AVAILABLE\",\n   \"status\": "
      "{\n    \"error_code\": \"OK\",\n    \"error_message\": \"\"\n   }\n  }\n ]\n}\n";
  for (const std::string& path : {kBase, kBase + "/versions/123", kBase + "/labels/Version_Label"}) {
    auto r = get(path);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, expected) << path;
  }
  auto r = get("/v1/models/nope");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, "{\n    \"error\": \"Could not find any versions of model nope\"\n}");
  r = get(kBase + "/versions/7");
  EXPECT_EQ(r.body, std::string("{\n    \"error\": \"Could not find version 7 of model ") + kModel + "\"\n}");
}

TEST_F(RestGoldenTest, Metadata) {
  auto r = get(kBase + "/metadata");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body.rfind(std::string("{\n\"model_spec\":{\n \"name\": \"") + kModel, 0), 0u) << r.body;
  EXPECT_NE(r.body.find("\"version\": \"123\""), std::string::npos);
  EXPECT_NE(r.body.find("\"classify_x_to_y\""), std::string::npos);
  EXPECT_NE(r.body.find("\"method_name\": \"tensorflow/serving/classify\""), std::string::npos);
  EXPECT_NE(r.body.find("\"name\": \"tf_example:0\""), std::string::npos);
  EXPECT_NE(r.body.find("\"unknown_rank\": true"), std::string::npos);
  EXPECT_EQ(r.body.substr(r.body.size() - 4), "}\n}\n");
}

TEST_F(RestGoldenTest, Errors) {
  auto r = post("/v1/models/foo:predict", R"({"instances":[1]})");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, "{\n    \"error\": \"Servable not found for request: Latest(foo)\"\n}");
  r = post("/v1/models/foo/versions/50:predict", R"({"instances":[1]})");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, "{\n    \"error\": \"Servable not found for request: Specific(foo, 50)\"\n}");
  r = post(kBase + ":predict", "");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, "{\n    \"error\": \"JSON Parse error: The document is empty\"\n}");
  r = post(kBase + ":predict", "instances = [1, 2]");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, "{\n    \"error\": \"JSON Parse error: Invalid value. at offset: 0\"\n}");
  r = post(kBase + ":predict", R"({ "instances": ["x", "y"] })");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body,
            "{\n    \"error\": \"Failed to process element: 0 of 'instances' list. Error: INVALID_ARGUMENT: JSON "
            "Value: \\\"x\\\" Type: String is not of expected type: float\"\n}");
  r = post(kBase + "/labels/Version_Nonexistent:predict", R"({"instances": [1.0]})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, "{\n    \"error\": \"Unrecognized servable version label: Version_Nonexistent\"\n}");
  r = post(kBase + ":predict", R"({ "signature_name": 100 })");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("'signature_name' key must be a string value."), std::string::npos);
  r = post(kBase + "/versions/18446744073709551615:regress", R"({"examples": [{"x": 1.0}]})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, "");
  r = post(kBase + ":predict", R"({"signature_name": "nope", "instances": [1.0]})");
  EXPECT_EQ(r.body, "{\n    \"error\": \"Serving signature name: \\\"nope\\\" not found in signature def\"\n}");
  r = post(kBase + ":predict", R"({"instances": [1.0]}garbage)");
  EXPECT_EQ(r.status, 200);
  r = post(kBase + ":predict", R"({"foo": 1})");
  EXPECT_EQ(r.body, "{\n    \"error\": \"Missing 'inputs' or 'instances' key\"\n}");
  r = post(kBase + ":predict", R"({"instances": []})");
  EXPECT_EQ(r.body, "{\n    \"error\": \"JSON Value: {\\n    \\\"instances\\\": []\\n} No values in 'instances' array\"\n}");
}

TEST_F(RestGoldenTest, RoutingRules) {
  for (const auto& [method, path] : std::vector<std::pair<std::string, std::string>>{
           {"GET", "/v1/foo"},
           {"POST", "/v1/foo"},
           {"GET", "/v1/models/debug/model_name"},
           {"POST", "/v1/models"},
           {"GET", "/v1/models/foo:predict"},
           {"GET", "/v1/models/foo/version/50:predict"},
           {"POST", "/v1/models/foo/version/50:regress"},
           {"POST", "/v1/models/foo/versions/HELLO:regress"},
           {"POST", "/v1/models/foo/metadata"},
           {"POST", "/v1/models/foo/label/some_label:regress"},
           {"POST", "/v1/models/foo/versions/50/labels/some_label:regress"},
           {"POST", "/v1/models/foo/versions/some_label:regress"},
           {"DELETE", "/v1/models/foo"}}) {
    auto r = http(server_->rest_port(), method, path, method == "POST" ? "{}" : "");
    EXPECT_EQ(r.status, 400) << method << " " << path;
    EXPECT_EQ(r.body, "{\n    \"error\": \"Malformed request: " + method + " " + path + "\"\n}");
  }
  auto r = get("/v1/models");
  EXPECT_EQ(r.body, "{\n    \"error\": \"Missing model name in request.\"\n}");
  r = get("/foo");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.content_type, "text/html");
  r = post(std::string("/V1/MODELS/") + kModel + ":predict", R"({"instances": [1.0]})");
  EXPECT_EQ(r.status, 200);
  r = post(kBase + ":PREDICT", R"({"instances": [1.0]})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("Malformed request"), std::string::npos);
}

}  // namespace
}  // namespace tfport::serving::testing
