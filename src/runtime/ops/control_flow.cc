// TF2 functional control flow: While / StatelessWhile, If / StatelessIf, Case / StatelessCase.
// Their functions come from the graph's function bodies (graph/function_bodies.h) and are
// planned once, when the node's kernel is created; each iteration or branch then runs the
// nested plan on the caller's threads with the loop variables fed. Loops stop with an error
// after PlanOptions::max_loop_iterations iterations.
#include <map>

#include "runtime/ops/op_util.h"
#include "runtime/plan.h"
#include "runtime/run_deadline.h"
#include "graph/function_bodies.h"

namespace tfport::runtime::ops {
namespace {

// A function body planned as a nested plan: feeds = its arguments, fetches = its results.
struct Subplan {
  std::unique_ptr<Plan> plan;
  size_t num_inputs = 0;
  size_t num_outputs = 0;
  // Arguments the plan reads, in order (a loop condition usually reads two or three of the
  // loop variables; feeding only those saves copies every iteration).
  std::vector<size_t> used;
};

StatusOr<Subplan> plan_function(const Attrs& attrs, const std::string& attr_name, const std::string& func,
                                size_t max_outputs = SIZE_MAX) {
  const PlanOptions* options = attrs.plan_options();
  if (options == nullptr || options->functions == nullptr) {
    return attrs.error("function bodies are only available inside a planned graph");
  }
  auto it = options->functions->find(func);
  if (it == options->functions->end()) {
    return attrs.error("attribute '" + attr_name + "' names function '" + func + "', which the graph's library lacks");
  }
  const graph::FunctionBody& body = *it->second;
  if (!body.error.ok()) return body.error.with_context(std::string(attrs.op()) + " node '" + std::string(attrs.node_name()) + "'");
  PlanSpec spec;
  for (size_t i = 0; i < body.outputs.size() && i < max_outputs; ++i) spec.fetches.push_back(body.outputs[i]);
  std::vector<char> read(body.inputs.size(), 0);
  std::map<std::string, size_t> arg_node;
  for (size_t i = 0; i < body.inputs.size(); ++i) {
    auto e = body.graph.resolve(body.inputs[i]);
    if (e.ok()) arg_node[body.graph.node(e->node).name] = i;
  }
  for (int id = 0; id < body.graph.num_nodes(); ++id) {
    const graph::Node& n = body.graph.node(id);
    if (n.removed) continue;
    for (const graph::Endpoint& in : n.inputs) {
      if (auto it = arg_node.find(body.graph.node(in.node).name); it != arg_node.end()) read[it->second] = 1;
    }
    for (int c : n.control_inputs) {
      if (auto it = arg_node.find(body.graph.node(c).name); it != arg_node.end()) read[it->second] = 1;
    }
  }
  for (const std::string& out : spec.fetches) {
    auto e = body.graph.resolve(out);
    if (!e.ok()) continue;
    if (auto it = arg_node.find(body.graph.node(e->node).name); it != arg_node.end()) read[it->second] = 1;
  }
  std::vector<size_t> used;
  for (size_t i = 0; i < body.inputs.size(); ++i) {
    if (read[i]) {
      used.push_back(i);
      spec.feeds.push_back(body.inputs[i]);
    }
  }
  auto plan = Plan::build(body.graph, spec, *options);
  if (!plan.ok()) return plan.status().with_context(std::string(attrs.op()) + " node '" + std::string(attrs.node_name()) +
                                                    "', function '" + func + "'");
  Subplan s;
  s.plan = std::move(*plan);
  s.num_inputs = body.inputs.size();
  s.num_outputs = spec.fetches.size();
  s.used = std::move(used);
  return s;
}

StatusOr<std::string> func_attr(const Attrs& attrs, const char* name) {
  const tensorflow::AttrValue* v = attrs.find(name);
  if (v == nullptr || !v->has_func()) return attrs.error(std::string("missing function attribute '") + name + "'");
  return v->func().name();
}

// TensorFlow's truth value of a predicate: a scalar is its value (non-empty for strings), any
// other tensor is true when it has elements.
StatusOr<bool> truth(const KernelContext& ctx, std::string_view op, const Tensor& t) {
  if (t.shape().rank() != 0) return t.num_elements() > 0;
  if (t.dtype() == DType::kString) return !t.strings()[0].empty();
  bool value = false;
  if (!visit_dtype<kAllPlainTypes>(t.dtype(), [&](auto tag) {
        using T = typename decltype(tag)::type;
        value = static_cast<float>(t.data<T>()[0]) != 0.0f;
      })) {
    return unsupported_dtype(ctx, op, t.dtype(), kAllPlainTypes, "predicate");
  }
  return value;
}

class WhileKernel final : public Kernel {
 public:
  WhileKernel(std::string op, Subplan cond, Subplan body, int64_t max_iterations)
      : op_(std::move(op)), cond_(std::move(cond)), body_(std::move(body)), max_iterations_(max_iterations) {}

  Status compute(KernelContext& ctx) const override {
    if (ctx.inputs.size() != body_.num_inputs) {
      return ctx.error(op_, "got " + std::to_string(ctx.inputs.size()) + " loop variables, the body takes " +
                                std::to_string(body_.num_inputs));
    }
    std::vector<Tensor> vars(ctx.inputs.begin(), ctx.inputs.end());
    std::vector<Tensor> next;
    std::vector<Tensor> pred;
    std::vector<Tensor> cond_in;
    for (int64_t iteration = 0;; ++iteration) {
      cond_in.clear();
      for (size_t i : cond_.used) cond_in.push_back(vars[i]);
      Status s = cond_.plan->run_moving(&cond_in, &pred, ctx.resources, ctx.device);
      if (is_run_deadline_error(s)) return s;  // TF's exact text, no node context
      if (!s.ok()) return s.with_context("node '" + std::string(ctx.node_name) + "' (" + op_ + "), loop condition");
      TFPORT_ASSIGN_OR_RETURN(bool go, truth(ctx, op_, pred.at(0)));
      if (!go) break;
      if (iteration >= max_iterations_) {
        return resource_exhausted_error("node '" + std::string(ctx.node_name) + "' (" + op_ + "): the loop ran " +
                                        std::to_string(max_iterations_) +
                                        " iterations without finishing (LoadOptions::max_loop_iterations)");
      }
      s = run_body(vars, &next, ctx);
      if (is_run_deadline_error(s)) return s;
      if (!s.ok()) {
        return s.with_context("node '" + std::string(ctx.node_name) + "' (" + op_ + "), iteration " +
                              std::to_string(iteration));
      }
      if (next.size() != vars.size()) return ctx.error(op_, "the body returned a different number of loop variables");
      vars.swap(next);
    }
    for (Tensor& v : vars) ctx.outputs->push_back(std::move(v));
    return Status::OK();
  }

 private:
  // Moves the loop variables the body reads into it; the others are not needed any more.
  Status run_body(std::vector<Tensor>& vars, std::vector<Tensor>* next, KernelContext& ctx) const {
    if (body_.used.size() == vars.size()) return body_.plan->run_moving(&vars, next, ctx.resources, ctx.device);
    std::vector<Tensor> in;
    for (size_t i : body_.used) in.push_back(std::move(vars[i]));
    return body_.plan->run_moving(&in, next, ctx.resources, ctx.device);
  }

  std::string op_;
  Subplan cond_;
  Subplan body_;
  int64_t max_iterations_;
};

StatusOr<std::unique_ptr<Kernel>> make_while(const Attrs& attrs) {
  TFPORT_ASSIGN_OR_RETURN(std::string cond_name, func_attr(attrs, "cond"));
  TFPORT_ASSIGN_OR_RETURN(std::string body_name, func_attr(attrs, "body"));
  TFPORT_ASSIGN_OR_RETURN(Subplan cond, plan_function(attrs, "cond", cond_name, 1));
  TFPORT_ASSIGN_OR_RETURN(Subplan body, plan_function(attrs, "body", body_name));
  if (cond.num_outputs != 1) return attrs.error("the loop condition '" + cond_name + "' must return one tensor");
  if (body.num_inputs != body.num_outputs) {
    return attrs.error("the loop body '" + body_name + "' takes " + std::to_string(body.num_inputs) + " and returns " +
                       std::to_string(body.num_outputs) + " tensors");
  }
  return std::unique_ptr<Kernel>(std::make_unique<WhileKernel>(std::string(attrs.op()), std::move(cond),
                                                               std::move(body),
                                                               attrs.plan_options()->max_loop_iterations));
}

// If and Case: input 0 selects a branch (a predicate, or an int32 index where out-of-range
// picks the last branch, as TensorFlow's Case does); the rest are the branch's arguments.
class BranchKernel final : public Kernel {
 public:
  BranchKernel(std::string op, std::vector<Subplan> branches, bool is_if)
      : op_(std::move(op)), branches_(std::move(branches)), is_if_(is_if) {}

  Status compute(KernelContext& ctx) const override {
    TFPORT_RETURN_IF_ERROR(expect_min_inputs(ctx, op_, 1));
    size_t pick = 0;
    if (is_if_) {
      TFPORT_ASSIGN_OR_RETURN(bool p, truth(ctx, op_, ctx.inputs[0]));
      pick = p ? 0 : 1;
    } else {
      TFPORT_ASSIGN_OR_RETURN(int64_t index, read_int_scalar(ctx, op_, ctx.inputs[0], "branch_index"));
      pick = index < 0 || index >= static_cast<int64_t>(branches_.size()) ? branches_.size() - 1
                                                                            : static_cast<size_t>(index);
    }
    const Subplan& b = branches_[pick];
    if (ctx.inputs.size() - 1 != b.num_inputs) {
      return ctx.error(op_, "got " + std::to_string(ctx.inputs.size() - 1) + " arguments, the branch takes " +
                                std::to_string(b.num_inputs));
    }
    std::vector<Tensor> args;
    for (size_t i : b.used) args.push_back(ctx.inputs[1 + i]);
    Status s = b.plan->run_moving(&args, ctx.outputs, ctx.resources, ctx.device);
    if (is_run_deadline_error(s)) return s;
    if (!s.ok()) return s.with_context("node '" + std::string(ctx.node_name) + "' (" + op_ + "), branch " + std::to_string(pick));
    return Status::OK();
  }

 private:
  std::string op_;
  std::vector<Subplan> branches_;
  bool is_if_;
};

StatusOr<std::unique_ptr<Kernel>> make_if(const Attrs& attrs) {
  std::vector<Subplan> branches;
  for (const char* name : {"then_branch", "else_branch"}) {
    TFPORT_ASSIGN_OR_RETURN(std::string f, func_attr(attrs, name));
    TFPORT_ASSIGN_OR_RETURN(Subplan s, plan_function(attrs, name, f));
    branches.push_back(std::move(s));
  }
  return std::unique_ptr<Kernel>(std::make_unique<BranchKernel>(std::string(attrs.op()), std::move(branches), true));
}

StatusOr<std::unique_ptr<Kernel>> make_case(const Attrs& attrs) {
  const tensorflow::AttrValue* v = attrs.find("branches");
  if (v == nullptr || !v->has_list() || v->list().func_size() == 0) return attrs.error("missing 'branches'");
  std::vector<Subplan> branches;
  for (const auto& f : v->list().func()) {
    TFPORT_ASSIGN_OR_RETURN(Subplan s, plan_function(attrs, "branches", f.name()));
    branches.push_back(std::move(s));
  }
  return std::unique_ptr<Kernel>(std::make_unique<BranchKernel>(std::string(attrs.op()), std::move(branches), false));
}

}  // namespace

TFPORT_REGISTER_OP({"While", &make_while});
TFPORT_REGISTER_OP({"StatelessWhile", &make_while});
TFPORT_REGISTER_OP({"If", &make_if});
TFPORT_REGISTER_OP({"StatelessIf", &make_if});
TFPORT_REGISTER_OP({"Case", &make_case});
TFPORT_REGISTER_OP({"StatelessCase", &make_case});

}  // namespace tfport::runtime::ops
