// --model_config_file_poll_wait_seconds: editing the config file adds and removes models.
#include <gtest/gtest.h>

#include <thread>

#include "serving_test_util.h"

namespace tfport::serving::testing {
namespace {

TEST(ConfigPollTest, ConfigFileChangesAreApplied) {
  tfport::testing::TempDir dir;
  const std::string config = dir.file("models.config");
  const std::string a = "config { name: 'a' base_path: '" + tfserving_fixture("saved_model_half_plus_two_cpu") + "' }";
  const std::string b = "config { name: 'b' base_path: '" + tfserving_fixture("saved_model_half_plus_three") + "' }";
  tfport::testing::write_all(config, "model_config_list { " + a + " }");
  ServerOptions o;
  o.model_config_file = config;
  o.model_config_file_poll_wait_seconds = 0.1;
  auto server = start_server(o);
  ASSERT_NE(server, nullptr);
  const int port = server->rest_port();
  EXPECT_EQ(http(port, "POST", "/v1/models/b:predict", R"({"instances": [1.0]})").status, 404);
  tfport::testing::write_all(config, "model_config_list { " + a + " " + b + " }");
  int status = 0;
  for (int i = 0; i < 100 && status != 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    status = http(port, "POST", "/v1/models/b:predict", R"({"instances": [[1.0]]})").status;
  }
  EXPECT_EQ(status, 200);
  EXPECT_EQ(http(port, "POST", "/v1/models/b:predict", R"({"instances": [[1.0]]})").body,
            "{\n    \"predictions\": [[3.5]\n    ]\n}");
  tfport::testing::write_all(config, "model_config_list { " + b + " }");
  for (int i = 0; i < 100 && status != 404; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    status = http(port, "POST", "/v1/models/a:predict", R"({"instances": [[1.0]]})").status;
  }
  EXPECT_EQ(status, 404);
  server->shutdown(std::chrono::seconds(5));
}

}  // namespace
}  // namespace tfport::serving::testing
