#include "frozen_graph_checks.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace tfport::freeze_testing {
namespace {

bool is_arg(const tensorflow::FunctionDef& f, const std::string& name) {
  for (const auto& a : f.signature().input_arg()) {
    if (a.name() == name) return true;
  }
  return false;
}

// A reference inside a function body: an argument, or "node:output_arg:index" naming a node of
// the body (TensorFlow's FunctionDef form; "node:0" is a GraphDef form it rejects there).
void expect_body_ref(const tensorflow::FunctionDef& f, const std::set<std::string>& nodes, const std::string& ref,
                     const std::string& where) {
  if (is_arg(f, ref)) return;
  const size_t a = ref.find(':');
  const size_t b = a == std::string::npos ? a : ref.find(':', a + 1);
  ASSERT_NE(b, std::string::npos) << where << ": '" << ref << "' is neither an argument nor node:output:index";
  EXPECT_TRUE(nodes.count(ref.substr(0, a))) << where << ": '" << ref << "' names no node";
  EXPECT_GT(b, a + 1) << where << ": '" << ref << "' has no output argument name";
  const std::string index = ref.substr(b + 1);
  EXPECT_TRUE(!index.empty() && index.find_first_not_of("0123456789") == std::string::npos) << where << ": " << ref;
}

const std::set<std::string>& stateful_ops() {
  static const std::set<std::string> ops = {"VarHandleOp", "VariableV2", "ReadVariableOp", "AssignVariableOp",
                                            "Assign",      "RestoreV2",  "SaveV2",         "ResourceGather"};
  return ops;
}

void expect_standard_node(const tensorflow::NodeDef& n, const std::set<std::string>& library, const std::string& where) {
  EXPECT_NE(n.op().rfind("_Tfport", 0), 0u) << where << n.name() << " (" << n.op() << ")";
  EXPECT_EQ(stateful_ops().count(n.op()), 0u) << where << n.name() << " (" << n.op() << ")";
  // Freezing inlines the main graph's calls; loop and branch bodies may keep theirs.
  if (where.empty()) {
    EXPECT_TRUE(n.op() != "PartitionedCall" && n.op() != "StatefulPartitionedCall") << n.name() << " (" << n.op() << ")";
  }
  EXPECT_EQ(library.count(n.op()), 0u) << where << n.name() << " calls a function directly";
  for (const auto& [key, value] : n.attr()) {
    EXPECT_NE(key.rfind("_tfport", 0), 0u) << where << n.name() << " " << key;
    if (value.has_func()) {
      EXPECT_TRUE(library.count(value.func().name())) << where << n.name() << " " << value.func().name();
    }
    if (value.value_case() == tensorflow::AttrValue::kType) {
      EXPECT_NE(value.type(), tensorflow::DT_RESOURCE) << where << n.name() << " " << key;
    }
    for (int t : value.list().type()) EXPECT_NE(t, tensorflow::DT_RESOURCE) << where << n.name() << " " << key;
  }
  if (n.op() == "While" || n.op() == "StatelessWhile") {
    for (const char* key : {"T", "cond", "body", "output_shapes", "parallel_iterations"}) {
      EXPECT_TRUE(n.attr().count(key)) << where << n.name() << " lacks " << key;
    }
    EXPECT_EQ(n.attr().at("T").list().type_size(), n.input_size()) << where << n.name();
    EXPECT_EQ(n.attr().at("output_shapes").list().shape_size(), n.input_size()) << where << n.name();
  }
}

}  // namespace

void expect_allclose(const Tensor& got, const Tensor& want, double rtol, double atol, const std::string& what) {
  ASSERT_EQ(got.shape(), want.shape()) << what;
  ASSERT_EQ(got.dtype(), DType::kFloat) << what;
  ASSERT_EQ(want.dtype(), DType::kFloat) << what;
  int64_t bad = 0;
  double worst = 0;
  for (int64_t i = 0; i < got.num_elements(); ++i) {
    const double g = got.data<float>()[i], w = want.data<float>()[i];
    if (!(std::abs(g - w) <= atol + rtol * std::abs(w))) ++bad;
    worst = std::max(worst, std::abs(g - w));
  }
  EXPECT_EQ(bad, 0) << what << ": " << bad << " of " << got.num_elements() << " elements differ (max |diff| " << worst << ")";
}

// A frozen graph TensorFlow would load: standard ops only, no variables, every input names a
// node, and every library function is well-formed and typed like its callers.
int expect_loadable_frozen_graph(const tensorflow::GraphDef& g) {
  std::set<std::string> library;
  for (const auto& f : g.library().function()) {
    EXPECT_TRUE(library.insert(f.signature().name()).second) << "duplicate function " << f.signature().name();
  }
  std::set<std::string> names;
  for (const auto& n : g.node()) EXPECT_TRUE(names.insert(n.name()).second) << "duplicate node " << n.name();
  // Outputs of the multi-output ops a frozen recurrent graph uses: one per `T` entry.
  std::map<std::string, int> outputs;
  for (const auto& n : g.node()) {
    if (n.op() == "While" || n.op() == "StatelessWhile" || n.op() == "IdentityN") {
      outputs[n.name()] = n.attr().at("T").list().type_size();
    }
  }
  int loops = 0;
  for (const auto& n : g.node()) {
    expect_standard_node(n, library, "");
    loops += n.op() == "While" || n.op() == "StatelessWhile";
    for (const std::string& in : n.input()) {
      const size_t colon = in.find(':');
      const std::string src = in[0] == '^' ? in.substr(1) : in.substr(0, colon);
      EXPECT_TRUE(names.count(src)) << n.name() << " input " << in;
      if (colon != std::string::npos && outputs.count(src)) {
        EXPECT_LT(std::stoi(in.substr(colon + 1)), outputs[src]) << n.name() << " input " << in;
      }
    }
    auto read_only = n.attr().find("_read_only_resource_inputs");
    if (read_only != n.attr().end() && n.attr().count("T")) {
      for (int64_t i : read_only->second.list().i()) {
        EXPECT_EQ(n.attr().at("T").list().type(static_cast<int>(i)), tensorflow::DT_RESOURCE) << n.name() << " input " << i;
      }
    }
  }
  std::map<std::string, const tensorflow::FunctionDef*> by_name;
  for (const auto& f : g.library().function()) by_name[f.signature().name()] = &f;
  for (const auto& f : g.library().function()) {
    const std::string where = f.signature().name() + ": ";
    std::set<std::string> args, outs, nodes;
    for (const auto& a : f.signature().input_arg()) {
      EXPECT_TRUE(args.insert(a.name()).second) << where << "argument " << a.name();
      EXPECT_NE(a.type(), tensorflow::DT_RESOURCE) << where << "argument " << a.name();
    }
    for (const auto& a : f.signature().output_arg()) {
      EXPECT_TRUE(outs.insert(a.name()).second) << where << "result " << a.name();
      EXPECT_NE(a.type(), tensorflow::DT_RESOURCE) << where << "result " << a.name();
      EXPECT_TRUE(f.ret().count(a.name())) << where << "result " << a.name() << " has no ret entry";
    }
    EXPECT_EQ(static_cast<size_t>(f.ret_size()), outs.size()) << where;
    for (const auto& n : f.node_def()) EXPECT_TRUE(nodes.insert(n.name()).second) << where << "node " << n.name();
    for (const auto& n : f.node_def()) {
      expect_standard_node(n, library, where);
      for (const std::string& in : n.input()) {
        if (in[0] == '^') {
          EXPECT_TRUE(nodes.count(in.substr(1))) << where << n.name() << " " << in;
        } else {
          expect_body_ref(f, nodes, in, where + n.name());
        }
      }
    }
    for (const auto& [key, ref] : f.ret()) expect_body_ref(f, nodes, ref, where + "ret " + key);
  }
  // A While's loop variables have one type in the node, its cond's and body's arguments and
  // its body's results.
  auto check_loop = [&](const tensorflow::NodeDef& n, const std::string& where) {
    if (n.op() != "While" && n.op() != "StatelessWhile") return;
    const auto& types = n.attr().at("T").list().type();
    for (const char* key : {"cond", "body"}) {
      auto it = by_name.find(n.attr().at(key).func().name());
      if (it == by_name.end()) continue;
      const auto& sig = it->second->signature();
      ASSERT_EQ(sig.input_arg_size(), types.size()) << where << n.name() << " " << key;
      for (int i = 0; i < types.size(); ++i) EXPECT_EQ(sig.input_arg(i).type(), types[i]) << where << n.name() << " " << key << " arg " << i;
      if (std::string(key) == "body") {
        ASSERT_EQ(sig.output_arg_size(), types.size()) << where << n.name();
        for (int i = 0; i < types.size(); ++i) EXPECT_EQ(sig.output_arg(i).type(), types[i]) << where << n.name() << " result " << i;
      } else {
        ASSERT_EQ(sig.output_arg_size(), 1) << where << n.name();
        EXPECT_EQ(sig.output_arg(0).type(), tensorflow::DT_BOOL) << where << n.name();
      }
    }
  };
  for (const auto& n : g.node()) check_loop(n, "");
  for (const auto& f : g.library().function()) {
    for (const auto& n : f.node_def()) check_loop(n, f.signature().name() + ": ");
  }
  return loops;
}

}  // namespace tfport::freeze_testing
