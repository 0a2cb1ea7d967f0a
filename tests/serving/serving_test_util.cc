#include "serving_test_util.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <gtest/gtest.h>

namespace tfport::serving::testing {
namespace {

namespace beast = boost::beast;
namespace http_ns = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

}  // namespace

struct HttpConnection::Impl {
  net::io_context ioc;
  beast::tcp_stream stream{ioc};
  beast::flat_buffer buffer;
};

HttpConnection::HttpConnection(int port) : impl_(std::make_unique<Impl>()) {
  impl_->stream.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)));
}

HttpConnection::~HttpConnection() {
  beast::error_code ec;
  impl_->stream.socket().shutdown(tcp::socket::shutdown_both, ec);
}

HttpResult HttpConnection::request(const std::string& method, const std::string& target, const std::string& body) {
  http_ns::request<http_ns::string_body> req(http_ns::string_to_verb(method), target, 11);
  req.set(http_ns::field::host, "localhost");
  if (!body.empty() || method == "POST") {
    req.set(http_ns::field::content_type, "application/json");
    req.body() = body;
  }
  req.prepare_payload();
  req.keep_alive(true);
  http_ns::write(impl_->stream, req);
  http_ns::response_parser<http_ns::string_body> parser;
  parser.body_limit(std::size_t{1} << 30);
  http_ns::read(impl_->stream, impl_->buffer, parser);
  auto& res = parser.get();
  HttpResult out;
  out.status = static_cast<int>(res.result_int());
  out.content_type = std::string(res[http_ns::field::content_type]);
  out.body = res.body();
  return out;
}

HttpResult http(int port, const std::string& method, const std::string& target, const std::string& body) {
  HttpConnection c(port);
  return c.request(method, target, body);
}

std::unique_ptr<ModelServer> start_server(ServerOptions options) {
  options.rest_any_port = true;
  options.grpc_any_port = true;
  options.address = "127.0.0.1";
  options.rest_api_num_threads = 4;
  if (!options.log) options.log = [](const std::string&) {};
  auto server = std::make_unique<ModelServer>(std::move(options));
  Status s = server->start();
  EXPECT_TRUE(s.ok()) << s;
  if (!s.ok()) return nullptr;
  return server;
}

std::string tfserving_fixture(const std::string& name) { return tfport::testing::fixture("tfserving/" + name); }

}  // namespace tfport::serving::testing
