#include "serving/warmup.h"

#include <filesystem>
#include <string>
#include <string_view>

#include "core/file.h"
#include "core/tfrecord.h"
#include "tfport_serving/prediction_log.pb.h"

namespace tfport::serving {
namespace {

Status replay(const Inference& inference, const Servable& servable, const tensorflow::serving::PredictionLog& log) {
  using Log = tensorflow::serving::PredictionLog;
  switch (log.log_type_case()) {
    case Log::kPredictLog: {
      tensorflow::serving::PredictResponse response;
      return inference.predict_proto(servable, log.predict_log().request(), &response);
    }
    case Log::kClassifyLog: {
      const auto& request = log.classify_log().request();
      return inference.classify(servable, request.model_spec().signature_name(), request.input()).status();
    }
    case Log::kRegressLog: {
      const auto& request = log.regress_log().request();
      return inference.regress(servable, request.model_spec().signature_name(), request.input()).status();
    }
    case Log::kMultiInferenceLog: {
      tensorflow::serving::MultiInferenceResponse response;
      return inference.multi_inference_proto(servable, log.multi_inference_log().request(), &response);
    }
    case Log::kSessionRunLog:
      return Status(StatusCode::kUnimplemented,
                    "Unsupported log_type for warmup: " + std::to_string(static_cast<int>(log.log_type_case())));
    default:
      return Status::OK();  // streamed predict and unset log types are skipped, as in TF Serving
  }
}

}  // namespace

Status run_warmup(const Inference& inference, const Servable& servable) {
  std::error_code ec;
  if (!std::filesystem::is_directory(servable.path, ec)) return Status::OK();
  const std::string path = (std::filesystem::path(servable.path) / kWarmupRequestsFile).string();
  if (!std::filesystem::exists(path, ec)) return Status::OK();
  TFPORT_ASSIGN_OR_RETURN(std::string bytes, read_file(path));
  TFRecordReader reader(bytes);
  int records = 0;
  while (true) {
    std::string_view record;
    auto more = reader.next(&record);
    if (!more.ok()) {
      return Status(more.status().code(), more.status().message() +
                                              ". Please verify your warmup data is in TFRecord format.")
          .with_context("model warm-up file " + path);
    }
    if (!*more) break;
    if (++records > kMaxWarmupRecords) {
      return invalid_argument_error("Number of warmup records exceeds the maximum (" +
                                    std::to_string(kMaxWarmupRecords) + ") at " + path);
    }
    tensorflow::serving::PredictionLog log;
    if (!log.ParseFromArray(record.data(), static_cast<int>(record.size()))) {
      return invalid_argument_error("Failed to parse warmup record " + std::to_string(records) + " from " + path);
    }
    Status s = replay(inference, servable, log);
    if (!s.ok()) return s.with_context("model warm-up request " + std::to_string(records) + " of " + path);
  }
  return Status::OK();
}

}  // namespace tfport::serving
