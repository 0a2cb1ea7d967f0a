// `tfport freeze` and `tfport convert`: the export commands (freeze.cc, convert.cc).
#pragma once

#include <optional>
#include <ostream>
#include <string>

#include "tfport/status.h"

namespace tfport::cli {

struct FreezeCommandOptions {
  std::string dir;                           // --dir: SavedModel, .meta (+ checkpoint), Keras file
  std::optional<std::string> tag_set;        // --tag_set
  std::string signature_def = "serving_default";  // --signature_def
  std::string output_node_names;             // --output_node_names a,b (graphs without signatures)
  std::string output;                        // --output FILE.pb
};
// Writes the frozen GraphDef and prints its inputs and outputs (tensor names to feed/fetch).
Status run_freeze(const FreezeCommandOptions& options, std::ostream& out);

struct ConvertCommandOptions {
  std::string dir;     // --dir: source model
  std::string output;  // --output: destination file or directory
  std::string to;      // --to h5|keras|savedmodel|weights; "" = from the destination's name
  bool overwrite = false;
};
Status run_convert(const ConvertCommandOptions& options, std::ostream& out);

}  // namespace tfport::cli
