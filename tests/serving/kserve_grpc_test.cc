// KServe v2 over gRPC (inference.GRPCInferenceService) through a real grpc++ client, on
// the server's gRPC port beside TF Serving's services.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <cstring>

#include "serving_test_util.h"
#include "tfport/tf/example.pb.h"
#include "tfport_serving/kserve_v2.grpc.pb.h"

namespace tfport::serving::testing {
namespace {

namespace kv2 = ::inference;

class KServeGrpcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions o;
    o.model_name = "half_plus_two";
    o.model_base_path = tfserving_fixture("saved_model_half_plus_two_cpu");
    server_ = start_server(o);
    ASSERT_NE(server_, nullptr);
    client_ = kv2::GRPCInferenceService::NewStub(grpc::CreateChannel(
        "127.0.0.1:" + std::to_string(server_->grpc_port()), grpc::InsecureChannelCredentials()));
  }
  void TearDown() override { server_->shutdown(std::chrono::seconds(5)); }

  // x = [[1], [2], [3]] for half_plus_two's serving_default.
  static kv2::ModelInferRequest infer_x(bool raw) {
    kv2::ModelInferRequest req;
    req.set_model_name("half_plus_two");
    req.set_id("42");
    auto* in = req.add_inputs();
    in->set_name("x");
    in->set_datatype("FP32");
    in->add_shape(3);
    in->add_shape(1);
    const float x[3] = {1.f, 2.f, 3.f};
    if (raw) {
      req.add_raw_input_contents(std::string(reinterpret_cast<const char*>(x), sizeof(x)));
    } else {
      for (float v : x) in->mutable_contents()->add_fp32_contents(v);
    }
    return req;
  }

  // `n` serialized tf.Examples (BYTES, contents left to the caller) for regress_x_to_y.
  static kv2::ModelInferRequest regress_request(int64_t n) {
    kv2::ModelInferRequest req;
    req.set_model_name("half_plus_two");
    (*req.mutable_parameters())["signature_name"].set_string_param("regress_x_to_y");
    auto* in = req.add_inputs();
    in->set_name("inputs");
    in->set_datatype("BYTES");
    in->add_shape(n);
    return req;
  }

  std::unique_ptr<ModelServer> server_;
  std::unique_ptr<kv2::GRPCInferenceService::Stub> client_;
};

TEST_F(KServeGrpcTest, HealthAndMetadata) {
  {
    grpc::ClientContext ctx;
    kv2::ServerLiveResponse r;
    ASSERT_TRUE(client_->ServerLive(&ctx, kv2::ServerLiveRequest(), &r).ok());
    EXPECT_TRUE(r.live());
  }
  {
    grpc::ClientContext ctx;
    kv2::ServerReadyResponse r;
    ASSERT_TRUE(client_->ServerReady(&ctx, kv2::ServerReadyRequest(), &r).ok());
    EXPECT_TRUE(r.ready());
  }
  for (const auto& [name, version, ready] : {std::tuple{"half_plus_two", "", true}, std::tuple{"half_plus_two", "123", true},
                                             std::tuple{"half_plus_two", "7", false}, std::tuple{"nope", "", false}}) {
    grpc::ClientContext ctx;
    kv2::ModelReadyRequest req;
    req.set_name(name);
    req.set_version(version);
    kv2::ModelReadyResponse r;
    ASSERT_TRUE(client_->ModelReady(&ctx, req, &r).ok());
    EXPECT_EQ(r.ready(), ready) << name << " " << version;
  }
  {
    grpc::ClientContext ctx;
    kv2::ServerMetadataResponse r;
    ASSERT_TRUE(client_->ServerMetadata(&ctx, kv2::ServerMetadataRequest(), &r).ok());
    EXPECT_EQ(r.name(), "tfport");
    EXPECT_EQ(r.version(), "0.1.0");
  }
  grpc::ClientContext ctx;
  kv2::ModelMetadataRequest req;
  req.set_name("half_plus_two");
  kv2::ModelMetadataResponse r;
  ASSERT_TRUE(client_->ModelMetadata(&ctx, req, &r).ok());
  EXPECT_EQ(r.name(), "half_plus_two");
  ASSERT_EQ(r.versions_size(), 1);
  EXPECT_EQ(r.versions(0), "123");
  EXPECT_EQ(r.platform(), "tensorflow_savedmodel");
  ASSERT_EQ(r.inputs_size(), 1);
  EXPECT_EQ(r.inputs(0).name(), "x");
  EXPECT_EQ(r.inputs(0).datatype(), "FP32");
  EXPECT_EQ(std::vector<int64_t>(r.inputs(0).shape().begin(), r.inputs(0).shape().end()), (std::vector<int64_t>{-1, 1}));
  ASSERT_EQ(r.outputs_size(), 1);
  EXPECT_EQ(r.outputs(0).name(), "y");
  grpc::ClientContext missing_ctx;
  req.set_name("nope");
  EXPECT_EQ(client_->ModelMetadata(&missing_ctx, req, &r).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(KServeGrpcTest, InferWithTypedContents) {
  grpc::ClientContext ctx;
  kv2::ModelInferResponse r;
  grpc::Status s = client_->ModelInfer(&ctx, infer_x(false), &r);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(r.model_name(), "half_plus_two");
  EXPECT_EQ(r.model_version(), "123");
  EXPECT_EQ(r.id(), "42");
  ASSERT_EQ(r.outputs_size(), 1);
  EXPECT_EQ(r.outputs(0).name(), "y");
  EXPECT_EQ(r.outputs(0).datatype(), "FP32");
  EXPECT_EQ(std::vector<int64_t>(r.outputs(0).shape().begin(), r.outputs(0).shape().end()), (std::vector<int64_t>{3, 1}));
  const auto& y = r.outputs(0).contents().fp32_contents();
  EXPECT_EQ(std::vector<float>(y.begin(), y.end()), (std::vector<float>{2.5f, 3.0f, 3.5f}));
  EXPECT_EQ(r.raw_output_contents_size(), 0);
}

TEST_F(KServeGrpcTest, RawContentsAnswerRawContents) {
  grpc::ClientContext ctx;
  kv2::ModelInferResponse r;
  grpc::Status s = client_->ModelInfer(&ctx, infer_x(true), &r);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(r.outputs_size(), 1);
  EXPECT_EQ(r.outputs(0).contents().fp32_contents_size(), 0);
  ASSERT_EQ(r.raw_output_contents_size(), 1);
  const std::string& raw = r.raw_output_contents(0);
  ASSERT_EQ(raw.size(), 3 * sizeof(float));
  float y[3];
  std::memcpy(y, raw.data(), sizeof(y));
  EXPECT_EQ(y[0], 2.5f);
  EXPECT_EQ(y[1], 3.0f);
  EXPECT_EQ(y[2], 3.5f);
}

TEST_F(KServeGrpcTest, SignatureParameterAndBytes) {
  // regress_x_to_y takes serialized tf.Examples (BYTES); a bad one is refused by the model.
  kv2::ModelInferRequest req = regress_request(1);
  req.mutable_inputs(0)->mutable_contents()->add_bytes_contents("not an example");
  grpc::ClientContext ctx;
  kv2::ModelInferResponse r;
  EXPECT_EQ(client_->ModelInfer(&ctx, req, &r).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  (*req.mutable_parameters())["signature_name"].set_string_param("no_such_signature");
  grpc::ClientContext ctx2;
  grpc::Status s = client_->ModelInfer(&ctx2, req, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "Serving signature name: \"no_such_signature\" not found in signature def");
}

// BYTES inputs, typed and raw (a 4-byte little-endian length before each element): serialized
// tf.Examples for half_plus_two's regress_x_to_y signature (y = x / 2 + 2).
TEST_F(KServeGrpcTest, BytesInputsTypedAndRaw) {
  std::string examples[2];
  for (int i = 0; i < 2; ++i) {
    tensorflow::Example e;
    (*e.mutable_features()->mutable_feature())["x"].mutable_float_list()->add_value(i == 0 ? 80.f : 2.f);
    examples[i] = e.SerializeAsString();
  }
  for (bool raw : {false, true}) {
    kv2::ModelInferRequest req = regress_request(2);
    auto* in = req.mutable_inputs(0);
    if (raw) {
      std::string bytes;
      for (const auto& e : examples) {
        const auto n = static_cast<uint32_t>(e.size());
        for (int b = 0; b < 4; ++b) bytes.push_back(static_cast<char>((n >> (8 * b)) & 0xff));
        bytes += e;
      }
      req.add_raw_input_contents(bytes);
    } else {
      for (const auto& e : examples) in->mutable_contents()->add_bytes_contents(e);
    }
    grpc::ClientContext ctx;
    kv2::ModelInferResponse r;
    grpc::Status s = client_->ModelInfer(&ctx, req, &r);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ASSERT_EQ(r.outputs_size(), 1);
    EXPECT_EQ(r.outputs(0).name(), "outputs");
    float y[2] = {0, 0};
    if (raw) {
      ASSERT_EQ(r.raw_output_contents_size(), 1);
      ASSERT_EQ(r.raw_output_contents(0).size(), sizeof(y));
      std::memcpy(y, r.raw_output_contents(0).data(), sizeof(y));
    } else {
      ASSERT_EQ(r.outputs(0).contents().fp32_contents_size(), 2);
      y[0] = r.outputs(0).contents().fp32_contents(0);
      y[1] = r.outputs(0).contents().fp32_contents(1);
    }
    EXPECT_EQ(y[0], 42.f) << (raw ? "raw" : "typed");
    EXPECT_EQ(y[1], 3.f) << (raw ? "raw" : "typed");
  }
}

TEST_F(KServeGrpcTest, MalformedRequestsAreRefused) {
  auto expect_invalid = [&](const kv2::ModelInferRequest& req, const char* what) {
    grpc::ClientContext ctx;
    kv2::ModelInferResponse r;
    EXPECT_EQ(client_->ModelInfer(&ctx, req, &r).error_code(), grpc::StatusCode::INVALID_ARGUMENT) << what;
  };
  kv2::ModelInferRequest req = infer_x(false);
  req.mutable_inputs(0)->mutable_contents()->add_fp32_contents(4.f);
  expect_invalid(req, "four values for three elements");
  req = infer_x(true);
  req.mutable_raw_input_contents(0)->pop_back();
  expect_invalid(req, "raw contents one byte short");
  req = infer_x(true);
  req.add_raw_input_contents("extra");
  expect_invalid(req, "more raw contents than inputs");
  req = infer_x(false);
  req.mutable_inputs(0)->set_datatype("FP17");
  expect_invalid(req, "unknown datatype");
  req = infer_x(false);
  req.mutable_inputs(0)->set_shape(0, -3);
  expect_invalid(req, "negative dimension");
  req = infer_x(false);
  req.set_model_version("x1");
  expect_invalid(req, "version that is not a number");
  kv2::ModelInferRequest bytes_req = regress_request(1);
  bytes_req.add_raw_input_contents(std::string("\x09\x00\x00\x00" "abc", 7));
  expect_invalid(bytes_req, "raw BYTES element longer than what is left");
  req = infer_x(false);
  req.set_model_name("nope");
  grpc::ClientContext ctx;
  kv2::ModelInferResponse r;
  EXPECT_EQ(client_->ModelInfer(&ctx, req, &r).error_code(), grpc::StatusCode::NOT_FOUND);
}

}  // namespace
}  // namespace tfport::serving::testing
