#include <gtest/gtest.h>

#include "support/test_support.h"
#include "tfport/saved_model.h"

namespace tfport {
namespace {

const tensorflow::NodeDef* find_node(const google::protobuf::RepeatedPtrField<tensorflow::NodeDef>& nodes,
                                     const std::string& name) {
  for (const auto& n : nodes) {
    if (n.name() == name) return &n;
  }
  return nullptr;
}

TEST(FillDefaultAttrs, RestoresStrippedAttrsInGraphAndFunctions) {
  auto sm = read_saved_model(tfport::testing::fixture("tfserving/saved_model_half_plus_two_tf2_cpu/00000123"));
  ASSERT_TRUE(sm.ok()) << sm.status();
  tensorflow::MetaGraphDef mg = sm->proto.meta_graphs(0);
  ASSERT_TRUE(mg.meta_info_def().stripped_default_attrs());

  // VarHandleOp `a`: container="" and allowed_devices=[] were stripped.
  const tensorflow::NodeDef* a = find_node(mg.graph_def().node(), "a");
  ASSERT_NE(a, nullptr);
  ASSERT_EQ(a->op(), "VarHandleOp");
  EXPECT_FALSE(a->attr().contains("container"));
  EXPECT_EQ(a->attr().at("shared_name").s(), "a");

  // A function body node: traced_save's StringJoin lost separator="".
  const tensorflow::NodeDef* join = nullptr;
  for (const auto& f : mg.graph_def().library().function()) {
    for (const auto& n : f.node_def()) {
      if (n.op() == "StringJoin") join = &n;
    }
  }
  ASSERT_NE(join, nullptr);
  EXPECT_FALSE(join->attr().contains("separator"));

  ASSERT_TRUE(fill_default_attrs(&mg).ok());
  a = find_node(mg.graph_def().node(), "a");
  ASSERT_TRUE(a->attr().contains("container"));
  EXPECT_EQ(a->attr().at("container").s(), "");
  EXPECT_TRUE(a->attr().contains("allowed_devices"));
  EXPECT_EQ(a->attr().at("shared_name").s(), "a");  // present attrs are kept
  bool filled_join = false;
  for (const auto& f : mg.graph_def().library().function()) {
    for (const auto& n : f.node_def()) {
      if (n.op() == "StringJoin") filled_join = n.attr().contains("separator") && n.attr().at("separator").s().empty();
    }
  }
  EXPECT_TRUE(filled_join);
}

TEST(FillDefaultAttrs, OnlyOpsOfTheStrippedList) {
  tensorflow::MetaGraphDef mg;
  auto* op = mg.mutable_meta_info_def()->mutable_stripped_op_list()->add_op();
  op->set_name("MatMul");
  auto* attr = op->add_attr();
  attr->set_name("transpose_a");
  attr->set_type("bool");
  attr->mutable_default_value()->set_b(false);
  auto* required = op->add_attr();
  required->set_name("T");
  required->set_type("type");
  auto* matmul = mg.mutable_graph_def()->add_node();
  matmul->set_op("MatMul");
  auto* other = mg.mutable_graph_def()->add_node();
  other->set_op("Relu");
  ASSERT_TRUE(fill_default_attrs(&mg).ok());
  EXPECT_TRUE(mg.graph_def().node(0).attr().contains("transpose_a"));
  EXPECT_FALSE(mg.graph_def().node(0).attr().contains("T"));  // no default: stays missing
  EXPECT_TRUE(mg.graph_def().node(1).attr().empty());
}

}  // namespace
}  // namespace tfport
