#include "formats/keras_v3/keras_v3_weights.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <vector>

#include "formats/keras/keras_weights.h"

namespace tfport::keras {
namespace {

constexpr int kMaxDepth = 16;
constexpr int kMaxVarsPerObject = 1 << 16;
const std::string kLayersAttribute = "layers";

std::string join(const std::vector<std::string>& parts, char sep) {
  std::string out;
  for (const std::string& p : parts) {
    if (!out.empty()) out += sep;
    out += p;
  }
  return out;
}

// The group of an object path, spelled with '/' (normal) or '\' (tf.keras 2.15 on Windows).
std::optional<std::pair<hdf5::Group, std::string>> find_object(const hdf5::Group& root,
                                                               const std::vector<std::string>& parts) {
  if (parts.empty()) return std::make_pair(root, std::string());
  for (char sep : {'/', '\\'}) {
    std::string p = join(parts, sep);
    if (root.kind(p) == hdf5::ObjectKind::kGroup) {
      StatusOr<hdf5::Group> g = root.group(p);
      if (g.ok()) return std::make_pair(std::move(*g), p);
    }
  }
  return std::nullopt;
}

// Sub-objects of a layer in Keras weight order: the RNN cell, the Bidirectional halves
// (forward first), a wrapped layer, then anything else by name.
int child_rank(const std::string& name) {
  static const char* kOrder[] = {"cell",         "forward_layer", "backward_layer", "layer",
                                 "_query_dense", "_key_dense",    "_value_dense",   "_output_dense"};
  constexpr int kCount = sizeof(kOrder) / sizeof(kOrder[0]);
  for (int i = 0; i < kCount; ++i) {
    if (name == kOrder[i]) return i;
  }
  return kCount;
}

// Appends the variables of the object at `parts` and of its sub-objects.
Status collect_object(const hdf5::Group& root, const std::vector<std::string>& parts,
                      std::vector<KerasWeight>* out, int depth) {
  if (depth > kMaxDepth) return data_loss_error(root.file_name() + ": object paths nested too deeply");
  auto found = find_object(root, parts);
  if (!found) return Status::OK();  // weightless objects may have no group at all
  const hdf5::Group& g = found->first;
  const std::string prefix = found->second.empty() ? "" : found->second + "/";
  if (g.kind("vars") == hdf5::ObjectKind::kGroup) {
    TFPORT_ASSIGN_OR_RETURN(hdf5::Group vars, g.group("vars"));
    for (int i = 0; i < kMaxVarsPerObject && vars.kind(std::to_string(i)) == hdf5::ObjectKind::kDataset; ++i) {
      KerasWeight w;
      w.name = prefix + "vars/" + std::to_string(i);
      TFPORT_ASSIGN_OR_RETURN(w.value, vars.read_dataset(std::to_string(i)));
      w.shape = w.value.shape().dims();
      out->push_back(std::move(w));
    }
  }
  std::vector<std::string> subs;
  TFPORT_ASSIGN_OR_RETURN(std::vector<std::string> children, g.children());
  for (const std::string& c : children) {
    if (c != "vars" && g.kind(c) == hdf5::ObjectKind::kGroup) subs.push_back(c);
  }
  // Backslash-joined paths put sub-objects beside their parent at the root:
  // "layers\\mha" has its dense layers in "layers\\mha\\_query_dense".
  if (found->second.find('\\') != std::string::npos) {
    TFPORT_ASSIGN_OR_RETURN(std::vector<std::string> top, root.children());
    const std::string lead = found->second + '\\';
    for (const std::string& c : top) {
      if (c.size() > lead.size() && c.compare(0, lead.size(), lead) == 0 &&
          c.find('\\', lead.size()) == std::string::npos) {
        subs.push_back(c.substr(lead.size()));
      }
    }
  }
  std::stable_sort(subs.begin(), subs.end(), [](const std::string& a, const std::string& b) {
    return child_rank(a) != child_rank(b) ? child_rank(a) < child_rank(b) : a < b;
  });
  for (const std::string& c : subs) {
    std::vector<std::string> sub = parts;
    sub.push_back(c);
    TFPORT_RETURN_IF_ERROR(collect_object(root, sub, out, depth + 1));
  }
  return Status::OK();
}

// Weights of every layer of `model`, whose object path is `base`; nested models flatten
// their layers' weights into their own layer entry.
Status collect_model(const hdf5::Group& root, const std::vector<std::string>& base, const KerasModel& model,
                     std::vector<std::vector<KerasWeight>>* per_layer, int depth) {
  if (depth > kMaxDepth) return data_loss_error(root.file_name() + ": models nested too deeply");
  std::map<std::string, int> used;
  for (const KerasLayer& layer : model.layers) {
    std::string name = keras_snake_case(layer.class_name);
    auto it = used.find(name);
    if (it == used.end()) {
      used[name] = 0;
    } else {
      name += '_';
      name += std::to_string(++it->second);
    }
    std::vector<std::string> parts = base;
    parts.push_back(kLayersAttribute);
    parts.push_back(name);
    std::vector<KerasWeight> weights;
    if (layer.nested) {
      std::vector<std::vector<KerasWeight>> inner;
      TFPORT_RETURN_IF_ERROR(collect_model(root, parts, *layer.nested, &inner, depth + 1));
      for (auto& ws : inner) {
        for (KerasWeight& w : ws) weights.push_back(std::move(w));
      }
    } else {
      Status s = collect_object(root, parts, &weights, depth + 1);
      if (!s.ok()) return s.with_context("layer '" + layer.name + "'");
    }
    per_layer->push_back(std::move(weights));
  }
  return Status::OK();
}

}  // namespace

std::string keras_snake_case(const std::string& class_name) {
  std::string s;
  for (char c : class_name) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') s += c;
  }
  auto is_upper = [](char c) { return c >= 'A' && c <= 'Z'; };
  auto is_lower = [](char c) { return c >= 'a' && c <= 'z'; };
  // Pass 1: "_" before an uppercase letter that starts a capitalised word (not at the start).
  std::string a;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i > 0 && is_upper(s[i]) && i + 1 < s.size() && is_lower(s[i + 1])) a += '_';
    a += s[i];
  }
  // Pass 2: "_" between a lowercase letter and an uppercase one.
  std::string b;
  for (size_t i = 0; i < a.size(); ++i) {
    if (i > 0 && is_lower(a[i - 1]) && is_upper(a[i])) b += '_';
    b += a[i];
  }
  std::transform(b.begin(), b.end(), b.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return b;
}

Status attach_v3_weights(const hdf5::Group& root, KerasModel* model) {
  std::vector<std::vector<KerasWeight>> per_layer;
  TFPORT_RETURN_IF_ERROR(collect_model(root, {}, *model, &per_layer, 0));
  for (size_t i = 0; i < model->layers.size() && i < per_layer.size(); ++i) {
    model->layers[i].weights = std::move(per_layer[i]);
    mark_trainable_weights(&model->layers[i]);
  }
  model->weights_loaded = true;
  return Status::OK();
}

}  // namespace tfport::keras
