// Small hand-built graphs for the plan-pass tests: a builder adding placeholders, constants and
// ops by name, and a runner comparing a plan built with and without the passes.
#pragma once

#include <string>
#include <vector>

#include "graph/graph.h"
#include "runtime/plan.h"
#include "tfport/tensor.h"

namespace tfport::runtime::testing {

class GraphBuilder {
 public:
  graph::Graph& graph() { return g_; }
  // A float Placeholder with the given static shape (-1 unknown).
  std::string placeholder(const std::string& name, std::vector<int64_t> shape);
  std::string constant(const std::string& name, const Tensor& value);
  // An op with attribute T = float unless `attrs` sets it; inputs are tensor names.
  std::string op(const std::string& name, const std::string& op, std::vector<std::string> inputs,
                 graph::AttrMap attrs = {}, std::vector<std::string> control = {});

 private:
  graph::Graph g_;
};

// Attributes of an NHWC 2-D convolution (stride s, padding p).
graph::AttrMap conv_attrs(int64_t stride, const std::string& padding);

// Runs `fetches` of `g` feeding `feeds` to `names`, with the passes on or off.
StatusOr<std::vector<Tensor>> run_graph(const graph::Graph& g, const std::vector<std::string>& names,
                                        const std::vector<Tensor>& feeds, const std::vector<std::string>& fetches,
                                        bool optimize);

// Max |a - b| / (atol + rtol |b|) over the elements; <= 1 means within tolerance.
double tolerance_ratio(const Tensor& a, const Tensor& b, double rtol = 1e-4, double atol = 1e-5);

// How many live nodes of `g` run op `op`.
int count_ops(const graph::Graph& g, const std::string& op);

}  // namespace tfport::runtime::testing
