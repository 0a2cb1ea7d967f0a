#define EIGEN_USE_THREADS
#include "runtime/plan.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <span>
#include <thread>
#include <unordered_map>

#include <unsupported/Eigen/CXX11/Tensor>

#include "core/load_trace.h"
#include "formats/graphdef/unsafe_ops.h"
#include "runtime/op_profile.h"
#include "runtime/ops/onednn_util.h"
#include "runtime/passes/optimize.h"
#include "runtime/run_deadline.h"

namespace tfport::runtime {
namespace {

using graph::Endpoint;
using graph::Graph;

bool is_ref_assign(const std::string& op) { return op == "Assign" || op == "AssignAdd" || op == "AssignSub"; }
bool is_ref_variable(const std::string& op) { return op == "VariableV2" || op == "Variable"; }

// Ops allowed to touch files when the caller allows file access (the model's own restore and
// table-initialisation steps); everything else on the unsafe list needs allow_unsafe_ops.
bool is_checkpoint_or_asset_read(const std::string& op) {
  return op == "RestoreV2" || op == "InitializeTableFromTextFile" || op == "InitializeTableFromTextFileV2";
}

Status missing_ops_error(const std::map<std::string, std::vector<std::string>>& missing) {
  std::string msg = "the model uses " + std::to_string(missing.size()) + " op(s) tfport does not implement: ";
  bool first = true;
  for (const auto& [op, nodes] : missing) {
    if (!first) msg += "; ";
    first = false;
    msg += op + " (";
    for (size_t i = 0; i < nodes.size() && i < 3; ++i) msg += (i ? ", '" : "'") + nodes[i] + "'";
    if (nodes.size() > 3) msg += " and " + std::to_string(nodes.size() - 3) + " more";
    msg += ")";
  }
  return unimplemented_error(msg);
}

// Inputs that carry data into the node's kernel. The ref input of Assign/AssignAdd/AssignSub
// (the VariableV2 itself) is not one: the kernel updates the variable by key, and reading the
// variable before its first assignment would fail.
// A view, not a copy: the planner asks several times per node.
std::span<const Endpoint> data_inputs(const Graph& g, const graph::Node& node) {
  std::span<const Endpoint> all(node.inputs);
  if (is_ref_assign(node.op) && !node.inputs.empty() && is_ref_variable(g.node(node.inputs[0].node).op)) {
    return all.subspan(1);
  }
  return all;
}

// hardware_concurrency reads sysfs on every call; the answer is taken once per process.
int default_threads() {
  static const int threads = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  return threads;
}

Status with_node_context(const Status& s, const std::string& name, const std::string& op) {
  if (s.ok() || s.message().rfind("node '", 0) == 0) return s;
  return s.with_context("node '" + name + "' (" + op + ")");
}

}  // namespace

// TF1 tf.cond graphs (Switch/Merge): a Switch emits its input on one side and a dead
// (invalid) tensor on the other; a step with a dead data input or a dead control dependency is
// dead too, and Merge forwards whichever input is live. Only plans with a Switch pay for this.
void Plan::mark_dataflow_steps(const Graph& g, const std::vector<int>& order, Plan* plan) {
  for (int id : order) plan->dataflow_ = plan->dataflow_ || g.node(id).op == "Switch" || g.node(id).op == "RefSwitch";
  if (!plan->dataflow_) return;
  std::unordered_map<int, int> step_of;
  for (size_t s = 0; s < order.size(); ++s) step_of[order[s]] = static_cast<int>(s);
  for (size_t s = 0; s < order.size(); ++s) {
    const graph::Node& node = g.node(order[s]);
    Step& step = plan->steps_[s];
    step.merge = node.op == "Merge" || node.op == "RefMerge";
    for (int c : node.control_inputs) {
      if (auto it = step_of.find(c); it != step_of.end()) step.control_steps.push_back(it->second);
    }
  }
}

struct Plan::Threads {
  explicit Threads(int n) : pool(n), device(&pool, n) {}
  Eigen::ThreadPool pool;
  Eigen::ThreadPoolDevice device;
};

Plan::~Plan() = default;

bool Plan::is_dead(const Step& step, const std::vector<Tensor>& values, const std::vector<char>& dead) const {
  for (int c : step.control_steps) {
    if (dead[static_cast<size_t>(c)]) return true;
  }
  if (step.merge) {
    for (int slot : step.inputs) {
      if (values[static_cast<size_t>(slot)].valid()) return false;
    }
    return !step.inputs.empty();
  }
  for (int slot : step.inputs) {
    if (!values[static_cast<size_t>(slot)].valid()) return true;
  }
  return false;
}

StatusOr<std::unique_ptr<Plan>> Plan::build(const Graph& source, const PlanSpec& spec, const PlanOptions& options) {
  LoadTrace trace(options.nested ? "plan (nested)" : "plan");
  Graph optimized;
  if (options.optimize) {
    auto o = passes::optimize_for_plan(source, spec.feeds, spec.fetches, spec.targets);
    if (!o.ok()) return o.status().with_context("optimizing the graph");
    optimized = std::move(*o);
  }
  trace.mark("optimize passes");
  const Graph& g = options.optimize ? optimized : source;
  std::unique_ptr<Plan> plan(new Plan());
  const int n = g.num_nodes();

  // Feeds: each fed endpoint gets its own slot; fed nodes do not run.
  std::map<std::pair<int, int>, int> fed;  // (node, index) -> slot
  std::vector<char> is_fed(static_cast<size_t>(n), 0);
  for (const std::string& name : spec.feeds) {
    auto e = g.resolve(name);
    if (!e.ok()) return e.status().with_context("feed '" + name + "'");
    int slot = plan->num_slots_++;
    if (!fed.emplace(std::make_pair(e->node, e->index), slot).second) {
      return invalid_argument_error("tensor '" + name + "' is fed twice");
    }
    plan->feed_slots_.push_back(slot);
    is_fed[static_cast<size_t>(e->node)] = 1;
  }
  std::vector<Endpoint> fetches;
  for (const std::string& name : spec.fetches) {
    auto e = g.resolve(name);
    if (!e.ok()) return e.status().with_context("fetch '" + name + "'");
    fetches.push_back(*e);
  }
  std::vector<int> roots;
  for (const Endpoint& e : fetches) roots.push_back(e.node);
  for (const std::string& name : spec.targets) {
    int id = g.find(name);
    if (id < 0) return not_found_error("target node '" + name + "' is not in the graph");
    roots.push_back(id);
  }

  // Needed nodes: everything the roots depend on, not looking past fed nodes.
  std::vector<char> needed(static_cast<size_t>(n), 0);
  std::vector<int> stack;
  for (int r : roots) {
    if (!needed[static_cast<size_t>(r)]) needed[static_cast<size_t>(r)] = 1, stack.push_back(r);
  }
  while (!stack.empty()) {
    int id = stack.back();
    stack.pop_back();
    if (is_fed[static_cast<size_t>(id)]) continue;
    const graph::Node& node = g.node(id);
    auto visit = [&](int src) {
      if (!needed[static_cast<size_t>(src)]) needed[static_cast<size_t>(src)] = 1, stack.push_back(src);
    };
    for (const Endpoint& e : data_inputs(g, node)) visit(e.node);
    for (int c : node.control_inputs) visit(c);
  }

  // Output counts from the references that are actually made.
  std::vector<int> num_outputs(static_cast<size_t>(n), 0);
  auto note_use = [&](Endpoint e) {
    int& c = num_outputs[static_cast<size_t>(e.node)];
    c = std::max(c, e.index + 1);
  };
  for (int id = 0; id < n; ++id) {
    if (!needed[static_cast<size_t>(id)] || is_fed[static_cast<size_t>(id)]) continue;
    for (const Endpoint& e : data_inputs(g, g.node(id))) note_use(e);
  }
  for (const Endpoint& e : fetches) note_use(e);

  std::vector<int> first_slot(static_cast<size_t>(n), -1);
  for (int id = 0; id < n; ++id) {
    if (!needed[static_cast<size_t>(id)] || is_fed[static_cast<size_t>(id)]) continue;
    first_slot[static_cast<size_t>(id)] = plan->num_slots_;
    plan->num_slots_ += num_outputs[static_cast<size_t>(id)];
  }
  auto slot_of = [&](Endpoint e) -> StatusOr<int> {
    auto it = fed.find({e.node, e.index});
    if (it != fed.end()) return it->second;
    if (is_fed[static_cast<size_t>(e.node)]) {
      return invalid_argument_error("tensor '" + graph::tensor_name(g, e) + "' is needed but only other outputs of '" +
                                    g.node(e.node).name + "' are fed");
    }
    return first_slot[static_cast<size_t>(e.node)] + e.index;
  };

  // Order: Kahn's algorithm over data and control edges of the nodes that run.
  std::vector<int> pending(static_cast<size_t>(n), 0);
  std::vector<std::vector<int>> consumers(static_cast<size_t>(n));
  int to_run = 0;
  for (int id = 0; id < n; ++id) {
    if (!needed[static_cast<size_t>(id)] || is_fed[static_cast<size_t>(id)]) continue;
    ++to_run;
    const graph::Node& node = g.node(id);
    auto depend = [&](int src) {
      if (is_fed[static_cast<size_t>(src)]) return;
      ++pending[static_cast<size_t>(id)];
      consumers[static_cast<size_t>(src)].push_back(id);
    };
    for (const Endpoint& e : data_inputs(g, node)) depend(e.node);
    for (int c : node.control_inputs) depend(c);
  }
  std::vector<int> order;
  order.reserve(static_cast<size_t>(to_run));
  for (int id = 0; id < n; ++id) {
    if (needed[static_cast<size_t>(id)] && !is_fed[static_cast<size_t>(id)] && pending[static_cast<size_t>(id)] == 0) {
      order.push_back(id);
    }
  }
  for (size_t i = 0; i < order.size(); ++i) {
    for (int c : consumers[static_cast<size_t>(order[i])]) {
      if (--pending[static_cast<size_t>(c)] == 0) order.push_back(c);
    }
  }
  if (static_cast<int>(order.size()) != to_run) {
    for (int id = 0; id < n; ++id) {
      if (needed[static_cast<size_t>(id)] && !is_fed[static_cast<size_t>(id)] && pending[static_cast<size_t>(id)] > 0) {
        return unimplemented_error("the graph has a cycle through node '" + g.node(id).name + "' (" + g.node(id).op +
                                   "); a TF1 while loop whose frame does not have tf.while_loop's shape cannot run");
      }
    }
  }

  // Kernels that plan function bodies see these options (bodies from the top-level graph).
  PlanOptions body_options = options;
  body_options.nested = true;
  if (body_options.functions == nullptr) body_options.functions = &g.function_bodies();

  // Kernels: every missing op is reported at once, before anything runs.
  const OpRegistry& registry = OpRegistry::global();
  std::map<std::string, std::vector<std::string>> missing;
  std::vector<const OpRegistration*> registrations;
  registrations.reserve(order.size());
  for (int id : order) {
    const graph::Node& node = g.node(id);
    registrations.push_back(registry.find(node.op));
    if (registrations.back() == nullptr) missing[node.op].push_back(node.name);
  }
  if (!missing.empty()) return missing_ops_error(missing);

  plan->steps_.reserve(order.size());
  for (size_t i = 0; i < order.size(); ++i) {
    const int id = order[i];
    const graph::Node& node = g.node(id);
    if (is_unsafe_op(node.op) && !options.allow_unsafe_ops &&
        !(options.allow_file_access && is_checkpoint_or_asset_read(node.op))) {
      return permission_denied_error("node '" + node.name + "' (" + node.op + ") " +
                                     std::string(unsafe_op_reason(node.op)) +
                                     "; tfport refuses such ops unless explicitly allowed");
    }
    Step step;
    step.name = node.name;
    step.op = node.op;
    // Only ref assigns get an attribute added (the key of the variable they write); every
    // other kernel reads the node's own attributes.
    graph::NodeAttrs attrs = node.attrs;
    if (is_ref_assign(node.op) && !node.inputs.empty()) {
      const graph::Node& var = g.node(node.inputs[0].node);
      if (is_ref_variable(var.op)) {
        auto get = [&](const char* key) {
          auto it = var.attrs.find(key);
          return it == var.attrs.end() ? std::string() : it->second.s();
        };
        attrs["_tfport_variable_key"].set_s(variable_key(get("container"), get("shared_name"), var.name));
      }
    }
    Attrs view(attrs, node.name, node.op, &body_options);
    view.set_value_tensor(&node.value);
    auto kernel = registrations[i]->create(view);
    if (!kernel.ok()) return with_node_context(kernel.status(), node.name, node.op);
    step.kernel = std::move(*kernel);
    const std::span<const Endpoint> inputs = data_inputs(g, node);
    step.inputs.reserve(inputs.size());
    for (const Endpoint& e : inputs) {
      TFPORT_ASSIGN_OR_RETURN(int slot, slot_of(e));
      step.inputs.push_back(slot);
    }
    step.first_output = first_slot[static_cast<size_t>(id)];
    step.num_outputs = num_outputs[static_cast<size_t>(id)];
    plan->steps_.push_back(std::move(step));
  }
  trace.mark("order + kernels");
  mark_dataflow_steps(g, order, plan.get());
  for (const Endpoint& e : fetches) {
    TFPORT_ASSIGN_OR_RETURN(int slot, slot_of(e));
    plan->fetch_slots_.push_back(slot);
  }

  // Free each intermediate after its last reader, so peak memory follows the live set.
  std::vector<int> last_use(static_cast<size_t>(plan->num_slots_), -1);
  for (size_t s = 0; s < plan->steps_.size(); ++s) {
    for (int slot : plan->steps_[s].inputs) last_use[static_cast<size_t>(slot)] = static_cast<int>(s);
  }
  for (int slot : plan->fetch_slots_) last_use[static_cast<size_t>(slot)] = -2;
  for (int slot = 0; slot < plan->num_slots_; ++slot) {
    int s = last_use[static_cast<size_t>(slot)];
    if (s >= 0) plan->steps_[static_cast<size_t>(s)].release.push_back(slot);
  }
  for (Step& step : plan->steps_) {
    step.move_input.assign(step.inputs.size(), 0);
    for (size_t j = 0; j < step.inputs.size(); ++j) {
      const int slot = step.inputs[j];
      const bool released = std::find(step.release.begin(), step.release.end(), slot) != step.release.end();
      const bool last = std::find(step.inputs.begin() + static_cast<long>(j) + 1, step.inputs.end(), slot) == step.inputs.end();
      step.move_input[j] = released && last;
    }
  }

  if (!options.nested) {
    int threads = options.intra_op_threads > 0 ? options.intra_op_threads
                                               : default_threads();
    plan->threads_ = std::make_unique<Threads>(threads);
  }
  trace.mark("slots + threads");
  return plan;
}

Status Plan::run(std::span<const Tensor> feeds, std::vector<Tensor>* fetches, ResourceStore* resources) const {
  if (!threads_) return internal_error("a nested plan runs only on its caller's device (run_on)");
  ops::set_onednn_threads(threads_->device.numThreads());
  return run_on(feeds, fetches, resources, &threads_->device);
}

Status Plan::run_on(std::span<const Tensor> feeds, std::vector<Tensor>* fetches, ResourceStore* resources,
                    const Eigen::ThreadPoolDevice* device) const {
  if (feeds.size() != feed_slots_.size()) {
    return invalid_argument_error("expected " + std::to_string(feed_slots_.size()) + " fed tensors, got " +
                                  std::to_string(feeds.size()));
  }
  std::vector<Tensor> values(static_cast<size_t>(num_slots_));
  for (size_t i = 0; i < feeds.size(); ++i) values[static_cast<size_t>(feed_slots_[i])] = feeds[i];
  return execute(values, fetches, resources, device);
}

Status Plan::run_moving(std::vector<Tensor>* feeds, std::vector<Tensor>* fetches, ResourceStore* resources,
                        const Eigen::ThreadPoolDevice* device) const {
  if (feeds->size() != feed_slots_.size()) {
    return invalid_argument_error("expected " + std::to_string(feed_slots_.size()) + " fed tensors, got " +
                                  std::to_string(feeds->size()));
  }
  std::vector<Tensor> values(static_cast<size_t>(num_slots_));
  for (size_t i = 0; i < feeds->size(); ++i) values[static_cast<size_t>(feed_slots_[i])] = std::move((*feeds)[i]);
  return execute(values, fetches, resources, device);
}

Status Plan::execute(std::vector<Tensor>& values, std::vector<Tensor>* fetches, ResourceStore* resources,
                     const Eigen::ThreadPoolDevice* device) const {
  std::vector<Tensor> inputs;
  std::vector<Tensor> outputs;
  std::vector<char> dead(dataflow_ ? steps_.size() : 0, 0);
  for (const Step& step : steps_) {
    if (dataflow_ && is_dead(step, values, dead)) {
      dead[static_cast<size_t>(&step - steps_.data())] = 1;
      for (int slot : step.release) values[static_cast<size_t>(slot)] = Tensor();
      continue;  // its output slots stay invalid, which is how deadness travels
    }
    TFPORT_RETURN_IF_ERROR(check_run_deadline());
    inputs.clear();
    for (size_t j = 0; j < step.inputs.size(); ++j) {
      Tensor& v = values[static_cast<size_t>(step.inputs[j])];
      // A value read for the last time moves into the kernel, so a kernel holding the only
      // reference (TensorListSetItem) may update it in place.
      if (step.move_input[j]) inputs.push_back(std::move(v));
      else inputs.push_back(v);
    }
    outputs.clear();
    KernelContext ctx{inputs, &outputs, device, step.name, resources};
    OpProfile* profile = OpProfile::active();
    const auto start = profile ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point();
    Status s = step.kernel->compute(ctx);
    if (profile) {
      profile->add(step.op, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    if (!s.ok()) return is_run_deadline_error(s) ? s : with_node_context(s, step.name, step.op);
    if (static_cast<int>(outputs.size()) < step.num_outputs) {
      return internal_error("node '" + step.name + "' (" + step.op + ") produced " + std::to_string(outputs.size()) +
                            " output(s), " + std::to_string(step.num_outputs) + " are used");
    }
    for (int i = 0; i < step.num_outputs; ++i) {
      values[static_cast<size_t>(step.first_output + i)] = std::move(outputs[static_cast<size_t>(i)]);
    }
    for (int slot : step.release) values[static_cast<size_t>(slot)] = Tensor();
  }
  fetches->clear();
  for (int slot : fetch_slots_) {
    if (dataflow_ && !values[static_cast<size_t>(slot)].valid()) {
      return invalid_argument_error("a fetched tensor is dead: it lies on the branch of a tf.cond (Switch) that was not taken");
    }
    fetches->push_back(values[static_cast<size_t>(slot)]);
  }
  return Status::OK();
}

}  // namespace tfport::runtime
