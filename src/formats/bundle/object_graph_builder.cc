// object_graph_for_keys: the object graph TF2 checkpoints carry, rebuilt from their keys, so a
// checkpoint written by tfport restores with tf.train.Checkpoint (which walks this graph) and
// not only with name-based savers.
#include <map>

#include "tfport/checkpoint_writer.h"

namespace tfport {
namespace {

constexpr std::string_view kAttributes = "/.ATTRIBUTES/";

// trackable_utils.escape_local_name reversed: ".S" -> '/', ".." -> '.'.
std::string unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '.' && i + 1 < s.size() && (s[i + 1] == 'S' || s[i + 1] == '.')) {
      out += s[i + 1] == 'S' ? '/' : '.';
      ++i;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    parts.emplace_back(path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return parts;
}

}  // namespace

tensorflow::TrackableObjectGraph object_graph_for_keys(const std::vector<std::string>& keys) {
  tensorflow::TrackableObjectGraph graph;
  graph.add_nodes();  // the root
  std::map<std::pair<int, std::string>, int> children;
  auto child_of = [&](int parent, const std::string& name) {
    auto [it, fresh] = children.try_emplace({parent, name}, graph.nodes_size());
    if (fresh) {
      auto* ref = graph.mutable_nodes(parent)->add_children();
      ref->set_node_id(it->second);
      ref->set_local_name(name);
      graph.add_nodes();
    }
    return it->second;
  };
  for (const std::string& key : keys) {
    if (key.empty() || key == kObjectGraphKey) continue;
    const size_t at = key.find(kAttributes);
    int node = 0;
    std::string attribute = "VARIABLE_VALUE";
    std::string full_name = key;
    if (at == std::string::npos) {
      node = child_of(0, key);
    } else {
      for (const std::string& part : split_path(std::string_view(key).substr(0, at))) node = child_of(node, part);
      attribute = key.substr(at + kAttributes.size());
      full_name = unescape(key.substr(0, at));
    }
    auto* tensor = graph.mutable_nodes(node)->add_attributes();
    tensor->set_name(attribute);
    tensor->set_full_name(full_name);
    tensor->set_checkpoint_key(key);
  }
  graph.mutable_nodes(0)->mutable_has_checkpoint_values()->set_value(true);
  return graph;
}

}  // namespace tfport
