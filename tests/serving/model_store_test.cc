// Versions on disk: the highest is served, a new one takes over without a failed request, a
// broken one is reported and never takes traffic, half-written exports are not loaded.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "serving/model_store.h"
#include "serving_test_util.h"

namespace tfport::serving::testing {
namespace {

namespace fs = std::filesystem;

std::string half_plus_two_version() { return tfserving_fixture("saved_model_half_plus_two_cpu/00000123"); }

bool wait_for(const std::function<bool()>& cond, double seconds = 15) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < end) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return cond();
}

TEST(VersionNameTest, ParsesLikeSimpleAtoi) {
  EXPECT_EQ(parse_version_name("00000123"), 123);
  EXPECT_EQ(parse_version_name(" 7 "), 7);
  EXPECT_EQ(parse_version_name("+5"), 5);
  EXPECT_EQ(parse_version_name("-3"), -3);
  EXPECT_FALSE(parse_version_name("tmp_export").has_value());
  EXPECT_FALSE(parse_version_name("12a").has_value());
  EXPECT_FALSE(parse_version_name("99999999999999999999").has_value());
}

TEST(ModelStoreTest, HotReloadUnderLoadWithoutFailures) {
  tfport::testing::TempDir dir;
  const std::string base = dir.file("model");
  fs::create_directories(base);
  tfport::testing::copy_to(half_plus_two_version(), base + "/1");
  ServerOptions o;
  o.model_name = "m";
  o.model_base_path = base;
  o.file_system_poll_wait_seconds = 0.1;
  auto server = start_server(o);
  ASSERT_NE(server, nullptr);
  const int port = server->rest_port();

  std::atomic<bool> stop{false};
  std::atomic<int> ok{0}, failed{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < 4; ++i) {
    clients.emplace_back([&] {
      HttpConnection c(port);
      while (!stop) {
        auto r = c.request("POST", "/v1/models/m:predict", R"({"instances": [[1.0]]})");
        if (r.status == 200 && r.body == "{\n    \"predictions\": [[2.5]\n    ]\n}") {
          ++ok;
        } else {
          ++failed;
        }
      }
    });
  }
  // A new version appears (copied under another name, then renamed into place, as exporters do).
  tfport::testing::copy_to(half_plus_two_version(), base + "/tmp_2");
  fs::rename(base + "/tmp_2", base + "/2");
  EXPECT_TRUE(wait_for([&] {
    auto r = http(port, "GET", "/v1/models/m");
    return r.body.find("\"version\": \"2\"") != std::string::npos &&
           r.body.find("\"state\": \"AVAILABLE\"") != std::string::npos &&
           r.body.find("\"state\": \"END\"") != std::string::npos;
  }));
  stop = true;
  for (auto& t : clients) t.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_GT(ok.load(), 0);
  auto r = http(port, "GET", "/v1/models/m");
  EXPECT_EQ(r.body,
            "{\n \"model_version_status\": [\n  {\n   \"version\": \"2\",\n   \"state\": \"AVAILABLE\",\n   \"status\": "
            "{\n    \"error_code\": \"OK\",\n    \"error_message\": \"\"\n   }\n  },\n  {\n   \"version\": \"1\",\n   "
            "\"state\": \"END\",\n   \"status\": {\n    \"error_code\": \"OK\",\n    \"error_message\": \"\"\n   }\n  "
            "}\n ]\n}\n");
  server->shutdown(std::chrono::seconds(5));
}

TEST(ModelStoreTest, BrokenVersionIsReportedAndNeverServes) {
  tfport::testing::TempDir dir;
  const std::string base = dir.file("model");
  fs::create_directories(base);
  tfport::testing::copy_to(half_plus_two_version(), base + "/1");
  ServerOptions o;
  o.model_name = "m";
  o.model_base_path = base;
  o.file_system_poll_wait_seconds = 0.1;
  auto server = start_server(o);
  ASSERT_NE(server, nullptr);
  fs::create_directories(base + "/5");
  tfport::testing::write_all(base + "/5/saved_model.pb", "this is not a SavedModel");
  EXPECT_TRUE(wait_for([&] {
    return http(server->rest_port(), "GET", "/v1/models/m/versions/5").body.find("\"END\"") != std::string::npos;
  }));
  auto r = http(server->rest_port(), "GET", "/v1/models/m/versions/5");
  EXPECT_NE(r.body.find("\"error_code\": \"DATA_LOSS\""), std::string::npos) << r.body;
  r = http(server->rest_port(), "POST", "/v1/models/m:predict", R"({"instances": [[1.0]]})");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "{\n    \"predictions\": [[2.5]\n    ]\n}");
  r = http(server->rest_port(), "POST", "/v1/models/m/versions/5:predict", R"({"instances": [[1.0]]})");
  EXPECT_EQ(r.status, 404);
  server->shutdown(std::chrono::seconds(5));
}

TEST(ModelStoreTest, VersionBeingWrittenIsNotLoaded) {
  tfport::testing::TempDir dir;
  const std::string base = dir.file("model");
  fs::create_directories(base);
  tfport::testing::copy_to(half_plus_two_version(), base + "/1");
  StoreOptions so;
  so.poll_seconds = 0;
  so.log = [](const std::string&) {};
  ModelStore store(so);
  ModelEntry e;
  e.name = "m";
  e.base_path = base;
  ASSERT_TRUE(store.set_config({e}).ok());
  EXPECT_EQ((*store.find("m", std::nullopt, std::nullopt))->version, 1);
  // Version 2 appears half-written: one scan sees it, the next sees it grown.
  fs::create_directories(base + "/2");
  tfport::testing::write_all(base + "/2/saved_model.pb", "partial");
  store.scan_now();
  EXPECT_EQ((*store.find("m", std::nullopt, std::nullopt))->version, 1);
  fs::remove(base + "/2/saved_model.pb");
  tfport::testing::copy_to(half_plus_two_version() + "/variables", base + "/2/variables");
  tfport::testing::copy_to(half_plus_two_version() + "/saved_model.pb", base + "/2/saved_model.pb");
  store.scan_now();  // changed since the last scan: still waiting
  EXPECT_EQ((*store.find("m", std::nullopt, std::nullopt))->version, 1);
  auto st = store.status("m", 2);
  EXPECT_FALSE(st.ok());
  store.scan_now();  // unchanged: loaded, and version 1 unloaded
  EXPECT_EQ((*store.find("m", std::nullopt, std::nullopt))->version, 2);
  EXPECT_FALSE(store.find("m", 1, std::nullopt).ok());
}

TEST(ModelStoreTest, SpecificPolicyAndLabels) {
  StoreOptions so;
  so.poll_seconds = 0;
  so.log = [](const std::string&) {};
  ModelStore store(so);
  ModelEntry e;
  e.name = "m";
  e.base_path = tfserving_fixture("saved_model_half_plus_two_2_versions");
  e.policy.kind = VersionPolicy::Kind::kSpecific;
  e.policy.versions = {123};
  e.labels["stable"] = 123;
  ASSERT_TRUE(store.set_config({e}).ok());
  EXPECT_EQ((*store.find("m", std::nullopt, std::nullopt))->version, 123);
  EXPECT_EQ((*store.find("m", std::nullopt, std::string("stable")))->version, 123);
  auto bad = store.find("m", std::nullopt, std::string("canary"));
  EXPECT_EQ(bad.status().message(), "Unrecognized servable version label: canary");
  e.labels["canary"] = 124;  // not available under this policy
  EXPECT_FALSE(store.set_config({e}).ok());
}

TEST(ModelStoreTest, MissingBasePathKeepsPolling) {
  StoreOptions so;
  so.poll_seconds = 0;
  std::vector<std::string> lines;
  so.log = [&](const std::string& l) { lines.push_back(l); };
  ModelStore store(so);
  ModelEntry e;
  e.name = "m";
  e.base_path = "/nonexistent/base";
  ASSERT_TRUE(store.set_config({e}).ok());
  EXPECT_EQ(store.find("m", std::nullopt, std::nullopt).status().message(), "Servable not found for request: Latest(m)");
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines[0].rfind("Could not find base path /nonexistent/base for servable m", 0), 0u);
}

}  // namespace
}  // namespace tfport::serving::testing
