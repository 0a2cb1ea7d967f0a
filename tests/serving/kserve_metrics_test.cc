// KServe v2 REST, Prometheus metrics, CORS and size limits on a real server.
#include <gtest/gtest.h>

#include "serving_test_util.h"

namespace tfport::serving::testing {
namespace {

class KServeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions o;
    o.model_name = "half_plus_two";
    o.model_base_path = tfserving_fixture("saved_model_half_plus_two_cpu");
    o.rest_api_enable_cors_support = true;
    o.limits.max_request_bytes = 4096;
    server_ = start_server(o);
    ASSERT_NE(server_, nullptr);
    port_ = server_->rest_port();
  }
  void TearDown() override { server_->shutdown(std::chrono::seconds(5)); }
  std::unique_ptr<ModelServer> server_;
  int port_ = 0;
};

TEST_F(KServeTest, HealthMetadataInfer) {
  EXPECT_EQ(http(port_, "GET", "/v2/health/live").status, 200);
  EXPECT_EQ(http(port_, "GET", "/v2/health/ready").status, 200);
  EXPECT_EQ(http(port_, "GET", "/v2/models/half_plus_two/ready").status, 200);
  EXPECT_EQ(http(port_, "GET", "/v2/models/half_plus_two/versions/123/ready").status, 200);
  EXPECT_EQ(http(port_, "GET", "/v2/models/nope/ready").status, 400);
  EXPECT_EQ(http(port_, "GET", "/v2").body, "{\"name\":\"tfport\",\"version\":\"0.1.0\",\"extensions\":[]}");
  auto meta = http(port_, "GET", "/v2/models/half_plus_two");
  EXPECT_EQ(meta.body,
            "{\"name\":\"half_plus_two\",\"versions\":[\"123\"],\"platform\":\"tensorflow_savedmodel\",\"inputs\":[{"
            "\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[-1,1]}],\"outputs\":[{\"name\":\"y\",\"datatype\":\"FP32\","
            "\"shape\":[-1,1]}]}");
  auto r = http(port_, "POST", "/v2/models/half_plus_two/infer",
                R"({"id":"42","inputs":[{"name":"x","shape":[3,1],"datatype":"FP32","data":[[1],[2],[3]]}]})");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body,
            "{\"model_name\":\"half_plus_two\",\"model_version\":\"123\",\"id\":\"42\",\"outputs\":[{\"name\":\"y\","
            "\"shape\":[3,1],\"datatype\":\"FP32\",\"data\":[2.5,3.0,3.5]}]}");
  r = http(port_, "POST", "/v2/models/half_plus_two/versions/123/infer",
           R"({"inputs":[{"name":"x","shape":[2,1],"datatype":"FP32","data":[1]}]})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("needs 2 elements, data has 1"), std::string::npos);
  r = http(port_, "POST", "/v2/models/half_plus_two/infer",
           R"({"parameters":{"signature_name":"regress_x_to_y"},"inputs":[{"name":"inputs","shape":[1],"datatype":"BYTES","data":["bad"]}]})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(http(port_, "POST", "/v2/models/nope/infer", "{}").status, 404);
}

TEST_F(KServeTest, PrometheusMetrics) {
  http(port_, "POST", "/v1/models/half_plus_two:predict", R"({"instances": [[1.0]]})");
  http(port_, "POST", "/v1/models/half_plus_two:predict", R"({"instances": "x"})");
  auto r = http(port_, "GET", "/monitoring/prometheus/metrics");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find(":tensorflow:serving:request_count{model_name=\"half_plus_two\",API=\"Predict\","
                        "entrypoint=\"REST\",status=\"OK\"} 1"),
            std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("status=\"ERROR\"} 1"), std::string::npos);
  EXPECT_NE(r.body.find(":tensorflow:serving:request_latency_count{model_name=\"half_plus_two\",API=\"Predict\","
                        "entrypoint=\"REST\"} 2"),
            std::string::npos);
  EXPECT_NE(r.body.find(":tensorflow:cc:saved_model:load_attempt_count{model_path=\"half_plus_two\",status=\"success\"} 1"),
            std::string::npos);
}

TEST_F(KServeTest, CorsAndLimits) {
  auto r = http(port_, "OPTIONS", "/v1/models/half_plus_two:predict");
  EXPECT_EQ(r.status, 400);  // no Origin header
  r = http(port_, "GET", "/v1/models/half_plus_two");
  EXPECT_EQ(r.status, 200);
  std::string big = R"({"instances": [)" + std::string(5000, ' ') + "1.0]}";
  r = http(port_, "POST", "/v1/models/half_plus_two:predict", big);
  EXPECT_EQ(r.status, 413);
}

}  // namespace
}  // namespace tfport::serving::testing
