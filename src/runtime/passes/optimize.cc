#include "runtime/passes/optimize.h"

#include <algorithm>
#include <unordered_set>

#include "core/load_trace.h"
#include "graph/remove_identity.h"
#include "runtime/passes/fold_constants.h"
#include "runtime/passes/fold_into_conv.h"
#include "runtime/passes/fold_pad.h"
#include "runtime/passes/fuse_activation.h"

namespace tfport::runtime::passes {
namespace {

using graph::Graph;

struct Named {
  std::unordered_set<int> keep, fed;
  std::vector<int> roots;
};

// Node ids of the names the caller uses; false when one does not resolve.
bool resolve_names(const Graph& g, const std::vector<std::string>& feeds, const std::vector<std::string>& fetches,
                   const std::vector<std::string>& targets, Named* named) {
  for (const std::string& f : feeds) {
    auto e = g.resolve(f);
    if (!e.ok()) return false;
    named->keep.insert(e->node);
    named->fed.insert(e->node);
  }
  for (const std::string& f : fetches) {
    auto e = g.resolve(f);
    if (!e.ok()) return false;
    named->keep.insert(e->node);
    named->roots.push_back(e->node);
  }
  for (const std::string& t : targets) {
    const int id = g.find(t);
    if (id < 0) return false;
    named->keep.insert(id);
    named->roots.push_back(id);
  }
  return true;
}

// A new graph holding only what `roots` need, not looking past fed nodes (which are copied
// without inputs: they never run).
StatusOr<Graph> extract_needed(const Graph& g, const Named& named) {
  const int n = g.num_nodes();
  std::vector<char> needed(static_cast<size_t>(n), 0);
  std::vector<int> stack;
  auto visit = [&](int id) {
    if (id >= 0 && id < n && !needed[static_cast<size_t>(id)]) {
      needed[static_cast<size_t>(id)] = 1;
      stack.push_back(id);
    }
  };
  for (int r : named.roots) visit(r);
  for (int f : named.fed) visit(f);
  while (!stack.empty()) {
    const int id = stack.back();
    stack.pop_back();
    if (named.fed.count(id)) continue;
    for (const graph::Endpoint& e : g.node(id).inputs) visit(e.node);
    for (int c : g.node(id).control_inputs) visit(c);
  }
  // Usually every node is needed: then the graph is copied whole (its name table with it,
  // without hashing every name again) and only fed nodes lose their inputs.
  if (std::all_of(needed.begin(), needed.end(), [](char c) { return c != 0; })) {
    Graph out = g;
    for (int f : named.fed) {
      graph::Node& node = out.mutable_node(f);
      node.inputs.clear();
      node.control_inputs.clear();
    }
    return out;
  }
  std::vector<int> remap(static_cast<size_t>(n), -1);
  int next = 0;
  for (int id = 0; id < n; ++id) {
    if (needed[static_cast<size_t>(id)]) remap[static_cast<size_t>(id)] = next++;
  }
  Graph out;
  out.reserve(next);
  // Control-flow kernels plan their bodies from these; the extracted graph keeps them.
  out.library() = g.library();
  out.mutable_function_bodies() = g.function_bodies();
  for (int id = 0; id < n; ++id) {
    if (!needed[static_cast<size_t>(id)]) continue;
    const graph::Node& src = g.node(id);
    graph::Node copy;
    copy.name = src.name;
    copy.op = src.op;
    copy.attrs = src.attrs;
    copy.value = src.value;
    if (!named.fed.count(id)) {
      copy.inputs.reserve(src.inputs.size());
      for (graph::Endpoint e : src.inputs) {
        e.node = remap[static_cast<size_t>(e.node)];
        copy.inputs.push_back(e);
      }
      copy.control_inputs.reserve(src.control_inputs.size());
      for (int c : src.control_inputs) copy.control_inputs.push_back(remap[static_cast<size_t>(c)]);
    }
    TFPORT_RETURN_IF_ERROR(out.add_node(std::move(copy)).status());
  }
  return out;
}

}  // namespace

StatusOr<Graph> optimize_for_plan(const Graph& g, const std::vector<std::string>& feeds,
                                  const std::vector<std::string>& fetches, const std::vector<std::string>& targets,
                                  OptimizeStats* stats) {
  LoadTrace trace("passes");
  Named named;
  if (!resolve_names(g, feeds, fetches, targets, &named)) return g;
  TFPORT_ASSIGN_OR_RETURN(Graph out, extract_needed(g, named));
  trace.mark("extract needed");
  Named local;  // the same names in the extracted graph's ids
  if (!resolve_names(out, feeds, fetches, targets, &local)) return internal_error("extracted graph lost a name");
  OptimizeStats s;
  s.identities_removed = graph::remove_identities(out, local.keep);
  trace.mark("identities");
  TFPORT_ASSIGN_OR_RETURN(s.constants_folded, fold_constants(out, local.keep, local.fed));
  trace.mark("fold constants");
  TFPORT_ASSIGN_OR_RETURN(s.pads_folded, fold_pad(out, local.keep));
  trace.mark("fold pad");
  TFPORT_ASSIGN_OR_RETURN(s.ops_folded_into_conv, fold_into_conv(out, local.keep));
  trace.mark("fold into conv");
  TFPORT_ASSIGN_OR_RETURN(s.activations_fused, fuse_activation(out, local.keep));
  trace.mark("fuse activation");
  out.compact();
  trace.mark("compact");
  if (stats != nullptr) *stats = s;
  return out;
}

}  // namespace tfport::runtime::passes
