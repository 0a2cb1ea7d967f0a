// Writing SavedModels that TensorFlow, TF Serving and saved_model_cli load, in the spirit of
// TF1's SavedModelBuilder / simple_save: one MetaGraphDef (tags, signature defs, a V2 saver
// with its save/restore subgraph), resource variables restored from variables/, and assets.
//
//   tfport::SavedModelSpec spec;
//   spec.graph = inference_graph;                       // reads variable "w" with ReadVariableOp
//   spec.variables.push_back({"w", w_value});
//   spec.signatures["serving_default"] = tfport::predict_signature(
//       {{"x", tfport::tensor_info("x:0", DType::kFloat, PartialShape({-1, 3}))}},
//       {{"y", tfport::tensor_info("y:0", DType::kFloat, PartialShape({-1, 1}))}});
//   TFPORT_RETURN_IF_ERROR(tfport::write_saved_model("export/1", spec));
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "tfport/checkpoint_writer.h"
#include "tfport/shape.h"
#include "tfport/status.h"
#include "tfport/tensor.h"
#include "tfport/tf/graph.pb.h"
#include "tfport/tf/meta_graph.pb.h"
#include "tfport/tf/trackable_object_graph.pb.h"

namespace tfport {

struct SavedModelVariable {
  SavedModelVariable() = default;
  SavedModelVariable(std::string name_, Tensor value_, bool trainable_ = true, std::string checkpoint_key_ = "")
      : name(std::move(name_)), value(std::move(value_)), trainable(trainable_), checkpoint_key(std::move(checkpoint_key_)) {}

  // The VarHandleOp node the builder adds (also its shared_name). The graph reads it with
  // ReadVariableOp nodes whose input is this name.
  std::string name;
  Tensor value;  // saved in variables/, restored at load
  bool trainable = true;
  // The key in variables/ ("" = `name`), e.g. a TF2 object path such as
  // "layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE".
  std::string checkpoint_key;
  const std::string& key() const { return checkpoint_key.empty() ? name : checkpoint_key; }
};

struct SavedModelAsset {
  std::string filename;  // written to assets/<filename>
  std::string contents;
  // A string Const the builder adds holding the asset's path; the loader feeds it the real path.
  std::string node_name;
};

struct SavedModelSpec {
  tensorflow::GraphDef graph;  // the model's own nodes (placeholders, ops, variable reads)
  std::vector<SavedModelVariable> variables;
  std::vector<SavedModelAsset> assets;
  std::vector<std::string> tags = {"serve"};
  std::map<std::string, tensorflow::SignatureDef> signatures;
  // Other files of the export directory by relative path (e.g. "keras_metadata.pb").
  std::map<std::string, std::string> extra_files;
  // Written as the checkpoint's _CHECKPOINTABLE_OBJECT_GRAPH when it has nodes, so object-based
  // readers (tf.train.Checkpoint, Keras) find the variables by object path.
  tensorflow::TrackableObjectGraph object_graph;
};

struct SavedModelWriteOptions {
  bool overwrite = false;  // replace an existing export directory (otherwise ALREADY_EXISTS)
  ProgressCallback progress;
};

// Builds the MetaGraphDef and writes <export_dir>/saved_model.pb, variables/ and assets/ into a
// temporary directory that is renamed into place, so a failed write leaves nothing (or the
// previous export) at export_dir.
Status write_saved_model(const std::string& export_dir, const SavedModelSpec& spec,
                         const SavedModelWriteOptions& options = {});

// The MetaGraphDef write_saved_model stores (exposed for tests and tools).
StatusOr<tensorflow::MetaGraphDef> build_meta_graph(const SavedModelSpec& spec);

tensorflow::TensorInfo tensor_info(const std::string& tensor_name, DType dtype, const PartialShape& shape);
// method_name tensorflow/serving/predict.
tensorflow::SignatureDef predict_signature(const std::map<std::string, tensorflow::TensorInfo>& inputs,
                                           const std::map<std::string, tensorflow::TensorInfo>& outputs);
// tensorflow/serving/classify: input "inputs" (serialized tf.Examples), outputs "classes" and/or
// "scores" (pass an empty TensorInfo name to leave one out).
tensorflow::SignatureDef classify_signature(const tensorflow::TensorInfo& examples, const tensorflow::TensorInfo& classes,
                                            const tensorflow::TensorInfo& scores);
// tensorflow/serving/regress: input "inputs" (serialized tf.Examples), output "outputs".
tensorflow::SignatureDef regress_signature(const tensorflow::TensorInfo& examples, const tensorflow::TensorInfo& outputs);

}  // namespace tfport
