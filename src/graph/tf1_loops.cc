#include "graph/tf1_loops.h"

#include <map>
#include <memory>
#include <set>

#include "graph/function_bodies.h"

namespace tfport::graph {
namespace {

bool is_op(const Node& n, const char* a, const char* b) { return n.op == a || n.op == b; }

std::string frame_of(const Node& n) {
  auto it = n.attrs.find("frame_name");
  return it == n.attrs.end() ? std::string() : it->second.s();
}

struct LoopVar {
  int enter = -1, merge = -1, sw = -1, next = -1, exit = -1;
};

class FrameConverter {
 public:
  explicit FrameConverter(Graph& g) : g_(g) {
    consumers_.assign(static_cast<size_t>(g.num_nodes()), {});
    for (int id = 0; id < g.num_nodes(); ++id) {
      const Node& n = g.node(id);
      if (n.removed) continue;
      for (const Endpoint& e : n.inputs) consumers_[static_cast<size_t>(e.node)].push_back(id);
      for (int c : n.control_inputs) consumers_[static_cast<size_t>(c)].push_back(id);
    }
  }

  // Converts `frame` if it is innermost and well formed; returns whether it did.
  StatusOr<bool> convert(const std::string& frame, const std::vector<int>& enters, int serial) {
    // Members: everything reachable from the Enters, up to and including the Exits.
    std::set<int> members;
    std::vector<int> stack(enters.begin(), enters.end());
    while (!stack.empty()) {
      int id = stack.back();
      stack.pop_back();
      if (!members.insert(id).second) continue;
      const Node& n = g_.node(id);
      if (is_op(n, "Enter", "RefEnter") && frame_of(n) != frame) return false;  // holds an inner loop
      if (is_op(n, "Exit", "RefExit")) continue;
      for (int c : consumers_[static_cast<size_t>(id)]) stack.push_back(c);
    }
    std::vector<LoopVar> vars;
    std::vector<int> invariants;
    int loop_cond = -1;
    for (int e : enters) {
      auto it = g_.node(e).attrs.find("is_constant");
      if (it != g_.node(e).attrs.end() && it->second.b()) {
        invariants.push_back(e);
        continue;
      }
      LoopVar v;
      v.enter = e;
      for (int c : consumers_[static_cast<size_t>(e)]) {
        if (is_op(g_.node(c), "Merge", "RefMerge")) v.merge = c;
      }
      if (v.merge < 0) return false;
      for (const Endpoint& in : g_.node(v.merge).inputs) {
        if (is_op(g_.node(in.node), "NextIteration", "RefNextIteration")) v.next = in.node;
      }
      for (int c : consumers_[static_cast<size_t>(v.merge)]) {
        if (is_op(g_.node(c), "Switch", "RefSwitch")) v.sw = c;
      }
      if (v.next < 0 || v.sw < 0 || g_.node(v.sw).inputs.size() != 2 || g_.node(v.next).inputs.size() != 1) return false;
      int lc = g_.node(v.sw).inputs[1].node;
      if (g_.node(lc).op != "LoopCond" || (loop_cond >= 0 && loop_cond != lc)) return false;
      loop_cond = lc;
      for (int c : consumers_[static_cast<size_t>(v.sw)]) {
        if (is_op(g_.node(c), "Exit", "RefExit")) v.exit = c;
      }
      vars.push_back(v);
    }
    if (vars.empty() || loop_cond < 0 || g_.node(loop_cond).inputs.size() != 1) return false;

    // Arguments: loop variables, then invariants. Inside the cond a variable is its Merge
    // output; inside the body it is the Switch's true output (or the Merge output, the same value).
    std::map<std::pair<int, int>, int> arg_of;  // (node, output) -> argument index
    for (size_t i = 0; i < vars.size(); ++i) {
      arg_of[{vars[i].merge, 0}] = static_cast<int>(i);
      arg_of[{vars[i].sw, 1}] = static_cast<int>(i);
    }
    for (size_t j = 0; j < invariants.size(); ++j) arg_of[{invariants[j], 0}] = static_cast<int>(vars.size() + j);
    std::vector<int> arg_types;
    for (const LoopVar& v : vars) arg_types.push_back(type_of(v.enter));
    for (int e : invariants) arg_types.push_back(type_of(e));

    // Outside the frame only the Exits may be read (their names stay, as Identities).
    std::set<int> exits;
    for (const LoopVar& v : vars) {
      if (v.exit >= 0) exits.insert(v.exit);
    }
    for (int id = 0; id < g_.num_nodes(); ++id) {
      if (members.count(id) || g_.node(id).removed) continue;
      for (const Endpoint& in : g_.node(id).inputs) {
        if (members.count(in.node) && !exits.count(in.node)) return false;
      }
    }

    const std::string base = "__tf1_loop_" + std::to_string(serial);
    // A frame whose cond or body cannot be cut out is left as it is: if a run needs it, the
    // planner reports the cycle; if not, it costs nothing.
    auto cond = extract(base + "_cond", {g_.node(loop_cond).inputs[0]}, arg_of, arg_types, members);
    if (!cond.ok()) return false;
    std::vector<Endpoint> results;
    for (const LoopVar& v : vars) results.push_back(g_.node(v.next).inputs[0]);
    auto body = extract(base + "_body", results, arg_of, arg_types, members);
    if (!body.ok()) return false;
    // Invariants pass through the body unchanged.
    for (size_t j = 0; j < invariants.size(); ++j) (*body)->outputs.push_back((*body)->inputs[vars.size() + j]);
    g_.mutable_function_bodies()[base + "_cond"] = std::move(*cond);
    g_.mutable_function_bodies()[base + "_body"] = std::move(*body);

    Node w;
    w.name = g_.unique_name(frame.empty() ? base : frame + "/while");
    w.op = "While";
    tensorflow::AttrValue types;
    for (int t : arg_types) types.mutable_list()->add_type(static_cast<tensorflow::DataType>(t));
    w.attrs["T"] = types;
    w.attrs["cond"].mutable_func()->set_name(base + "_cond");
    w.attrs["body"].mutable_func()->set_name(base + "_body");
    for (const LoopVar& v : vars) w.inputs.push_back(g_.node(v.enter).inputs.at(0));
    for (int e : invariants) w.inputs.push_back(g_.node(e).inputs.at(0));
    for (int e : enters) {
      for (int c : g_.node(e).control_inputs) w.control_inputs.push_back(c);
    }
    TFPORT_ASSIGN_OR_RETURN(int wid, g_.add_node(std::move(w)));
    // Outside waiters on frame nodes wait for the While; each Exit becomes an Identity of its
    // While output, so "while/Exit:0" still names the loop's result.
    for (int id = 0; id < g_.num_nodes(); ++id) {
      if (id == wid || members.count(id) || g_.node(id).removed) continue;
      for (int& c : g_.mutable_node(id).control_inputs) {
        if (members.count(c) && !exits.count(c)) c = wid;
      }
    }
    for (int id : members) {
      if (!exits.count(id)) g_.remove_node(id);
    }
    for (size_t i = 0; i < vars.size(); ++i) {
      if (vars[i].exit < 0) continue;
      Node& x = g_.mutable_node(vars[i].exit);
      x.op = "Identity";
      x.inputs = {Endpoint{wid, static_cast<int>(i)}};
      x.control_inputs.clear();
      tensorflow::AttrValue t = x.attrs["T"];
      x.attrs.clear();
      x.attrs["T"] = t;
    }
    return true;
  }

 private:
  int type_of(int enter) const {
    auto it = g_.node(enter).attrs.find("T");
    return it == g_.node(enter).attrs.end() ? 0 : static_cast<int>(it->second.type());
  }

  // A standalone graph computing `results` from the arguments: the frame nodes they need are
  // copied, arguments become Placeholders "_arg_i".
  StatusOr<std::shared_ptr<FunctionBody>> extract(const std::string& name, const std::vector<Endpoint>& results,
                                                  const std::map<std::pair<int, int>, int>& arg_of,
                                                  const std::vector<int>& arg_types, const std::set<int>& members) {
    auto body = std::make_shared<FunctionBody>();
    body->name = name;
    Graph& out = body->graph;
    for (size_t i = 0; i < arg_types.size(); ++i) {
      Node p;
      p.name = "_arg_" + std::to_string(i);
      p.op = "Placeholder";
      p.attrs["dtype"].set_type(static_cast<tensorflow::DataType>(arg_types[i]));
      TFPORT_RETURN_IF_ERROR(out.add_node(std::move(p)).status());
      body->inputs.push_back("_arg_" + std::to_string(i) + ":0");
    }
    // Nodes needed, found backwards from the results without crossing arguments.
    std::set<int> needed;
    std::vector<int> stack;
    auto visit = [&](Endpoint e) {
      if (arg_of.count({e.node, e.index})) return;
      stack.push_back(e.node);
    };
    for (const Endpoint& r : results) visit(r);
    while (!stack.empty()) {
      int id = stack.back();
      stack.pop_back();
      if (!needed.insert(id).second) continue;
      const Node& n = g_.node(id);
      if (!members.count(id)) return invalid_argument_error("node '" + n.name + "' is used inside the loop but lies outside it");
      if (is_op(n, "Merge", "RefMerge") || is_op(n, "Enter", "RefEnter") || n.op == "LoopCond" ||
          is_op(n, "NextIteration", "RefNextIteration")) {
        return invalid_argument_error("node '" + n.name + "' (" + n.op + ") is reached in an unexpected place");
      }
      for (const Endpoint& e : n.inputs) visit(e);
      for (int c : n.control_inputs) {
        if (members.count(c) && !arg_of.count({c, 0}) && !arg_of.count({c, 1}) && g_.node(c).op != "Switch") stack.push_back(c);
      }
    }
    std::map<int, int> copy_of;
    for (int id : needed) {
      Node n = g_.node(id);
      n.inputs.clear();
      n.control_inputs.clear();
      TFPORT_ASSIGN_OR_RETURN(int nid, out.add_node(std::move(n)));
      copy_of[id] = nid;
    }
    auto map_ep = [&](Endpoint e) -> Endpoint {
      if (auto a = arg_of.find({e.node, e.index}); a != arg_of.end()) return Endpoint{a->second, 0};
      return Endpoint{copy_of.at(e.node), e.index};
    };
    for (int id : needed) {
      Node& n = out.mutable_node(copy_of[id]);
      for (const Endpoint& e : g_.node(id).inputs) n.inputs.push_back(map_ep(e));
      for (int c : g_.node(id).control_inputs) {
        if (auto it = copy_of.find(c); it != copy_of.end()) n.control_inputs.push_back(it->second);
      }
    }
    for (const Endpoint& r : results) body->outputs.push_back(tensor_name(out, map_ep(r)));
    return body;
  }

  Graph& g_;
  std::vector<std::vector<int>> consumers_;
};

}  // namespace

Status convert_tf1_loops(Graph& graph) {
  int serial = 0;
  // Each pass converts the innermost frames; an outer frame becomes convertible once its inner
  // loops are While nodes.
  for (int pass = 0; pass < 64; ++pass) {
    std::map<std::string, std::vector<int>> frames;
    for (int id = 0; id < graph.num_nodes(); ++id) {
      const Node& n = graph.node(id);
      if (!n.removed && is_op(n, "Enter", "RefEnter")) frames[frame_of(n)].push_back(id);
    }
    if (frames.empty()) break;
    bool progress = false;
    for (const auto& [frame, enters] : frames) {
      FrameConverter converter(graph);  // consumers change as frames are replaced
      TFPORT_ASSIGN_OR_RETURN(bool done, converter.convert(frame, enters, serial));
      if (done) {
        ++serial;
        progress = true;
      }
    }
    graph.compact();
    if (!progress) break;
  }
  return Status::OK();
}

}  // namespace tfport::graph
