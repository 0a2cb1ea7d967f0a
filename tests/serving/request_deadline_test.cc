// --rest_api_timeout_in_ms is each REST request's deadline, as TF Serving's RunOptions
// timeout: a run past it fails with 504 and TF's "Timed out waiting for notification", and the
// HTTP thread is free again at the next op instead of when the run would have finished.
#include <gtest/gtest.h>

#include "loop_model.h"
#include "serving_test_util.h"

namespace tfport::serving::testing {
namespace {

TEST(RequestDeadlineTest, SlowRunFailsWithTfServingsTimeoutAndFreesTheThread) {
  tfport::testing::TempDir dir;
  write_loop_model(dir.path(), 1);
  ServerOptions o;
  o.model_name = "loop";
  o.model_base_path = dir.path();
  o.rest_api_timeout_in_ms = 200;
  o.rest_api_num_threads = 1;  // the same thread must answer the next request
  auto server = start_server(o);
  ASSERT_NE(server, nullptr);
  HttpConnection c(server->rest_port());
  auto r = c.request("POST", "/v1/models/loop:predict", R"({"inputs": {"n": 10}})");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "{\n    \"outputs\": 45\n}");
  // Nine million loop iterations take seconds; the deadline ends the run after 200 ms.
  r = c.request("POST", "/v1/models/loop:predict", R"({"inputs": {"n": 9000000}})");
  EXPECT_EQ(r.status, 504);
  EXPECT_EQ(r.body, "{\n    \"error\": \"Timed out waiting for notification\"\n}");
  r = c.request("POST", "/v1/models/loop:predict", R"({"inputs": {"n": 4}})");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "{\n    \"outputs\": 6\n}");
  server->shutdown(std::chrono::seconds(5));
}

}  // namespace
}  // namespace tfport::serving::testing
