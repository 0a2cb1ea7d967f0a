// keras_saved_model_metadata: the root node of tf.keras' SavedMetadata (keras_files.md §4),
// enough for readers that take a Keras SavedModel's structure from keras_metadata.pb.
#include "formats/keras/keras_config.h"
#include "tfport/keras_writer.h"
#include "tfport/tf/keras_metadata.pb.h"

namespace tfport {

StatusOr<std::string> keras_saved_model_metadata(const KerasModel& model) {
  if (model.config_json.empty()) return failed_precondition_error("the model has no config (weights only)");
  keras::json config = keras::json::parse(model.config_json, nullptr, false);
  if (config.is_discarded() || !config.is_object()) return invalid_argument_error("model config is not a JSON object");
  keras::json meta;
  meta["name"] = model.name;
  meta["trainable"] = model.trainable;
  meta["expects_training_arg"] = true;
  meta["dtype"] = "float32";
  meta["must_restore_from_config"] = false;
  meta["class_name"] = model.class_name;
  meta["config"] = config.contains("config") ? config["config"] : keras::json::object();
  meta["is_graph_network"] = true;
  meta["model_config"] = config;
  meta["keras_version"] = model.keras_version.empty() || model.keras_version == "1" ? "2.13.1" : model.keras_version;
  meta["backend"] = "tensorflow";
  tensorflow::keras::SavedMetadata saved;
  auto* root = saved.add_nodes();
  root->set_node_id(0);
  root->set_node_path("root");
  root->set_identifier(model.is_sequential() ? "_tf_keras_sequential" : "_tf_keras_network");
  root->set_metadata(meta.dump());
  root->mutable_version()->set_producer(2);
  root->mutable_version()->set_min_consumer(1);
  return saved.SerializeAsString();
}

}  // namespace tfport
