#include "serving/servable.h"

#include <filesystem>

#include "runtime/openmp_team.h"
#include "serving/tensor_codec.h"
#include "tfport/formats.h"
#include "tfport/graph_def.h"
#include "tfport/saved_model.h"

namespace tfport::serving {
namespace {

namespace fs = std::filesystem;

// A version directory holds a SavedModel, or one model file (model.h5, model.keras, graph.pb).
std::string model_path_in(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return dir;
  if (fs::exists(fs::path(dir) / "saved_model.pb", ec) || fs::exists(fs::path(dir) / "saved_model.pbtxt", ec)) {
    return dir;
  }
  std::string found;
  int count = 0;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string ext = entry.path().extension().string();
    if (entry.is_regular_file(ec) &&
        (ext == ".h5" || ext == ".hdf5" || ext == ".keras" || ext == ".pb" || ext == ".pbtxt" || ext == ".meta")) {
      found = entry.path().string();
      ++count;
    }
  }
  return count == 1 ? found : dir;
}

void fill_info(const TensorSpec& spec, tensorflow::TensorInfo* info) {
  info->set_name(spec.tensor_name);
  info->set_dtype(static_cast<tensorflow::DataType>(spec.dtype));
  auto* shape = info->mutable_tensor_shape();
  if (spec.shape.unknown_rank()) {
    shape->set_unknown_rank(true);
  } else {
    for (int64_t d : spec.shape.dims()) shape->add_dim()->set_size(d);
  }
}

// A graph without signatures (frozen GraphDef) seen through one `serving_default` signature:
// its placeholders in, its likely outputs out, run by tensor names.
class GraphSignatureModel final : public Model {
 public:
  GraphSignatureModel(std::shared_ptr<Model> inner, Signature sig) : inner_(std::move(inner)) {
    sigs_.push_back(std::move(sig));
  }
  const std::vector<Signature>& signatures() const override { return sigs_; }
  StatusOr<std::map<std::string, Tensor>> run(std::string_view key,
                                              const std::map<std::string, Tensor>& inputs) const override {
    if (key != sigs_[0].key) return not_found_error("signature '" + std::string(key) + "' not found");
    std::vector<std::pair<std::string, Tensor>> feeds;
    for (const auto& spec : sigs_[0].inputs) {
      auto it = inputs.find(spec.key);
      if (it != inputs.end()) feeds.emplace_back(spec.tensor_name, it->second);
    }
    std::vector<std::string> fetches;
    for (const auto& spec : sigs_[0].outputs) fetches.push_back(spec.tensor_name);
    TFPORT_ASSIGN_OR_RETURN(auto values, inner_->run_tensors(feeds, fetches));
    std::map<std::string, Tensor> out;
    for (std::size_t i = 0; i < values.size() && i < sigs_[0].outputs.size(); ++i) {
      out[sigs_[0].outputs[i].key] = std::move(values[i]);
    }
    return out;
  }
  StatusOr<std::vector<Tensor>> run_tensors(const std::vector<std::pair<std::string, Tensor>>& feeds,
                                            const std::vector<std::string>& fetches) const override {
    return inner_->run_tensors(feeds, fetches);
  }

 private:
  std::shared_ptr<Model> inner_;
  std::vector<Signature> sigs_;
};

StatusOr<std::shared_ptr<Model>> with_default_signature(std::shared_ptr<Model> model, const std::string& path) {
  if (!model->signatures().empty()) return model;
  TFPORT_ASSIGN_OR_RETURN(DetectedModel detected, detect_model(path));
  if (detected.format != ModelFormat::kFrozenGraph) {
    return failed_precondition_error(path + ": the model has no signatures to serve");
  }
  TFPORT_ASSIGN_OR_RETURN(tensorflow::GraphDef graph, read_graph_def(detected.path));
  Signature sig;
  sig.key = "serving_default";
  sig.method_name = "tensorflow/serving/predict";
  for (const GraphPlaceholder& p : graph_placeholders(graph)) {
    TensorSpec spec;
    spec.key = p.name;
    spec.tensor_name = p.name + ":0";
    spec.dtype = static_cast<DType>(p.dtype);
    spec.shape = p.shape;
    sig.inputs.push_back(std::move(spec));
  }
  for (const std::string& out : likely_outputs(graph)) {
    TensorSpec spec;
    spec.key = out;
    spec.tensor_name = out + ":0";
    sig.outputs.push_back(std::move(spec));
  }
  if (sig.outputs.empty()) return failed_precondition_error(path + ": could not find the graph's outputs to serve");
  auto by_key = [](const TensorSpec& a, const TensorSpec& b) { return a.key < b.key; };
  std::sort(sig.inputs.begin(), sig.inputs.end(), by_key);
  std::sort(sig.outputs.begin(), sig.outputs.end(), by_key);
  return std::shared_ptr<Model>(std::make_shared<GraphSignatureModel>(std::move(model), std::move(sig)));
}

}  // namespace

StatusOr<std::shared_ptr<const Servable>> load_servable(const std::string& name, int64_t version,
                                                        const std::string& dir, const LoadOptions& options) {
  auto servable = std::make_shared<Servable>();
  servable->name = name;
  servable->version = version;
  servable->path = model_path_in(dir);
  TFPORT_ASSIGN_OR_RETURN(auto model, Model::load(servable->path, options));
  TFPORT_ASSIGN_OR_RETURN(servable->model, with_default_signature(std::move(model), servable->path));

  // SavedModels report their SignatureDefs as written (including __saved_model_init_op);
  // other formats report the signature tfport serves them through.
  auto& defs = *servable->signature_defs.mutable_signature_def();
  auto files = read_saved_model(servable->path);
  if (files.ok()) {
    auto meta = find_meta_graph(files->proto, options.tag_set.value_or("serve"));
    if (!meta.ok() && files->proto.meta_graphs_size() == 1) meta = &files->proto.meta_graphs(0);
    if (meta.ok()) {
      for (const auto& [key, def] : (*meta)->signature_def()) defs[key] = def;
    }
  }
  if (defs.empty()) {
    for (const Signature& sig : servable->model->signatures()) {
      tensorflow::SignatureDef& def = defs[sig.key];
      def.set_method_name(sig.method_name);
      for (const auto& spec : sig.inputs) fill_info(spec, &(*def.mutable_inputs())[spec.key]);
      for (const auto& spec : sig.outputs) fill_info(spec, &(*def.mutable_outputs())[spec.key]);
    }
  }
  return std::shared_ptr<const Servable>(std::move(servable));
}

StatusOr<std::map<std::string, Tensor>> run_signature(const Servable& servable, const Signature& signature,
                                                      const std::map<std::string, Tensor>& inputs) {
  std::vector<std::pair<std::string, Tensor>> feeds;
  feeds.reserve(inputs.size());
  int index = 0;
  for (const auto& spec : signature.inputs) {
    auto it = inputs.find(spec.key);
    if (it == inputs.end()) continue;
    if (spec.dtype != DType::kInvalid && it->second.dtype() != spec.dtype) {
      return invalid_argument_error("Expects arg[" + std::to_string(index) + "] to be " +
                                    std::string(tf_type_name(spec.dtype)) + " but " +
                                    std::string(tf_type_name(it->second.dtype())) + " is provided");
    }
    feeds.emplace_back(spec.tensor_name, it->second);
    ++index;
  }
  std::vector<std::string> fetches;
  fetches.reserve(signature.outputs.size());
  for (const auto& spec : signature.outputs) fetches.push_back(spec.tensor_name);
  RunTimeEstimate& estimate = servable.run_time(signature.key);
  StatusOr<std::vector<Tensor>> values = internal_error("not run");
  auto run = [&]() -> Status {
    const auto start = std::chrono::steady_clock::now();
    values = servable.model->run_tensors(feeds, fetches);
    estimate.record(std::chrono::steady_clock::now() - start);
    return values.status();
  };
  if (estimate.runs_inline()) {
    // A tiny run loses nothing on one thread, and a team grown here (an HTTP or gRPC thread)
    // would slow every run thread's team (runtime/openmp_team.h).
    if (!RunExecutor::on_run_thread()) runtime::keep_openmp_on_this_thread();
    (void)run();  // its status is in `values`
  } else {
    TFPORT_RETURN_IF_ERROR(RunExecutor::instance().run(run));
  }
  if (!values.ok()) return values.status();
  std::map<std::string, Tensor> out;
  for (std::size_t i = 0; i < values->size() && i < signature.outputs.size(); ++i) {
    out.emplace(signature.outputs[i].key, std::move((*values)[i]));
  }
  return out;
}

RunTimeEstimate& Servable::run_time(const std::string& signature_key) const {
  std::lock_guard lock(run_times_mu_);
  return run_times_[signature_key];  // std::map: references stay valid as entries are added
}

}  // namespace tfport::serving
