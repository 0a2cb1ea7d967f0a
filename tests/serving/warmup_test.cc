// Model warm-up from assets.extra/tf_serving_warmup_requests, written at test time: logged
// requests are replayed on a version before it takes traffic; a damaged file or a failing
// request fails the load, and the status API says why.
#include <gtest/gtest.h>

#include "core/crc32c.h"
#include "loop_model.h"
#include "serving/warmup.h"
#include "serving_test_util.h"
#include "tfport_serving/prediction_log.pb.h"

namespace tfport::serving::testing {
namespace {

std::string fixed32(uint32_t v) {
  std::string s(4, '\0');
  for (int i = 0; i < 4; ++i) s[static_cast<std::size_t>(i)] = static_cast<char>((v >> (8 * i)) & 0xff);
  return s;
}

std::string tfrecord(const std::vector<std::string>& records) {
  std::string out;
  for (const std::string& data : records) {
    const std::string length = fixed32(static_cast<uint32_t>(data.size())) + fixed32(0);
    out += length + fixed32(crc32c::mask(crc32c::value(length.data(), 8))) + data +
           fixed32(crc32c::mask(crc32c::value(data.data(), data.size())));
  }
  return out;
}

std::string predict_log(const std::string& input, int n) {
  tensorflow::serving::PredictionLog log;
  auto* request = log.mutable_predict_log()->mutable_request();
  request->mutable_model_spec()->set_name("loop");
  auto& t = (*request->mutable_inputs())[input];
  t.set_dtype(tensorflow::DT_INT32);
  t.mutable_tensor_shape();
  t.add_int_val(n);
  return log.SerializeAsString();
}

class WarmupTest : public ::testing::Test {
 protected:
  // Serves version 1 of the loop model with `warmup_file` as its warm-up requests; returns the
  // status API's answer for the model.
  HttpResult serve_with(const std::string& warmup_file, HttpResult* predict = nullptr) {
    write_loop_model(dir_.path(), 1, {{kWarmupRequestsFile, warmup_file}});
    ServerOptions o;
    o.model_name = "loop";
    o.model_base_path = dir_.path();
    auto server = start_server(o);
    EXPECT_NE(server, nullptr);
    if (!server) return {};
    HttpResult status = http(server->rest_port(), "GET", "/v1/models/loop");
    if (predict) *predict = http(server->rest_port(), "POST", "/v1/models/loop:predict", R"({"inputs": {"n": 5}})");
    server->shutdown(std::chrono::seconds(5));
    return status;
  }
  tfport::testing::TempDir dir_;
};

TEST_F(WarmupTest, ReplaysLoggedRequestsBeforeServing) {
  tensorflow::serving::PredictionLog streamed;  // skipped, as TF Serving does
  streamed.mutable_predict_streamed_log();
  HttpResult predict;
  HttpResult status = serve_with(tfrecord({predict_log("n", 3), streamed.SerializeAsString(), predict_log("n", 7)}),
                                 &predict);
  EXPECT_NE(status.body.find("\"state\": \"AVAILABLE\""), std::string::npos) << status.body;
  EXPECT_EQ(predict.status, 200);
  EXPECT_EQ(predict.body, "{\n    \"outputs\": 10\n}");
}

TEST_F(WarmupTest, AFailingRequestFailsTheLoad) {
  HttpResult status = serve_with(tfrecord({predict_log("n", 3), predict_log("wrong_input", 3)}));
  EXPECT_NE(status.body.find("\"state\": \"END\""), std::string::npos) << status.body;
  EXPECT_NE(status.body.find("model warm-up request 2 of "), std::string::npos) << status.body;
  EXPECT_NE(status.body.find("wrong_input"), std::string::npos) << status.body;
}

TEST_F(WarmupTest, DamagedFileIsRefusedWithAClearError) {
  std::string file = tfrecord({predict_log("n", 3), predict_log("n", 4)});
  file[file.size() - 6] = static_cast<char>(file[file.size() - 6] ^ 1);  // inside the second record
  HttpResult status = serve_with(file);
  EXPECT_NE(status.body.find("\"state\": \"END\""), std::string::npos) << status.body;
  EXPECT_NE(status.body.find("\"error_code\": \"DATA_LOSS\""), std::string::npos) << status.body;
  EXPECT_NE(status.body.find("corrupted record at " + std::to_string(file.size() / 2)), std::string::npos)
      << status.body;
  EXPECT_NE(status.body.find("Please verify your warmup data is in TFRecord format."), std::string::npos);
}

TEST_F(WarmupTest, UnparsableRecordsSessionRunLogsAndTooManyRecords) {
  HttpResult status = serve_with(tfrecord({predict_log("n", 1), "\xff\xff not a proto"}));
  EXPECT_NE(status.body.find("Failed to parse warmup record 2 from "), std::string::npos) << status.body;

  tensorflow::serving::PredictionLog session_run;
  session_run.mutable_session_run_log();
  status = serve_with(tfrecord({session_run.SerializeAsString()}));
  EXPECT_NE(status.body.find("Unsupported log_type for warmup: 5"), std::string::npos) << status.body;

  std::vector<std::string> many(kMaxWarmupRecords + 1, predict_log("n", 1));
  status = serve_with(tfrecord(many));
  EXPECT_NE(status.body.find("Number of warmup records exceeds the maximum (1000) at "), std::string::npos)
      << status.body;
}

}  // namespace
}  // namespace tfport::serving::testing
