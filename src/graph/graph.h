// tfport's one graph IR. Every format becomes this: GraphDefs and SavedModel graphs are
// imported node for node (functions inlined by a pass), Keras models are lowered to the same
// TensorFlow ops. Nodes keep TensorFlow op names and NodeDef attributes, so kernels read their
// configuration one way whatever the source format was.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tfport/status.h"
#include "tfport/tensor.h"
#include "tfport/tf/attr_value.pb.h"
#include "tfport/tf/function.pb.h"

namespace tfport::graph {

using AttrMap = google::protobuf::Map<std::string, tensorflow::AttrValue>;

// A node's attributes, shared by copies of the node until one of them changes (copy on
// write): the planner copies the graph it optimizes, and most nodes pass through its passes
// unchanged, so their attributes need not be copied. Reads look like a const AttrMap's;
// operator[], erase and clear give the node its own map first.
class NodeAttrs {
 public:
  NodeAttrs() = default;
  NodeAttrs(const AttrMap& map);  // NOLINT(google-explicit-constructor): assignable from a NodeDef's attr()
  NodeAttrs& operator=(const AttrMap& map);

  const AttrMap& map() const { return map_ ? *map_ : empty_map(); }
  operator const AttrMap&() const { return map(); }  // NOLINT(google-explicit-constructor)

  template <typename K>
  AttrMap::const_iterator find(const K& key) const {
    return map().find(key);
  }
  template <typename K>
  size_t count(const K& key) const {
    return map().count(key);
  }
  template <typename K>
  bool contains(const K& key) const {
    return map().contains(key);
  }
  template <typename K>
  const tensorflow::AttrValue& at(const K& key) const {
    return map().at(key);
  }
  AttrMap::const_iterator begin() const { return map().begin(); }
  AttrMap::const_iterator end() const { return map().end(); }
  size_t size() const { return map_ ? map_->size() : 0; }
  bool empty() const { return size() == 0; }

  // This node's own map, copied first when other nodes share it.
  AttrMap& mutable_map();
  tensorflow::AttrValue& operator[](const std::string& key) { return mutable_map()[key]; }
  size_t erase(const std::string& key);
  void clear() { map_.reset(); }

 private:
  static const AttrMap& empty_map();
  std::shared_ptr<AttrMap> map_;  // null when there are no attributes
};

// Output `index` of node `node`.
struct Endpoint {
  int node = -1;
  int index = 0;
  bool operator==(const Endpoint&) const = default;
};

struct Node {
  std::string name;
  std::string op;
  NodeAttrs attrs;
  std::vector<Endpoint> inputs;     // data inputs, in order
  std::vector<int> control_inputs;  // nodes that must run first
  bool removed = false;             // tombstone; compact() drops it
  // A Const's value held as a tensor (lowered Keras weights, folded constants), so weights are
  // neither copied into a TensorProto nor decoded again, and copying the graph shares them.
  // When valid it is the node's value and attrs["value"] is absent (runtime/passes/pass_util.h
  // const_value() reads either form).
  Tensor value;
};

struct FunctionBody;  // graph/function_bodies.h

class Graph {
 public:
  // Function bodies planned as nested plans by control-flow kernels (While, If, Case), filled
  // by build_function_bodies; copies of the graph share them.
  using FunctionBodies = std::map<std::string, std::shared_ptr<const FunctionBody>, std::less<>>;
  const FunctionBodies& function_bodies() const { return function_bodies_; }
  FunctionBodies& mutable_function_bodies() { return function_bodies_; }

  int num_nodes() const { return static_cast<int>(nodes_.size()); }
  const Node& node(int id) const { return nodes_[static_cast<size_t>(id)]; }
  Node& mutable_node(int id) { return nodes_[static_cast<size_t>(id)]; }

  // Room for `n` nodes, so building a graph of known size does not regrow its tables.
  void reserve(int n);
  // Adds a node; its name must be unique among live nodes.
  StatusOr<int> add_node(Node node);
  // Adds a node, renaming it as unique_name would when its name is taken; one name lookup
  // where unique_name + add_node take two.
  StatusOr<int> add_node_unique(Node node);
  // Id of the live node called `name`, or -1.
  int find(std::string_view name) const;
  // Marks a node removed and frees its name (inputs pointing at it must be rewired first).
  void remove_node(int id);

  // Resolves "name", "name:k" (and "^name" as a control reference, see parse_tensor_name).
  StatusOr<Endpoint> resolve(std::string_view tensor_name) const;

  // Function definitions the graph's call nodes refer to.
  tensorflow::FunctionDefLibrary& library() { return library_; }
  const tensorflow::FunctionDefLibrary& library() const { return library_; }

  // A name not yet used, built from `base`.
  std::string unique_name(std::string_view base) const;

  // Drops removed nodes and renumbers; endpoints are remapped.
  void compact();

 private:
  std::vector<Node> nodes_;
  std::unordered_map<std::string, int> by_name_;
  tensorflow::FunctionDefLibrary library_;
  FunctionBodies function_bodies_;
};

struct TensorName {
  std::string node;
  int index = 0;
  bool control = false;
};
// "x" -> {x,0}; "x:1" -> {x,1}; "^x" -> {x,0,control}. Fails on empty names and bad indices.
StatusOr<TensorName> parse_tensor_name(std::string_view text);

// "name:index" as TensorFlow prints it.
std::string tensor_name(const Graph& graph, Endpoint e);

}  // namespace tfport::graph
