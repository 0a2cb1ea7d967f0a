// Pass: turns every function that functional control flow calls (While/StatelessWhile cond and
// body, If/StatelessIf branches, Case branches) into a standalone graph, so the runtime can plan
// it once at load and run it as a nested plan per iteration or branch. Function calls inside a
// body are inlined like the top-level graph's; nested control flow refers to further bodies by
// name in the same table.
#pragma once

#include <string>
#include <vector>

#include "graph/graph.h"
#include "graph/op_catalog.h"

namespace tfport::graph {

struct FunctionBody {
  std::string name;
  Graph graph;                       // the body; its library is left empty
  std::vector<std::string> inputs;   // Placeholder tensors standing for the arguments, in order
  std::vector<std::string> outputs;  // tensors holding the results, in order
  // Why the body could not be built; reported only if a kernel that runs it is planned, so an
  // unusable function on an unused path does not stop a model from loading.
  Status error;
};

// Fills graph.mutable_function_bodies() with every function reachable from control-flow nodes.
Status build_function_bodies(Graph& graph, const OpCatalog& catalog);

// Names of the functions a node's attributes refer to ("body", "then_branch", "branches", ...).
std::vector<std::string> called_functions(const Node& node);

}  // namespace tfport::graph
