// Walks a Keras model (Sequential chains, Functional node graphs, nested models as layers) and
// lowers every needed layer call with the family functions of the layer table.
#include "graph/keras/lower_keras.h"

#include <deque>
#include <map>
#include <set>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "formats/keras/keras_config.h"
#include "graph/keras/layer.h"

namespace tfport::graph {
namespace {

using keras::Emitter;
using keras::json;
using keras::LayerCall;
using keras::Value;

constexpr int kMaxNesting = 32;

int keras_major(const KerasModel& m) {
  int major = 0;
  size_t i = 0;
  for (; i < m.keras_version.size() && m.keras_version[i] >= '0' && m.keras_version[i] <= '9'; ++i) {
    major = major * 10 + (m.keras_version[i] - '0');
    if (major > 100) break;
  }
  if (i == 0) return m.format == "keras-v3" ? 3 : 2;
  return major;
}

const json* find_key(const json& j, const char* key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return nullptr;
  return &*it;
}

// [null, 28, 28, 1], a Keras 3 {"class_name": "__tuple__", ...} or a TensorShape object.
std::optional<std::vector<int64_t>> shape_from_json(const json& j) {
  const json* list = &j;
  if (j.is_object()) {
    const json* cfg = find_key(j, "config");
    if (cfg && find_key(*cfg, "value")) list = find_key(*cfg, "value");
    else if (find_key(j, "items")) list = find_key(j, "items");
    else return std::nullopt;
  }
  if (!list->is_array()) return std::nullopt;
  std::vector<int64_t> dims;
  for (const json& d : *list) {
    if (d.is_null()) dims.push_back(-1);
    else if (d.is_number_integer() && d.get<int64_t>() >= 0) dims.push_back(d.get<int64_t>());
    else return std::nullopt;
  }
  return dims;
}

std::optional<std::vector<int64_t>> declared_batch_shape(const json& config) {
  for (const char* key : {"batch_input_shape", "batch_shape"}) {
    if (const json* s = find_key(config, key)) return shape_from_json(*s);
  }
  for (const char* key : {"input_shape", "shape"}) {
    if (const json* s = find_key(config, key)) {
      auto dims = shape_from_json(*s);
      if (dims) dims->insert(dims->begin(), -1);
      return dims;
    }
  }
  if (const json* d = find_key(config, "input_dim"); d && d->is_number_integer()) {
    return std::vector<int64_t>{-1, d->get<int64_t>()};
  }
  return std::nullopt;
}

StatusOr<DType> dtype_from_json(const json* j, const std::string& where) {
  if (!j) return DType::kFloat;
  std::string name;
  if (j->is_string()) {
    name = j->get<std::string>();
  } else if (const json* cfg = find_key(*j, "config"); cfg && find_key(*cfg, "name") && (*cfg)["name"].is_string()) {
    name = (*cfg)["name"].get<std::string>();
  }
  static const std::map<std::string, DType, std::less<>> kTypes = {
      {"float32", DType::kFloat}, {"float64", DType::kDouble}, {"float16", DType::kHalf},
      {"bfloat16", DType::kBFloat16}, {"int32", DType::kInt32}, {"int64", DType::kInt64},
      {"int16", DType::kInt16}, {"int8", DType::kInt8}, {"uint8", DType::kUInt8},
      {"uint16", DType::kUInt16}, {"bool", DType::kBool}, {"string", DType::kString}};
  auto it = kTypes.find(name);
  if (it == kTypes.end()) return invalid_argument_error(where + ": config field 'dtype': unsupported dtype " + j->dump());
  return it->second;
}

std::string snake_case(const std::string& class_name) {
  // Keras 3 object paths: "Conv2D" -> "conv2d", "BatchNormalization" -> "batch_normalization".
  std::string s;
  for (char c : class_name) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') s += c;
  }
  auto upper = [](char c) { return c >= 'A' && c <= 'Z'; };
  auto lower = [](char c) { return c >= 'a' && c <= 'z'; };
  std::string a;
  for (size_t i = 0; i < s.size(); ++i) {
    // (.)([A-Z][a-z]+) -> \1_\2
    if (i > 0 && upper(s[i]) && i + 1 < s.size() && lower(s[i + 1])) a += '_';
    a += s[i];
  }
  std::string b;
  for (size_t i = 0; i < a.size(); ++i) {
    // ([a-z0-9])([A-Z]) -> \1_\2
    if (i > 0 && upper(a[i]) && (lower(a[i - 1]) || std::isdigit(static_cast<unsigned char>(a[i - 1])))) b += '_';
    b += static_cast<char>(std::tolower(static_cast<unsigned char>(a[i])));
  }
  return b;
}

std::vector<std::string> split_path(const std::string& name) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= name.size()) {
    size_t slash = name.find('/', start);
    if (slash == std::string::npos) slash = name.size();
    std::string part = name.substr(start, slash - start);
    if (auto colon = part.rfind(':'); colon != std::string::npos) part = part.substr(0, colon);
    parts.push_back(part);
    start = slash + 1;
  }
  return parts;
}

bool model_has_layer(const KerasModel& m, const std::string& name, int depth) {
  if (depth > kMaxNesting) return false;
  for (const KerasLayer& l : m.layers) {
    if (l.name == name) return true;
    if (l.nested && model_has_layer(*l.nested, name, depth + 1)) return true;
  }
  return false;
}

// A nested model's flattened weights, handed to its layers: by the layer name inside h5
// weight names ("block_1/conv/kernel:0"), or by the object path of .keras files
// ("layers/functional/layers/dense/vars/0"), whose layer part sits at 2*depth+1.
StatusOr<std::vector<std::vector<KerasWeight>>> distribute_weights(const KerasLayer& layer, int depth) {
  const KerasModel& inner = *layer.nested;
  std::vector<std::vector<KerasWeight>> out(inner.layers.size());
  std::map<std::string, size_t> by_name, by_path;
  std::map<std::string, int> used;
  for (size_t i = 0; i < inner.layers.size(); ++i) {
    by_name.emplace(inner.layers[i].name, i);
    std::string s = snake_case(inner.layers[i].class_name);
    auto it = used.find(s);
    if (it == used.end()) used[s] = 0;
    else {
      s += '_';
      s += std::to_string(++it->second);
    }
    by_path.emplace(s, i);
  }
  for (const KerasWeight& w : layer.weights) {
    std::vector<std::string> parts = split_path(w.name);
    std::optional<size_t> target;
    const bool v3_path = parts.size() > 2 && parts[0] == "layers" &&
                         std::find(parts.begin(), parts.end(), "vars") != parts.end();
    if (v3_path) {
      const size_t k = static_cast<size_t>(2 * depth + 1);
      if (k < parts.size() && parts[k - 1] == "layers") {
        if (auto it = by_path.find(parts[k]); it != by_path.end()) target = it->second;
      }
    } else {
      for (const std::string& p : parts) {
        if (auto it = by_name.find(p); it != by_name.end() && !inner.layers[it->second].nested) {
          target = it->second;
          break;
        }
      }
      if (!target) {
        for (size_t i = 0; i < inner.layers.size() && !target; ++i) {
          if (!inner.layers[i].nested) continue;
          for (const std::string& p : parts) {
            if (model_has_layer(*inner.layers[i].nested, p, 0)) {
              target = i;
              break;
            }
          }
        }
      }
    }
    if (!target) {
      return invalid_argument_error("nested model '" + layer.name + "': cannot tell which of its layers owns weight '" +
                                    w.name + "'");
    }
    out[*target].push_back(w);
  }
  return out;
}

void find_unsupported(const KerasModel& m, const keras::LayerTable& table,
                      std::map<std::string, std::vector<std::string>>* missing, int depth) {
  if (depth > kMaxNesting) return;
  for (const KerasLayer& l : m.layers) {
    if (l.nested) {
      find_unsupported(*l.nested, table, missing, depth + 1);
      continue;
    }
    if (l.class_name == "InputLayer") continue;
    const std::string key = keras::layer_key(l.module, l.class_name);
    if (!table.lower.count(key)) {
      (*missing)[key.rfind("ops:", 0) == 0 ? "Keras op " + l.class_name : key].push_back(l.name);
      continue;
    }
    if (l.class_name == "TFOpLambda" || l.class_name == "SlicingOpLambda") {
      json cfg = json::parse(l.config_json, nullptr, false);
      const json* fn = find_key(cfg, "function");
      std::string name = fn && fn->is_string() ? fn->get<std::string>() : std::string();
      if (!keras::tf_op_supported(name)) (*missing)[l.class_name + " tf." + name].push_back(l.name);
    }
    if (l.class_name == "TimeDistributed") {
      json cfg = json::parse(l.config_json, nullptr, false);
      const json* inner = find_key(cfg, "layer");
      if (inner && inner->is_object() && find_key(*inner, "class_name") && (*inner)["class_name"].is_string()) {
        std::string cn = (*inner)["class_name"].get<std::string>();
        if (!table.lower.count(cn)) (*missing)[cn].push_back(l.name);
      }
    }
  }
}

// (layer index, call index) of a functional model's layer call.
struct KeyHash {
  size_t operator()(const std::pair<size_t, int>& k) const {
    return std::hash<size_t>()(k.first * 1031 + static_cast<size_t>(static_cast<unsigned>(k.second)));
  }
};

struct ModelResult {
  std::vector<Value> outputs;
  std::vector<std::string> output_names;
};

class Lowering {
 public:
  Lowering(const KerasModel& top, LoweredKerasModel* out)
      : top_(top), out_(out), table_(keras::layer_table()), major_(keras_major(top)) {}

  Status run() {
    std::vector<const std::vector<KerasWeight>*> weights;
    for (const KerasLayer& l : top_.layers) weights.push_back(&l.weights);
    TFPORT_ASSIGN_OR_RETURN(ModelResult r, lower_model(top_, weights, Emitter(&out_->graph, ""), nullptr, 0));
    std::map<std::string, int> seen;
    for (size_t i = 0; i < r.outputs.size(); ++i) {
      std::string key = r.output_names[i];
      if (int n = seen[key]++; n > 0) {
        key += '_';
        key += std::to_string(n);
      }
      const Value& v = r.outputs[i];
      Emitter root(&out_->graph, "");
      TFPORT_ASSIGN_OR_RETURN(Endpoint id, root.add_named(key, "Identity", {v.ep}, {{"T", attr_type(v.dtype)}}));
      TensorSpec spec;
      spec.key = key;
      spec.tensor_name = out_->graph.node(id.node).name + ":0";
      spec.dtype = v.dtype;
      spec.shape = PartialShape(v.shape);
      out_->outputs.push_back(std::move(spec));
    }
    return Status::OK();
  }

 private:
  StatusOr<const json*> config_of(const KerasLayer& l) {
    auto it = configs_.find(&l);
    if (it != configs_.end()) return it->second;
    if (l.parsed_config && l.parsed_config->value.is_object() && l.parsed_config->text == l.config_json) {
      const json* p = &l.parsed_config->value;
      configs_.emplace(&l, p);
      return p;
    }
    json j = json::parse(l.config_json.empty() ? "{}" : l.config_json, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      return invalid_argument_error("layer '" + l.name + "' (" + l.class_name + "): its config is not a JSON object");
    }
    const json* p = &storage_.emplace_back(std::move(j));
    configs_.emplace(&l, p);
    return p;
  }

  // A Placeholder for a model input, named after its input layer.
  StatusOr<Value> make_input(const std::string& name, const json& config, const std::string& where) {
    auto dims = declared_batch_shape(config);
    if (!dims) return invalid_argument_error(where + ": no input shape (batch_input_shape / batch_shape) in its config");
    TFPORT_ASSIGN_OR_RETURN(DType dtype, dtype_from_json(find_key(config, "dtype"), where));
    Emitter root(&out_->graph, "");
    TFPORT_ASSIGN_OR_RETURN(Endpoint e, root.add_named(name, "Placeholder", {},
                                                       {{"dtype", attr_type(dtype)},
                                                        {"shape", attr_shape(*dims)}}));
    TensorSpec spec;
    spec.key = name;
    spec.tensor_name = out_->graph.node(e.node).name + ":0";
    spec.dtype = dtype;
    spec.shape = PartialShape(*dims);
    out_->inputs.push_back(std::move(spec));
    return Value{e, dtype, *dims};
  }

  StatusOr<std::vector<Value>> call_layer(const KerasLayer& l, const std::vector<KerasWeight>& weights,
                                          std::vector<Value> inputs, const KerasNode* node,
                                          std::vector<std::pair<std::string, Value>> kwarg_values,
                                          const Emitter& scope, int depth) {
    if (l.nested) {
      if (depth >= kMaxNesting) return invalid_argument_error("models nested too deeply at '" + l.name + "'");
      TFPORT_ASSIGN_OR_RETURN(auto dist, distribute_weights(l, depth + 1));
      auto& kept = weight_sets_.emplace_back(std::move(dist));
      std::vector<const std::vector<KerasWeight>*> ptrs;
      for (const auto& w : kept) ptrs.push_back(&w);
      TFPORT_ASSIGN_OR_RETURN(ModelResult r, lower_model(*l.nested, ptrs, scope.child(l.name), &inputs, depth + 1));
      return r.outputs;
    }
    TFPORT_ASSIGN_OR_RETURN(const json* config, config_of(l));
    const std::string& kwargs_json = node != nullptr ? node->kwargs_json : std::string();
    json kwargs = json::parse(kwargs_json.empty() ? "{}" : kwargs_json, nullptr, false);
    const json* kw = &storage_.emplace_back(std::move(kwargs));
    LayerCall call{scope.child(l.name), l.name, keras::layer_key(l.module, l.class_name), config, &weights, std::move(inputs), kw,
                   std::move(kwarg_values), node, major_, top_.keras_version, &table_};
    TFPORT_ASSIGN_OR_RETURN(std::vector<Value> outs, keras::lower_layer(call));
    // Layers that act per time step keep their input's Keras mask (supports_masking).
    static const std::set<std::string, std::less<>> kKeepMask = {
        "Dropout", "SpatialDropout1D", "GaussianNoise", "GaussianDropout", "AlphaDropout", "Activation",
        "Dense", "TimeDistributed", "BatchNormalization", "LayerNormalization", "ReLU", "LeakyReLU"};
    if (!call.inputs.empty() && call.inputs[0].mask_node >= 0 && outs.size() == 1 && outs[0].mask_node < 0 &&
        outs[0].rank() >= 2 && kKeepMask.count(l.class_name)) {
      outs[0].mask_node = call.inputs[0].mask_node;
    }
    return outs;
  }

  StatusOr<ModelResult> lower_model(const KerasModel& m, const std::vector<const std::vector<KerasWeight>*>& weights,
                                    const Emitter& scope, std::vector<Value>* given, int depth) {
    if (m.is_sequential() || (m.inputs.empty() && m.outputs.empty())) {
      return lower_sequential(m, weights, scope, given, depth);
    }
    return lower_functional(m, weights, scope, given, depth);
  }

  StatusOr<ModelResult> lower_sequential(const KerasModel& m, const std::vector<const std::vector<KerasWeight>*>& weights,
                                         const Emitter& scope, std::vector<Value>* given, int depth) {
    if (m.layers.empty()) return invalid_argument_error("model '" + m.name + "' has no layers");
    std::vector<Value> x;
    size_t first = 0;
    if (given) {
      x = *given;
    } else if (m.layers[0].class_name == "InputLayer") {
      TFPORT_ASSIGN_OR_RETURN(const json* cfg, config_of(m.layers[0]));
      TFPORT_ASSIGN_OR_RETURN(Value v, make_input(m.layers[0].name, *cfg, "input layer '" + m.layers[0].name + "'"));
      x = {v};
    } else {
      // Older files: the first layer declares the input shape; Keras names the input after it.
      TFPORT_ASSIGN_OR_RETURN(const json* cfg, config_of(m.layers[0]));
      json merged = *cfg;
      if (!declared_batch_shape(merged)) {
        json top = json::parse(m.config_json.empty() ? "{}" : m.config_json, nullptr, false);
        const json* c = top.is_discarded() ? nullptr : find_key(top, "config");
        if (const json* b = c ? find_key(*c, "build_input_shape") : nullptr) merged["batch_input_shape"] = *b;
      }
      TFPORT_ASSIGN_OR_RETURN(Value v, make_input(m.layers[0].name + "_input", merged,
                                                  "first layer '" + m.layers[0].name + "' of Sequential model"));
      x = {v};
    }
    std::string last_name = m.layers[0].name;
    for (size_t i = first; i < m.layers.size(); ++i) {
      const KerasLayer& l = m.layers[i];
      if (l.class_name == "InputLayer") continue;
      TFPORT_ASSIGN_OR_RETURN(x, call_layer(l, *weights[i], x, nullptr, {}, scope, depth));
      if (x.empty()) return internal_error("layer '" + l.name + "' produced no output");
      x.resize(1);
      last_name = l.name;
    }
    return ModelResult{x, {last_name}};
  }

  StatusOr<ModelResult> lower_functional(const KerasModel& m, const std::vector<const std::vector<KerasWeight>*>& weights,
                                         const Emitter& scope, std::vector<Value>* given, int depth) {
    // Hashed: a large functional model (inception: 313 layers) looks layers up thousands of
    // times, and its names share long prefixes that ordered maps compare again and again.
    std::unordered_map<std::string_view, size_t> index;
    index.reserve(m.layers.size());
    for (size_t i = 0; i < m.layers.size(); ++i) index.emplace(m.layers[i].name, i);
    using Key = std::pair<size_t, int>;
    std::unordered_map<Key, std::vector<Value>, KeyHash> done;
    done.reserve(m.layers.size());
    auto key_of = [&](const KerasTensorRef& r) -> StatusOr<Key> {
      auto it = index.find(r.layer);
      if (it == index.end()) return invalid_argument_error("model '" + m.name + "' refers to unknown layer '" + r.layer + "'");
      const KerasLayer& l = m.layers[it->second];
      int n = r.node_index;
      // Calls of a nested model count its own internal node first.
      if (l.nested && n >= static_cast<int>(l.inbound_nodes.size())) n -= 1;
      if (n < 0 || (l.class_name != "InputLayer" && n >= static_cast<int>(l.inbound_nodes.size()))) {
        return invalid_argument_error("model '" + m.name + "' refers to call " + std::to_string(r.node_index) +
                                      " of layer '" + r.layer + "', which has " +
                                      std::to_string(l.inbound_nodes.size()) + " calls");
      }
      return Key{it->second, n};
    };
    auto value_of = [&](const KerasTensorRef& r) -> StatusOr<Value> {
      TFPORT_ASSIGN_OR_RETURN(Key k, key_of(r));
      const std::vector<Value>& outs = done.at(k);
      if (r.tensor_index < 0 || r.tensor_index >= static_cast<int>(outs.size())) {
        return invalid_argument_error("layer '" + r.layer + "' has no output " + std::to_string(r.tensor_index));
      }
      return outs[static_cast<size_t>(r.tensor_index)];
    };

    if (given && given->size() != m.inputs.size()) {
      return invalid_argument_error("model '" + m.name + "' takes " + std::to_string(m.inputs.size()) + " inputs, got " +
                                    std::to_string(given->size()));
    }
    for (size_t i = 0; i < m.inputs.size(); ++i) {
      const KerasTensorRef& r = m.inputs[i];
      auto it = index.find(r.layer);
      if (it == index.end()) return invalid_argument_error("model '" + m.name + "': unknown input layer '" + r.layer + "'");
      Key k{it->second, r.node_index};
      if (given) {
        done[k] = {(*given)[i]};
      } else {
        TFPORT_ASSIGN_OR_RETURN(const json* cfg, config_of(m.layers[it->second]));
        TFPORT_ASSIGN_OR_RETURN(Value v, make_input(r.layer, *cfg, "input layer '" + r.layer + "'"));
        done[k] = {v};
      }
    }

    std::unordered_set<Key, KeyHash> waiting;
    std::vector<Key> stack;
    for (const KerasTensorRef& r : m.outputs) {
      TFPORT_ASSIGN_OR_RETURN(Key k, key_of(r));
      stack.push_back(k);
    }
    while (!stack.empty()) {
      Key k = stack.back();
      if (done.count(k)) {
        stack.pop_back();
        continue;
      }
      const KerasLayer& l = m.layers[k.first];
      if (l.class_name == "InputLayer") {
        return invalid_argument_error("model '" + m.name + "' uses input layer '" + l.name + "' that is not one of its inputs");
      }
      const KerasNode& node = l.inbound_nodes[static_cast<size_t>(k.second)];
      bool ready = true;
      std::vector<const KerasTensorRef*> needed;
      for (const KerasTensorRef& r : node.inputs) needed.push_back(&r);
      for (const auto& kw : node.kwarg_inputs) needed.push_back(&kw.second);
      for (const KerasTensorRef* needed_ref : needed) {
        const KerasTensorRef& r = *needed_ref;
        TFPORT_ASSIGN_OR_RETURN(Key dep, key_of(r));
        if (done.count(dep)) continue;
        if (waiting.count(dep)) return invalid_argument_error("model '" + m.name + "' has a cycle through layer '" + r.layer + "'");
        ready = false;
        stack.push_back(dep);
      }
      if (!ready) {
        waiting.insert(k);
        continue;
      }
      std::vector<Value> inputs;
      for (const KerasTensorRef& r : node.inputs) {
        TFPORT_ASSIGN_OR_RETURN(Value v, value_of(r));
        inputs.push_back(v);
      }
      std::vector<std::pair<std::string, Value>> kwarg_values;
      for (const auto& [key, r] : node.kwarg_inputs) {
        TFPORT_ASSIGN_OR_RETURN(Value v, value_of(r));
        kwarg_values.emplace_back(key, v);
      }
      TFPORT_ASSIGN_OR_RETURN(std::vector<Value> outs, call_layer(l, *weights[k.first], std::move(inputs), &node,
                                                                  std::move(kwarg_values), scope, depth));
      done[k] = std::move(outs);
      waiting.erase(k);
      stack.pop_back();
    }
    ModelResult result;
    for (const KerasTensorRef& r : m.outputs) {
      TFPORT_ASSIGN_OR_RETURN(Value v, value_of(r));
      result.outputs.push_back(v);
      result.output_names.push_back(r.layer);
    }
    return result;
  }

  const KerasModel& top_;
  LoweredKerasModel* out_;
  const keras::LayerTable& table_;
  int major_;
  std::deque<json> storage_;
  std::map<const KerasLayer*, const json*> configs_;
  std::deque<std::vector<std::vector<KerasWeight>>> weight_sets_;
};

}  // namespace

StatusOr<LoweredKerasModel> lower_keras_model(const KerasModel& model) {
  const std::string where = model.source.empty() ? "Keras model" : model.source;
  if (model.format == "keras-h5-weights" || model.class_name.empty()) {
    return failed_precondition_error(where + ": holds only weights (model.save_weights), not the model config; "
                                             "tfport needs the architecture: save the whole model (model.save) or "
                                             "give the config it belongs to");
  }
  if (!model.weights_loaded) {
    return failed_precondition_error(where + ": the model's weights are not available");
  }
  std::map<std::string, std::vector<std::string>> missing;
  find_unsupported(model, keras::layer_table(), &missing, 0);
  if (!missing.empty()) {
    std::string msg = where + ": cannot run Keras layers tfport does not support:";
    for (const auto& [cls, layers] : missing) {
      msg += " " + cls + " (";
      for (size_t i = 0; i < layers.size(); ++i) msg += (i ? ", " : "") + layers[i];
      msg += ")";
      auto why = keras::layer_table().unsupported.find(cls);
      if (why != keras::layer_table().unsupported.end()) msg += ": " + why->second;
      msg += ";";
    }
    msg.pop_back();
    return unimplemented_error(msg);
  }
  LoweredKerasModel out;
  Lowering lowering(model, &out);
  Status s = lowering.run();
  if (!s.ok()) return s.with_context(where);
  return out;
}

}  // namespace tfport::graph
