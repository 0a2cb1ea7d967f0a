// Request bodies with Content-Encoding: gzip are decompressed before the REST handler.
#include <gtest/gtest.h>
#include <zlib.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "serving/gzip.h"
#include "serving_test_util.h"

namespace tfport::serving::testing {
namespace {

std::string gzip(const std::string& data) {
  z_stream zs{};
  deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, static_cast<uLong>(data.size())) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

TEST(GzipTest, Gunzip) {
  auto round = gunzip(gzip("hello world"), 100);
  ASSERT_TRUE(round.ok());
  EXPECT_EQ(*round, "hello world");
  EXPECT_EQ(gunzip(gzip(std::string(1000, 'a')), 100).status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(gunzip("not gzip", 100).status().code(), StatusCode::kInvalidArgument);
}

TEST(GzipTest, GzippedPredictRequest) {
  ServerOptions o;
  o.model_name = "m";
  o.model_base_path = tfserving_fixture("saved_model_half_plus_two_cpu");
  auto server = start_server(o);
  ASSERT_NE(server, nullptr);
  namespace beast = boost::beast;
  boost::asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.connect(boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"),
                                                static_cast<unsigned short>(server->rest_port())));
  beast::http::request<beast::http::string_body> req(beast::http::verb::post, "/v1/models/m:predict", 11);
  req.set(beast::http::field::host, "localhost");
  req.set(beast::http::field::content_encoding, "gzip");
  req.body() = gzip(R"({"instances": [[1.0], [4.0]]})");
  req.prepare_payload();
  beast::http::write(stream, req);
  beast::flat_buffer buf;
  beast::http::response<beast::http::string_body> res;
  beast::http::read(stream, buf, res);
  EXPECT_EQ(res.result_int(), 200u);
  EXPECT_EQ(res.body(), "{\n    \"predictions\": [[2.5], [4.0]\n    ]\n}");
  server->shutdown(std::chrono::seconds(5));
}

}  // namespace
}  // namespace tfport::serving::testing
