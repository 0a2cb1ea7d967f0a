// The weights each known layer class creates, from its config and input shape (spec §6).
#include "formats/keras/keras_shapes.h"

namespace tfport::keras {
namespace {

using Specs = std::vector<WeightSpec>;

int64_t int_or(const json& cfg, const char* key, int64_t fallback) {
  auto v = json_int(cfg, key);
  return v ? *v : fallback;
}

std::vector<int64_t> kernel_dims(const json& cfg, int rank) {
  std::vector<int64_t> k(static_cast<size_t>(rank), 1);
  if (!cfg.contains("kernel_size")) return k;
  const json& v = cfg["kernel_size"];
  for (int i = 0; i < rank; ++i) {
    if (v.is_number_integer()) k[i] = v.get<int64_t>();
    else if (v.is_array() && static_cast<int>(v.size()) > i && v[i].is_number_integer()) k[i] = v[i].get<int64_t>();
  }
  return k;
}

int64_t channels(const json& cfg, const KShape& in) {
  if (in.size() < 2) return -1;
  return json_string(cfg, "data_format") == "channels_first" ? in[1] : in.back();
}

KShape with(std::vector<int64_t> k, std::initializer_list<int64_t> tail) {
  k.insert(k.end(), tail.begin(), tail.end());
  return k;
}

void add_bias(const json& cfg, Specs* s, int64_t n) {
  if (json_bool(cfg, "use_bias", true)) s->push_back({{n}, true});
}

std::optional<Specs> conv_weights(const std::string& c, const json& cfg, const KShape& in) {
  int rank = c.find("3D") != std::string::npos ? 3 : c.find("2D") != std::string::npos ? 2 : 1;
  int64_t ch = channels(cfg, in);
  auto k = kernel_dims(cfg, rank);
  Specs s;
  if (c.find("Depthwise") != std::string::npos) {
    int64_t dm = int_or(cfg, "depth_multiplier", 1);
    s.push_back({with(k, {ch, dm}), true});
    add_bias(cfg, &s, ch * dm);
    return s;
  }
  int64_t filters = int_or(cfg, "filters", -1);
  if (c.find("Separable") != std::string::npos) {
    int64_t dm = int_or(cfg, "depth_multiplier", 1);
    s.push_back({with(k, {ch, dm}), true});
    s.push_back({with(std::vector<int64_t>(static_cast<size_t>(rank), 1), {ch * dm, filters}), true});
    add_bias(cfg, &s, filters);
    return s;
  }
  if (c.find("Transpose") != std::string::npos) {
    s.push_back({with(k, {filters, ch}), true});
  } else {
    int64_t groups = int_or(cfg, "groups", 1);
    s.push_back({with(k, {groups > 0 && ch > 0 ? ch / groups : -1, filters}), true});
  }
  add_bias(cfg, &s, filters);
  return s;
}

std::optional<Specs> rnn_weights(const std::string& c, const json& cfg, const KShape& in) {
  int64_t u = int_or(cfg, "units", -1);
  int64_t f = in.empty() ? -1 : in.back();
  int64_t gates = c.find("LSTM") != std::string::npos ? 4 : c.find("GRU") != std::string::npos ? 3 : 1;
  Specs s{{{f, gates * u}, true}, {{u, gates * u}, true}};
  if (c == "CuDNNLSTM" || c == "CuDNNGRU") {
    s.push_back({{2 * gates * u}, true});
  } else if (json_bool(cfg, "use_bias", true)) {
    if (c == "GRU" && json_bool(cfg, "reset_after", true)) s.push_back({{2, 3 * u}, true});
    else s.push_back({{gates * u}, true});
  }
  return s;
}

// Dims of the normalised axes (BatchNormalization/LayerNormalization/Normalization).
std::optional<KShape> param_shape(const json& cfg, const KShape& in) {
  std::vector<int64_t> axes{-1};
  if (cfg.contains("axis")) {
    const json& a = cfg["axis"];
    if (a.is_number_integer()) axes = {a.get<int64_t>()};
    else if (a.is_array()) {
      axes.clear();
      for (const json& v : a) {
        if (!v.is_number_integer()) return std::nullopt;
        axes.push_back(v.get<int64_t>());
      }
    } else if (a.is_null()) {
      axes.clear();
    }
  }
  KShape shape;
  for (int64_t axis : axes) {
    if (axis < 0) axis += static_cast<int64_t>(in.size());
    if (axis < 0 || axis >= static_cast<int64_t>(in.size())) return std::nullopt;
    shape.push_back(in[static_cast<size_t>(axis)]);
  }
  return shape;
}

}  // namespace

std::optional<std::vector<WeightSpec>> infer_weight_shapes(const std::string& c, const json& cfg,
                                                           const std::vector<KShape>& inputs) {
  static const char* kWeightless[] = {
      "InputLayer", "Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "GaussianNoise",
      "GaussianDropout", "AlphaDropout", "ActivityRegularization", "Activation", "ReLU", "LeakyReLU", "ELU",
      "Softmax", "ThresholdedReLU", "Masking", "Rescaling", "Flatten", "Reshape", "Permute", "RepeatVector",
      "Concatenate", "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Dot", "Resizing",
      "CenterCrop", "TFOpLambda", "SlicingOpLambda", "Lambda", "RandomFlip", "RandomRotation", "RandomZoom",
      "RandomTranslation", "RandomContrast", "RandomBrightness", "Identity", "UnitNormalization"};
  for (const char* name : kWeightless) {
    if (c == name) return Specs{};
  }
  if (c.find("Pooling") != std::string::npos || c.find("ZeroPadding") != std::string::npos ||
      c.find("Cropping") != std::string::npos || c.find("UpSampling") != std::string::npos) {
    return Specs{};
  }
  if (inputs.empty()) return std::nullopt;
  const KShape& in = inputs[0];
  if (c == "Dense") {
    int64_t units = int_or(cfg, "units", -1);
    Specs s{{{in.empty() ? -1 : in.back(), units}, true}};
    add_bias(cfg, &s, units);
    return s;
  }
  if (c == "Embedding") return Specs{{{int_or(cfg, "input_dim", -1), int_or(cfg, "output_dim", -1)}, true}};
  if (c.find("Conv") != std::string::npos && c.find("LSTM") == std::string::npos) return conv_weights(c, cfg, in);
  if (c == "SimpleRNN" || c == "LSTM" || c == "GRU" || c == "CuDNNLSTM" || c == "CuDNNGRU") {
    return rnn_weights(c, cfg, in);
  }
  if (c == "BatchNormalization" || c == "LayerNormalization" || c == "SyncBatchNormalization") {
    auto p = param_shape(cfg, in);
    if (!p) return std::nullopt;
    Specs s;
    if (json_bool(cfg, "scale", true)) s.push_back({*p, true});
    if (json_bool(cfg, "center", true)) s.push_back({*p, true});
    if (c != "LayerNormalization") s.push_back({*p, false}), s.push_back({*p, false});
    return s;
  }
  if (c == "Normalization") {
    auto p = param_shape(cfg, in);
    if (!p) return std::nullopt;
    return Specs{{*p, false}, {*p, false}, {{}, false}};
  }
  if (c == "PReLU") {
    KShape alpha(in.begin() + (in.empty() ? 0 : 1), in.end());
    if (cfg.contains("shared_axes") && cfg["shared_axes"].is_array()) {
      for (const json& a : cfg["shared_axes"]) {
        if (a.is_number_integer() && a.get<int64_t>() >= 1 && a.get<int64_t>() <= static_cast<int64_t>(alpha.size())) {
          alpha[static_cast<size_t>(a.get<int64_t>() - 1)] = 1;
        }
      }
    }
    return Specs{{alpha, true}};
  }
  if ((c == "Bidirectional" || c == "TimeDistributed") && cfg.contains("layer") && cfg["layer"].is_object()) {
    const json& inner = cfg["layer"];
    const json inner_cfg = inner.contains("config") ? inner["config"] : json::object();
    KShape step = in;
    if (c == "TimeDistributed" && step.size() >= 2) step.erase(step.begin() + 1);
    auto s = infer_weight_shapes(json_string(inner, "class_name"), inner_cfg, {step});
    if (!s) return std::nullopt;
    if (c == "Bidirectional") s->insert(s->end(), s->begin(), s->end());
    return s;
  }
  if (c == "MultiHeadAttention" && in.size() >= 2) {
    int64_t heads = int_or(cfg, "num_heads", -1), kd = int_or(cfg, "key_dim", -1);
    int64_t vd = int_or(cfg, "value_dim", kd);
    const KShape& value = inputs.size() > 1 ? inputs[1] : in;
    const KShape& key = inputs.size() > 2 ? inputs[2] : value;
    int64_t qdim = in.back(), kdim = key.empty() ? -1 : key.back(), vdim = value.empty() ? -1 : value.back();
    bool bias = json_bool(cfg, "use_bias", true);
    Specs s;
    auto proj = [&](KShape kernel, KShape b) {
      s.push_back({std::move(kernel), true});
      if (bias) s.push_back({std::move(b), true});
    };
    proj({qdim, heads, kd}, {heads, kd});
    proj({kdim, heads, kd}, {heads, kd});
    proj({vdim, heads, vd}, {heads, vd});
    proj({heads, vd, qdim}, {qdim});
    return s;
  }
  return std::nullopt;
}

}  // namespace tfport::keras
