// The SavedModel printers behind `tfport show`, on an already read SavedModel (so that tests
// and the fuzz target can run them on protos in memory).
#pragma once

#include <ostream>

#include <nlohmann/json.hpp>

#include "cli/show.h"
#include "tfport/saved_model.h"

namespace tfport::cli {

// saved_model_cli show, byte for byte, for options.all / tag_set / signature_def / list_ops;
// with options.json the JSON document of saved_model_json instead.
Status print_saved_model(const SavedModelFiles& files, const ShowOptions& options, std::ostream& out);

// {"format": "SavedModel", "path", "saved_model_file", "meta_graphs": [{"tags",
// "tensorflow_version", "tensorflow_git_version", "stripped_default_attrs", "num_nodes",
// "num_functions", "ops", "signatures": {key: {"method_name", "inputs", "outputs"}},
// "concrete_functions"}], "fingerprint", "assets", "assets_extra", "variables_prefix",
// "has_keras_metadata"}. Tensor infos are {"dtype": "DT_FLOAT", "shape": [-1, 1] (null for
// unknown rank), "name": "x:0"}. tag_set / signature_def narrow the document like the text
// form, with the same errors.
StatusOr<nlohmann::json> saved_model_json(const SavedModelFiles& files, const ShowOptions& options);

// Looks up a signature; INVALID_ARGUMENT with saved_model_cli's text when it is missing.
StatusOr<const tensorflow::SignatureDef*> find_signature(const tensorflow::MetaGraphDef& meta_graph,
                                                         const std::string& key);

}  // namespace tfport::cli
