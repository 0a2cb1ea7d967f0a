#include "graph/graph.h"

#include <atomic>
#include <charconv>
#include <iterator>

namespace tfport::graph {

NodeAttrs::NodeAttrs(const AttrMap& map) {
  if (!map.empty()) map_ = std::make_shared<AttrMap>(map);
}

NodeAttrs& NodeAttrs::operator=(const AttrMap& map) {
  if (map_ && &map == map_.get()) return *this;
  if (map.empty()) map_.reset();
  else map_ = std::make_shared<AttrMap>(map);
  return *this;
}

const AttrMap& NodeAttrs::empty_map() {
  static const AttrMap* empty = new AttrMap();  // never destroyed: read from static dtors too
  return *empty;
}

AttrMap& NodeAttrs::mutable_map() {
  if (!map_) {
    map_ = std::make_shared<AttrMap>();
  } else if (map_.use_count() != 1) {
    map_ = std::make_shared<AttrMap>(*map_);
  } else {
    // The other owners are gone; their reads of the map happened before their release of it,
    // which this fence pairs with before the map is written in place.
    std::atomic_thread_fence(std::memory_order_acquire);
  }
  return *map_;
}

size_t NodeAttrs::erase(const std::string& key) {
  if (!map_ || !map_->contains(key)) return 0;
  return mutable_map().erase(key);
}

void Graph::reserve(int n) {
  if (n <= 0) return;
  nodes_.reserve(static_cast<size_t>(n));
  by_name_.reserve(static_cast<size_t>(n));
}

StatusOr<int> Graph::add_node(Node node) {
  if (node.name.empty()) return invalid_argument_error("a node of op '" + node.op + "' has no name");
  const int id = num_nodes();
  if (!by_name_.emplace(node.name, id).second) return invalid_argument_error("duplicate node name '" + node.name + "'");
  nodes_.push_back(std::move(node));
  return id;
}

StatusOr<int> Graph::add_node_unique(Node node) {
  if (node.name.empty()) return invalid_argument_error("a node of op '" + node.op + "' has no name");
  const int id = num_nodes();
  if (!by_name_.emplace(node.name, id).second) {
    node.name = unique_name(node.name);
    by_name_.emplace(node.name, id);
  }
  nodes_.push_back(std::move(node));
  return id;
}

int Graph::find(std::string_view name) const {
  auto it = by_name_.find(std::string(name));
  return it == by_name_.end() ? -1 : it->second;
}

void Graph::remove_node(int id) {
  Node& n = mutable_node(id);
  if (n.removed) return;
  by_name_.erase(n.name);
  n.removed = true;
  n.inputs.clear();
  n.control_inputs.clear();
}

StatusOr<Endpoint> Graph::resolve(std::string_view text) const {
  TFPORT_ASSIGN_OR_RETURN(TensorName t, parse_tensor_name(text));
  int id = find(t.node);
  if (id < 0) return not_found_error("no node named '" + t.node + "' (from tensor '" + std::string(text) + "')");
  return Endpoint{id, t.index};
}

std::string Graph::unique_name(std::string_view base) const {
  std::string name(base);
  for (int i = 1; by_name_.count(name); ++i) name = std::string(base) + "_" + std::to_string(i);
  return name;
}

void Graph::compact() {
  std::vector<int> remap(nodes_.size(), -1);
  std::vector<Node> kept;
  kept.reserve(nodes_.size());
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i].removed) continue;
    remap[i] = static_cast<int>(kept.size());
    kept.push_back(std::move(nodes_[i]));
  }
  // Live names keep their entries (remove_node dropped the others); only their ids move.
  for (auto it = by_name_.begin(); it != by_name_.end();) {
    it->second = remap[static_cast<size_t>(it->second)];
    it = it->second < 0 ? by_name_.erase(it) : std::next(it);
  }
  for (size_t i = 0; i < kept.size(); ++i) {
    Node& n = kept[i];
    for (Endpoint& e : n.inputs) e.node = e.node >= 0 ? remap[static_cast<size_t>(e.node)] : -1;
    std::vector<int> controls;
    for (int c : n.control_inputs) {
      if (c >= 0 && remap[static_cast<size_t>(c)] >= 0) controls.push_back(remap[static_cast<size_t>(c)]);
    }
    n.control_inputs = std::move(controls);
  }
  nodes_ = std::move(kept);
}

StatusOr<TensorName> parse_tensor_name(std::string_view text) {
  TensorName t;
  if (!text.empty() && text.front() == '^') {
    t.control = true;
    text.remove_prefix(1);
  }
  size_t colon = text.rfind(':');
  if (colon != std::string_view::npos && !t.control) {
    std::string_view digits = text.substr(colon + 1);
    int index = 0;
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
    if (digits.empty() || ec != std::errc() || ptr != digits.data() + digits.size() || index < 0) {
      return invalid_argument_error("bad tensor name '" + std::string(text) + "': expected 'node:index'");
    }
    t.index = index;
    text = text.substr(0, colon);
  }
  if (text.empty()) return invalid_argument_error("empty node name in a tensor reference");
  t.node = std::string(text);
  return t;
}

std::string tensor_name(const Graph& graph, Endpoint e) {
  if (e.node < 0 || e.node >= graph.num_nodes()) return "<invalid>";
  return graph.node(e.node).name + ":" + std::to_string(e.index);
}

}  // namespace tfport::graph
