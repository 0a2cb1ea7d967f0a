// How the HTTP server reads request bodies: in pieces, pipelined behind one another on one
// connection, chunked, and after `Expect: 100-continue`; each request gets exactly its bytes.
#include <gtest/gtest.h>

#include <thread>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include "serving_test_util.h"

namespace tfport::serving::testing {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;

const char kBody[] = R"({"instances": [[1.0], [2.0], [5.0]]})";
const char kAnswer[] = "{\n    \"predictions\": [[2.5], [3.0], [4.5]\n    ]\n}";

std::string post_header(std::size_t length, const std::string& extra = "") {
  return "POST /v1/models/m:predict HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(length) + "\r\n" + extra +
         "\r\n";
}

// Reads one response with a Content-Length; returns "status body".
std::string read_response(tcp::socket& s, net::streambuf& buf) {
  net::read_until(s, buf, "\r\n\r\n");
  std::string head(net::buffers_begin(buf.data()), net::buffers_end(buf.data()));
  const std::size_t end = head.find("\r\n\r\n") + 4;
  head.resize(end);
  buf.consume(end);
  const std::size_t cl = head.find("Content-Length: ");
  const std::size_t length = cl == std::string::npos ? 0 : std::stoul(head.substr(cl + 16));
  if (buf.size() < length) net::read(s, buf, net::transfer_exactly(length - buf.size()));
  std::string body(net::buffers_begin(buf.data()), net::buffers_begin(buf.data()) + static_cast<std::ptrdiff_t>(length));
  buf.consume(length);
  return head.substr(9, 3) + " " + body;
}

class HttpBodyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions o;
    o.model_name = "m";
    o.model_base_path = tfserving_fixture("saved_model_half_plus_two_cpu");
    server_ = start_server(o);
    ASSERT_NE(server_, nullptr);
    socket_.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), static_cast<unsigned short>(server_->rest_port())));
  }
  void TearDown() override {
    if (server_) server_->shutdown(std::chrono::seconds(5));
  }
  net::io_context ioc_;
  tcp::socket socket_{ioc_};
  net::streambuf buf_;
  std::unique_ptr<ModelServer> server_;
};

TEST_F(HttpBodyTest, BodyArrivingInPieces) {
  const std::string body = kBody;
  net::write(socket_, net::buffer(post_header(body.size()) + body.substr(0, 5)));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  net::write(socket_, net::buffer(body.substr(5, 10)));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  net::write(socket_, net::buffer(body.substr(15)));
  EXPECT_EQ(read_response(socket_, buf_), std::string("200 ") + kAnswer);
}

TEST_F(HttpBodyTest, PipelinedRequestsOnOneConnection) {
  const std::string body = kBody;
  const std::string other = R"({"instances": [[0.0]]})";
  // Both requests in one write: the first body must end exactly where the second header starts.
  net::write(socket_, net::buffer(post_header(body.size()) + body + post_header(other.size()) + other));
  EXPECT_EQ(read_response(socket_, buf_), std::string("200 ") + kAnswer);
  EXPECT_EQ(read_response(socket_, buf_), "200 {\n    \"predictions\": [[2.0]\n    ]\n}");
}

TEST_F(HttpBodyTest, ChunkedBody) {
  const std::string body = kBody;
  const std::string head = "POST /v1/models/m:predict HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  auto chunk = [](const std::string& s) {
    char size[16];
    std::snprintf(size, sizeof(size), "%zx\r\n", s.size());
    return size + s + "\r\n";
  };
  net::write(socket_, net::buffer(head + chunk(body.substr(0, 7)) + chunk(body.substr(7)) + "0\r\n\r\n"));
  EXPECT_EQ(read_response(socket_, buf_), std::string("200 ") + kAnswer);
}

TEST_F(HttpBodyTest, ExpectContinue) {
  const std::string body = kBody;
  net::write(socket_, net::buffer(post_header(body.size(), "Expect: 100-continue\r\n")));
  net::read_until(socket_, buf_, "\r\n\r\n");
  std::string interim(net::buffers_begin(buf_.data()), net::buffers_end(buf_.data()));
  EXPECT_EQ(interim.substr(0, 25), "HTTP/1.1 100 Continue\r\n\r\n");
  buf_.consume(interim.find("\r\n\r\n") + 4);
  net::write(socket_, net::buffer(body));
  EXPECT_EQ(read_response(socket_, buf_), std::string("200 ") + kAnswer);
}

}  // namespace
}  // namespace tfport::serving::testing
