#include "cli/show.h"

namespace tfport::cli {

Status run_show(const ShowOptions& options, std::ostream& out) {
  TFPORT_ASSIGN_OR_RETURN(DetectedModel model, detect_model(options.dir));
  switch (model.format) {
    case ModelFormat::kSavedModel:
      // saved_model_cli's output stays the default; --summary asks for the Keras view.
      if (options.summary) return show_keras(model, options, out);
      return show_saved_model(model, options, out);
    case ModelFormat::kCheckpoint:
      return show_checkpoint(model, options, out);
    case ModelFormat::kKerasH5:
    case ModelFormat::kKerasV3:
      return show_keras(model, options, out);
    case ModelFormat::kFrozenGraph:
    case ModelFormat::kTf1MetaGraph:
      return show_graph(model, options, out);
  }
  return internal_error("unhandled model format");
}

}  // namespace tfport::cli
