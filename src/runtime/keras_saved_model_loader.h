// The fused-kernel path for tf.keras SavedModels with recurrent layers (see the .cc).
#pragma once

#include <memory>
#include <string>

#include "tfport/model.h"

namespace tfport::runtime {

// The model lowered from keras_metadata.pb and the checkpoint, or nullptr when that is not
// possible or would not give exactly the `serving` signature (then the graph is used).
std::shared_ptr<Model> try_load_keras_saved_model(const std::string& dir, const std::string& variables_prefix,
                                                  const Signature& serving, const LoadOptions& options);

}  // namespace tfport::runtime
