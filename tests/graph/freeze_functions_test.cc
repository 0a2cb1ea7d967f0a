// The function-argument rewrite of freezing (convert_variables_to_constants_v2's): a variable
// entering a While becomes its value in the caller's types and shapes and in every function
// that reads it; writes to it inside a body are refused.
#include <gtest/gtest.h>

#include <google/protobuf/text_format.h>

#include "frozen_graph_checks.h"
#include "runtime/freeze_functions.h"
#include "runtime/tensor_to_proto.h"
#include "support/test_support.h"
#include "tfport/freeze.h"
#include "tfport/model.h"

namespace tfport {
namespace {

using freeze_testing::expect_loadable_frozen_graph;
using tfport::testing::TempDir;

tensorflow::FunctionDefLibrary parse_library(const std::string& text) {
  tensorflow::FunctionDefLibrary lib;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &lib));
  return lib;
}

const tensorflow::FunctionDef& function(const tensorflow::FunctionDefLibrary& lib, const std::string& name) {
  for (const auto& f : lib.function()) {
    if (f.signature().name() == name) return f;
  }
  ADD_FAILURE() << "no function " << name;
  return lib.function(0);
}

const tensorflow::NodeDef& body_node(const tensorflow::FunctionDef& f, const std::string& name) {
  for (const auto& n : f.node_def()) {
    if (n.name() == name) return n;
  }
  ADD_FAILURE() << "no node " << name << " in " << f.signature().name();
  return f.node_def(0);
}

// A While loop (counter, accumulator, variable) whose body reads the variable directly,
// passes its handle through an Identity, and hands it to a called function that gathers from it.
const char* const kLoopLibrary = R"pb(
  function {
    signature {
      name: "cond"
      input_arg { name: "i" type: DT_INT32 }
      input_arg { name: "acc" type: DT_FLOAT }
      input_arg { name: "v" type: DT_RESOURCE }
      output_arg { name: "go" type: DT_BOOL }
    }
    node_def { name: "n" op: "Const" attr { key: "dtype" value { type: DT_INT32 } }
               attr { key: "value" value { tensor { dtype: DT_INT32 int_val: 3 } } } }
    node_def { name: "less" op: "Less" input: "i" input: "n:output:0" attr { key: "T" value { type: DT_INT32 } } }
    ret { key: "go" value: "less:z:0" }
  }
  function {
    signature {
      name: "body"
      input_arg { name: "i" type: DT_INT32 }
      input_arg { name: "acc" type: DT_FLOAT }
      input_arg { name: "v" type: DT_RESOURCE handle_data { dtype: DT_FLOAT shape { dim { size: 3 } } } }
      output_arg { name: "i_next" type: DT_INT32 }
      output_arg { name: "acc_next" type: DT_FLOAT }
      output_arg { name: "v_next" type: DT_RESOURCE }
    }
    node_def { name: "read" op: "ReadVariableOp" input: "v" attr { key: "dtype" value { type: DT_FLOAT } } }
    node_def { name: "call" op: "PartitionedCall" input: "pass:output:0"
               attr { key: "Tin" value { list { type: DT_RESOURCE } } }
               attr { key: "Tout" value { list { type: DT_FLOAT } } }
               attr { key: "f" value { func { name: "inner" } } } }
    node_def { name: "pass" op: "Identity" input: "v" attr { key: "T" value { type: DT_RESOURCE } } }
    node_def { name: "sum" op: "Sum" input: "read:value:0" input: "axis:output:0"
               attr { key: "T" value { type: DT_FLOAT } } attr { key: "Tidx" value { type: DT_INT32 } } }
    node_def { name: "axis" op: "Const" attr { key: "dtype" value { type: DT_INT32 } }
               attr { key: "value" value { tensor { dtype: DT_INT32 int_val: 0 } } } }
    node_def { name: "add" op: "AddV2" input: "acc" input: "sum:output:0" attr { key: "T" value { type: DT_FLOAT } } }
    node_def { name: "add_1" op: "AddV2" input: "add:z:0" input: "call:output:0" attr { key: "T" value { type: DT_FLOAT } } }
    node_def { name: "one" op: "Const" attr { key: "dtype" value { type: DT_INT32 } }
               attr { key: "value" value { tensor { dtype: DT_INT32 int_val: 1 } } } }
    node_def { name: "next" op: "AddV2" input: "i" input: "one:output:0" attr { key: "T" value { type: DT_INT32 } } }
    ret { key: "i_next" value: "next:z:0" }
    ret { key: "acc_next" value: "add_1:z:0" }
    ret { key: "v_next" value: "v" }
  }
  function {
    signature {
      name: "inner"
      input_arg { name: "r" type: DT_RESOURCE }
      output_arg { name: "out" type: DT_FLOAT }
    }
    node_def { name: "idx" op: "Const" attr { key: "dtype" value { type: DT_INT32 } }
               attr { key: "value" value { tensor { dtype: DT_INT32 int_val: 1 } } } }
    node_def { name: "g" op: "ResourceGather" input: "r" input: "idx:output:0"
               attr { key: "dtype" value { type: DT_FLOAT } } attr { key: "Tindices" value { type: DT_INT32 } } }
    ret { key: "out" value: "g:output:0" }
  }
)pb";

google::protobuf::Map<std::string, tensorflow::AttrValue> loop_attrs() {
  tensorflow::NodeDef n;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(R"pb(
    attr { key: "T" value { list { type: DT_INT32 type: DT_FLOAT type: DT_RESOURCE } } }
    attr { key: "output_shapes" value { list { shape {} shape {} shape {} } } }
    attr { key: "cond" value { func { name: "cond" } } }
    attr { key: "body" value { func { name: "body" } } }
    attr { key: "_read_only_resource_inputs" value { list { i: 2 } } }
  )pb", &n));
  return n.attr();
}

TEST(FreezeFunctions, VariablesEnteringALoopBecomeItsValue) {
  tensorflow::FunctionDefLibrary lib = parse_library(kLoopLibrary);
  auto attrs = loop_attrs();
  runtime::FunctionArgFreezer freezer(lib);
  const Tensor value = Tensor::from_vector<float>(DType::kFloat, Shape{3}, {1, 2, 4});
  ASSERT_TRUE(freezer.freeze_caller_input("While", "loop", attrs, 2, value).ok());

  EXPECT_EQ(attrs.at("T").list().type(2), tensorflow::DT_FLOAT);
  EXPECT_EQ(attrs.at("_read_only_resource_inputs").list().i_size(), 0);  // no resource left
  ASSERT_EQ(attrs.at("output_shapes").list().shape(2).dim_size(), 1);
  EXPECT_EQ(attrs.at("output_shapes").list().shape(2).dim(0).size(), 3);
  for (const char* name : {"cond", "body"}) {
    const auto& arg = function(lib, name).signature().input_arg(2);
    EXPECT_EQ(arg.type(), tensorflow::DT_FLOAT) << name;
    EXPECT_EQ(arg.handle_data_size(), 0) << name;
  }
  const tensorflow::FunctionDef& body = function(lib, "body");
  EXPECT_EQ(body.signature().output_arg(2).type(), tensorflow::DT_FLOAT);
  const tensorflow::NodeDef& read = body_node(body, "read");
  EXPECT_EQ(read.op(), "Identity");
  EXPECT_EQ(read.attr().at("T").type(), tensorflow::DT_FLOAT);
  EXPECT_EQ(read.attr().count("dtype"), 0u);
  EXPECT_EQ(body_node(body, "sum").input(0), "read:output:0");  // Identity's result is "output"
  EXPECT_EQ(body_node(body, "pass").attr().at("T").type(), tensorflow::DT_FLOAT);
  EXPECT_EQ(body_node(body, "call").attr().at("Tin").list().type(0), tensorflow::DT_FLOAT);
  const tensorflow::FunctionDef& inner = function(lib, "inner");
  EXPECT_EQ(inner.signature().input_arg(0).type(), tensorflow::DT_FLOAT);
  const tensorflow::NodeDef& gather = body_node(inner, "g");
  EXPECT_EQ(gather.op(), "GatherV2");
  ASSERT_EQ(gather.input_size(), 3);
  EXPECT_EQ(gather.input(0), "r");
  EXPECT_EQ(gather.input(2), "g/axis:output:0");
  EXPECT_EQ(body_node(inner, "g/axis").op(), "Const");
  EXPECT_EQ(gather.attr().at("Tparams").type(), tensorflow::DT_FLOAT);

  // The rewritten loop runs: acc = sum over 3 iterations of (1+2+4) + v[1].
  tensorflow::GraphDef gd;
  *gd.mutable_library() = lib;
  auto* c = gd.add_node();
  c->set_name("v");
  c->set_op("Const");
  (*c->mutable_attr())["dtype"].set_type(tensorflow::DT_FLOAT);
  *(*c->mutable_attr())["value"].mutable_tensor() = *runtime::tensor_to_proto(value);
  for (const auto& [name, t] : std::vector<std::pair<std::string, Tensor>>{
           {"i0", Tensor::from_vector<int32_t>(DType::kInt32, Shape{}, {0})},
           {"acc0", Tensor::from_vector<float>(DType::kFloat, Shape{}, {0.5f})}}) {
    auto* n = gd.add_node();
    n->set_name(name);
    n->set_op("Const");
    (*n->mutable_attr())["dtype"].set_type(static_cast<tensorflow::DataType>(t.dtype()));
    *(*n->mutable_attr())["value"].mutable_tensor() = *runtime::tensor_to_proto(t);
  }
  auto* loop = gd.add_node();
  loop->set_name("loop");
  loop->set_op("While");
  loop->add_input("i0");
  loop->add_input("acc0");
  loop->add_input("v");
  *loop->mutable_attr() = attrs;
  (*loop->mutable_attr())["parallel_iterations"].set_i(10);
  EXPECT_EQ(expect_loadable_frozen_graph(gd), 1);
  TempDir tmp;
  ASSERT_TRUE(write_graph_def_file(tmp.file("loop.pb"), gd).ok());
  auto model = Model::load(tmp.file("loop.pb"));
  ASSERT_TRUE(model.ok()) << model.status();
  auto out = (*model)->run_tensors({}, {"loop:1"});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_FLOAT_EQ((*out)[0].data<float>()[0], 0.5f + 3 * (7.0f + 2.0f));
}

TEST(FreezeFunctions, WritingAVariableInsideALoopIsRefused) {
  std::string text = kLoopLibrary;
  const std::string write =
      R"pb(node_def { name: "bump" op: "AssignAddVariableOp" input: "v" input: "acc" attr { key: "dtype" value { type: DT_FLOAT } } })pb";
  text.insert(text.find("ret { key: \"i_next\""), write + "\n    ");
  tensorflow::FunctionDefLibrary lib = parse_library(text);
  auto attrs = loop_attrs();
  runtime::FunctionArgFreezer freezer(lib);
  Status s = freezer.freeze_caller_input("While", "loop", attrs, 2,
                                         Tensor::from_vector<float>(DType::kFloat, Shape{3}, {1, 2, 4}));
  EXPECT_EQ(s.code(), StatusCode::kUnimplemented) << s;
  EXPECT_NE(s.message().find("bump"), std::string::npos) << s;
  EXPECT_NE(s.message().find("AssignAddVariableOp"), std::string::npos) << s;
  // A variable as an If's predicate has no function argument to become.
  tensorflow::NodeDef if_node;
  (*if_node.mutable_attr())["Tin"].mutable_list();
  s = freezer.freeze_caller_input("If", "branch", *if_node.mutable_attr(), 0, Tensor::from_vector<float>(DType::kFloat, Shape{}, {1}));
  EXPECT_EQ(s.code(), StatusCode::kUnimplemented) << s;
}

// A TF1 tf.while_loop (i = 0; while i < n: i += 1): tfport runs it as a While whose bodies have
// no FunctionDef, so freezing it is refused rather than written with dangling function names.
TEST(FreezeFunctions, Tf1WhileLoopsAreRefused) {
  const char* const kGraph = R"pb(
    node { name: "n" op: "Placeholder" attr { key: "dtype" value { type: DT_INT32 } } }
    node { name: "zero" op: "Const" attr { key: "dtype" value { type: DT_INT32 } }
           attr { key: "value" value { tensor { dtype: DT_INT32 tensor_shape {} int_val: 0 } } } }
    node { name: "loop/Enter" op: "Enter" input: "zero" attr { key: "T" value { type: DT_INT32 } }
           attr { key: "frame_name" value { s: "loop/ctx" } } attr { key: "is_constant" value { b: false } } }
    node { name: "loop/Enter_n" op: "Enter" input: "n" attr { key: "T" value { type: DT_INT32 } }
           attr { key: "frame_name" value { s: "loop/ctx" } } attr { key: "is_constant" value { b: true } } }
    node { name: "loop/Merge" op: "Merge" input: "loop/Enter" input: "loop/NextIteration"
           attr { key: "T" value { type: DT_INT32 } } attr { key: "N" value { i: 2 } } }
    node { name: "loop/Less" op: "Less" input: "loop/Merge" input: "loop/Enter_n" attr { key: "T" value { type: DT_INT32 } } }
    node { name: "loop/LoopCond" op: "LoopCond" input: "loop/Less" }
    node { name: "loop/Switch" op: "Switch" input: "loop/Merge" input: "loop/LoopCond" attr { key: "T" value { type: DT_INT32 } } }
    node { name: "loop/Identity" op: "Identity" input: "loop/Switch:1" attr { key: "T" value { type: DT_INT32 } } }
    node { name: "loop/one" op: "Const" input: "^loop/Identity" attr { key: "dtype" value { type: DT_INT32 } }
           attr { key: "value" value { tensor { dtype: DT_INT32 tensor_shape {} int_val: 1 } } } }
    node { name: "loop/add" op: "AddV2" input: "loop/Identity" input: "loop/one" attr { key: "T" value { type: DT_INT32 } } }
    node { name: "loop/NextIteration" op: "NextIteration" input: "loop/add" attr { key: "T" value { type: DT_INT32 } } }
    node { name: "loop/Exit" op: "Exit" input: "loop/Switch" attr { key: "T" value { type: DT_INT32 } } }
    node { name: "out" op: "Identity" input: "loop/Exit" attr { key: "T" value { type: DT_INT32 } } }
  )pb";
  tensorflow::GraphDef gd;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(kGraph, &gd));
  TempDir tmp;
  ASSERT_TRUE(write_graph_def_file(tmp.file("tf1_loop.pb"), gd).ok());
  auto model = Model::load(tmp.file("tf1_loop.pb"));
  ASSERT_TRUE(model.ok()) << model.status();
  auto runs = (*model)->run_tensors({{"n", Tensor::from_vector<int32_t>(DType::kInt32, Shape{}, {4})}}, {"out"});
  ASSERT_TRUE(runs.ok()) << runs.status();
  EXPECT_EQ((*runs)[0].data<int32_t>()[0], 4);
  FreezeOptions options;
  options.output_node_names = {"out"};
  auto frozen = freeze_model(tmp.file("tf1_loop.pb"), options);
  ASSERT_FALSE(frozen.ok());
  EXPECT_EQ(frozen.status().code(), StatusCode::kUnimplemented) << frozen.status();
  EXPECT_NE(frozen.status().message().find("TF1 while loops"), std::string::npos) << frozen.status();
}

}  // namespace
}  // namespace tfport
