#include "graph/export_graph_def.h"

namespace tfport::graph {

tensorflow::GraphDef export_graph_def(const Graph& graph, bool include_library) {
  tensorflow::GraphDef out;
  for (int id = 0; id < graph.num_nodes(); ++id) {
    const Node& n = graph.node(id);
    if (n.removed) continue;
    tensorflow::NodeDef* nd = out.add_node();
    nd->set_name(n.name);
    nd->set_op(n.op);
    for (const Endpoint& e : n.inputs) {
      const std::string& src = graph.node(e.node).name;
      nd->add_input(e.index == 0 ? src : src + ":" + std::to_string(e.index));
    }
    for (int c : n.control_inputs) nd->add_input("^" + graph.node(c).name);
    *nd->mutable_attr() = n.attrs;
  }
  if (include_library) *out.mutable_library() = graph.library();
  return out;
}

}  // namespace tfport::graph
