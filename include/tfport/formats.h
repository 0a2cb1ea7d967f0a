// Which kind of model file a path is. One entry point recognises every format tfport reads;
// each format also has its own reader (checkpoint.h, saved_model.h, keras.h, npy.h).
//
//   TFPORT_ASSIGN_OR_RETURN(tfport::DetectedModel m, tfport::detect_model(path));
//   if (m.format == tfport::ModelFormat::kCheckpoint) ...
#pragma once

#include <string>
#include <string_view>

#include "tfport/status.h"

namespace tfport {

enum class ModelFormat {
  kSavedModel,    // directory with saved_model.pb or saved_model.pbtxt
  kCheckpoint,    // V2 tensor bundle: a prefix with .index + .data-* (or its directory)
  kTf1MetaGraph,  // TF1 Saver export: <prefix>.meta beside a V2 bundle
  kFrozenGraph,   // GraphDef .pb / .pbtxt
  kKerasH5,       // Keras HDF5: full model or weights only
  kKerasV3,       // Keras 3 .keras zip
};

std::string_view model_format_name(ModelFormat format);  // "SavedModel", "checkpoint", ...

struct DetectedModel {
  ModelFormat format;
  // The path the reader opens: the SavedModel directory, the .meta / .pb / .h5 / .keras file,
  // or for checkpoints the prefix (".../ckpt-3", without .index).
  std::string path;
  // For kCheckpoint and kTf1MetaGraph: the bundle prefix; empty otherwise.
  std::string checkpoint_prefix;
  // For a TF Serving base path (numbered version directories) the version that was picked.
  std::string version;
};

// Looks at names and magic bytes only (cheap); the reader does the full validation.
// A V1 (pre-2016) checkpoint or a legacy session bundle is refused with a message naming it.
StatusOr<DetectedModel> detect_model(const std::string& path);

}  // namespace tfport
