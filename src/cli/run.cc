// `tfport run`: load the model, feed the parsed inputs (converted to the dtypes the model
// declares, as TensorFlow's session converts fed NumPy values), print and save the outputs.
#include "cli/run.h"

#include <algorithm>

#include "cli/numpy_print.h"
#include "core/file.h"
#include "runtime/graph_model.h"
#include "runtime/tensor_proto.h"
#include "tfport/model.h"
#include "tfport/npy.h"

namespace tfport::cli {
namespace {

// What a feed should become: the dtype and static shape the model declares (unknown when it
// does not say).
struct FeedTarget {
  std::string tensor_name;
  DType dtype = DType::kInvalid;
  PartialShape shape = PartialShape::unknown();
};

// Placeholders of a graph model declare their dtype and shape.
FeedTarget placeholder_target(const Model& model, const std::string& name) {
  FeedTarget target;
  target.tensor_name = name.find(':') == std::string::npos ? name + ":0" : name;
  const auto* graph_model = dynamic_cast<const runtime::GraphModel*>(&model);
  if (graph_model == nullptr) return target;
  auto endpoint = graph_model->graph().resolve(name);
  if (!endpoint.ok()) return target;
  const graph::Node& node = graph_model->graph().node(endpoint->node);
  if (node.op != "Placeholder" && node.op != "PlaceholderWithDefault" && node.op != "PlaceholderV2") return target;
  if (auto it = node.attrs.find("dtype"); it != node.attrs.end()) target.dtype = base_dtype(it->second.type());
  if (auto it = node.attrs.find("shape"); it != node.attrs.end() && it->second.has_shape()) {
    auto shape = runtime::partial_shape_from_proto(it->second.shape());
    if (shape.ok()) target.shape = *shape;
  }
  return target;
}

StatusOr<Tensor> make_feed(const std::string& key, const PyValue& value, const FeedTarget& target) {
  auto tensor = py_to_array(value, target.dtype);
  if (!tensor.ok()) return tensor.status().with_context("input '" + key + "'");
  if (!target.shape.is_compatible_with(tensor->shape())) {
    std::string want = target.shape.unknown_rank() ? "<unknown>" : python_shape(target.shape.dims());
    return invalid_argument_error("Cannot feed value of shape " + python_shape(tensor->shape().dims()) +
                                  " for Tensor " + target.tensor_name + ", which has shape " + want);
  }
  return tensor;
}

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    std::string item = text.substr(start, end - start);
    size_t a = item.find_first_not_of(" \t");
    size_t b = item.find_last_not_of(" \t");
    if (a != std::string::npos) out.push_back(item.substr(a, b - a + 1));
    start = end + 1;
  }
  return out;
}

// The feeds by key, in saved_model_cli's precedence: --inputs, then --input_exprs, then
// --input_examples (later flags win, with a warning).
StatusOr<std::map<std::string, PyValue>> gather_inputs(const RunOptions& o, std::ostream& warn) {
  TFPORT_ASSIGN_OR_RETURN(auto files, parse_inputs_arg(o.inputs));
  TFPORT_ASSIGN_OR_RETURN(auto exprs, parse_input_exprs_arg(o.input_exprs));
  TFPORT_ASSIGN_OR_RETURN(auto examples, parse_input_examples_arg(o.input_examples));
  std::map<std::string, PyValue> feeds;
  for (const auto& [key, arg] : files) {
    PyValue v;
    v.kind = PyValue::Kind::kArray;
    TFPORT_ASSIGN_OR_RETURN(v.array, load_input_file(arg, warn));
    feeds[key] = std::move(v);
  }
  for (auto& [key, value] : exprs) {
    if (feeds.count(key)) {
      warn << "input_key " << key
           << " has been specified with both --inputs and --input_exprs options. Value in --input_exprs will be used.\n";
    }
    feeds[key] = std::move(value);
  }
  for (auto& [key, serialized] : examples) {
    if (feeds.count(key)) {
      warn << "input_key " << key
           << " has been specified in multiple options. Value in --input_examples will be used.\n";
    }
    PyValue v;
    v.kind = PyValue::Kind::kArray;
    Shape shape{static_cast<int64_t>(serialized.size())};
    TFPORT_ASSIGN_OR_RETURN(v.array, Tensor::from_strings(shape, std::move(serialized)));
    feeds[key] = std::move(v);
  }
  return feeds;
}

using Outputs = std::vector<std::pair<std::string, Tensor>>;

StatusOr<Outputs> run_signature(const Model& model, const RunOptions& o, const std::map<std::string, PyValue>& inputs) {
  TFPORT_ASSIGN_OR_RETURN(const Signature* sig, model.signature(o.signature_def));
  std::map<std::string, Tensor> feeds;
  for (const auto& [key, value] : inputs) {
    const std::string& wanted = key;  // clang 14 cannot capture structured bindings
    auto spec = std::find_if(sig->inputs.begin(), sig->inputs.end(),
                             [&](const TensorSpec& s) { return s.key == wanted; });
    if (spec == sig->inputs.end()) {
      std::string keys;
      for (const TensorSpec& s : sig->inputs) keys += "\"" + s.key + "\", ";
      return invalid_argument_error("\"" + key + "\" is not a valid input key. Please choose from " + keys +
                                    "or use --show option.");
    }
    FeedTarget target{spec->tensor_name, spec->dtype, spec->shape};
    TFPORT_ASSIGN_OR_RETURN(feeds[key], make_feed(key, value, target));
  }
  TFPORT_ASSIGN_OR_RETURN(auto results, model.run(o.signature_def, feeds));
  return Outputs(results.begin(), results.end());
}

StatusOr<Outputs> run_by_tensor_names(const Model& model, const RunOptions& o,
                                      const std::map<std::string, PyValue>& inputs) {
  std::vector<std::string> fetches = split_commas(o.outputs.value_or(""));
  if (fetches.empty()) {
    return invalid_argument_error(o.dir + " has no signatures: name the tensors to fetch with --outputs (e.g. "
                                          "--outputs dense_1/Softmax) and feed placeholders by name");
  }
  std::vector<std::pair<std::string, Tensor>> feeds;
  for (const auto& [key, value] : inputs) {
    TFPORT_ASSIGN_OR_RETURN(Tensor t, make_feed(key, value, placeholder_target(model, key)));
    feeds.emplace_back(key, std::move(t));
  }
  TFPORT_ASSIGN_OR_RETURN(auto results, model.run_tensors(feeds, fetches));
  Outputs outputs;
  for (size_t k = 0; k < fetches.size() && k < results.size(); ++k) outputs.emplace_back(fetches[k], results[k]);
  return outputs;
}

}  // namespace

Status run_run(const RunOptions& o, std::ostream& out, std::ostream& warn) {
  if (o.inputs.empty() && o.input_exprs.empty() && o.input_examples.empty()) {
    return invalid_argument_error("At least one of --inputs, --input_exprs or --input_examples must be required");
  }
  TFPORT_ASSIGN_OR_RETURN(auto inputs, gather_inputs(o, warn));

  LoadOptions load_options;
  load_options.tag_set = o.tag_set;
  load_options.allow_unsafe_ops = o.allow_unsafe_ops;
  TFPORT_ASSIGN_OR_RETURN(std::shared_ptr<Model> model, Model::load(o.dir, load_options));

  const bool by_name = o.outputs.has_value() || model->signatures().empty();
  auto ran = by_name ? run_by_tensor_names(*model, o, inputs) : run_signature(*model, o, inputs);
  if (!ran.ok()) return ran.status();
  const Outputs& outputs = *ran;

  bool made_outdir = false;
  for (const auto& [key, tensor] : outputs) {
    out << "Result for output key " << key << ":\n" << numpy_str(tensor) << "\n";
    if (!o.outdir) continue;
    if (!made_outdir) {
      TFPORT_RETURN_IF_ERROR(make_directories(*o.outdir).with_context("--outdir " + *o.outdir));
      made_outdir = true;
    }
    std::string file_key = key;
    std::replace(file_key.begin(), file_key.end(), '/', '_');
    std::string path = join_path(*o.outdir, file_key + ".npy");
    if (!o.overwrite && path_exists(path)) {
      return already_exists_error("Output file " + path +
                                  " already exists. Add \"--overwrite\" to overwrite the existing output files.");
    }
    TFPORT_RETURN_IF_ERROR(write_npy(path, tensor).with_context("writing output '" + key + "'"));
    out << "Output " << key << " is saved to " << path << "\n";
  }
  return Status::OK();
}

}  // namespace tfport::cli
