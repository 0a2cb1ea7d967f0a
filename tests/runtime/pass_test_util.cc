#include "pass_test_util.h"

#include <algorithm>
#include <cmath>

#include "op_test_util.h"

namespace tfport::runtime::testing {

std::string GraphBuilder::placeholder(const std::string& name, std::vector<int64_t> shape) {
  graph::Node n;
  n.name = name;
  n.op = "Placeholder";
  n.attrs["dtype"] = type_attr(DType::kFloat);
  auto* s = n.attrs["shape"].mutable_shape();
  for (int64_t d : shape) s->add_dim()->set_size(d);
  EXPECT_TRUE(g_.add_node(std::move(n)).ok());
  return name;
}

std::string GraphBuilder::constant(const std::string& name, const Tensor& value) {
  graph::Node n;
  n.name = name;
  n.op = "Const";
  n.attrs["dtype"] = type_attr(value.dtype());
  n.value = value;
  EXPECT_TRUE(g_.add_node(std::move(n)).ok());
  return name;
}

std::string GraphBuilder::op(const std::string& name, const std::string& op, std::vector<std::string> inputs,
                             graph::AttrMap attrs, std::vector<std::string> control) {
  graph::Node n;
  n.name = name;
  n.op = op;
  n.attrs = std::move(attrs);
  if (!n.attrs.count("T")) n.attrs["T"] = type_attr(DType::kFloat);
  for (const std::string& in : inputs) {
    auto e = g_.resolve(in);
    EXPECT_TRUE(e.ok()) << in;
    if (e.ok()) n.inputs.push_back(*e);
  }
  for (const std::string& c : control) n.control_inputs.push_back(g_.find(c));
  EXPECT_TRUE(g_.add_node(std::move(n)).ok()) << name;
  return name;
}

graph::AttrMap conv_attrs(int64_t stride, const std::string& padding) {
  graph::AttrMap a;
  a["T"] = type_attr(DType::kFloat);
  a["strides"] = ints_attr({1, stride, stride, 1});
  a["dilations"] = ints_attr({1, 1, 1, 1});
  a["padding"] = string_attr(padding);
  a["data_format"] = string_attr("NHWC");
  return a;
}

StatusOr<std::vector<Tensor>> run_graph(const graph::Graph& g, const std::vector<std::string>& names,
                                        const std::vector<Tensor>& feeds, const std::vector<std::string>& fetches,
                                        bool optimize) {
  PlanSpec spec;
  spec.feeds = names;
  spec.fetches = fetches;
  PlanOptions options;
  options.optimize = optimize;
  options.intra_op_threads = 2;
  TFPORT_ASSIGN_OR_RETURN(auto plan, Plan::build(g, spec, options));
  std::vector<Tensor> out;
  ResourceStore resources;
  TFPORT_RETURN_IF_ERROR(plan->run(feeds, &out, &resources));
  return out;
}

double tolerance_ratio(const Tensor& a, const Tensor& b, double rtol, double atol) {
  EXPECT_EQ(a.shape(), b.shape());
  EXPECT_EQ(a.dtype(), DType::kFloat);
  double worst = 0;
  for (int64_t i = 0; i < std::min(a.num_elements(), b.num_elements()); ++i) {
    const double x = a.data<float>()[i], y = b.data<float>()[i];
    worst = std::max(worst, std::abs(x - y) / (atol + rtol * std::abs(y)));
  }
  return worst;
}

int count_ops(const graph::Graph& g, const std::string& op) {
  int n = 0;
  for (int id = 0; id < g.num_nodes(); ++id) n += !g.node(id).removed && g.node(id).op == op;
  return n;
}

}  // namespace tfport::runtime::testing
