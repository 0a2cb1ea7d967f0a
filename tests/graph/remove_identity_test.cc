#include <gtest/gtest.h>
#include <google/protobuf/text_format.h>

#include "graph/import.h"
#include "graph/remove_identity.h"

namespace tfport::graph {
namespace {

Graph parse(const std::string& text) {
  tensorflow::GraphDef def;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &def));
  auto g = import_graph_def(def);
  EXPECT_TRUE(g.ok()) << g.status();
  return std::move(*g);
}

TEST(RemoveIdentities, BypassesChainsAndRewiresControlEdges) {
  Graph g = parse(R"pb(
    node { name: "x" op: "Placeholder" }
    node { name: "a" op: "Identity" input: "x" }
    node { name: "b" op: "Snapshot" input: "a" }
    node { name: "y" op: "Relu" input: "b" input: "^a" }
  )pb");
  EXPECT_EQ(remove_identities(g, {g.find("y")}), 2);
  g.compact();
  const Node& y = g.node(g.find("y"));
  EXPECT_EQ(g.node(y.inputs[0].node).name, "x");
  ASSERT_EQ(y.control_inputs.size(), 1u);
  EXPECT_EQ(g.node(y.control_inputs[0]).name, "x");
  EXPECT_LT(g.find("a"), 0);
}

TEST(RemoveIdentities, KeepsNamedControlledAndRefVariableReads) {
  Graph g = parse(R"pb(
    node { name: "x" op: "Placeholder" }
    node { name: "init" op: "NoOp" }
    node { name: "kept" op: "Identity" input: "x" }
    node { name: "gated" op: "Identity" input: "x" input: "^init" }
    node { name: "v" op: "VariableV2" }
    node { name: "read" op: "Identity" input: "v" }
    node { name: "y" op: "AddN" input: "kept" input: "gated" input: "read" }
  )pb");
  EXPECT_EQ(remove_identities(g, {g.find("kept"), g.find("y")}), 0);
}

TEST(RemoveIdentities, LeavesACycleOfIdentitiesForThePlannerToReport) {
  Graph g = parse(R"pb(
    node { name: "a" op: "Identity" input: "b" }
    node { name: "b" op: "Identity" input: "a" }
    node { name: "y" op: "Relu" input: "a" }
  )pb");
  EXPECT_EQ(remove_identities(g, {g.find("y")}), 0);
}

}  // namespace
}  // namespace tfport::graph
