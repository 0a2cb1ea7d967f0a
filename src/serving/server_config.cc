#include "serving/server_config.h"

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>

#include "core/file.h"

namespace tfport::serving {
namespace {

// Collects the text parser's messages instead of letting protobuf log them.
class ErrorCollector final : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, int column, const std::string& message) override {
    if (text.empty()) text = "line " + std::to_string(line + 1) + ", column " + std::to_string(column + 1) + ": " + message;
  }
  void AddWarning(int, int, const std::string&) override {}
  std::string text;
};

template <typename Message>
StatusOr<Message> read_text_proto(const std::string& path, const char* what) {
  auto bytes = read_file(path, std::size_t{16} << 20);
  if (!bytes.ok()) return bytes.status().with_context(std::string(what) + " " + path);
  Message m;
  google::protobuf::TextFormat::Parser parser;
  ErrorCollector errors;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(*bytes, &m)) {
    return invalid_argument_error("Invalid protobuf file: '" + path + "' (" + what + "): " + errors.text);
  }
  return m;
}

}  // namespace

StatusOr<tensorflow::serving::ModelServerConfig> read_model_server_config(const std::string& path) {
  return read_text_proto<tensorflow::serving::ModelServerConfig>(path, "model config file");
}

StatusOr<std::vector<ModelEntry>> model_entries(const tensorflow::serving::ModelServerConfig& config) {
  if (config.config_case() != tensorflow::serving::ModelServerConfig::kModelConfigList) {
    return invalid_argument_error("ModelServerConfig must hold a model_config_list");
  }
  std::vector<ModelEntry> out;
  for (const auto& c : config.model_config_list().config()) {
    ModelEntry e;
    e.name = c.name();
    e.base_path = c.base_path();
    if (!c.model_platform().empty() && c.model_platform() != "tensorflow") {
      return invalid_argument_error("Model " + c.name() + ": unsupported model_platform " + c.model_platform());
    }
    const auto& policy = c.model_version_policy();
    using P = tensorflow::serving::FileSystemStoragePathSourceConfig::ServableVersionPolicy;
    switch (policy.policy_choice_case()) {
      case P::kAll:
        e.policy.kind = VersionPolicy::Kind::kAll;
        break;
      case P::kSpecific:
        e.policy.kind = VersionPolicy::Kind::kSpecific;
        e.policy.versions.assign(policy.specific().versions().begin(), policy.specific().versions().end());
        break;
      case P::kLatest:
        e.policy.num_versions = policy.latest().num_versions();
        break;
      default:
        break;
    }
    for (const auto& [label, version] : c.version_labels()) e.labels[label] = version;
    out.push_back(std::move(e));
  }
  return out;
}

StatusOr<BatchingOptions> read_batching_parameters(const std::string& path) {
  TFPORT_ASSIGN_OR_RETURN(auto p, read_text_proto<tensorflow::serving::BatchingParameters>(path, "batching parameters file"));
  BatchingOptions o;
  if (p.has_max_batch_size()) o.max_batch_size = p.max_batch_size().value();
  if (p.has_batch_timeout_micros()) o.batch_timeout_micros = p.batch_timeout_micros().value();
  if (p.has_max_enqueued_batches()) o.max_enqueued_batches = p.max_enqueued_batches().value();
  if (p.has_num_batch_threads()) o.num_batch_threads = p.num_batch_threads().value();
  o.allowed_batch_sizes.assign(p.allowed_batch_sizes().begin(), p.allowed_batch_sizes().end());
  o.pad_variable_length_inputs = p.pad_variable_length_inputs();
  TFPORT_RETURN_IF_ERROR(validate_batching_options(o));
  return o;
}

StatusOr<tensorflow::serving::MonitoringConfig> read_monitoring_config(const std::string& path) {
  return read_text_proto<tensorflow::serving::MonitoringConfig>(path, "monitoring config file");
}

}  // namespace tfport::serving
