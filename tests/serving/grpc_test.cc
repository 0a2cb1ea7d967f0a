// TF Serving's gRPC services through a real grpc++ client stub.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "serving_test_util.h"
#include "tfport_serving/services.grpc.pb.h"

namespace tfport::serving::testing {
namespace {

namespace tfs = tensorflow::serving;

class GrpcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions o;
    o.model_name = "half_plus_two";
    o.model_base_path = tfserving_fixture("saved_model_half_plus_two_2_versions");
    server_ = start_server(o);
    ASSERT_NE(server_, nullptr);
    auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(server_->grpc_port()),
                                       grpc::InsecureChannelCredentials());
    predict_ = tfs::PredictionService::NewStub(channel);
    model_ = tfs::ModelService::NewStub(channel);
  }
  void TearDown() override { server_->shutdown(std::chrono::seconds(5)); }

  std::unique_ptr<ModelServer> server_;
  std::unique_ptr<tfs::PredictionService::Stub> predict_;
  std::unique_ptr<tfs::ModelService::Stub> model_;
};

tensorflow::Example example_x(float x) {
  tensorflow::Example e;
  (*e.mutable_features()->mutable_feature())["x"].mutable_float_list()->add_value(x);
  return e;
}

TEST_F(GrpcTest, Predict) {
  tfs::PredictRequest req;
  req.mutable_model_spec()->set_name("half_plus_two");
  auto& x = (*req.mutable_inputs())["x"];
  x.set_dtype(tensorflow::DT_FLOAT);
  x.mutable_tensor_shape()->add_dim()->set_size(3);
  x.mutable_tensor_shape()->add_dim()->set_size(1);
  for (float v : {1.f, 2.f, 3.f}) x.add_float_val(v);
  tfs::PredictResponse resp;
  grpc::ClientContext ctx;
  grpc::Status s = predict_->Predict(&ctx, req, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(resp.model_spec().name(), "half_plus_two");
  EXPECT_EQ(resp.model_spec().version().value(), 124);  // the highest version
  EXPECT_EQ(resp.model_spec().signature_name(), "serving_default");
  const auto& y = resp.outputs().at("y");
  EXPECT_EQ(y.dtype(), tensorflow::DT_FLOAT);
  ASSERT_EQ(y.float_val_size(), 3);
  EXPECT_EQ(y.float_val(0), 2.5f);
  EXPECT_EQ(y.float_val(2), 3.5f);
  EXPECT_EQ(y.tensor_shape().dim(0).size(), 3);

  // tensor_content works too, and a specific version.
  req.mutable_model_spec()->mutable_version()->set_value(124);
  x.clear_float_val();
  float raw[3] = {4.f, 6.f, 8.f};
  x.set_tensor_content(std::string(reinterpret_cast<const char*>(raw), sizeof(raw)));
  grpc::ClientContext ctx2;
  s = predict_->Predict(&ctx2, req, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(resp.model_spec().version().value(), 124);
  EXPECT_EQ(resp.outputs().at("y").float_val(2), 6.f);
}

TEST_F(GrpcTest, Errors) {
  tfs::PredictRequest req;
  req.mutable_model_spec()->set_name("nope");
  tfs::PredictResponse resp;
  grpc::ClientContext ctx;
  grpc::Status s = predict_->Predict(&ctx, req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(s.error_message(), "Servable not found for request: Latest(nope)");

  req.mutable_model_spec()->set_name("half_plus_two");
  req.mutable_model_spec()->set_signature_name("bad");
  grpc::ClientContext ctx2;
  s = predict_->Predict(&ctx2, req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(s.error_message(), "Serving signature key \"bad\" not found.");

  req.mutable_model_spec()->clear_signature_name();
  grpc::ClientContext ctx3;
  s = predict_->Predict(&ctx3, req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(),
            "input size does not match signature: 0!=1 len({}) != len({x}). Sent extra: {}. Missing but required: {x}.");
}

TEST_F(GrpcTest, ClassifyRegressMultiInference) {
  tfs::RegressionRequest rreq;
  rreq.mutable_model_spec()->set_name("half_plus_two");
  rreq.mutable_model_spec()->set_signature_name("regress_x_to_y");
  *rreq.mutable_input()->mutable_example_list()->add_examples() = example_x(80.f);
  *rreq.mutable_input()->mutable_example_list()->add_examples() = example_x(2.f);
  tfs::RegressionResponse rresp;
  grpc::ClientContext c1;
  ASSERT_TRUE(predict_->Regress(&c1, rreq, &rresp).ok());
  ASSERT_EQ(rresp.result().regressions_size(), 2);
  EXPECT_EQ(rresp.result().regressions(0).value(), 42.f);
  EXPECT_EQ(rresp.result().regressions(1).value(), 3.f);

  tfs::ClassificationRequest creq;
  creq.mutable_model_spec()->set_name("half_plus_two");
  creq.mutable_model_spec()->set_signature_name("classify_x_to_y");
  *creq.mutable_input()->mutable_example_list()->add_examples() = example_x(20.f);
  tfs::ClassificationResponse cresp;
  grpc::ClientContext c2;
  ASSERT_TRUE(predict_->Classify(&c2, creq, &cresp).ok());
  EXPECT_EQ(cresp.result().classifications(0).classes(0).score(), 12.f);

  tfs::MultiInferenceRequest mreq;
  auto* t1 = mreq.add_tasks();
  t1->mutable_model_spec()->set_name("half_plus_two");
  t1->mutable_model_spec()->set_signature_name("regress_x_to_y");
  t1->set_method_name("tensorflow/serving/regress");
  auto* t2 = mreq.add_tasks();
  t2->mutable_model_spec()->set_name("half_plus_two");
  t2->mutable_model_spec()->set_signature_name("classify_x_to_y");
  t2->set_method_name("tensorflow/serving/classify");
  *mreq.mutable_input()->mutable_example_list()->add_examples() = example_x(10.f);
  tfs::MultiInferenceResponse mresp;
  grpc::ClientContext c3;
  ASSERT_TRUE(predict_->MultiInference(&c3, mreq, &mresp).ok());
  ASSERT_EQ(mresp.results_size(), 2);
  EXPECT_EQ(mresp.results(0).regression_result().regressions(0).value(), 7.f);
  EXPECT_EQ(mresp.results(1).classification_result().classifications(0).classes(0).score(), 7.f);
}

TEST_F(GrpcTest, MetadataAndStatus) {
  tfs::GetModelMetadataRequest req;
  req.mutable_model_spec()->set_name("half_plus_two");
  tfs::GetModelMetadataResponse resp;
  grpc::ClientContext c1;
  grpc::Status s = predict_->GetModelMetadata(&c1, req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "GetModelMetadataRequest must specify at least one metadata_field");
  req.add_metadata_field("signature_def");
  grpc::ClientContext c2;
  ASSERT_TRUE(predict_->GetModelMetadata(&c2, req, &resp).ok());
  tfs::SignatureDefMap map;
  ASSERT_TRUE(resp.metadata().at("signature_def").UnpackTo(&map));
  EXPECT_EQ(resp.metadata().at("signature_def").type_url(), "type.googleapis.com/tensorflow.serving.SignatureDefMap");
  EXPECT_EQ(map.signature_def().at("serving_default").inputs().at("x").name(), "x:0");
  EXPECT_EQ(map.signature_def().size(), 6u);

  tfs::GetModelStatusRequest sreq;
  sreq.mutable_model_spec()->set_name("half_plus_two");
  tfs::GetModelStatusResponse sresp;
  grpc::ClientContext c3;
  ASSERT_TRUE(model_->GetModelStatus(&c3, sreq, &sresp).ok());
  ASSERT_EQ(sresp.model_version_status_size(), 1);
  EXPECT_EQ(sresp.model_version_status(0).version(), 124);
  EXPECT_EQ(sresp.model_version_status(0).state(), tfs::ModelVersionStatus::AVAILABLE);
}

TEST_F(GrpcTest, ReloadConfigServesAllVersionsWithLabels) {
  tfs::ReloadConfigRequest req;
  auto* c = req.mutable_config()->mutable_model_config_list()->add_config();
  c->set_name("half_plus_two");
  c->set_base_path(tfserving_fixture("saved_model_half_plus_two_2_versions"));
  c->mutable_model_version_policy()->mutable_all();
  (*c->mutable_version_labels())["stable"] = 123;
  tfs::ReloadConfigResponse resp;
  grpc::ClientContext c1;
  ASSERT_TRUE(model_->HandleReloadConfigRequest(&c1, req, &resp).ok());
  EXPECT_EQ(resp.status().error_code(), tensorflow::error::OK) << resp.status().error_message();
  auto r = http(server_->rest_port(), "GET", "/v1/models/half_plus_two");
  EXPECT_NE(r.body.find("\"124\""), std::string::npos);
  EXPECT_NE(r.body.find("\"123\""), std::string::npos);
  EXPECT_LT(r.body.find("\"124\""), r.body.find("\"123\""));  // descending
  r = http(server_->rest_port(), "POST", "/v1/models/half_plus_two/labels/stable:predict", R"({"instances": [[1.0]]})");
  EXPECT_EQ(r.body, "{\n    \"predictions\": [[2.5]\n    ]\n}");
}

TEST(GrpcDefaultsTest, SignatureDefaultsFillMissingInputs) {
  ServerOptions o;
  o.model_name = "tf2";
  o.model_base_path = tfserving_fixture("saved_model_half_plus_two_tf2_cpu");
  auto server = start_server(o);
  ASSERT_NE(server, nullptr);
  auto stub = tfs::PredictionService::NewStub(grpc::CreateChannel(
      "127.0.0.1:" + std::to_string(server->grpc_port()), grpc::InsecureChannelCredentials()));
  tfs::PredictRequest req;
  req.mutable_model_spec()->set_name("tf2");
  tfs::PredictResponse resp;
  grpc::ClientContext ctx;
  grpc::Status s = stub->Predict(&ctx, req, &resp);  // x defaults to [0.0] in serving_default
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(resp.outputs().at("y").float_val(0), 2.f);
  (*req.mutable_inputs())["z"].set_dtype(tensorflow::DT_FLOAT);
  grpc::ClientContext ctx2;
  s = stub->Predict(&ctx2, req, &resp);
  EXPECT_EQ(s.error_message(), "input tensor alias not found in signature: z. Inputs expected to be in the set {x}.");
  server->shutdown(std::chrono::seconds(5));
}

}  // namespace
}  // namespace tfport::serving::testing
