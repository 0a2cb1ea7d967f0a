#include "graph/op_catalog.h"

#include <vector>

namespace tfport::graph {

void OpCatalog::add(const tensorflow::OpDef& op) { ops_[op.name()] = op; }

void OpCatalog::add_all(const tensorflow::OpList& ops) {
  for (const auto& op : ops.op()) add(op);
}

void OpCatalog::add_functions(const tensorflow::FunctionDefLibrary& library) {
  for (const auto& f : library.function()) add(f.signature());
}

const tensorflow::OpDef* OpCatalog::find(std::string_view op) const {
  auto it = ops_.find(std::string(op));
  return it == ops_.end() ? nullptr : &it->second;
}

StatusOr<int> arg_length(const tensorflow::OpDef::ArgDef& arg, const AttrMap& attrs) {
  if (!arg.number_attr().empty()) {
    auto it = attrs.find(arg.number_attr());
    if (it == attrs.end()) return invalid_argument_error("missing attr '" + arg.number_attr() + "'");
    if (it->second.i() < 0 || it->second.i() > (1 << 20)) {
      return invalid_argument_error("attr '" + arg.number_attr() + "' is out of range");
    }
    return static_cast<int>(it->second.i());
  }
  if (!arg.type_list_attr().empty()) {
    auto it = attrs.find(arg.type_list_attr());
    if (it == attrs.end()) return invalid_argument_error("missing attr '" + arg.type_list_attr() + "'");
    return it->second.list().type_size();
  }
  return 1;
}

namespace {

struct BuiltinArg {
  const char* name;
  const char* length_attr;  // "" = one tensor; else a number_attr or type_list_attr name
  bool type_list;
};

// Output arguments of multi-output ops, for graphs whose stripped_op_list misses an op its
// functions use (seen in TF 2.2 exports). Ops not listed here have a single output argument.
const std::unordered_map<std::string, std::vector<BuiltinArg>>& builtin_outputs() {
  static const auto* table = new std::unordered_map<std::string, std::vector<BuiltinArg>>{
      {"FusedBatchNorm", {{"y", "", false}, {"batch_mean", "", false}, {"batch_variance", "", false},
                          {"reserve_space_1", "", false}, {"reserve_space_2", "", false}}},
      {"FusedBatchNormV2", {{"y", "", false}, {"batch_mean", "", false}, {"batch_variance", "", false},
                            {"reserve_space_1", "", false}, {"reserve_space_2", "", false}}},
      {"FusedBatchNormV3", {{"y", "", false}, {"batch_mean", "", false}, {"batch_variance", "", false},
                            {"reserve_space_1", "", false}, {"reserve_space_2", "", false},
                            {"reserve_space_3", "", false}}},
      {"Switch", {{"output_false", "", false}, {"output_true", "", false}}},
      {"Merge", {{"output", "", false}, {"value_index", "", false}}},
      {"Unique", {{"y", "", false}, {"idx", "", false}}},
      {"TopKV2", {{"values", "", false}, {"indices", "", false}}},
      {"Split", {{"output", "num_split", false}}},
      {"SplitV", {{"output", "num_split", false}}},
      {"Unpack", {{"output", "num", false}}},
      {"IdentityN", {{"output", "T", true}}},
      {"ShapeN", {{"output", "N", false}}},
      {"RestoreV2", {{"tensors", "dtypes", true}}},
      {"PartitionedCall", {{"output", "Tout", true}}},
      {"StatefulPartitionedCall", {{"output", "Tout", true}}},
      {"While", {{"output", "T", true}}},
      {"StatelessWhile", {{"output", "T", true}}},
      {"If", {{"output", "Tout", true}}},
      {"StatelessIf", {{"output", "Tout", true}}},
      {"Case", {{"output", "Tout", true}}},
  };
  return *table;
}

StatusOr<int> builtin_output_index(std::string_view op, const AttrMap& attrs, std::string_view arg, int element) {
  auto it = builtin_outputs().find(std::string(op));
  if (it == builtin_outputs().end()) {
    return element;  // a single output argument: the element is the flat index
  }
  int offset = 0;
  for (const BuiltinArg& a : it->second) {
    int length = 1;
    if (*a.length_attr) {
      auto attr = attrs.find(a.length_attr);
      if (attr == attrs.end()) return invalid_argument_error("missing attr '" + std::string(a.length_attr) + "'");
      length = a.type_list ? attr->second.list().type_size() : static_cast<int>(attr->second.i());
    }
    if (arg == a.name) {
      if (element < 0 || element >= length) return invalid_argument_error("output index out of range");
      return offset + element;
    }
    offset += length;
  }
  return not_found_error("op '" + std::string(op) + "' has no output named '" + std::string(arg) + "'");
}

}  // namespace

StatusOr<int> OpCatalog::output_index(std::string_view op, const AttrMap& attrs, std::string_view arg,
                                      int element) const {
  const tensorflow::OpDef* def = find(op);
  if (def == nullptr) return builtin_output_index(op, attrs, arg, element);
  int offset = 0;
  for (const auto& out : def->output_arg()) {
    TFPORT_ASSIGN_OR_RETURN(int length, arg_length(out, attrs));
    if (out.name() == arg) {
      if (element < 0 || element >= length) {
        return invalid_argument_error("output '" + std::string(arg) + "' of op '" + std::string(op) +
                                      "' has " + std::to_string(length) + " element(s), index " +
                                      std::to_string(element) + " requested");
      }
      return offset + element;
    }
    offset += length;
  }
  return not_found_error("op '" + std::string(op) + "' has no output named '" + std::string(arg) + "'");
}

}  // namespace tfport::graph
