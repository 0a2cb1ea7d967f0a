// What the graph layer must know about ops without running them: the output argument lists
// that turn a function body's "node:out:i" references into flat output indices. Built from a
// MetaGraphDef's stripped_op_list (it lists every op the graph and its functions use) plus the
// signatures of the library's functions.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>

#include "graph/graph.h"
#include "tfport/tf/op_def.pb.h"

namespace tfport::graph {

class OpCatalog {
 public:
  void add(const tensorflow::OpDef& op);
  void add_all(const tensorflow::OpList& ops);
  void add_functions(const tensorflow::FunctionDefLibrary& library);
  const tensorflow::OpDef* find(std::string_view op) const;

  // Flat index of element `element` of output argument `arg` of a node of `op` with `attrs`.
  StatusOr<int> output_index(std::string_view op, const AttrMap& attrs, std::string_view arg, int element) const;

 private:
  std::unordered_map<std::string, tensorflow::OpDef> ops_;
};

// Number of tensors an argument stands for: N for number_attr, the list length for
// type_list_attr, else 1.
StatusOr<int> arg_length(const tensorflow::OpDef::ArgDef& arg, const AttrMap& attrs);

}  // namespace tfport::graph
