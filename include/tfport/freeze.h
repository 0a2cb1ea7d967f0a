// Freezing a model into one self-contained GraphDef, as TensorFlow's
// convert_variables_to_constants / freeze_graph do: functions inlined, every variable the
// outputs read replaced by a Const holding its restored value, and everything the outputs do
// not need pruned. The result uses standard TensorFlow ops only, so TensorFlow, TF Lite
// converters and tfport itself load it as a frozen graph. Loops stay functional While nodes
// (their cond/body functions in the GraphDef's library, variables read there turned into
// loop inputs holding the values); Keras recurrent layers become such loops.
//
//   tfport::FreezeOptions opt;                      // serving_default of tag set "serve"
//   TFPORT_ASSIGN_OR_RETURN(tfport::FrozenGraph f, tfport::freeze_model("export/1", opt));
//   TFPORT_RETURN_IF_ERROR(tfport::write_graph_def_file("frozen.pb", f.graph_def));
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "tfport/model.h"
#include "tfport/saved_model_builder.h"
#include "tfport/progress.h"
#include "tfport/status.h"
#include "tfport/tf/graph.pb.h"

namespace tfport {

struct FreezeOptions {
  std::optional<std::string> tag_set;  // SavedModels; as LoadOptions::tag_set
  // Whose inputs and outputs to keep (SavedModels and Keras files).
  std::string signature_key = "serving_default";
  // Node names to keep instead of a signature's outputs (required for graphs without
  // signatures: TF1 .meta graphs, SavedModels without signature_defs).
  std::vector<std::string> output_node_names;
};

struct FrozenGraph {
  tensorflow::GraphDef graph_def;
  std::vector<TensorSpec> inputs;   // tensor_name: the placeholder to feed in graph_def
  std::vector<TensorSpec> outputs;  // tensor_name: the tensor to fetch in graph_def
  int frozen_variables = 0;         // variables turned into constants
};

// `path`: anything Model::load opens that has a graph (SavedModel, TF1 .meta + checkpoint,
// Keras .h5/.keras, a frozen graph). Fails with NOT_FOUND for an unknown signature or output
// node, FAILED_PRECONDITION when an output depends on a variable that has no value (not in
// the checkpoint), and UNIMPLEMENTED for stateful parts that cannot be frozen.
StatusOr<FrozenGraph> freeze_model(const std::string& path, const FreezeOptions& options = {});

// A SavedModel spec from a frozen graph: every floating-point Const with at least
// `min_variable_elements` elements becomes a resource variable (VarHandleOp "<const>/variable",
// read by a ReadVariableOp that keeps the Const's name, value saved in variables/), and the
// frozen inputs/outputs become a predict signature under `signature_key`.
StatusOr<SavedModelSpec> saved_model_spec_from_frozen(const FrozenGraph& frozen,
                                                      const std::string& signature_key = "serving_default",
                                                      int64_t min_variable_elements = 2);

// Writes a binary GraphDef atomically (temporary file, then rename), reporting bytes written.
Status write_graph_def_file(const std::string& path, const tensorflow::GraphDef& graph_def,
                            const ProgressCallback& progress = {});

}  // namespace tfport
