// `tfport show`: saved_model_cli-compatible output for SavedModels, and the equivalent
// listings for every other format tfport opens. Each format's printer lives in its own file
// (show_saved_model.cc, show_checkpoint.cc, show_keras.cc, show_graph.cc).
#pragma once

#include <optional>
#include <ostream>
#include <string>

#include "tfport/formats.h"
#include "tfport/status.h"

namespace tfport::cli {

struct ShowOptions {
  std::string dir;
  std::optional<std::string> tag_set;        // --tag_set as given (may be "")
  std::optional<std::string> signature_def;  // --signature_def
  bool all = false;                          // --all
  bool list_ops = false;                     // --list_ops
  bool json = false;                         // --json: one JSON document instead of text
  bool summary = false;                      // --summary: Keras model.summary() for Keras SavedModels
};

// Detects the format of options.dir and prints to `out`. Text that saved_model_cli prints
// before failing (e.g. the --list_ops warning) goes to `out` too; the error is returned.
Status run_show(const ShowOptions& options, std::ostream& out);

// One printer per format; `model` is what detect_model found.
Status show_saved_model(const DetectedModel& model, const ShowOptions& options, std::ostream& out);
Status show_checkpoint(const DetectedModel& model, const ShowOptions& options, std::ostream& out);
Status show_keras(const DetectedModel& model, const ShowOptions& options, std::ostream& out);
Status show_graph(const DetectedModel& model, const ShowOptions& options, std::ostream& out);

struct ScanOptions {
  std::string dir;
  std::optional<std::string> tag_set;
  std::optional<std::string> op_denylist;  // comma-separated; "" = empty list
  bool json = false;
};
// `tfport scan`: saved_model_cli scan — reports denylisted ops (file, network, process
// access and Python callbacks by default).
Status run_scan(const ScanOptions& options, std::ostream& out);

}  // namespace tfport::cli
