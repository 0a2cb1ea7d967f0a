#include "graph/import.h"

namespace tfport::graph {

StatusOr<Graph> import_graph_def(const tensorflow::GraphDef& graph_def) {
  Graph g;
  for (const auto& nd : graph_def.node()) {
    Node n;
    n.name = nd.name();
    n.op = nd.op();
    n.attrs = nd.attr();
    auto added = g.add_node(std::move(n));
    if (!added.ok()) return added.status().with_context("GraphDef");
  }
  // Inputs are resolved after every node exists: GraphDefs need not be topologically sorted.
  for (int i = 0; i < graph_def.node_size(); ++i) {
    const auto& nd = graph_def.node(i);
    Node& n = g.mutable_node(i);
    for (const std::string& in : nd.input()) {
      auto t = parse_tensor_name(in);
      if (!t.ok()) return t.status().with_context("node '" + nd.name() + "' (" + nd.op() + ")");
      int src = g.find(t->node);
      if (src < 0) {
        return not_found_error("node '" + nd.name() + "' (" + nd.op() + "): input '" + in +
                               "' refers to a node that is not in the graph");
      }
      if (t->control) {
        n.control_inputs.push_back(src);
      } else {
        n.inputs.push_back(Endpoint{src, t->index});
      }
    }
  }
  g.library() = graph_def.library();
  return g;
}

}  // namespace tfport::graph
