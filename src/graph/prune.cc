#include "graph/prune.h"

namespace tfport::graph {

void prune_to(Graph& graph, const std::vector<int>& keep_roots) {
  std::vector<char> keep(static_cast<size_t>(graph.num_nodes()), 0);
  std::vector<int> stack;
  for (int r : keep_roots) {
    if (r >= 0 && r < graph.num_nodes() && !keep[static_cast<size_t>(r)]) {
      keep[static_cast<size_t>(r)] = 1;
      stack.push_back(r);
    }
  }
  while (!stack.empty()) {
    int id = stack.back();
    stack.pop_back();
    const Node& n = graph.node(id);
    auto visit = [&](int src) {
      if (src >= 0 && !keep[static_cast<size_t>(src)]) {
        keep[static_cast<size_t>(src)] = 1;
        stack.push_back(src);
      }
    };
    for (const Endpoint& e : n.inputs) visit(e.node);
    for (int c : n.control_inputs) visit(c);
  }
  for (int id = 0; id < graph.num_nodes(); ++id) {
    if (!keep[static_cast<size_t>(id)]) graph.remove_node(id);
  }
  graph.compact();
}

}  // namespace tfport::graph
