// Slow or abandoned clients do not tie up the server's threads, and stalled connections are
// dropped after the timeout; oversized tensors are refused with TF's RESOURCE_EXHAUSTED (429).
#include <gtest/gtest.h>

#include <thread>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "serving_test_util.h"

namespace tfport::serving::testing {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;

TEST(SlowClientTest, StalledConnectionsDoNotBlockOthers) {
  ServerOptions o;
  o.model_name = "m";
  o.model_base_path = tfserving_fixture("saved_model_half_plus_two_cpu");
  o.rest_api_timeout_in_ms = 500;
  o.limits.max_tensor_bytes = 64;
  auto server = start_server(o);  // 4 HTTP threads
  ASSERT_NE(server, nullptr);
  net::io_context ioc;
  std::vector<std::unique_ptr<tcp::socket>> stalled;
  for (int i = 0; i < 16; ++i) {  // more than the threads: half a header, or half a body
    auto s = std::make_unique<tcp::socket>(ioc);
    s->connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), static_cast<unsigned short>(server->rest_port())));
    const std::string partial = i % 2 ? "POST /v1/models/m:predict HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"inst"
                                      : "GET /v1/models/m HTTP/1.1\r\nHo";
    net::write(*s, net::buffer(partial));
    stalled.push_back(std::move(s));
  }
  auto r = http(server->rest_port(), "POST", "/v1/models/m:predict", R"({"instances": [[1.0]]})");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "{\n    \"predictions\": [[2.5]\n    ]\n}");

  // After the timeout the server has closed the stalled connections.
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  for (auto& s : stalled) {
    char c;
    boost::system::error_code ec;
    net::read(*s, net::buffer(&c, 1), ec);
    EXPECT_TRUE(ec) << "connection still open";
  }

  std::string big = "{\"instances\": [[";
  for (int i = 0; i < 100; ++i) big += std::string(i ? "," : "") + "1.0";
  big += "]]}";
  r = http(server->rest_port(), "POST", "/v1/models/m:predict", big);
  EXPECT_EQ(r.status, 429);
  EXPECT_NE(r.body.find("exceeds the server's tensor size limit"), std::string::npos) << r.body;
  server->shutdown(std::chrono::seconds(5));
}

}  // namespace
}  // namespace tfport::serving::testing
