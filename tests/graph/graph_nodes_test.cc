// Node attributes shared between graph copies (copy on write), unique naming on insert, and
// compact keeping the name table right: what the planner relies on when it copies and rewrites
// a model's graph.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "graph/attr_values.h"
#include "graph/graph.h"

namespace tfport::graph {
namespace {

Node make(const std::string& name, const std::string& op) {
  Node n;
  n.name = name;
  n.op = op;
  return n;
}

TEST(NodeAttrs, CopiesShareUntilOneIsWritten) {
  NodeAttrs a;
  EXPECT_TRUE(a.empty());
  EXPECT_EQ(a.find("T"), a.end());
  a["T"] = attr_type(DType::kFloat);
  a["N"] = attr_int(2);
  NodeAttrs b = a;
  EXPECT_EQ(&a.map(), &b.map());  // shared, not copied
  b["N"].set_i(3);
  EXPECT_NE(&a.map(), &b.map());
  EXPECT_EQ(a.at("N").i(), 2);
  EXPECT_EQ(b.at("N").i(), 3);
  EXPECT_EQ(b.at("T").type(), tensorflow::DT_FLOAT);
  EXPECT_EQ(b.erase("T"), 1u);
  EXPECT_EQ(b.erase("T"), 0u);
  EXPECT_EQ(a.count("T"), 1u);
  EXPECT_EQ(b.size(), 1u);
  b.clear();
  EXPECT_TRUE(b.empty());
  EXPECT_EQ(a.size(), 2u);
}

TEST(NodeAttrs, ConstAttributesAreSharedPerDtypeAndStillWritable) {
  NodeAttrs f1 = const_node_attrs(DType::kFloat);
  NodeAttrs f2 = const_node_attrs(DType::kFloat);
  NodeAttrs i = const_node_attrs(DType::kInt32);
  EXPECT_EQ(&f1.map(), &f2.map());
  EXPECT_EQ(f1.at("dtype").type(), tensorflow::DT_FLOAT);
  EXPECT_EQ(i.at("dtype").type(), tensorflow::DT_INT32);
  f1["dtype"].set_type(tensorflow::DT_HALF);  // writes a private copy
  EXPECT_EQ(f1.at("dtype").type(), tensorflow::DT_HALF);
  EXPECT_EQ(f2.at("dtype").type(), tensorflow::DT_FLOAT);
  EXPECT_EQ(const_node_attrs(DType::kFloat).at("dtype").type(), tensorflow::DT_FLOAT);
}

TEST(NodeAttrs, GraphCopiesWrittenFromSeveralThreadsStayApart) {
  Graph g;
  for (int i = 0; i < 50; ++i) {
    std::string name = std::to_string(i);
    name.insert(name.begin(), 'n');  // not "n" + to_string: gcc 12's -Wrestrict false positive
    Node n = make(name, "Relu");
    n.attrs["T"] = attr_type(DType::kFloat);
    ASSERT_TRUE(g.add_node(std::move(n)).ok());
  }
  std::vector<std::thread> threads;
  std::vector<int> written(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&g, &written, t] {
      for (int round = 0; round < 20; ++round) {
        Graph copy = g;
        for (int id = 0; id < copy.num_nodes(); ++id) copy.mutable_node(id).attrs["k"].set_i(t);
        bool ok = true;
        for (int id = 0; id < copy.num_nodes(); ++id) ok = ok && copy.node(id).attrs.at("k").i() == t;
        written[static_cast<size_t>(t)] += ok ? 1 : 0;
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int w : written) EXPECT_EQ(w, 20);
  for (int id = 0; id < g.num_nodes(); ++id) {
    EXPECT_EQ(g.node(id).attrs.count("k"), 0u);
    EXPECT_EQ(g.node(id).attrs.size(), 1u);
  }
}

TEST(Graph, AddNodeUniqueRenamesLikeUniqueName) {
  Graph g;
  ASSERT_TRUE(g.add_node(make("a", "Const")).ok());
  ASSERT_TRUE(g.add_node(make("a_1", "Const")).ok());
  auto id = g.add_node_unique(make("a", "Const"));
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(g.node(*id).name, "a_2");
  EXPECT_EQ(g.find("a_2"), *id);
  auto fresh = g.add_node_unique(make("b", "Const"));
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(g.node(*fresh).name, "b");
  EXPECT_FALSE(g.add_node_unique(make("", "Const")).ok());
  EXPECT_FALSE(g.add_node(make("b", "Const")).ok());
}

TEST(Graph, CompactRemapsNamesAndInputs) {
  Graph g;
  const int x = g.add_node(make("x", "Placeholder")).value();
  const int dead = g.add_node(make("dead", "Const")).value();
  Node y = make("y", "Relu");
  y.inputs = {Endpoint{x, 0}};
  y.control_inputs = {dead};
  const int yid = g.add_node(std::move(y)).value();
  Node z = make("z", "Identity");
  z.inputs = {Endpoint{yid, 0}};
  ASSERT_TRUE(g.add_node(std::move(z)).ok());
  g.remove_node(dead);
  g.compact();
  ASSERT_EQ(g.num_nodes(), 3);
  EXPECT_EQ(g.find("dead"), -1);
  EXPECT_EQ(g.find("x"), 0);
  EXPECT_EQ(g.find("y"), 1);
  EXPECT_EQ(g.find("z"), 2);
  EXPECT_EQ(g.node(2).inputs[0].node, 1);
  EXPECT_EQ(g.node(1).inputs[0].node, 0);
  EXPECT_TRUE(g.node(1).control_inputs.empty());
  // A removed name is free again, and the table still resolves after more edits.
  const int again = g.add_node(make("dead", "Const")).value();
  EXPECT_EQ(g.find("dead"), again);
  EXPECT_EQ(g.resolve("z:0").value().node, 2);
}

}  // namespace
}  // namespace tfport::graph
