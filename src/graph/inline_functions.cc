#include "graph/inline_functions.h"

#include <unordered_map>

namespace tfport::graph {
namespace {

const tensorflow::FunctionDef* find_function(const tensorflow::FunctionDefLibrary& lib, std::string_view name) {
  for (const auto& f : lib.function()) {
    if (f.signature().name() == name) return &f;
  }
  return nullptr;
}

// The function a node calls, or nullptr when it is not a call.
const tensorflow::FunctionDef* callee(const Graph& g, const Node& n) {
  if (n.op == "PartitionedCall" || n.op == "StatefulPartitionedCall") {
    auto it = n.attrs.find("f");
    if (it == n.attrs.end()) return nullptr;
    return find_function(g.library(), it->second.func().name());
  }
  return find_function(g.library(), n.op);
}

// Direct calls pass attributes that the body refers to as placeholders ("$T").
void substitute_placeholders(AttrMap& attrs, const AttrMap& caller) {
  for (auto& [name, value] : attrs) {
    if (value.value_case() != tensorflow::AttrValue::kPlaceholder) continue;
    auto it = caller.find(value.placeholder());
    if (it != caller.end()) value = it->second;
  }
}

class Inliner {
 public:
  Inliner(Graph& g, const OpCatalog& catalog) : g_(g), catalog_(catalog) {}

  Status inline_call(int call_id, const tensorflow::FunctionDef& f) {
    const std::string call_name = g_.node(call_id).name;
    const std::string where = "node '" + call_name + "' calling function '" + f.signature().name() + "'";
    const Node call = g_.node(call_id);  // copy: the node vector grows below
    const auto& sig = f.signature();
    if (static_cast<int>(call.inputs.size()) != sig.input_arg_size()) {
      return invalid_argument_error(where + ": " + std::to_string(call.inputs.size()) + " inputs given, the function takes " +
                                    std::to_string(sig.input_arg_size()));
    }
    std::unordered_map<std::string, Endpoint> args;
    for (int i = 0; i < sig.input_arg_size(); ++i) args[sig.input_arg(i).name()] = call.inputs[static_cast<size_t>(i)];

    // Pass 1: create the body nodes so references between them can be resolved in any order.
    std::unordered_map<std::string, int> body;
    for (const auto& nd : f.node_def()) {
      Node n;
      n.name = g_.unique_name(call_name + "/" + nd.name());
      n.op = nd.op();
      n.attrs = nd.attr();
      substitute_placeholders(n.attrs.mutable_map(), call.attrs);
      n.control_inputs = call.control_inputs;
      auto id = g_.add_node(std::move(n));
      if (!id.ok()) return id.status().with_context(where);
      body[nd.name()] = *id;
    }
    // Pass 2: wire inputs.
    for (const auto& nd : f.node_def()) {
      int id = body[nd.name()];
      for (const std::string& in : nd.input()) {
        if (!in.empty() && in[0] == '^') {
          auto it = body.find(in.substr(1));
          if (it == body.end()) return not_found_error(where + ": control input '" + in + "' of '" + nd.name() + "' is not in the body");
          g_.mutable_node(id).control_inputs.push_back(it->second);
          continue;
        }
        auto e = resolve(in, args, body);
        if (!e.ok()) return e.status().with_context(where + ", body node '" + nd.name() + "'");
        g_.mutable_node(id).inputs.push_back(*e);
      }
    }
    // The call node becomes an IdentityN over the results.
    Node& out = g_.mutable_node(call_id);
    out.op = "IdentityN";
    out.inputs.clear();
    out.control_inputs.clear();
    tensorflow::AttrValue types;
    for (const auto& arg : sig.output_arg()) {
      auto it = f.ret().find(arg.name());
      if (it == f.ret().end()) return not_found_error(where + ": no return value for output '" + arg.name() + "'");
      auto e = resolve(it->second, args, body);
      if (!e.ok()) return e.status().with_context(where + ", return value '" + arg.name() + "'");
      g_.mutable_node(call_id).inputs.push_back(*e);
      types.mutable_list()->add_type(arg.type());
    }
    for (const auto& [name, node_name] : f.control_ret()) {
      auto it = body.find(node_name);
      if (it != body.end()) g_.mutable_node(call_id).control_inputs.push_back(it->second);
    }
    AttrMap attrs;
    attrs["T"] = types;
    g_.mutable_node(call_id).attrs = std::move(attrs);
    return Status::OK();
  }

 private:
  // "arg", "arg:i", "node:out", "node:out:i" inside a function body.
  StatusOr<Endpoint> resolve(const std::string& ref, const std::unordered_map<std::string, Endpoint>& args,
                             const std::unordered_map<std::string, int>& body) {
    size_t c1 = ref.find(':');
    std::string first = ref.substr(0, c1);
    if (auto a = args.find(first); a != args.end()) {
      if (c1 == std::string::npos || ref.substr(c1 + 1) == "0") return a->second;
      return unimplemented_error("reference '" + ref + "' into a list argument");
    }
    auto b = body.find(first);
    if (b == body.end()) return not_found_error("'" + ref + "' names neither an argument nor a body node");
    if (c1 == std::string::npos) return Endpoint{b->second, 0};
    size_t c2 = ref.find(':', c1 + 1);
    std::string out = ref.substr(c1 + 1, c2 == std::string::npos ? std::string::npos : c2 - c1 - 1);
    int element = 0;
    if (c2 != std::string::npos) {
      auto parsed = parse_tensor_name("x:" + ref.substr(c2 + 1));
      if (!parsed.ok()) return invalid_argument_error("bad element index in '" + ref + "'");
      element = parsed->index;
    }
    const Node& n = g_.node(b->second);
    const std::string op = n.op;
    auto index = catalog_.output_index(op, n.attrs, out, element);
    if (!index.ok()) return index.status().with_context("reference '" + ref + "'");
    return Endpoint{b->second, *index};
  }

  Graph& g_;
  const OpCatalog& catalog_;
};

}  // namespace

Status inline_functions(Graph& graph, const OpCatalog& catalog, const InlineOptions& options) {
  Inliner inliner(graph, catalog);
  int inlined = 0;
  // Bodies may contain calls themselves; newly added nodes are visited as the loop reaches them.
  for (int id = 0; id < graph.num_nodes(); ++id) {
    if (graph.node(id).removed) continue;
    const tensorflow::FunctionDef* f = callee(graph, graph.node(id));
    if (f == nullptr) continue;
    if (++inlined > options.max_inlined_calls) {
      return resource_exhausted_error("more than " + std::to_string(options.max_inlined_calls) +
                                      " function calls to inline (recursive functions?)");
    }
    TFPORT_RETURN_IF_ERROR(inliner.inline_call(id, *f));
  }
  return Status::OK();
}

}  // namespace tfport::graph
