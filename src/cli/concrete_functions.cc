#include "cli/concrete_functions.h"

#include <algorithm>
#include <string>
#include <vector>

#include "cli/python_repr.h"
#include "cli/structured_value_repr.h"

namespace tfport::cli {
namespace {

using tensorflow::StructuredValue;

// One callable form of a root child: a concrete function with its input signature.
struct Option {
  std::string name;
  const StructuredValue* args = nullptr;    // a tuple/list, or null
  const StructuredValue* kwargs = nullptr;  // a dict, or null
  std::vector<std::string> argument_keywords;  // used when there is no input signature
};

struct FunctionChild {
  std::string name;
  std::vector<Option> options;  // sorted by concrete function name
};

Option make_option(const tensorflow::SavedObjectGraph& graph, const std::string& name,
                   const tensorflow::SavedBareConcreteFunction* bare) {
  Option option;
  option.name = name;
  auto it = graph.concrete_functions().find(name);
  if (it != graph.concrete_functions().end() && it->second.has_canonicalized_input_signature()) {
    const StructuredValue& sig = it->second.canonicalized_input_signature();
    // (args, kwargs) as a 2-tuple; anything else is taken as positional arguments only.
    if (sig.has_tuple_value() && sig.tuple_value().values_size() == 2) {
      option.args = &sig.tuple_value().values(0);
      option.kwargs = &sig.tuple_value().values(1);
    } else {
      option.args = &sig;
    }
    return option;
  }
  if (bare) option.argument_keywords.assign(bare->argument_keywords().begin(), bare->argument_keywords().end());
  return option;
}

std::vector<FunctionChild> function_children(const tensorflow::SavedObjectGraph& graph) {
  std::vector<FunctionChild> out;
  if (graph.nodes_size() == 0) return out;
  for (const auto& child : graph.nodes(0).children()) {
    if (child.node_id() < 0 || child.node_id() >= graph.nodes_size()) continue;
    const tensorflow::SavedObject& node = graph.nodes(child.node_id());
    FunctionChild fc;
    fc.name = child.local_name();
    if (node.has_function()) {
      for (const auto& cf : node.function().concrete_functions()) fc.options.push_back(make_option(graph, cf, nullptr));
    } else if (node.has_bare_concrete_function()) {
      const auto& bare = node.bare_concrete_function();
      fc.options.push_back(make_option(graph, bare.concrete_function_name(), &bare));
    } else {
      continue;
    }
    std::sort(fc.options.begin(), fc.options.end(), [](const Option& a, const Option& b) { return a.name < b.name; });
    out.push_back(std::move(fc));
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

const google::protobuf::RepeatedPtrField<StructuredValue>* sequence_items(const StructuredValue& v) {
  if (v.has_tuple_value()) return &v.tuple_value().values();
  if (v.has_list_value()) return &v.list_value().values();
  return nullptr;
}

std::vector<std::string> sorted_keys(const tensorflow::DictValue& dict) {
  std::vector<std::string> keys;
  for (const auto& [key, value] : dict.fields()) keys.push_back(key);
  std::sort(keys.begin(), keys.end());
  return keys;
}

// _maybe_add_quotes: str items in quotes (no escaping), anything else as str().
std::string maybe_quoted(const StructuredValue& v) {
  return v.has_string_value() ? "'" + v.string_value() + "'" : structured_value_str(v);
}

// saved_model_cli's _print_args for one argument (indent 4).
void print_argument(const StructuredValue& v, std::ostream& out) {
  const std::string pad(10, ' ');
  if (v.has_string_value()) {
    out << pad << v.string_value() << "\n";
  } else if (v.has_tensor_spec_value() || v.has_bounded_tensor_spec_value()) {
    const std::string& name =
        v.has_tensor_spec_value() ? v.tensor_spec_value().name() : v.bounded_tensor_spec_value().name();
    out << pad << (name.empty() ? "None" : name) << ": " << structured_value_repr(v) << "\n";
  } else if (v.has_dict_value()) {
    out << pad << "DType: dict\n" << pad << "Value: {";
    for (const auto& key : sorted_keys(v.dict_value())) {
      out << "'" << key << "': " << maybe_quoted(v.dict_value().fields().at(key)) << ", ";
    }
    out << "\b\b}\n";
  } else if (sequence_items(v) || v.has_named_tuple_value() || v.has_tensor_shape_value()) {
    // Python iterables other than dicts: print their items.
    out << pad << "DType: " << structured_value_type_name(v) << "\n" << pad << "Value: [";
    if (const auto* items = sequence_items(v)) {
      for (const auto& item : *items) out << maybe_quoted(item) << ", ";
    } else if (v.has_named_tuple_value()) {
      for (const auto& pair : v.named_tuple_value().values()) out << maybe_quoted(pair.value()) << ", ";
    } else if (!v.tensor_shape_value().unknown_rank()) {
      for (const auto& d : v.tensor_shape_value().dim()) out << (d.size() < 0 ? "None" : std::to_string(d.size())) << ", ";
    }
    out << "\b\b]\n";
  } else {
    out << pad << "DType: " << structured_value_type_name(v) << "\n" << pad << "Value: " << structured_value_str(v) << "\n";
  }
}

nlohmann::json structured_value_json(const StructuredValue& v) {
  switch (v.kind_case()) {
    case StructuredValue::kFloat64Value: return v.float64_value();
    case StructuredValue::kInt64Value: return v.int64_value();
    case StructuredValue::kStringValue: return v.string_value();
    case StructuredValue::kBoolValue: return v.bool_value();
    case StructuredValue::kTensorSpecValue: {
      const auto& s = v.tensor_spec_value();
      nlohmann::json shape = nullptr;
      if (!s.shape().unknown_rank()) {
        shape = nlohmann::json::array();
        for (const auto& d : s.shape().dim()) shape.push_back(d.size() < 0 ? -1 : d.size());
      }
      return {{"tensor_spec", {{"name", s.name()}, {"dtype", dtype_enum_text(s.dtype())}, {"shape", shape}}}};
    }
    case StructuredValue::kListValue:
    case StructuredValue::kTupleValue: {
      nlohmann::json a = nlohmann::json::array();
      for (const auto& item : *sequence_items(v)) a.push_back(structured_value_json(item));
      return a;
    }
    case StructuredValue::kDictValue: {
      nlohmann::json o = nlohmann::json::object();
      for (const auto& [key, value] : v.dict_value().fields()) o[key] = structured_value_json(value);
      return o;
    }
    case StructuredValue::kNoneValue:
    case StructuredValue::KIND_NOT_SET: return nullptr;
    default: return {{"python", structured_value_repr(v)}};
  }
}

const tensorflow::MetaGraphDef* first_with_object_graph(const tensorflow::SavedModel& model) {
  for (const auto& mg : model.meta_graphs()) {
    if (mg.has_object_graph_def()) return &mg;
  }
  return nullptr;
}

}  // namespace

bool has_object_graph(const tensorflow::SavedModel& model) { return first_with_object_graph(model) != nullptr; }

void print_concrete_functions(const tensorflow::SavedModel& model, std::ostream& out) {
  const tensorflow::MetaGraphDef* mg = first_with_object_graph(model);
  if (!mg) return;
  out << "\nConcrete Functions:";
  for (const FunctionChild& fc : function_children(mg->object_graph_def())) {
    out << "\n  Function Name: " << "'" << fc.name << "'\n";
    int index = 0;
    for (const Option& option : fc.options) {
      ++index;
      std::vector<const StructuredValue*> args;
      std::vector<std::string> keyword_args;
      if (option.args) {
        if (const auto* items = sequence_items(*option.args)) {
          for (const auto& item : *items) args.push_back(&item);
        } else if (!option.args->has_none_value()) {
          args.push_back(option.args);
        }
      }
      if (option.kwargs && option.kwargs->has_dict_value()) keyword_args = sorted_keys(option.kwargs->dict_value());
      if (!args.empty() || (!option.args && !option.argument_keywords.empty())) {
        out << "    Option #" << index << "\n      Callable with:\n";
        int n = 0;
        for (const StructuredValue* arg : args) {
          out << "        Argument #" << ++n << "\n";
          print_argument(*arg, out);
        }
        if (!option.args) {
          for (const auto& keyword : option.argument_keywords) out << "        Argument #" << ++n << "\n          " << keyword << "\n";
        }
      }
      int k = 0;
      for (const auto& key : keyword_args) out << "        Named Argument #" << ++k << "\n          " << key << "\n";
    }
  }
}

nlohmann::json concrete_functions_json(const tensorflow::MetaGraphDef& meta_graph) {
  nlohmann::json out = nlohmann::json::array();
  if (!meta_graph.has_object_graph_def()) return out;
  for (const FunctionChild& fc : function_children(meta_graph.object_graph_def())) {
    nlohmann::json options = nlohmann::json::array();
    for (const Option& option : fc.options) {
      nlohmann::json o = {{"concrete_function", option.name}};
      if (option.args) {
        o["args"] = structured_value_json(*option.args);
      } else {
        o["args"] = option.argument_keywords;
      }
      o["kwargs"] = option.kwargs ? structured_value_json(*option.kwargs) : nlohmann::json::object();
      options.push_back(std::move(o));
    }
    out.push_back({{"name", fc.name}, {"options", std::move(options)}});
  }
  return out;
}

}  // namespace tfport::cli
