// An executable plan: a graph (already inlined and simplified) turned once into an ordered
// list of steps with their kernels, so it can run many times, from many threads at once.
//
//   PlanSpec spec{.feeds = {"x:0"}, .fetches = {"y:0"}};
//   TFPORT_ASSIGN_OR_RETURN(auto plan, Plan::build(graph, spec, options));
//   std::vector<Tensor> out;
//   TFPORT_RETURN_IF_ERROR(plan->run({x}, &out, &resources));
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "runtime/kernel.h"
#include "runtime/resource_store.h"

namespace tfport::runtime {

struct PlanSpec {
  std::vector<std::string> feeds;    // tensor names ("x:0") the caller supplies, in run() order
  std::vector<std::string> fetches;  // tensor names returned by run(), in order
  std::vector<std::string> targets;  // node names run for their effects (init ops, assigns)
};

struct PlanOptions {
  // Ops that read or write files (RestoreV2 ...), and other ops on the unsafe list, are refused
  // unless allowed. Loading a SavedModel allows file access for its restore step only.
  bool allow_file_access = false;
  bool allow_unsafe_ops = false;
  int intra_op_threads = 0;  // 0 = all cores
  // Plan-time graph passes (runtime/passes/optimize.h). Off for one-shot plans such as a
  // SavedModel's restore step, where they would cost more than they save.
  bool optimize = true;
  // Control flow (While, If, Case): loops stop with an error after this many iterations.
  int64_t max_loop_iterations = 10'000'000;
  // Set by the planner for nested plans of function bodies: the table the bodies come from
  // (the top-level graph's). Nested plans share their caller's threads.
  const graph::Graph::FunctionBodies* functions = nullptr;
  bool nested = false;
};

class Plan {
 public:
  // Fails if an op has no kernel (listing every missing op and the nodes that use it), if a
  // feed or fetch names no tensor, if the needed graph has a cycle, or if a kernel rejects its
  // attributes.
  static StatusOr<std::unique_ptr<Plan>> build(const graph::Graph& graph, const PlanSpec& spec,
                                               const PlanOptions& options = {});
  ~Plan();

  // `feeds` in PlanSpec::feeds order; `fetches` receives PlanSpec::fetches in order.
  Status run(std::span<const Tensor> feeds, std::vector<Tensor>* fetches, ResourceStore* resources) const;
  // The same on a caller's device: how control-flow kernels run nested plans.
  Status run_on(std::span<const Tensor> feeds, std::vector<Tensor>* fetches, ResourceStore* resources,
                const Eigen::ThreadPoolDevice* device) const;
  // run_on taking ownership of the feeds (left empty), so values passed along a loop can be
  // updated in place by the kernel that reads them last.
  Status run_moving(std::vector<Tensor>* feeds, std::vector<Tensor>* fetches, ResourceStore* resources,
                    const Eigen::ThreadPoolDevice* device) const;

  int num_steps() const { return static_cast<int>(steps_.size()); }

 private:
  struct Step {
    std::string name;
    std::string op;
    std::unique_ptr<Kernel> kernel;
    std::vector<int> inputs;   // value slots
    int first_output = 0;      // slots [first_output, first_output + num_outputs)
    int num_outputs = 0;
    std::vector<int> release;  // slots no longer needed after this step
    std::vector<char> move_input;  // per input: this step is the slot's last reader
    // TF1 dataflow (Switch/Merge) plans only: steps this one waits for, and whether it is a Merge.
    std::vector<int> control_steps;
    bool merge = false;
  };
  Plan() = default;
  Status execute(std::vector<Tensor>& values, std::vector<Tensor>* fetches, ResourceStore* resources,
                 const Eigen::ThreadPoolDevice* device) const;
  static void mark_dataflow_steps(const graph::Graph& g, const std::vector<int>& order, Plan* plan);
  bool is_dead(const Step& step, const std::vector<Tensor>& values, const std::vector<char>& dead) const;

  std::vector<Step> steps_;
  int num_slots_ = 0;
  std::vector<int> feed_slots_;
  std::vector<int> fetch_slots_;
  bool dataflow_ = false;  // has Switch nodes: dead tensors propagate
  struct Threads;  // Eigen's thread pool and device, kept out of this header
  std::unique_ptr<Threads> threads_;
};

}  // namespace tfport::runtime
