// The model server's text-format config files: ModelServerConfig (--model_config_file),
// BatchingParameters (--batching_parameters_file), MonitoringConfig (--monitoring_config_file).
#pragma once

#include <string>
#include <vector>

#include "serving/batcher.h"
#include "serving/model_store.h"
#include "tfport_serving/server_config.pb.h"

namespace tfport::serving {

StatusOr<tensorflow::serving::ModelServerConfig> read_model_server_config(const std::string& path);
StatusOr<std::vector<ModelEntry>> model_entries(const tensorflow::serving::ModelServerConfig& config);
StatusOr<BatchingOptions> read_batching_parameters(const std::string& path);
StatusOr<tensorflow::serving::MonitoringConfig> read_monitoring_config(const std::string& path);

}  // namespace tfport::serving
