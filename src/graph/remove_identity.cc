#include "graph/remove_identity.h"

#include <string_view>

namespace tfport::graph {
namespace {

bool is_pass_through(std::string_view op) {
  return op == "Identity" || op == "Snapshot" || op == "StopGradient" || op == "PreventGradient";
}

bool is_ref_variable(std::string_view op) { return op == "VariableV2" || op == "Variable"; }

}  // namespace

int remove_identities(Graph& graph, const std::unordered_set<int>& keep) {
  const int n = graph.num_nodes();
  // Where each bypassed node's output really comes from, following chains of pass-throughs.
  std::vector<Endpoint> source(static_cast<size_t>(n));
  std::vector<char> bypass(static_cast<size_t>(n), 0);
  for (int id = 0; id < n; ++id) {
    const Node& node = graph.node(id);
    if (node.removed || !is_pass_through(node.op) || keep.count(id) || node.inputs.size() != 1 ||
        !node.control_inputs.empty()) {
      continue;
    }
    const Endpoint in = node.inputs[0];
    if (in.node < 0 || in.node >= n || is_ref_variable(graph.node(in.node).op)) continue;
    bypass[static_cast<size_t>(id)] = 1;
    source[static_cast<size_t>(id)] = in;
  }
  auto resolve = [&](Endpoint e) {
    // Chains are finite unless the graph has a cycle of pass-throughs; the bound guards that.
    for (int hops = 0; hops < n && e.index == 0 && bypass[static_cast<size_t>(e.node)]; ++hops) {
      e = source[static_cast<size_t>(e.node)];
    }
    return e;
  };
  // A cycle made only of pass-throughs has no source to bypass to: keep its nodes (the plan
  // then reports the cycle).
  std::vector<char> in_cycle(static_cast<size_t>(n), 0);
  for (int id = 0; id < n; ++id) {
    if (bypass[static_cast<size_t>(id)] && bypass[static_cast<size_t>(resolve(Endpoint{id, 0}).node)]) {
      in_cycle[static_cast<size_t>(id)] = 1;
    }
  }
  for (int id = 0; id < n; ++id) {
    if (in_cycle[static_cast<size_t>(id)]) bypass[static_cast<size_t>(id)] = 0;
  }
  for (int id = 0; id < n; ++id) {
    Node& node = graph.mutable_node(id);
    if (node.removed || bypass[static_cast<size_t>(id)]) continue;
    for (Endpoint& e : node.inputs) {
      if (e.node >= 0 && e.node < n) e = resolve(e);
    }
    // A control edge from a bypassed node becomes one from the node producing its value.
    for (int& c : node.control_inputs) {
      if (c >= 0 && c < n && bypass[static_cast<size_t>(c)]) c = resolve(Endpoint{c, 0}).node;
    }
  }
  int removed = 0;
  for (int id = 0; id < n; ++id) {
    if (!bypass[static_cast<size_t>(id)]) continue;
    graph.remove_node(id);
    ++removed;
  }
  return removed;
}

}  // namespace tfport::graph
