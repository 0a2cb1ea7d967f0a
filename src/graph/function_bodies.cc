#include "graph/function_bodies.h"

#include <deque>
#include <memory>
#include <set>

#include "graph/inline_functions.h"

namespace tfport::graph {
namespace {

const tensorflow::FunctionDef* find_function(const tensorflow::FunctionDefLibrary& lib, std::string_view name) {
  for (const auto& f : lib.function()) {
    if (f.signature().name() == name) return &f;
  }
  return nullptr;
}

// `library` is lent to the body graph while its calls are inlined and handed back after, so
// no body carries (or copies) the whole library.
StatusOr<std::shared_ptr<FunctionBody>> build_body(const tensorflow::FunctionDef& f,
                                                   tensorflow::FunctionDefLibrary& library,
                                                   const OpCatalog& catalog) {
  auto body = std::make_shared<FunctionBody>();
  body->name = f.signature().name();
  Graph& g = body->graph;
  struct Lend {
    tensorflow::FunctionDefLibrary& from;
    tensorflow::FunctionDefLibrary& to;
    Lend(tensorflow::FunctionDefLibrary& a, tensorflow::FunctionDefLibrary& b) : from(a), to(b) { to.Swap(&from); }
    ~Lend() { to.Swap(&from); }
  } lend(library, g.library());
  Node call;
  call.name = "_call";
  call.op = body->name;  // a direct call, which the inliner expands into the body's nodes
  for (int i = 0; i < f.signature().input_arg_size(); ++i) {
    Node arg;
    arg.name = "_arg_" + std::to_string(i);
    arg.op = "Placeholder";
    arg.attrs["dtype"].set_type(f.signature().input_arg(i).type());
    TFPORT_ASSIGN_OR_RETURN(int id, g.add_node(std::move(arg)));
    call.inputs.push_back(Endpoint{id, 0});
    body->inputs.push_back("_arg_" + std::to_string(i) + ":0");
  }
  TFPORT_RETURN_IF_ERROR(g.add_node(std::move(call)).status());
  for (int i = 0; i < f.signature().output_arg_size(); ++i) body->outputs.push_back("_call:" + std::to_string(i));
  TFPORT_RETURN_IF_ERROR(inline_functions(g, catalog));
  return body;
}

}  // namespace

std::vector<std::string> called_functions(const Node& node) {
  std::vector<std::string> names;
  for (const auto& [key, value] : node.attrs) {
    if (value.has_func()) names.push_back(value.func().name());
    if (value.has_list()) {
      for (const auto& f : value.list().func()) names.push_back(f.name());
    }
  }
  return names;
}

Status build_function_bodies(Graph& graph, const OpCatalog& catalog) {
  std::deque<std::string> todo;
  std::set<std::string> seen;
  auto scan = [&](const Graph& g) {
    for (int id = 0; id < g.num_nodes(); ++id) {
      const Node& n = g.node(id);
      if (n.removed) continue;
      for (std::string& name : called_functions(n)) {
        if (seen.insert(name).second) todo.push_back(std::move(name));
      }
    }
  };
  scan(graph);
  auto& table = graph.mutable_function_bodies();
  while (!todo.empty()) {
    std::string name = std::move(todo.front());
    todo.pop_front();
    const tensorflow::FunctionDef* found = find_function(graph.library(), name);
    if (found == nullptr) continue;  // not every func attr names a library function (e.g. gradients)
    const tensorflow::FunctionDef f = *found;  // the library is lent out while the body is built
    auto body = build_body(f, graph.library(), catalog);
    if (!body.ok()) {
      auto failed = std::make_shared<FunctionBody>();
      failed->name = name;
      failed->error = body.status().with_context("function '" + name + "'");
      table[name] = std::move(failed);
      continue;
    }
    scan((*body)->graph);
    table[name] = std::move(*body);
  }
  return Status::OK();
}

}  // namespace tfport::graph
