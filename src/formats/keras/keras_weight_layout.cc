#include "formats/keras/keras_weight_layout.h"

#include "formats/keras/keras_config.h"

namespace tfport::keras {
namespace {

bool from_h5(const KerasWeight& w) { return w.name.size() > 2 && w.name.ends_with(":0"); }

}  // namespace

std::vector<std::string> class_weight_names(const KerasLayer& layer) {
  const std::string& c = layer.class_name;
  if (c == "Dense" || c.rfind("Conv", 0) == 0 || c == "DepthwiseConv2D") {
    return {c == "DepthwiseConv2D" ? "depthwise_kernel" : "kernel", "bias"};
  }
  if (c == "SeparableConv1D" || c == "SeparableConv2D") return {"depthwise_kernel", "pointwise_kernel", "bias"};
  if (c == "Embedding") return {"embeddings"};
  if (c == "BatchNormalization" || c == "LayerNormalization") {
    json cfg = json::parse(layer.config_json, nullptr, false);
    std::vector<std::string> names;
    if (json_bool(cfg, "scale", true)) names.push_back("gamma");
    if (json_bool(cfg, "center", true)) names.push_back("beta");
    if (c == "BatchNormalization") {
      names.push_back("moving_mean");
      names.push_back("moving_variance");
    }
    return names;
  }
  if (c == "Normalization") return {"mean", "variance", "count"};
  if (c == "PReLU") return {"alpha"};
  return {};
}

std::vector<const KerasLayer*> saved_layers(const KerasModel& model) {
  std::vector<const KerasLayer*> out;
  for (const KerasLayer& l : model.layers) {
    if (model.is_sequential() && l.class_name == "InputLayer") continue;
    out.push_back(&l);
  }
  return out;
}

std::vector<std::string> h5_weight_names(const KerasLayer& layer) {
  const std::vector<std::string> known = class_weight_names(layer);
  std::vector<std::string> names;
  for (size_t i = 0; i < layer.weights.size(); ++i) {
    const KerasWeight& w = layer.weights[i];
    if (from_h5(w)) {
      names.push_back(w.name);
    } else if (layer.weights.size() == known.size()) {
      names.push_back(layer.name + "/" + known[i] + ":0");
    } else {
      names.push_back(layer.name + "/weight_" + std::to_string(i) + ":0");
    }
  }
  return names;
}

WeightProgress::WeightProgress(const KerasModel& model, ProgressCallback callback) : callback_(std::move(callback)) {
  if (!callback_) return;
  for (const KerasLayer& layer : model.layers) {
    for (const KerasWeight& w : layer.weights) total_ += w.value.byte_size();
  }
  callback_(0, total_);
}

void WeightProgress::wrote(const Tensor& value) {
  done_ += value.byte_size();
  if (callback_) callback_(done_, total_);
}

void WeightProgress::finished() {
  if (callback_) callback_(total_, total_);
}

}  // namespace tfport::keras
