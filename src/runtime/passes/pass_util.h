// Helpers shared by the plan-time graph passes: who reads each output, reading and writing
// Const values, and the protected set (nodes a caller names, which passes must keep).
#pragma once

#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "graph/graph.h"
#include "tfport/status.h"
#include "tfport/tensor.h"

namespace tfport::runtime::passes {

struct Use {
  int node = -1;
  int input = 0;  // position in the consumer's data inputs
};

// Data consumers of every node (any output), and how many nodes list it as a control input.
struct Consumers {
  std::vector<std::vector<Use>> data;
  std::vector<int> control;

  explicit Consumers(const graph::Graph& g);
  // True when the only reader of `id` is one data input of one node (returned in *use).
  bool single_data_use(int id, Use* use) const;

  // The inputs of a node before a pass rewrites or removes it, for update().
  struct Before {
    int node = -1;
    std::vector<graph::Endpoint> inputs;
    std::vector<int> control_inputs;
  };
  static Before before(const graph::Graph& g, int id);
  // Brings the lists up to date for one node that was rewritten or removed since `before`,
  // and for nodes added since; far cheaper than rebuilding after every rewrite of a pass.
  void update(const graph::Graph& g, const Before& before);
};

bool is_const(const graph::Graph& g, int id);
// The value of a Const node (decoded from its `value` attribute).
StatusOr<Tensor> const_value(const graph::Node& node);
// The shape of a Const's value without decoding it; false when `node` is no valid Const.
bool const_shape(const graph::Node& node, Shape* shape);
// A new Const node named after `base` holding `value`; returns its id.
StatusOr<int> add_const(graph::Graph& g, std::string_view base, const Tensor& value);
// Turns node `id` into a Const holding `value` (inputs dropped).
Status make_const(graph::Graph& g, int id, const Tensor& value);

// The float32 `T` attribute check most fusions need.
bool is_float_op(const graph::Node& node);

}  // namespace tfport::runtime::passes
