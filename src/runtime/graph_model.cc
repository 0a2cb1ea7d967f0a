#include "runtime/graph_model.h"

#include <algorithm>

namespace tfport::runtime {

GraphModel::GraphModel(graph::Graph graph, LoadOptions options) : graph_(std::move(graph)), options_(std::move(options)) {}

PlanOptions GraphModel::plan_options() const {
  PlanOptions p;
  p.allow_unsafe_ops = options_.allow_unsafe_ops;
  p.intra_op_threads = options_.intra_op_threads;
  p.max_loop_iterations = options_.max_loop_iterations;
  return p;
}

Status GraphModel::run_setup(const std::vector<std::pair<std::string, Tensor>>& feeds,
                             const std::vector<std::string>& targets) {
  PlanSpec spec;
  std::vector<Tensor> values;
  for (const auto& [name, value] : feeds) {
    spec.feeds.push_back(name);
    values.push_back(value);
  }
  spec.targets = targets;
  PlanOptions p = plan_options();
  p.allow_file_access = true;
  p.optimize = false;  // runs once
  TFPORT_ASSIGN_OR_RETURN(auto plan, Plan::build(graph_, spec, p));
  std::vector<Tensor> unused;
  return plan->run(values, &unused, &resources_);
}

void GraphModel::add_signature(Signature signature) {
  PlanSpec spec;
  for (const TensorSpec& in : signature.inputs) spec.feeds.push_back(in.tensor_name);
  for (const TensorSpec& out : signature.outputs) spec.fetches.push_back(out.tensor_name);
  auto plan = Plan::build(graph_, spec, plan_options());
  if (plan.ok()) {
    signature_plans_[signature.key] = std::shared_ptr<const Plan>(std::move(*plan));
  } else {
    signature_errors_[signature.key] = plan.status().with_context("signature '" + signature.key + "'");
  }
  signatures_.push_back(std::move(signature));
}

std::string GraphModel::signature_error(std::string_view key) const {
  auto it = signature_errors_.find(key);
  return it == signature_errors_.end() ? "" : it->second.message();
}

Status check_signature_inputs(const Signature& sig, const std::map<std::string, Tensor>& inputs) {
  for (const auto& entry : inputs) {
    const std::string& key = entry.first;
    auto it = std::find_if(sig.inputs.begin(), sig.inputs.end(), [&](const TensorSpec& s) { return s.key == key; });
    if (it == sig.inputs.end()) {
      std::string keys;
      for (const auto& s : sig.inputs) keys += (keys.empty() ? "" : ", ") + s.key;
      return invalid_argument_error("signature '" + sig.key + "' has no input '" + key + "'; its inputs are: " + keys);
    }
  }
  for (const TensorSpec& spec : sig.inputs) {
    auto it = inputs.find(spec.key);
    if (it == inputs.end()) {
      return invalid_argument_error("signature '" + sig.key + "': input '" + spec.key + "' (" +
                                    std::string(dtype_python_name(spec.dtype)) + spec.shape.to_string() +
                                    ") is missing");
    }
    const Tensor& t = it->second;
    if (t.dtype() != spec.dtype) {
      return invalid_argument_error("signature '" + sig.key + "': input '" + spec.key + "' expects " +
                                    std::string(dtype_python_name(spec.dtype)) + ", got " +
                                    std::string(dtype_python_name(t.dtype())));
    }
    if (!spec.shape.is_compatible_with(t.shape())) {
      return invalid_argument_error("signature '" + sig.key + "': input '" + spec.key + "' expects shape " +
                                    spec.shape.to_string() + ", got " + t.shape().to_string());
    }
  }
  return Status::OK();
}

StatusOr<std::map<std::string, Tensor>> GraphModel::run(std::string_view key,
                                                         const std::map<std::string, Tensor>& inputs) const {
  TFPORT_ASSIGN_OR_RETURN(const Signature* sig, signature(key));
  if (auto err = signature_errors_.find(key); err != signature_errors_.end()) return err->second;
  TFPORT_RETURN_IF_ERROR(check_signature_inputs(*sig, inputs));
  std::vector<Tensor> feeds;
  for (const TensorSpec& spec : sig->inputs) feeds.push_back(inputs.at(spec.key));
  std::vector<Tensor> outputs;
  TFPORT_RETURN_IF_ERROR(signature_plans_.find(key)->second->run(feeds, &outputs, &resources_));
  std::map<std::string, Tensor> result;
  for (size_t i = 0; i < sig->outputs.size(); ++i) result[sig->outputs[i].key] = std::move(outputs[i]);
  return result;
}

StatusOr<std::vector<Tensor>> GraphModel::run_tensors(const std::vector<std::pair<std::string, Tensor>>& feeds,
                                                      const std::vector<std::string>& fetches) const {
  PlanSpec spec;
  std::vector<Tensor> values;
  std::string cache_key;
  for (const auto& [name, value] : feeds) {
    spec.feeds.push_back(name);
    values.push_back(value);
    cache_key += name + ";";
  }
  cache_key += "->";
  for (const auto& f : fetches) cache_key += f + ";";
  spec.fetches = fetches;
  std::shared_ptr<const Plan> plan;
  {
    std::lock_guard<std::mutex> lock(cache_mu_);
    auto it = tensor_plans_.find(cache_key);
    if (it != tensor_plans_.end()) plan = it->second;
  }
  if (!plan) {
    TFPORT_ASSIGN_OR_RETURN(auto built, Plan::build(graph_, spec, plan_options()));
    plan = std::shared_ptr<const Plan>(std::move(built));
    std::lock_guard<std::mutex> lock(cache_mu_);
    tensor_plans_.emplace(cache_key, plan);
  }
  std::vector<Tensor> outputs;
  TFPORT_RETURN_IF_ERROR(plan->run(values, &outputs, &resources_));
  return outputs;
}

}  // namespace tfport::runtime
