// Server overhead over in-process runs, measured interleaved in one process so that a noisy
// machine affects both alike: for each model, batch 1, the same input is run (a) in process
// through Model, (b) through `tfport serve`'s gRPC Predict (tensor_content), (c) through its
// REST :predict (JSON row format), one call of each per round on loopback. (a) runs on the
// server's run thread, as the server's own runs do. Client costs are
// kept out of the figures: requests are serialized once, outside the timed region.
//
//   build/bench/serve_bench [rounds] [model]   prints a Markdown table (model: only that row)
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <cstdio>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "serving/run_executor.h"
#include "serving/server.h"
#include "support/test_support.h"
#include "tfport/model.h"
#include "tfport_serving/services.grpc.pb.h"

namespace {

using Clock = std::chrono::steady_clock;
namespace beast = boost::beast;

using StatusOrOutputs = tfport::StatusOr<std::map<std::string, tfport::Tensor>>;

double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

struct BenchModel {
  std::string name, path, base_path;  // the model for Model::load, the server's base path
  std::vector<int64_t> dims;  // one item
};

std::string json_value(const std::vector<float>& values, const std::vector<int64_t>& dims, std::size_t d, std::size_t* at) {
  if (d == dims.size()) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.3f", values[(*at)++]);
    return buf;
  }
  std::string s = "[";
  for (int64_t i = 0; i < dims[d]; ++i) {
    if (i) s += ',';
    s += json_value(values, dims, d + 1, at);
  }
  return s + "]";
}

}  // namespace

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::atoi(argv[1]) : 30;
  std::vector<BenchModel> models = {
      {"half_plus_two", tfport::testing::fixture("tfserving/saved_model_half_plus_two_cpu/00000123"),
       tfport::testing::fixture("tfserving/saved_model_half_plus_two_cpu"), {1}},
      {"mnist_cnn", tfport::testing::fixture("realworld/mnist-cnn/model/mnist_cnn.h5"),
       tfport::testing::fixture("realworld/mnist-cnn/model/mnist_cnn.h5"), {28, 28, 1}},
      {"mobilenet_v2", tfport::testing::fixture("bench/mobilenet_v2_nsfw.h5"),
       tfport::testing::fixture("bench/mobilenet_v2_nsfw.h5"), {224, 224, 3}},
  };
  std::printf("| model | in-process p50 ms | p99 ms | gRPC p50 ms | p99 ms | gRPC overhead (p50) | REST p50 ms | p99 ms | REST overhead (p50) |\n");
  std::printf("| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
  const std::string only = argc > 2 ? argv[2] : "";
  for (const auto& m : models) {
    if (!only.empty() && m.name != only) continue;
    auto model = tfport::Model::load(m.path);
    if (!model.ok()) {
      std::fprintf(stderr, "%s: %s\n", m.name.c_str(), model.status().message().c_str());
      continue;
    }
    auto sig_or = (*model)->signature("serving_default");
    if (!sig_or.ok()) return 1;
    const tfport::Signature& sig = **sig_or;
    const std::string input = sig.inputs.front().key;
    int64_t n = 1;
    for (int64_t d : m.dims) n *= d;
    std::mt19937 rng(1);
    std::uniform_real_distribution<float> dist(0.f, 1.f);
    std::vector<float> values(static_cast<std::size_t>(n));
    for (auto& v : values) v = static_cast<float>(std::round(dist(rng) * 1000) / 1000);
    std::vector<int64_t> shape{1};
    shape.insert(shape.end(), m.dims.begin(), m.dims.end());
    tfport::Tensor x = tfport::Tensor::from_vector<float>(tfport::DType::kFloat, tfport::Shape(shape), values);

    tfport::serving::ServerOptions o;
    o.model_name = m.name;
    o.model_base_path = m.base_path;
    o.address = "127.0.0.1";
    o.rest_any_port = o.grpc_any_port = true;
    o.rest_api_num_threads = 2;
    o.file_system_poll_wait_seconds = 0;
    o.log = [](const std::string&) {};
    tfport::serving::ModelServer server(o);
    if (!server.start().ok()) return 1;

    auto stub = tensorflow::serving::PredictionService::NewStub(grpc::CreateChannel(
        "127.0.0.1:" + std::to_string(server.grpc_port()), grpc::InsecureChannelCredentials()));
    tensorflow::serving::PredictRequest req;
    req.mutable_model_spec()->set_name(m.name);
    auto& t = (*req.mutable_inputs())[input];
    t.set_dtype(tensorflow::DT_FLOAT);
    for (int64_t d : shape) t.mutable_tensor_shape()->add_dim()->set_size(d);
    t.set_tensor_content(std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float)));

    std::size_t at = 0;
    const std::string body = "{\"instances\": [" + json_value(values, m.dims, 0, &at) + "]}";
    // The request's bytes are built once, so that the REST figure is the server's time plus
    // one write and one read, not the client's copying and serializing of a 1 MB body.
    std::string raw_request;
    {
      beast::http::request<beast::http::string_body> hreq(beast::http::verb::post, "/v1/models/" + m.name + ":predict",
                                                          11);
      hreq.set(beast::http::field::host, "localhost");
      hreq.set(beast::http::field::content_type, "application/json");
      hreq.body() = body;
      hreq.prepare_payload();
      std::ostringstream os;
      os << hreq;
      raw_request = os.str();
    }
    boost::asio::io_context ioc;
    beast::tcp_stream stream(ioc);
    stream.connect(boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"),
                                                  static_cast<unsigned short>(server.rest_port())));
    stream.socket().set_option(boost::asio::ip::tcp::no_delay(true));
    beast::flat_buffer buffer;

    std::vector<double> inproc, grpc_ms, rest_ms;
    for (int r = -3; r < rounds; ++r) {  // 3 warm-up rounds
      // In process on the server's run thread: a second OpenMP team in this process would make
      // libgomp throttle both (serving/run_executor.h). Timed inside, without the hand-off.
      double a = 0;
      StatusOrOutputs out = tfport::internal_error("not run");
      const tfport::Status ran = tfport::serving::RunExecutor::instance().run([&] {
        const auto t = Clock::now();
        out = (*model)->run(sig.key, {{input, x}});
        a = ms_since(t);
        return tfport::Status::OK();
      });
      if (!ran.ok()) out = ran;
      auto t0 = Clock::now();
      tensorflow::serving::PredictResponse resp;
      grpc::ClientContext ctx;
      grpc::Status gs = stub->Predict(&ctx, req, &resp);
      const double b = ms_since(t0);
      t0 = Clock::now();
      boost::asio::write(stream.socket(), boost::asio::buffer(raw_request));
      beast::http::response<beast::http::string_body> hres;
      beast::http::read(stream, buffer, hres);
      const double c = ms_since(t0);
      if (!out.ok() || !gs.ok() || hres.result_int() != 200) {
        std::fprintf(stderr, "%s: a request failed: %s %s\n", m.name.c_str(), gs.error_message().c_str(),
                     hres.body().substr(0, 200).c_str());
        return 1;
      }
      if (r >= 0) {
        inproc.push_back(a);
        grpc_ms.push_back(b);
        rest_ms.push_back(c);
      }
    }
    const double p = percentile(inproc, 0.5), g = percentile(grpc_ms, 0.5), h = percentile(rest_ms, 0.5);
    std::printf("| %s | %.3f | %.3f | %.3f | %.3f | %+.0f%% | %.3f | %.3f | %+.0f%% |\n", m.name.c_str(), p,
                percentile(inproc, 0.99), g, percentile(grpc_ms, 0.99), 100 * (g - p) / p, h,
                percentile(rest_ms, 0.99), 100 * (h - p) / p);
    std::fflush(stdout);
    server.shutdown(std::chrono::seconds(5));
  }
  return 0;
}
