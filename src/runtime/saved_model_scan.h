// A quick look into saved_model.pb for the loader's choice of path: each MetaGraphDef's tags,
// signatures and whether its graph loops, read from the wire format without building the
// graph, its function library or its attribute values (most of the file), which a full parse
// of a tf.keras recurrent model spends ten milliseconds on.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "tfport/tf/meta_graph.pb.h"

namespace tfport::runtime {

struct ScannedMetaGraph {
  // Only meta_info_def.tags and signature_def are filled.
  tensorflow::MetaGraphDef meta;
  // Some node of the graph or of a library function is a While, StatelessWhile or (TF1) Enter.
  bool has_loops = false;
};

// The MetaGraphDefs of a binary SavedModel, or nullopt when the bytes are not well-formed
// wire data (the full parse then reports why).
std::optional<std::vector<ScannedMetaGraph>> scan_saved_model(std::string_view bytes);

}  // namespace tfport::runtime
