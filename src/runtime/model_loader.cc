// Model::load: file -> format reader -> graph (functions inlined) -> restore and init -> one
// plan per signature.
#include <algorithm>
#include <set>

#include "core/file.h"
#include "core/mapped_file.h"
#include "graph/function_bodies.h"
#include "graph/import.h"
#include "graph/tf1_loops.h"
#include "graph/inline_functions.h"
#include "graph/op_catalog.h"
#include "runtime/graph_model.h"
#include "runtime/keras_loader.h"
#include "runtime/keras_saved_model_loader.h"
#include "core/load_trace.h"
#include "runtime/saved_model_scan.h"
#include "runtime/tensor_proto.h"
#include "tfport/formats.h"
#include "tfport/graph_def.h"
#include "tfport/saved_model.h"

namespace tfport {
namespace {

using runtime::GraphModel;

StatusOr<TensorSpec> spec_from_info(const std::string& key, const tensorflow::TensorInfo& info) {
  TensorSpec s;
  s.key = key;
  if (info.encoding_case() != tensorflow::TensorInfo::kName) {
    return unimplemented_error("signature tensor '" + key + "' is a sparse or composite tensor");
  }
  s.tensor_name = info.name();
  s.dtype = base_dtype(info.dtype());
  if (info.has_tensor_shape()) {
    auto shape = runtime::partial_shape_from_proto(info.tensor_shape());
    if (shape.ok()) s.shape = *shape;
  }
  return s;
}

StatusOr<graph::Graph> graph_from_meta_graph(const tensorflow::MetaGraphDef& meta) {
  TFPORT_ASSIGN_OR_RETURN(graph::Graph g, graph::import_graph_def(meta.graph_def()));
  graph::OpCatalog catalog;
  catalog.add_all(meta.meta_info_def().stripped_op_list());
  catalog.add_functions(meta.graph_def().library());
  TFPORT_RETURN_IF_ERROR(graph::inline_functions(g, catalog));
  TFPORT_RETURN_IF_ERROR(graph::convert_tf1_loops(g));
  TFPORT_RETURN_IF_ERROR(graph::build_function_bodies(g, catalog));
  return g;
}

// TF1 SavedModelBuilder's main op / legacy init op, or TF2's __saved_model_init_op.
std::vector<std::string> init_targets(const tensorflow::MetaGraphDef& meta) {
  for (const char* key : {"saved_model_main_op", "main_op", "legacy_init_op"}) {
    auto it = meta.collection_def().find(key);
    if (it != meta.collection_def().end() && it->second.node_list().value_size() > 0) {
      return {it->second.node_list().value(0)};
    }
  }
  auto sig = meta.signature_def().find("__saved_model_init_op");
  if (sig != meta.signature_def().end()) {
    auto out = sig->second.outputs().find("__saved_model_init_op");
    if (out != sig->second.outputs().end()) return {out->second.name()};
  }
  return {};
}

Status restore_variables(GraphModel& model, const tensorflow::MetaGraphDef& meta, const std::string& prefix,
                         const std::string& where) {
  if (prefix.empty() || !meta.has_saver_def() || meta.saver_def().restore_op_name().empty()) return Status::OK();
  const auto& saver = meta.saver_def();
  auto prefix_tensor = Tensor::from_strings(Shape{}, {prefix});
  Status s = model.run_setup({{saver.filename_tensor_name(), *prefix_tensor}}, {saver.restore_op_name()});
  return s.with_context(where + ": restoring variables from " + prefix);
}

// The signatures a MetaGraphDef declares (without TF2's init pseudo-signature), by key, each
// with its inputs and outputs sorted by key.
StatusOr<std::vector<Signature>> signatures_of(const tensorflow::MetaGraphDef& meta) {
  std::vector<std::string> keys;
  for (const auto& [key, sig] : meta.signature_def()) {
    if (key != "__saved_model_init_op") keys.push_back(key);
  }
  std::sort(keys.begin(), keys.end());
  std::vector<Signature> out;
  for (const std::string& key : keys) {
    const auto& sd = meta.signature_def().at(key);
    Signature sig;
    sig.key = key;
    sig.method_name = sd.method_name();
    for (const auto& [k, info] : sd.inputs()) {
      TFPORT_ASSIGN_OR_RETURN(TensorSpec s, spec_from_info(k, info));
      sig.inputs.push_back(std::move(s));
    }
    for (const auto& [k, info] : sd.outputs()) {
      TFPORT_ASSIGN_OR_RETURN(TensorSpec s, spec_from_info(k, info));
      sig.outputs.push_back(std::move(s));
    }
    auto by_key = [](const TensorSpec& a, const TensorSpec& b) { return a.key < b.key; };
    std::sort(sig.inputs.begin(), sig.inputs.end(), by_key);
    std::sort(sig.outputs.begin(), sig.outputs.end(), by_key);
    out.push_back(std::move(sig));
  }
  return out;
}

// tf.keras SavedModels whose only signature is serving_default and whose graph loops (over
// recurrent layers) are built from keras_metadata.pb with fused recurrent kernels
// (keras_saved_model_loader.cc). Decided from a scan of saved_model.pb, before anything of the
// graph is parsed or imported; nullptr sends the load down the graph path.
std::shared_ptr<Model> try_fused_keras(const std::string& dir, const LoadOptions& options,
                                       LoadTrace& trace) {
  if (!options.fuse_keras_recurrent_layers) return nullptr;
  std::string root = dir;
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  const std::string pb = join_path(root, "saved_model.pb");
  const std::string variables = join_path(join_path(root, "variables"), "variables");
  if (!is_regular_file(join_path(root, "keras_metadata.pb")) || !is_regular_file(pb) ||
      !is_regular_file(variables + ".index")) {
    return nullptr;
  }
  // Mapped, not read: the scan touches only the bytes of the fields it reads.
  auto mapped = MappedFile::open(pb);
  if (!mapped.ok()) return nullptr;
  auto scanned = runtime::scan_saved_model((*mapped)->view());
  trace.mark("scan saved_model.pb");
  if (!scanned) return nullptr;
  const runtime::ScannedMetaGraph* found = nullptr;
  if (!options.tag_set && scanned->size() == 1) {
    found = &(*scanned)[0];
  } else {
    // As find_meta_graph matches: the same set of tags.
    std::vector<std::string> names = split_tag_set(options.tag_set.value_or("serve"));
    const std::set<std::string> wanted(names.begin(), names.end());
    for (const auto& m : *scanned) {
      const auto& tags = m.meta.meta_info_def().tags();
      if (std::set<std::string>(tags.begin(), tags.end()) == wanted) {
        found = &m;
        break;
      }
    }
  }
  if (!found || !found->has_loops) return nullptr;
  auto sigs = signatures_of(found->meta);
  if (!sigs.ok() || sigs->size() != 1 || (*sigs)[0].key != "serving_default") return nullptr;
  return runtime::try_load_keras_saved_model(root, variables, (*sigs)[0], options);
}

StatusOr<std::shared_ptr<Model>> load_saved_model(const std::string& dir, const LoadOptions& options) {
  LoadTrace trace(dir);
  if (auto fused = try_fused_keras(dir, options, trace)) {
    trace.mark("fused Keras model");
    return fused;
  }
  trace.mark("fused Keras model (not applicable)");
  TFPORT_ASSIGN_OR_RETURN(SavedModelFiles files, read_saved_model(dir));
  trace.mark("read saved_model.pb and side files");
  const tensorflow::MetaGraphDef* found = nullptr;
  if (!options.tag_set && files.proto.meta_graphs_size() == 1) {
    found = &files.proto.meta_graphs(0);
  } else {
    TFPORT_ASSIGN_OR_RETURN(found, find_meta_graph(files.proto, options.tag_set.value_or("serve")));
  }

  tensorflow::MetaGraphDef meta = *found;
  TFPORT_RETURN_IF_ERROR(fill_default_attrs(&meta));
  auto g = graph_from_meta_graph(meta);
  if (!g.ok()) return g.status().with_context(dir);
  trace.mark("graph import and function inlining");
  auto model = std::make_shared<GraphModel>(std::move(*g), options);
  TFPORT_RETURN_IF_ERROR(restore_variables(*model, meta, files.variables_prefix, dir));
  trace.mark("variable restore");

  std::vector<std::string> targets = init_targets(meta);
  if (!targets.empty()) {
    std::vector<std::pair<std::string, Tensor>> feeds;
    TFPORT_ASSIGN_OR_RETURN(auto assets, asset_file_defs(meta));
    for (const auto& asset : assets) {
      if (asset.tensor_info().name().empty()) continue;
      auto path = Tensor::from_strings(Shape{}, {join_path(join_path(dir, "assets"), asset.filename())});
      feeds.emplace_back(asset.tensor_info().name(), *path);
    }
    // Graphs rarely consume every asset tensor; feed only those that exist in the graph.
    std::erase_if(feeds, [&](const auto& f) { return !model->graph().resolve(f.first).ok(); });
    Status s = model->run_setup(feeds, targets);
    if (!s.ok()) return s.with_context(dir + ": running the init op '" + targets[0] + "'");
    trace.mark("init op");
  }

  TFPORT_ASSIGN_OR_RETURN(std::vector<Signature> sigs, signatures_of(meta));
  for (Signature& sig : sigs) model->add_signature(std::move(sig));
  // A model whose default signature cannot run fails now, naming every missing op.
  std::string err = model->signature_error("serving_default");
  if (!err.empty()) return unimplemented_error(dir + ": " + err);
  trace.mark("signatures");
  return std::shared_ptr<Model>(std::move(model));
}

StatusOr<std::shared_ptr<Model>> load_frozen_graph(const std::string& path, const LoadOptions& options) {
  TFPORT_ASSIGN_OR_RETURN(tensorflow::GraphDef gd, read_graph_def(path));
  tensorflow::MetaGraphDef meta;
  *meta.mutable_graph_def() = std::move(gd);
  auto g = graph_from_meta_graph(meta);
  if (!g.ok()) return g.status().with_context(path);
  return std::shared_ptr<Model>(std::make_shared<GraphModel>(std::move(*g), options));
}

StatusOr<std::shared_ptr<Model>> load_meta_graph(const std::string& path, const std::string& prefix,
                                                 const LoadOptions& options) {
  TFPORT_ASSIGN_OR_RETURN(tensorflow::MetaGraphDef meta, read_meta_graph_file(path));
  TFPORT_RETURN_IF_ERROR(fill_default_attrs(&meta));
  auto g = graph_from_meta_graph(meta);
  if (!g.ok()) return g.status().with_context(path);
  auto model = std::make_shared<GraphModel>(std::move(*g), options);
  TFPORT_RETURN_IF_ERROR(restore_variables(*model, meta, prefix, path));
  return std::shared_ptr<Model>(std::move(model));
}

}  // namespace

StatusOr<const Signature*> Model::signature(std::string_view key) const {
  for (const Signature& s : signatures()) {
    if (s.key == key) return &s;
  }
  std::string keys;
  for (const Signature& s : signatures()) keys += (keys.empty() ? "" : ", ") + s.key;
  return not_found_error("Could not find signature \"" + std::string(key) + "\". Please choose from: " + keys);
}

StatusOr<std::shared_ptr<Model>> Model::load(const std::string& path, const LoadOptions& options) {
  TFPORT_ASSIGN_OR_RETURN(DetectedModel m, detect_model(path));
  switch (m.format) {
    case ModelFormat::kSavedModel:
      return load_saved_model(m.path, options);
    case ModelFormat::kFrozenGraph:
      return load_frozen_graph(m.path, options);
    case ModelFormat::kTf1MetaGraph:
      return load_meta_graph(m.path, m.checkpoint_prefix, options);
    case ModelFormat::kCheckpoint:
      return invalid_argument_error(path + ": a checkpoint holds variables but no graph; run its .meta graph or the "
                                           "SavedModel it belongs to");
    case ModelFormat::kKerasH5:
    case ModelFormat::kKerasV3:
      return runtime::load_keras_model(m, options);
  }
  return internal_error("unhandled model format");
}

}  // namespace tfport
