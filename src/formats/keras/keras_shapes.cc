#include "formats/keras/keras_shapes.h"

#include <algorithm>

namespace tfport::keras {
namespace {

using Shapes = std::vector<KShape>;

bool has(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }

// An int or a list of ints from the config, broadcast to n values; `fallback` when absent.
std::vector<int64_t> ints(const json& cfg, const char* key, size_t n, int64_t fallback) {
  std::vector<int64_t> out(n, fallback);
  if (!cfg.is_object() || !cfg.contains(key)) return out;
  const json& v = cfg[key];
  if (v.is_number_integer()) {
    std::fill(out.begin(), out.end(), v.get<int64_t>());
  } else if (v.is_array()) {
    for (size_t i = 0; i < n && i < v.size(); ++i) {
      if (v[i].is_number_integer()) out[i] = v[i].get<int64_t>();
    }
  }
  return out;
}

int64_t int_or(const json& cfg, const char* key, int64_t fallback) {
  auto v = json_int(cfg, key);
  return v ? *v : fallback;
}

int64_t mul(int64_t a, int64_t b) { return a < 0 || b < 0 ? -1 : a * b; }

int64_t conv_length(int64_t n, int64_t k, int64_t s, int64_t d, const std::string& padding) {
  if (n < 0 || s <= 0) return -1;
  int64_t eff = (k - 1) * d + 1;
  if (padding == "same" || padding == "causal") return (n + s - 1) / s;
  if (padding == "full") return (n + eff - 1 + s - 1) / s;
  return n >= eff ? (n - eff) / s + 1 : 0;
}

int64_t deconv_length(int64_t n, int64_t k, int64_t s, int64_t d, const std::string& padding, int64_t out_pad) {
  if (n < 0) return -1;
  int64_t eff = (k - 1) * d + 1;
  if (out_pad < 0) return padding == "same" ? n * s : n * s + std::max<int64_t>(eff - s, 0);
  int64_t pad = padding == "same" ? eff / 2 : 0;
  return (n - 1) * s + eff - 2 * pad + out_pad;
}

// Number of spatial dims from a class name ending in 1D/2D/3D.
int spatial_rank(const std::string& c) {
  if (has(c, "3D")) return 3;
  if (has(c, "2D")) return 2;
  if (has(c, "1D")) return 1;
  return 0;
}

bool channels_first(const json& cfg) { return json_string(cfg, "data_format") == "channels_first"; }

// Splits x into (batch, spatial..., channels) positions for a rank-r layer.
struct Layout {
  int channel_axis;
  int first_spatial;
};
Layout layout_of(const json& cfg, size_t rank) {
  return channels_first(cfg) ? Layout{1, 2} : Layout{static_cast<int>(rank) - 1, 1};
}

std::optional<Shapes> conv_like(const std::string& c, const json& cfg, const KShape& in) {
  int r = spatial_rank(c);
  if (r == 0 || in.size() != static_cast<size_t>(r) + 2) return std::nullopt;
  Layout L = layout_of(cfg, in.size());
  auto k = ints(cfg, "kernel_size", r, 1);
  bool pooling = has(c, "Pooling");
  if (pooling) k = ints(cfg, "pool_size", r, 2);
  auto s = ints(cfg, "strides", r, pooling ? -1 : 1);
  for (int i = 0; i < r; ++i) {
    if (s[i] <= 0) s[i] = k[i];  // pooling: strides default to pool_size
  }
  auto d = ints(cfg, "dilation_rate", r, 1);
  std::string padding = json_string(cfg, "padding", "valid");
  bool transpose = has(c, "Transpose") || has(c, "Deconvolution");
  auto out_pad = ints(cfg, "output_padding", r, -1);
  KShape out = in;
  for (int i = 0; i < r; ++i) {
    int64_t n = in[L.first_spatial + i];
    out[L.first_spatial + i] = transpose ? deconv_length(n, k[i], s[i], d[i], padding, out_pad[i])
                                         : conv_length(n, k[i], s[i], d[i], padding);
  }
  int64_t ch = in[L.channel_axis];
  if (has(c, "Depthwise")) ch = mul(ch, int_or(cfg, "depth_multiplier", 1));
  else if (!pooling) ch = int_or(cfg, "filters", -1);
  out[L.channel_axis] = ch;
  return Shapes{out};
}

std::optional<Shapes> rnn(const std::string& c, const json& cfg, const KShape& in) {
  if (in.size() != 3) return std::nullopt;
  int64_t units = int_or(cfg, "units", -1);
  KShape out = json_bool(cfg, "return_sequences", false) ? KShape{in[0], in[1], units} : KShape{in[0], units};
  Shapes outs{out};
  if (json_bool(cfg, "return_state", false)) {
    int states = has(c, "LSTM") ? 2 : 1;
    for (int i = 0; i < states; ++i) outs.push_back({in[0], units});
  }
  return outs;
}

std::optional<Shapes> wrapped(const std::string& c, const json& cfg, const Shapes& inputs) {
  if (!cfg.contains("layer") || !cfg["layer"].is_object() || inputs.empty()) return std::nullopt;
  const json& inner = cfg["layer"];
  std::string inner_class = json_string(inner, "class_name");
  const json inner_cfg = inner.contains("config") ? inner["config"] : json::object();
  if (c == "TimeDistributed") {
    const KShape& in = inputs[0];
    if (in.size() < 3) return std::nullopt;
    KShape step(in.begin() + 2, in.end());
    step.insert(step.begin(), in[0]);
    auto r = infer_output_shapes(inner_class, inner_cfg, {step});
    if (!r || r->empty()) return std::nullopt;
    KShape out = (*r)[0];
    out.insert(out.begin() + 1, in[1]);
    return Shapes{out};
  }
  // Bidirectional
  auto r = infer_output_shapes(inner_class, inner_cfg, {inputs[0]});
  if (!r || r->empty()) return std::nullopt;
  KShape out = (*r)[0];
  std::string merge = json_string(cfg, "merge_mode", cfg.contains("merge_mode") ? "" : "concat");
  if (merge.empty()) return Shapes{out, out};
  if (merge == "concat") out.back() = mul(out.back(), 2);
  Shapes outs{out};
  for (size_t i = 1; i < r->size(); ++i) outs.push_back((*r)[i]), outs.push_back((*r)[i]);
  return outs;
}

std::optional<Shapes> reshape_like(const std::string& c, const json& cfg, const KShape& in) {
  if (in.empty()) return std::nullopt;
  int64_t batch = in[0];
  int64_t known = 1;
  bool unknown = false;
  for (size_t i = 1; i < in.size(); ++i) {
    if (in[i] < 0) unknown = true;
    else known *= in[i];
  }
  if (c == "Flatten") return Shapes{{batch, unknown ? -1 : known}};
  if (c == "Reshape") {
    auto target = cfg.contains("target_shape") ? json_shape(cfg["target_shape"]) : std::nullopt;
    if (!target) return std::nullopt;
    KShape out{batch};
    int64_t prod = 1;
    int free_axis = -1;
    for (size_t i = 0; i < target->size(); ++i) {
      if ((*target)[i] < 0) free_axis = static_cast<int>(i) + 1;
      else prod *= (*target)[i];
      out.push_back((*target)[i]);
    }
    if (free_axis > 0) out[free_axis] = unknown || prod == 0 ? -1 : known / prod;
    return Shapes{out};
  }
  if (c == "Permute") {
    auto dims = cfg.contains("dims") ? json_shape(cfg["dims"]) : std::nullopt;
    if (!dims) return std::nullopt;
    KShape out{batch};
    for (int64_t d : *dims) {
      if (d < 1 || d >= static_cast<int64_t>(in.size())) return std::nullopt;
      out.push_back(in[d]);
    }
    return Shapes{out};
  }
  if (c == "RepeatVector") return Shapes{{batch, int_or(cfg, "n", -1), in.back()}};
  return std::nullopt;
}

std::optional<Shapes> padding_like(const std::string& c, const json& cfg, const KShape& in) {
  int r = spatial_rank(c);
  if (r == 0 || in.size() != static_cast<size_t>(r) + 2) return std::nullopt;
  Layout L = layout_of(cfg, in.size());
  const char* key = has(c, "Padding") ? "padding" : has(c, "Cropping") ? "cropping" : "size";
  int sign = has(c, "Cropping") ? -1 : 1;
  KShape out = in;
  for (int i = 0; i < r; ++i) {
    int64_t n = in[L.first_spatial + i];
    int64_t total = 0;
    if (has(c, "UpSampling")) {
      out[L.first_spatial + i] = mul(n, ints(cfg, key, r, 2)[i]);
      continue;
    }
    const json& v = cfg.contains(key) ? cfg[key] : json();
    if (v.is_number_integer()) total = 2 * v.get<int64_t>();
    else if (v.is_array() && r == 1 && v.size() == 2 && v[0].is_number_integer() && v[1].is_number_integer())
      total = v[0].get<int64_t>() + v[1].get<int64_t>();
    else if (v.is_array() && static_cast<int>(v.size()) > i) {
      const json& e = v[i];
      if (e.is_number_integer()) total = 2 * e.get<int64_t>();
      else if (e.is_array() && e.size() == 2 && e[0].is_number_integer() && e[1].is_number_integer())
        total = e[0].get<int64_t>() + e[1].get<int64_t>();
    } else if (v.is_null() || !cfg.contains(key)) {
      total = 2;  // Keras' default of 1 on each side
    }
    out[L.first_spatial + i] = n < 0 ? -1 : n + sign * total;
  }
  return Shapes{out};
}

std::optional<Shapes> merge(const std::string& c, const json& cfg, const Shapes& inputs) {
  if (inputs.empty()) return std::nullopt;
  KShape out = inputs[0];
  if (c == "Concatenate") {
    int64_t axis = int_or(cfg, "axis", -1);
    if (axis < 0) axis += static_cast<int64_t>(out.size());
    if (axis < 0 || axis >= static_cast<int64_t>(out.size())) return std::nullopt;
    for (size_t i = 1; i < inputs.size(); ++i) {
      if (inputs[i].size() != out.size()) return std::nullopt;
      out[axis] = out[axis] < 0 || inputs[i][axis] < 0 ? -1 : out[axis] + inputs[i][axis];
    }
    return Shapes{out};
  }
  // Elementwise with broadcasting: the longest shape, known dims preferred.
  for (const KShape& s : inputs) {
    if (s.size() > out.size()) out.insert(out.begin() + 1, s.size() - out.size(), 1);
  }
  for (const KShape& s : inputs) {
    size_t off = out.size() - s.size();
    for (size_t i = 0; i < s.size(); ++i) {
      if (out[off + i] < 0 || out[off + i] == 1) out[off + i] = s[i];
    }
  }
  return Shapes{out};
}

}  // namespace

std::string python_shape(const KShape& shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += shape[i] < 0 ? std::string("None") : std::to_string(shape[i]);
  }
  if (shape.size() == 1) s += ",";
  s += ")";
  return s;
}

std::optional<Shapes> infer_output_shapes(const std::string& c, const json& cfg, const Shapes& inputs) {
  if (c == "InputLayer") {
    auto s = declared_input_shape(cfg);
    if (s) return Shapes{*s};
    return inputs.empty() ? std::nullopt : std::optional<Shapes>(Shapes{inputs[0]});
  }
  if (inputs.empty()) return std::nullopt;
  const KShape& in = inputs[0];
  static const char* kIdentity[] = {
      "Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "GaussianNoise", "GaussianDropout",
      "AlphaDropout", "ActivityRegularization", "Activation", "ReLU", "LeakyReLU", "PReLU", "ELU", "Softmax",
      "ThresholdedReLU", "Masking", "Rescaling", "Normalization", "BatchNormalization", "LayerNormalization",
      "SyncBatchNormalization", "GroupNormalization", "UnitNormalization", "Identity", "RandomFlip",
      "RandomRotation", "RandomZoom", "RandomTranslation", "RandomContrast", "RandomBrightness", "RandomSaturation", "RandomHue", "RandomGrayscale", "RandomColorDegeneration", "RandomColorJitter",
      "RandomSharpness", "RandomShear", "RandomPosterization", "RandomInvert", "RandomErasing", "RandomGaussianBlur",
      "RandomPerspective", "RandomElasticTransform"};
  for (const char* name : kIdentity) {
    if (c == name) return Shapes{in};
  }
  if (c == "Dense") {
    if (in.empty()) return std::nullopt;
    KShape out = in;
    out.back() = int_or(cfg, "units", -1);
    return Shapes{out};
  }
  if (c == "Embedding") {
    KShape out = in;
    out.push_back(int_or(cfg, "output_dim", -1));
    return Shapes{out};
  }
  if (has(c, "GlobalAveragePooling") || has(c, "GlobalMaxPooling") || has(c, "GlobalAvgPool") ||
      has(c, "GlobalMaxPool")) {
    if (in.size() < 3) return std::nullopt;
    Layout L = layout_of(cfg, in.size());
    if (json_bool(cfg, "keepdims", false)) {
      KShape out = in;
      for (size_t i = 1; i < in.size(); ++i) {
        if (static_cast<int>(i) != L.channel_axis) out[i] = 1;
      }
      return Shapes{out};
    }
    return Shapes{{in[0], in[L.channel_axis]}};
  }
  if (has(c, "Conv") && !has(c, "LSTM")) return conv_like(c, cfg, in);
  if (has(c, "Pooling") || c == "MaxPool2D" || c == "AvgPool2D") return conv_like(c, cfg, in);
  if (c == "SimpleRNN" || c == "LSTM" || c == "GRU" || c == "CuDNNLSTM" || c == "CuDNNGRU") return rnn(c, cfg, in);
  if (c == "TimeDistributed" || c == "Bidirectional") return wrapped(c, cfg, inputs);
  if (c == "Flatten" || c == "Reshape" || c == "Permute" || c == "RepeatVector") return reshape_like(c, cfg, in);
  if (has(c, "ZeroPadding") || has(c, "Cropping") || has(c, "UpSampling")) return padding_like(c, cfg, in);
  if (c == "Resizing" || c == "CenterCrop") {
    if (in.size() != 4) return std::nullopt;
    Layout L = layout_of(cfg, in.size());
    KShape out = in;
    out[L.first_spatial] = int_or(cfg, "height", -1);
    out[L.first_spatial + 1] = int_or(cfg, "width", -1);
    return Shapes{out};
  }
  if (c == "Concatenate" || c == "Add" || c == "Subtract" || c == "Multiply" || c == "Average" || c == "Maximum" ||
      c == "Minimum") {
    return merge(c, cfg, inputs);
  }
  if ((c == "Attention" || c == "AdditiveAttention") && inputs.size() >= 2 && !inputs[1].empty()) {
    KShape out = in;
    out.back() = inputs[1].back();  // the query's rows of the value's width
    return Shapes{out};
  }
  if (c == "Dot" && inputs.size() == 2 && in.size() == inputs[1].size()) {
    if (in.size() == 2) return Shapes{{in[0], 1}};
    if (in.size() == 3) {
      std::vector<int64_t> axes = ints(cfg, "axes", 2, -1);
      for (int64_t& a : axes) a = (a + 3) % 3;
      return Shapes{{in[0], in[axes[0] == 1 ? 2 : 1], inputs[1][axes[1] == 1 ? 2 : 1]}};
    }
  }
  if (c == "EinsumDense") {
    auto custom = cfg.contains("output_shape") ? json_shape(cfg["output_shape"]) : std::nullopt;
    if (!custom) return std::nullopt;
    KShape out{in[0]};
    out.insert(out.end(), custom->begin(), custom->end());
    return Shapes{out};
  }
  if (c == "MultiHeadAttention") {
    KShape out = in;
    auto custom = cfg.contains("output_shape") ? json_shape(cfg["output_shape"]) : std::nullopt;
    if (custom && !custom->empty()) out.back() = custom->back();
    return Shapes{out};
  }
  if (c == "TFOpLambda" || c == "SlicingOpLambda") {
    std::string fn = json_string(cfg, "function");
    for (const char* op : {"add", "subtract", "multiply", "truediv", "divide", "mul", "sub", "maximum", "minimum"}) {
      if (has(fn, op)) return merge("Add", cfg, inputs);
    }
    for (const char* op : {"relu", "sigmoid", "tanh", "nn.gelu", "math.exp", "math.sqrt", "cast", "identity"}) {
      if (has(fn, op)) return Shapes{in};
    }
  }
  return std::nullopt;
}

}  // namespace tfport::keras
