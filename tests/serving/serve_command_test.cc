// `tfport serve` as a process: TF Serving's flags, its startup log lines, and SIGTERM draining.
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>

#include "serving_test_util.h"

namespace tfport::serving::testing {
namespace {

int free_port() {
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::acceptor a(ioc, boost::asio::ip::tcp::endpoint(boost::asio::ip::tcp::v4(), 0));
  return a.local_endpoint().port();
}

// $TFPORT_BINARY, else the tfport of this build tree (tests/serving/ -> src/cli/tfport).
std::string binary() {
  const char* env = std::getenv("TFPORT_BINARY");
  if (env != nullptr && *env) return env;
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return "";
  auto candidate = self.parent_path().parent_path().parent_path() / "src" / "cli" / "tfport";
  return std::filesystem::exists(candidate) ? candidate.string() : "";
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(ServeCommandTest, StartsServesAndDrainsOnSigterm) {
  if (binary().empty()) GTEST_SKIP() << "TFPORT_BINARY not set";
  tfport::testing::TempDir dir;
  const int grpc = free_port(), rest = free_port();
  const std::string log = dir.file("log.txt");
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    FILE* f = std::freopen(log.c_str(), "w", stderr);
    (void)f;
    const std::string port = "--port=" + std::to_string(grpc), rest_port = "--rest_api_port=" + std::to_string(rest);
    const std::string base = "--model_base_path=" + tfserving_fixture("saved_model_half_plus_two_2_versions");
    execl(binary().c_str(), binary().c_str(), "serve", port.c_str(), rest_port.c_str(), "--model_name=m",
          base.c_str(), "--enable_batching", "--file_system_poll_wait_seconds=0", static_cast<char*>(nullptr));
    _exit(127);
  }
  bool up = false;
  for (int i = 0; i < 300 && !up; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    up = slurp(log).find("Exporting HTTP/REST API at:localhost:" + std::to_string(rest) + " ...") != std::string::npos;
  }
  ASSERT_TRUE(up) << slurp(log);
  EXPECT_NE(slurp(log).find("Running gRPC ModelServer at 0.0.0.0:" + std::to_string(grpc) + " ..."), std::string::npos);
  auto r = http(rest, "POST", "/v1/models/m:predict", R"({"instances": [[1.0], [2.0]]})");
  EXPECT_EQ(r.body, "{\n    \"predictions\": [[2.5], [3.0]\n    ]\n}");
  EXPECT_NE(http(rest, "GET", "/v1/models/m").body.find("\"124\""), std::string::npos);

  // Requests in flight while SIGTERM arrives all complete.
  std::atomic<int> ok{0}, done{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < 3; ++i) {
    clients.emplace_back([&] {
      try {
        HttpConnection c(rest);
        for (int k = 0; k < 50; ++k) {
          auto res = c.request("POST", "/v1/models/m:predict", R"({"instances": [[1.0]]})");
          if (res.status == 200) ++ok;
        }
      } catch (const std::exception&) {
      }
      ++done;
    });
  }
  for (int i = 0; i < 500 && ok.load() < 3; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  kill(pid, SIGTERM);
  for (auto& t : clients) t.join();
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_NE(slurp(log).find("draining requests in flight"), std::string::npos);
  EXPECT_GT(ok.load(), 0);
}

TEST(ServeCommandTest, StartupErrors) {
  if (binary().empty()) GTEST_SKIP() << "TFPORT_BINARY not set";
  setenv("TFPORT_BINARY", binary().c_str(), 0);
  auto r = tfport::testing::run_tfport({"serve", "--port=0"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("Both server_options.model_base_path and server_options.model_config_file are empty!"),
            std::string::npos);
  r = tfport::testing::run_tfport({"serve", "--model_base_path=/x", "--batching_parameters_file=/y"});
  EXPECT_NE(r.err.find("batching_parameters_file is set without setting server_options.enable_batching to true."),
            std::string::npos);
  r = tfport::testing::run_tfport({"serve", "--model_config_file=" + tfserving_fixture("expected/bad_model_config.txt")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("Invalid protobuf file"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace tfport::serving::testing
