#include "formats/keras/keras_weights.h"

#include <string_view>

namespace tfport::keras {
namespace {

// "bn/moving_mean:0" -> "moving_mean"; "layers/bn/vars/2" -> "2".
std::string_view base_weight_name(std::string_view name) {
  size_t colon = name.rfind(':');
  if (colon != std::string_view::npos) name = name.substr(0, colon);
  size_t slash = name.find_last_of("/\\");
  return slash == std::string_view::npos ? name : name.substr(slash + 1);
}

bool is_statistic(std::string_view base) {
  return base == "moving_mean" || base == "moving_variance" || base == "running_mean" || base == "running_std";
}

}  // namespace

void mark_trainable_weights(KerasLayer* layer) {
  const bool batch_norm = layer->class_name == "BatchNormalization" || layer->class_name == "SyncBatchNormalization";
  const bool stats_only = layer->class_name == "Normalization" || layer->class_name == "Discretization" ||
                          layer->class_name == "TextVectorization" || layer->class_name == "StringLookup" ||
                          layer->class_name == "IntegerLookup";
  const size_t n = layer->weights.size();
  for (size_t i = 0; i < n; ++i) {
    KerasWeight& w = layer->weights[i];
    std::string_view base = base_weight_name(w.name);
    bool numeric = !base.empty() && base.find_first_not_of("0123456789") == std::string_view::npos;
    bool trainable = layer->trainable && !stats_only && !is_statistic(base);
    // .keras files name variables by index: the moving statistics are the last two of a BN layer.
    if (batch_norm && numeric && n >= 2 && i >= n - 2) trainable = false;
    w.trainable = trainable;
  }
}

Status attach_weights(KerasModel* model, const std::string& layer_name, std::vector<KerasWeight> weights,
                      const std::string& context, size_t* hint) {
  const size_t n = model->layers.size();
  const size_t start = hint != nullptr && *hint < n ? *hint : 0;
  for (size_t k = 0; k < n; ++k) {
    const size_t i = (start + k) % n;
    KerasLayer& layer = model->layers[i];
    if (layer.name == layer_name) {
      layer.weights = std::move(weights);
      mark_trainable_weights(&layer);
      if (hint != nullptr) *hint = i + 1;
      return Status::OK();
    }
  }
  if (weights.empty()) return Status::OK();
  return data_loss_error(context + ": weights stored for layer '" + layer_name +
                         "', which the model config does not have");
}

}  // namespace tfport::keras
