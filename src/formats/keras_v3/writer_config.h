// The config.json a Keras 3 .keras file carries, from a model config in either layout. Keras 3
// configs pass through unchanged; Keras 2 ones get what Keras 3's deserializer looks for:
// "module"/"registered_name" on every serialized object, and InputLayer's batch_shape.
#pragma once

#include <string>

#include "tfport/status.h"

namespace tfport::keras {

StatusOr<std::string> keras3_config_json(const std::string& config_json);

}  // namespace tfport::keras
