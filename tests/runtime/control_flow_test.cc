// Each control-flow construct on its own, in small hand-written GraphDefs (text format, loaded
// as frozen graphs): functional While/If/Case with bodies from the library, TensorList
// accumulation in a loop, the iteration limit, TF1 Switch/Merge, and lookup tables.
#include <gtest/gtest.h>

#include "support/test_support.h"
#include "tfport/model.h"

namespace tfport {
namespace {

using testing::TempDir;
using testing::write_all;

// Attribute snippets for the text-format graphs below.
std::string type_attr(const char* key, const char* type) {
  return std::string("attr { key: \"") + key + "\" value { type: " + type + " } } ";
}
std::string int_const(const std::string& name, int v, const std::string& extra = "") {
  return "node_def { name: \"" + name + "\" op: \"Const\" " + extra + type_attr("dtype", "DT_INT32") +
         "attr { key: \"value\" value { tensor { dtype: DT_INT32 tensor_shape {} int_val: " + std::to_string(v) +
         " } } } } ";
}
std::string placeholder(const std::string& name, const char* type) {
  return "node { name: \"" + name + "\" op: \"Placeholder\" " + type_attr("dtype", type) + "} ";
}

// while (i < n) { acc += i; list[i] = i * i; i += 1 }  ->  acc, stacked list
const std::string kLoopGraph =
    placeholder("n", "DT_INT32") +
    "node { name: \"zero\" op: \"Const\" " + type_attr("dtype", "DT_INT32") +
    "attr { key: \"value\" value { tensor { dtype: DT_INT32 tensor_shape {} int_val: 0 } } } } "
    "node { name: \"elem_shape\" op: \"Const\" " + type_attr("dtype", "DT_INT32") +
    "attr { key: \"value\" value { tensor { dtype: DT_INT32 tensor_shape { dim { size: 0 } } } } } } "
    "node { name: \"list\" op: \"TensorListReserve\" input: \"elem_shape\" input: \"n\" " +
    type_attr("element_dtype", "DT_INT32") + type_attr("shape_type", "DT_INT32") + "} "
    "node { name: \"w\" op: \"While\" input: \"zero\" input: \"zero\" input: \"n\" input: \"list\" "
    "attr { key: \"T\" value { list { type: DT_INT32 type: DT_INT32 type: DT_INT32 type: DT_VARIANT } } } "
    "attr { key: \"cond\" value { func { name: \"cond\" } } } attr { key: \"body\" value { func { name: \"body\" } } } } "
    "node { name: \"stacked\" op: \"TensorListStack\" input: \"w:3\" input: \"elem_shape\" " +
    type_attr("element_dtype", "DT_INT32") + "} "
    "library { "
    "function { signature { name: \"cond\" input_arg { name: \"i\" type: DT_INT32 } input_arg { name: \"acc\" type: DT_INT32 } "
    "input_arg { name: \"n\" type: DT_INT32 } input_arg { name: \"l\" type: DT_VARIANT } output_arg { name: \"out\" type: DT_BOOL } } "
    "node_def { name: \"less\" op: \"Less\" input: \"i\" input: \"n\" " + type_attr("T", "DT_INT32") + "} "
    "ret { key: \"out\" value: \"less:z:0\" } } "
    "function { signature { name: \"body\" input_arg { name: \"i\" type: DT_INT32 } input_arg { name: \"acc\" type: DT_INT32 } "
    "input_arg { name: \"n\" type: DT_INT32 } input_arg { name: \"l\" type: DT_VARIANT } "
    "output_arg { name: \"i2\" type: DT_INT32 } output_arg { name: \"acc2\" type: DT_INT32 } "
    "output_arg { name: \"n2\" type: DT_INT32 } output_arg { name: \"l2\" type: DT_VARIANT } } " +
    int_const("one", 1) +
    "node_def { name: \"inc\" op: \"AddV2\" input: \"i\" input: \"one:output:0\" " + type_attr("T", "DT_INT32") + "} "
    "node_def { name: \"sum\" op: \"AddV2\" input: \"acc\" input: \"i\" " + type_attr("T", "DT_INT32") + "} "
    "node_def { name: \"sq\" op: \"Mul\" input: \"i\" input: \"i\" " + type_attr("T", "DT_INT32") + "} "
    "node_def { name: \"set\" op: \"TensorListSetItem\" input: \"l\" input: \"i\" input: \"sq:z:0\" " +
    type_attr("element_dtype", "DT_INT32") + "} "
    "ret { key: \"i2\" value: \"inc:z:0\" } ret { key: \"acc2\" value: \"sum:z:0\" } ret { key: \"n2\" value: \"n\" } "
    "ret { key: \"l2\" value: \"set:output_handle:0\" } } }";

std::shared_ptr<Model> load_text(const TempDir& dir, const std::string& text, const LoadOptions& options = {}) {
  const std::string path = dir.file("graph.pbtxt");
  write_all(path, text);
  auto model = Model::load(path, options);
  EXPECT_TRUE(model.ok()) << model.status();
  return model.ok() ? *model : nullptr;
}

Tensor i32(int32_t v) { return Tensor::from_vector<int32_t>(DType::kInt32, Shape{}, {v}); }
Tensor boolean(bool v) {
  Tensor t = *Tensor::allocate(DType::kBool, Shape{});
  t.mutable_data<bool>()[0] = v;
  return t;
}

TEST(ControlFlow, WhileLoopWithTensorListAccumulates) {
  TempDir dir;
  auto model = load_text(dir, kLoopGraph);
  ASSERT_TRUE(model);
  for (int n : {0, 1, 5}) {
    auto out = model->run_tensors({{"n", i32(n)}}, {"w:1", "stacked"});
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_EQ((*out)[0].data<int32_t>()[0], n * (n - 1) / 2);
    ASSERT_EQ((*out)[1].shape(), Shape{n});
    for (int i = 0; i < n; ++i) EXPECT_EQ((*out)[1].data<int32_t>()[i], i * i);
  }
}

TEST(ControlFlow, WhileLoopStopsAtTheIterationLimit) {
  TempDir dir;
  LoadOptions options;
  options.max_loop_iterations = 100;
  auto model = load_text(dir, kLoopGraph, options);
  ASSERT_TRUE(model);
  EXPECT_TRUE(model->run_tensors({{"n", i32(100)}}, {"w:1"}).ok());
  auto out = model->run_tensors({{"n", i32(1000)}}, {"w:1"});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(out.status().message().find("max_loop_iterations"), std::string::npos) << out.status();
}

// If(p, x) -> then: x * 2, else: x + 1; Case(k, x) -> branches x * 2, x + 1 (last for out of range).
const std::string kBranchFunctions =
    "library { "
    "function { signature { name: \"twice\" input_arg { name: \"x\" type: DT_INT32 } output_arg { name: \"y\" type: DT_INT32 } } " +
    int_const("two", 2) +
    "node_def { name: \"m\" op: \"Mul\" input: \"x\" input: \"two:output:0\" " + type_attr("T", "DT_INT32") + "} "
    "ret { key: \"y\" value: \"m:z:0\" } } "
    "function { signature { name: \"plus_one\" input_arg { name: \"x\" type: DT_INT32 } output_arg { name: \"y\" type: DT_INT32 } } " +
    int_const("one", 1) +
    "node_def { name: \"a\" op: \"AddV2\" input: \"x\" input: \"one:output:0\" " + type_attr("T", "DT_INT32") + "} "
    "ret { key: \"y\" value: \"a:z:0\" } } }";

TEST(ControlFlow, IfAndCasePickTheirBranch) {
  TempDir dir;
  const std::string graph =
      placeholder("p", "DT_BOOL") + placeholder("k", "DT_INT32") + placeholder("x", "DT_INT32") +
      "node { name: \"if\" op: \"StatelessIf\" input: \"p\" input: \"x\" " + type_attr("Tcond", "DT_BOOL") +
      "attr { key: \"Tin\" value { list { type: DT_INT32 } } } attr { key: \"Tout\" value { list { type: DT_INT32 } } } "
      "attr { key: \"then_branch\" value { func { name: \"twice\" } } } "
      "attr { key: \"else_branch\" value { func { name: \"plus_one\" } } } } "
      "node { name: \"case\" op: \"Case\" input: \"k\" input: \"x\" "
      "attr { key: \"Tin\" value { list { type: DT_INT32 } } } attr { key: \"Tout\" value { list { type: DT_INT32 } } } "
      "attr { key: \"branches\" value { list { func { name: \"twice\" } func { name: \"plus_one\" } } } } } " +
      kBranchFunctions;
  auto model = load_text(dir, graph);
  ASSERT_TRUE(model);
  auto run = [&](bool p, int k) {
    auto out = model->run_tensors({{"p", boolean(p)}, {"k", i32(k)}, {"x", i32(10)}},
                                  {"if", "case"});
    EXPECT_TRUE(out.ok()) << out.status();
    return out.ok() ? std::make_pair((*out)[0].data<int32_t>()[0], (*out)[1].data<int32_t>()[0]) : std::make_pair(-1, -1);
  };
  EXPECT_EQ(run(true, 0), std::make_pair(20, 20));
  EXPECT_EQ(run(false, 1), std::make_pair(11, 11));
  EXPECT_EQ(run(false, 7).second, 11);  // out of range: the last branch, as TensorFlow does
}

TEST(ControlFlow, SwitchAndMergeFollowThePredicate) {
  TempDir dir;
  const std::string graph =
      placeholder("x", "DT_FLOAT") + placeholder("p", "DT_BOOL") +
      "node { name: \"sw\" op: \"Switch\" input: \"x\" input: \"p\" " + type_attr("T", "DT_FLOAT") + "} "
      "node { name: \"t\" op: \"Mul\" input: \"sw:1\" input: \"sw:1\" " + type_attr("T", "DT_FLOAT") + "} "
      "node { name: \"f\" op: \"Neg\" input: \"sw\" " + type_attr("T", "DT_FLOAT") + "} "
      "node { name: \"m\" op: \"Merge\" input: \"f\" input: \"t\" " + type_attr("T", "DT_FLOAT") +
      "attr { key: \"N\" value { i: 2 } } } ";
  auto model = load_text(dir, graph);
  ASSERT_TRUE(model);
  auto x = Tensor::from_vector<float>(DType::kFloat, Shape{2}, {3.0f, -2.0f});
  for (bool p : {true, false}) {
    auto out = model->run_tensors({{"x", x}, {"p", boolean(p)}}, {"m", "m:1"});
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_EQ((*out)[0].data<float>()[0], p ? 9.0f : -3.0f);
    EXPECT_EQ((*out)[0].data<float>()[1], p ? 4.0f : 2.0f);
    EXPECT_EQ((*out)[1].data<int32_t>()[0], p ? 1 : 0);
  }
  // The untaken side is dead: fetching it is an error, not garbage.
  auto dead = model->run_tensors({{"x", x}, {"p", boolean(false)}}, {"t"});
  EXPECT_FALSE(dead.ok());
}

// A TF1 tf.while_loop as TF1 leaves it: acc = 0; for (i = 0; i < n; ++i) acc += x.
std::string tf1_node(const std::string& name, const std::string& op, std::vector<std::string> inputs,
                     const std::string& attrs) {
  std::string s = "node { name: \"" + name + "\" op: \"" + op + "\" ";
  for (const std::string& in : inputs) s += "input: \"" + in + "\" ";
  return s + attrs + "} ";
}

TEST(ControlFlow, Tf1WhileLoopFramesRun) {
  const std::string t = type_attr("T", "DT_INT32");
  auto enter = [&](const std::string& name, const std::string& in, bool constant) {
    return tf1_node(name, "Enter", {in},
                    t + "attr { key: \"frame_name\" value { s: \"while/while_context\" } } "
                        "attr { key: \"is_constant\" value { b: " + std::string(constant ? "true" : "false") + " } } ");
  };
  const std::string merge_attrs = t + "attr { key: \"N\" value { i: 2 } } ";
  const std::string graph =
      placeholder("n", "DT_INT32") + placeholder("x", "DT_INT32") +
      "node { name: \"zero\" op: \"Const\" " + type_attr("dtype", "DT_INT32") +
      "attr { key: \"value\" value { tensor { dtype: DT_INT32 tensor_shape {} int_val: 0 } } } } " +
      enter("while/Enter", "zero", false) + enter("while/Enter_1", "zero", false) + enter("while/Enter_2", "n", true) +
      enter("while/Enter_3", "x", true) +
      tf1_node("while/Merge", "Merge", {"while/Enter", "while/NextIteration"}, merge_attrs) +
      tf1_node("while/Merge_1", "Merge", {"while/Enter_1", "while/NextIteration_1"}, merge_attrs) +
      tf1_node("while/Less", "Less", {"while/Merge", "while/Enter_2"}, t) +
      tf1_node("while/LoopCond", "LoopCond", {"while/Less"}, "") +
      tf1_node("while/Switch", "Switch", {"while/Merge", "while/LoopCond"}, t) +
      tf1_node("while/Switch_1", "Switch", {"while/Merge_1", "while/LoopCond"}, t) +
      tf1_node("while/Identity", "Identity", {"while/Switch:1"}, t) +
      tf1_node("while/Identity_1", "Identity", {"while/Switch_1:1"}, t) +
      "node { name: \"while/one\" op: \"Const\" input: \"^while/Identity\" " + type_attr("dtype", "DT_INT32") +
      "attr { key: \"value\" value { tensor { dtype: DT_INT32 tensor_shape {} int_val: 1 } } } } " +
      tf1_node("while/add", "AddV2", {"while/Identity", "while/one"}, t) +
      tf1_node("while/add_1", "AddV2", {"while/Identity_1", "while/Enter_3"}, t) +
      tf1_node("while/NextIteration", "NextIteration", {"while/add"}, t) +
      tf1_node("while/NextIteration_1", "NextIteration", {"while/add_1"}, t) +
      tf1_node("while/Exit", "Exit", {"while/Switch"}, t) + tf1_node("while/Exit_1", "Exit", {"while/Switch_1"}, t) +
      tf1_node("out", "Identity", {"while/Exit_1"}, t);
  TempDir dir;
  LoadOptions options;
  options.max_loop_iterations = 50;
  auto model = load_text(dir, graph, options);
  ASSERT_TRUE(model);
  for (int n : {0, 3, 7}) {
    auto out = model->run_tensors({{"n", i32(n)}, {"x", i32(5)}}, {"out", "while/Exit"});
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_EQ((*out)[0].data<int32_t>()[0], 5 * n);
    EXPECT_EQ((*out)[1].data<int32_t>()[0], n);
  }
  auto endless = model->run_tensors({{"n", i32(1000)}, {"x", i32(1)}}, {"out"});
  ASSERT_FALSE(endless.ok());
  EXPECT_EQ(endless.status().code(), StatusCode::kResourceExhausted);
}

TEST(ControlFlow, TensorArrayWritesScattersAndGathers) {
  const std::string f = type_attr("T", "DT_FLOAT");
  auto fconst = [](const std::string& name, const std::string& shape, const std::string& vals) {
    return "node { name: \"" + name + "\" op: \"Const\" " + type_attr("dtype", "DT_FLOAT") +
           "attr { key: \"value\" value { tensor { dtype: DT_FLOAT tensor_shape { " + shape + " } " + vals + " } } } } ";
  };
  auto iconst = [](const std::string& name, const std::string& shape, const std::string& vals) {
    return "node { name: \"" + name + "\" op: \"Const\" " + type_attr("dtype", "DT_INT32") +
           "attr { key: \"value\" value { tensor { dtype: DT_INT32 tensor_shape { " + shape + " } " + vals + " } } } } ";
  };
  const std::string graph =
      iconst("size", "", "int_val: 2") + iconst("one", "", "int_val: 2") + iconst("idx", "dim { size: 2 }", "int_val: 0 int_val: 1") +
      iconst("all", "dim { size: 3 }", "int_val: 2 int_val: 0 int_val: 1") +
      fconst("rows", "dim { size: 2 } dim { size: 2 }", "float_val: 1 float_val: 2 float_val: 3 float_val: 4") +
      fconst("extra", "dim { size: 2 }", "float_val: 9 float_val: 8") +
      tf1_node("ta", "TensorArrayV3", {"size"}, type_attr("dtype", "DT_FLOAT") + "attr { key: \"dynamic_size\" value { b: true } } ") +
      tf1_node("scatter", "TensorArrayScatterV3", {"ta", "idx", "rows", "ta:1"}, f) +
      tf1_node("write", "TensorArrayWriteV3", {"ta", "one", "extra", "scatter"}, f) +
      tf1_node("size_out", "TensorArraySizeV3", {"ta", "write"}, "") +
      tf1_node("gather", "TensorArrayGatherV3", {"ta", "all", "write"}, type_attr("dtype", "DT_FLOAT")) +
      tf1_node("read", "TensorArrayReadV3", {"ta", "one", "write"}, type_attr("dtype", "DT_FLOAT"));
  TempDir dir;
  auto model = load_text(dir, graph);
  ASSERT_TRUE(model);
  auto out = model->run_tensors({}, {"gather", "size_out", "read"});
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_EQ((*out)[0].shape(), (Shape{3, 2}));
  const float* g = (*out)[0].data<float>();
  EXPECT_EQ(std::vector<float>(g, g + 6), (std::vector<float>{9, 8, 1, 2, 3, 4}));
  EXPECT_EQ((*out)[1].data<int32_t>()[0], 3);  // grew from 2 when element 2 was written
  EXPECT_EQ((*out)[2].data<float>()[1], 8.0f);
}

const std::string kTableGraph =
    placeholder("q", "DT_STRING") +
    "node { name: \"table\" op: \"HashTableV2\" " + type_attr("key_dtype", "DT_STRING") +
    type_attr("value_dtype", "DT_INT64") + "attr { key: \"shared_name\" value { s: \"vocab\" } } } "
    "node { name: \"keys\" op: \"Const\" " + type_attr("dtype", "DT_STRING") +
    "attr { key: \"value\" value { tensor { dtype: DT_STRING tensor_shape { dim { size: 3 } } "
    "string_val: \"cat\" string_val: \"dog\" string_val: \"emu\" } } } } "
    "node { name: \"values\" op: \"Const\" " + type_attr("dtype", "DT_INT64") +
    "attr { key: \"value\" value { tensor { dtype: DT_INT64 tensor_shape { dim { size: 3 } } "
    "int64_val: 4 int64_val: 5 int64_val: 6 } } } } "
    "node { name: \"init\" op: \"LookupTableImportV2\" input: \"table\" input: \"keys\" input: \"values\" " +
    type_attr("Tin", "DT_STRING") + type_attr("Tout", "DT_INT64") + "} "
    "node { name: \"dflt\" op: \"Const\" " + type_attr("dtype", "DT_INT64") +
    "attr { key: \"value\" value { tensor { dtype: DT_INT64 tensor_shape {} int64_val: -1 } } } } "
    "node { name: \"find\" op: \"LookupTableFindV2\" input: \"table\" input: \"q\" input: \"dflt\" input: \"^init\" " +
    type_attr("Tin", "DT_STRING") + type_attr("Tout", "DT_INT64") + "} ";

TEST(Lookup, HashTableImportAndFind) {
  TempDir dir;
  auto model = load_text(dir, kTableGraph);
  ASSERT_TRUE(model);
  auto q = Tensor::from_strings(Shape{2, 2}, {"dog", "cow", "emu", "cat"});
  ASSERT_TRUE(q.ok());
  auto out = model->run_tensors({{"q", *q}}, {"find"});
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_EQ((*out)[0].shape(), (Shape{2, 2}));
  const int64_t* v = (*out)[0].data<int64_t>();
  EXPECT_EQ(v[0], 5);
  EXPECT_EQ(v[1], -1);
  EXPECT_EQ(v[2], 6);
  EXPECT_EQ(v[3], 4);
}

TEST(Lookup, TextFileInitialiserReadsAndRefusesMissingFiles) {
  TempDir dir;
  write_all(dir.file("vocab.txt"), "alpha\nbeta\ngamma\n");
  const std::string graph =
      placeholder("q", "DT_STRING") + placeholder("file", "DT_STRING") +
      "node { name: \"table\" op: \"HashTableV2\" " + type_attr("key_dtype", "DT_STRING") +
      type_attr("value_dtype", "DT_INT64") + "attr { key: \"shared_name\" value { s: \"words\" } } } "
      "node { name: \"init\" op: \"InitializeTableFromTextFileV2\" input: \"table\" input: \"file\" "
      "attr { key: \"key_index\" value { i: -2 } } attr { key: \"value_index\" value { i: -1 } } } "
      "node { name: \"dflt\" op: \"Const\" " + type_attr("dtype", "DT_INT64") +
      "attr { key: \"value\" value { tensor { dtype: DT_INT64 tensor_shape {} int64_val: -1 } } } } "
      "node { name: \"find\" op: \"LookupTableFindV2\" input: \"table\" input: \"q\" input: \"dflt\" input: \"^init\" " +
      type_attr("Tin", "DT_STRING") + type_attr("Tout", "DT_INT64") + "} ";
  LoadOptions options;
  options.allow_unsafe_ops = true;  // the graph reads a file
  auto model = load_text(dir, graph, options);
  ASSERT_TRUE(model);
  auto q = Tensor::from_strings(Shape{3}, {"gamma", "alpha", "delta"});
  auto file = Tensor::from_strings(Shape{}, {dir.file("vocab.txt")});
  auto out = model->run_tensors({{"q", *q}, {"file", *file}}, {"find"});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].data<int64_t>()[0], 2);
  EXPECT_EQ((*out)[0].data<int64_t>()[1], 0);
  EXPECT_EQ((*out)[0].data<int64_t>()[2], -1);

  TempDir other;
  auto fresh = load_text(other, graph, options);
  ASSERT_TRUE(fresh);
  auto missing = Tensor::from_strings(Shape{}, {other.file("no_such_vocab.txt")});
  auto bad = fresh->run_tensors({{"q", *q}, {"file", *missing}}, {"find"});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("no_such_vocab.txt"), std::string::npos) << bad.status();
}

}  // namespace
}  // namespace tfport
