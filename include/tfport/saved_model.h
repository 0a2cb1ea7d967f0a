// Reading SavedModel directories (TF1 SavedModelBuilder and TF2 tf.saved_model.save exports).
//
//   TFPORT_ASSIGN_OR_RETURN(tfport::SavedModelFiles sm, tfport::read_saved_model(dir));
//   TFPORT_ASSIGN_OR_RETURN(const tensorflow::MetaGraphDef* mg, tfport::find_meta_graph(sm.proto, "serve"));
//   for (const auto& [key, sig] : mg->signature_def()) ...
//
// The proto is kept as read; fill_default_attrs() restores attributes that the writer stripped
// because they equalled the op's default (../shared/spec/savedmodel.md §4).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tfport/status.h"
#include "tfport/tf/fingerprint.pb.h"
#include "tfport/tf/meta_graph.pb.h"
#include "tfport/tf/saved_model.pb.h"
#include "tfport/tf/variable.pb.h"

namespace tfport {

struct SavedModelFiles {
  std::string dir;         // the export directory as given (no trailing '/')
  std::string proto_path;  // the file that was parsed: <dir>/saved_model.pb or .pbtxt
  tensorflow::SavedModel proto;
  std::optional<tensorflow::FingerprintDef> fingerprint;  // <dir>/fingerprint.pb, if present
  bool has_keras_metadata = false;
  std::string keras_metadata;  // raw bytes of <dir>/keras_metadata.pb (tf.keras SavedMetadata)
  // Files under <dir>/assets and <dir>/assets.extra, as paths relative to those directories,
  // sorted ("foo.txt", "sub/vocab.txt").
  std::vector<std::string> assets;
  std::vector<std::string> assets_extra;
  // "<dir>/variables/variables" when variables/variables.index exists, else "" (a model
  // without variables: TF skips the restore).
  std::string variables_prefix;
};

// Reads <dir>/saved_model.pb (binary) or, when absent, <dir>/saved_model.pbtxt (text format),
// plus the optional side files. Errors use saved_model_cli's texts:
//   NOT_FOUND  "SavedModel file does not exist at: <dir>"
//   DATA_LOSS  "Cannot parse file <path>: <reason>."
// A SavedModel without any MetaGraphDef is refused (DATA_LOSS) since nothing could use it.
StatusOr<SavedModelFiles> read_saved_model(const std::string& dir);

// Parses SavedModel bytes (binary, or text when `text` is true). `path` only names the source
// in error messages. Used by read_saved_model and by the fuzz target.
StatusOr<tensorflow::SavedModel> parse_saved_model(std::string_view bytes, bool text, const std::string& path);

// Splits a --tag_set string on ',' and drops empty items ("" = the empty tag set).
std::vector<std::string> split_tag_set(std::string_view tag_set);

// The first MetaGraphDef whose set of tags equals the set named by `tag_set` (comma
// separated; order and duplicates do not matter). Else NOT_FOUND with saved_model_cli's text
// "MetaGraphDef associated with tag-set '<tag_set>' could not be found in SavedModel".
StatusOr<const tensorflow::MetaGraphDef*> find_meta_graph(const tensorflow::SavedModel& model,
                                                          std::string_view tag_set);

// Adds, to every NodeDef of the graph and of its function library, each attribute that the
// node's OpDef (from meta_info_def.stripped_op_list) declares with a default value and the node
// lacks. Nodes whose op is not in the list (library functions, unknown ops) are left alone.
Status fill_default_attrs(tensorflow::MetaGraphDef* meta_graph);

// The AssetFileDefs TF's loader uses: MetaGraphDef.asset_file_def when non-empty, else the
// AssetFileDefs packed into collection `saved_model_assets`. DATA_LOSS on an undecodable item.
StatusOr<std::vector<tensorflow::AssetFileDef>> asset_file_defs(const tensorflow::MetaGraphDef& meta_graph);

// The VariableDefs of a TF1 collection (`variables`, `trainable_variables`, ...): an empty list
// when the collection is absent, DATA_LOSS when it is not a bytes_list of VariableDefs.
StatusOr<std::vector<tensorflow::VariableDef>> variable_defs(const tensorflow::MetaGraphDef& meta_graph,
                                                             const std::string& collection_key);

}  // namespace tfport
