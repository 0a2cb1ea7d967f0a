#include <gtest/gtest.h>
#include <google/protobuf/text_format.h>

#include "graph/import.h"
#include "graph/inline_functions.h"
#include "graph/prune.h"

namespace tfport::graph {
namespace {

tensorflow::GraphDef parse(const std::string& text) {
  tensorflow::GraphDef g;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &g));
  return g;
}

TEST(TensorName, Parses) {
  EXPECT_EQ(parse_tensor_name("x").value().node, "x");
  EXPECT_EQ(parse_tensor_name("dense/BiasAdd:1").value().index, 1);
  EXPECT_TRUE(parse_tensor_name("^init").value().control);
  EXPECT_FALSE(parse_tensor_name("x:").ok());
  EXPECT_FALSE(parse_tensor_name("x:-1").ok());
  EXPECT_FALSE(parse_tensor_name(":0").ok());
}

TEST(Import, ResolvesInputsInAnyOrder) {
  auto g = import_graph_def(parse(R"pb(
    node { name: "y" op: "Add" input: "x" input: "c:0" input: "^init" }
    node { name: "x" op: "Placeholder" }
    node { name: "c" op: "Const" }
    node { name: "init" op: "NoOp" }
  )pb"));
  ASSERT_TRUE(g.ok()) << g.status();
  const Node& y = g->node(g->find("y"));
  ASSERT_EQ(y.inputs.size(), 2u);
  EXPECT_EQ(g->node(y.inputs[0].node).name, "x");
  EXPECT_EQ(g->node(y.inputs[1].node).name, "c");
  ASSERT_EQ(y.control_inputs.size(), 1u);
  EXPECT_EQ(g->node(y.control_inputs[0]).name, "init");
}

TEST(Import, RejectsDanglingInputsAndDuplicates) {
  auto dangling = import_graph_def(parse(R"pb(node { name: "y" op: "Neg" input: "nope" })pb"));
  EXPECT_EQ(dangling.status().code(), StatusCode::kNotFound);
  EXPECT_NE(dangling.status().message().find("'y'"), std::string::npos);
  auto dup = import_graph_def(parse(R"pb(node { name: "a" op: "NoOp" } node { name: "a" op: "NoOp" })pb"));
  EXPECT_FALSE(dup.ok());
}

TEST(InlineFunctions, ReplacesCallsByBodies) {
  // y = f(x) with f(a) = Mul(a, a), called through StatefulPartitionedCall.
  auto gd = parse(R"pb(
    node { name: "x" op: "Placeholder" }
    node { name: "call" op: "StatefulPartitionedCall" input: "x"
           attr { key: "f" value { func { name: "square" } } } }
    node { name: "y" op: "Identity" input: "call:0" }
    library {
      function {
        signature { name: "square" input_arg { name: "a" type: DT_FLOAT } output_arg { name: "out" type: DT_FLOAT } }
        node_def { name: "m" op: "Mul" input: "a" input: "a" }
        node_def { name: "id" op: "Identity" input: "m:z:0" }
        ret { key: "out" value: "id:output:0" }
      }
    }
  )pb");
  auto g = import_graph_def(gd);
  ASSERT_TRUE(g.ok()) << g.status();
  OpCatalog catalog;
  tensorflow::OpDef mul, identity;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(R"pb(name: "Mul" output_arg { name: "z" })pb", &mul));
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(R"pb(name: "Identity" output_arg { name: "output" })pb", &identity));
  catalog.add(mul);
  catalog.add(identity);
  catalog.add_functions(g->library());
  ASSERT_TRUE(inline_functions(*g, catalog).ok());
  const Node& call = g->node(g->find("call"));
  EXPECT_EQ(call.op, "IdentityN");
  ASSERT_EQ(call.inputs.size(), 1u);
  EXPECT_EQ(g->node(call.inputs[0].node).name, "call/id");
  const Node& m = g->node(g->find("call/m"));
  EXPECT_EQ(g->node(m.inputs[0].node).name, "x");

  prune_to(*g, {g->find("y")});
  EXPECT_EQ(g->num_nodes(), 5);  // x, call, call/m, call/id, y
}

TEST(InlineFunctions, StopsOnRecursion) {
  auto g = import_graph_def(parse(R"pb(
    node { name: "call" op: "loop" }
    library { function { signature { name: "loop" } node_def { name: "again" op: "loop" } } }
  )pb"));
  ASSERT_TRUE(g.ok());
  OpCatalog catalog;
  catalog.add_functions(g->library());
  InlineOptions options;
  options.max_inlined_calls = 50;
  EXPECT_EQ(inline_functions(*g, catalog, options).code(), StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace tfport::graph
