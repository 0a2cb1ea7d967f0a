// write_saved_model: a hand-built graph with variables, exports of frozen fixtures, and the
// guarantees around the export directory. tfport loads what it wrote and gets the same outputs.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/staged_file.h"
#include "support/test_support.h"
#include "tfport/checkpoint.h"
#include "tfport/freeze.h"
#include "tfport/model.h"
#include "tfport/saved_model.h"
#include "tfport/saved_model_builder.h"

namespace fs = std::filesystem;

namespace tfport {
namespace {

using tfport::testing::TempDir;

tensorflow::AttrValue type_attr(tensorflow::DataType t) {
  tensorflow::AttrValue a;
  a.set_type(t);
  return a;
}

tensorflow::NodeDef* node(tensorflow::GraphDef& g, const std::string& name, const std::string& op,
                          std::vector<std::string> inputs) {
  auto* n = g.add_node();
  n->set_name(name);
  n->set_op(op);
  for (auto& i : inputs) n->add_input(i);
  return n;
}

// y = x @ w + b with x: float[?, 3], w: [3, 1], b: [1].
SavedModelSpec linear_model() {
  SavedModelSpec spec;
  auto& g = spec.graph;
  auto* x = node(g, "x", "Placeholder", {});
  (*x->mutable_attr())["dtype"] = type_attr(tensorflow::DT_FLOAT);
  auto* shape = (*x->mutable_attr())["shape"].mutable_shape();
  shape->add_dim()->set_size(-1);
  shape->add_dim()->set_size(3);
  (*node(g, "w/read", "ReadVariableOp", {"w"})->mutable_attr())["dtype"] = type_attr(tensorflow::DT_FLOAT);
  (*node(g, "b/read", "ReadVariableOp", {"b"})->mutable_attr())["dtype"] = type_attr(tensorflow::DT_FLOAT);
  auto* mm = node(g, "MatMul", "MatMul", {"x", "w/read"});
  (*mm->mutable_attr())["T"] = type_attr(tensorflow::DT_FLOAT);
  (*mm->mutable_attr())["transpose_a"].set_b(false);
  (*mm->mutable_attr())["transpose_b"].set_b(false);
  (*node(g, "BiasAdd", "BiasAdd", {"MatMul", "b/read"})->mutable_attr())["T"] = type_attr(tensorflow::DT_FLOAT);
  (*node(g, "y", "Identity", {"BiasAdd"})->mutable_attr())["T"] = type_attr(tensorflow::DT_FLOAT);
  spec.variables.push_back({"w", Tensor::from_vector<float>(DType::kFloat, Shape{3, 1}, {1.0f, 2.0f, 3.0f}), true});
  spec.variables.push_back({"b", Tensor::from_vector<float>(DType::kFloat, Shape{1}, {0.5f}), true});
  spec.signatures["serving_default"] =
      predict_signature({{"x", tensor_info("x:0", DType::kFloat, PartialShape({-1, 3}))}},
                        {{"y", tensor_info("y:0", DType::kFloat, PartialShape({-1, 1}))}});
  spec.assets.push_back({"vocab.txt", "a\nb\n", "asset_path"});
  // Serving's classify and regress APIs take serialized tf.Examples.
  auto* examples = node(g, "tf_example", "Placeholder", {});
  (*examples->mutable_attr())["dtype"] = type_attr(tensorflow::DT_STRING);
  (*examples->mutable_attr())["shape"].mutable_shape()->add_dim()->set_size(-1);
  const auto ex = tensor_info("tf_example:0", DType::kString, PartialShape({-1}));
  spec.signatures["regress_x_to_y"] = regress_signature(ex, tensor_info("y:0", DType::kFloat, PartialShape({-1, 1})));
  spec.signatures["classify_x_to_y"] =
      classify_signature(ex, tensorflow::TensorInfo(), tensor_info("y:0", DType::kFloat, PartialShape({-1, 1})));
  return spec;
}

TEST(SavedModelBuilder, HandBuiltModelLoadsAndRuns) {
  TempDir tmp;
  const std::string dir = tmp.file("export/1");
  Status written = write_saved_model(dir, linear_model());
  ASSERT_TRUE(written.ok()) << written;

  auto files = read_saved_model(dir);
  ASSERT_TRUE(files.ok()) << files.status();
  EXPECT_EQ(files->variables_prefix, dir + "/variables/variables");
  EXPECT_EQ(files->assets, std::vector<std::string>{"vocab.txt"});
  auto mg = find_meta_graph(files->proto, "serve");
  ASSERT_TRUE(mg.ok());
  EXPECT_EQ((*mg)->saver_def().restore_op_name(), "save/restore_all");
  EXPECT_EQ((*mg)->signature_def().at("regress_x_to_y").method_name(), "tensorflow/serving/regress");
  EXPECT_EQ((*mg)->signature_def().at("regress_x_to_y").inputs().at("inputs").name(), "tf_example:0");
  EXPECT_EQ((*mg)->signature_def().at("classify_x_to_y").method_name(), "tensorflow/serving/classify");
  EXPECT_EQ((*mg)->signature_def().at("classify_x_to_y").outputs().count("scores"), 1u);
  EXPECT_EQ((*mg)->signature_def().at("classify_x_to_y").outputs().count("classes"), 0u);
  EXPECT_EQ((*mg)->meta_info_def().tags(0), "serve");
  ASSERT_EQ((*mg)->asset_file_def_size(), 1);
  EXPECT_EQ((*mg)->asset_file_def(0).filename(), "vocab.txt");
  EXPECT_EQ(testing::read_all(dir + "/assets/vocab.txt"), "a\nb\n");
  EXPECT_EQ((*mg)->saver_def().version(), tensorflow::SaverDef::V2);
  auto vars = variable_defs(**mg, "variables");
  ASSERT_TRUE(vars.ok());
  EXPECT_EQ(vars->size(), 2u);
  auto ckpt = CheckpointReader::open(files->variables_prefix);
  ASSERT_TRUE(ckpt.ok()) << ckpt.status();
  EXPECT_EQ(ckpt->variables().size(), 2u);
  EXPECT_EQ(ckpt->read("b")->data<float>()[0], 0.5f);

  auto model = Model::load(dir);
  ASSERT_TRUE(model.ok()) << model.status();
  auto y = (*model)->run("serving_default",
                         {{"x", Tensor::from_vector<float>(DType::kFloat, Shape{2, 3}, {1, 1, 1, 1, 0, 2})}});
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(y->at("y").data<float>()[0], 6.5f);
  EXPECT_EQ(y->at("y").data<float>()[1], 7.5f);
}

TEST(SavedModelBuilder, RefusesToClobberAndCleansUpFailures) {
  TempDir tmp;
  const std::string dir = tmp.file("m");
  Status written = write_saved_model(dir, linear_model());
  ASSERT_TRUE(written.ok()) << written;
  const std::string before = testing::read_all(dir + "/saved_model.pb");
  Status again = write_saved_model(dir, linear_model());
  EXPECT_EQ(again.code(), StatusCode::kAlreadyExists) << again;

  SavedModelWriteOptions overwrite;
  overwrite.overwrite = true;
  for (uint64_t budget : {0ull, 10ull, 13ull, 200ull}) {
    write_faults::fail_after_bytes(budget);
    Status s = write_saved_model(dir, linear_model(), overwrite);
    write_faults::clear();
    EXPECT_FALSE(s.ok()) << budget;
    EXPECT_EQ(testing::read_all(dir + "/saved_model.pb"), before);
    EXPECT_TRUE(Model::load(dir).ok());
  }
  write_faults::fail_after_bytes(40);
  EXPECT_FALSE(write_saved_model(tmp.file("fresh"), linear_model()).ok());
  write_faults::clear();
  EXPECT_FALSE(fs::exists(tmp.file("fresh")));
  int entries = 0;
  for (const auto& e : fs::directory_iterator(tmp.path())) {
    ++entries;
    EXPECT_EQ(e.path().filename(), "m");
  }
  EXPECT_EQ(entries, 1);
  ASSERT_TRUE(write_saved_model(dir, linear_model(), overwrite).ok());

  // Missing parents are created as TF does; a file in the way is an error.
  Status nested = write_saved_model(tmp.file("new/parents/1"), linear_model());
  ASSERT_TRUE(nested.ok()) << nested;
  EXPECT_TRUE(Model::load(tmp.file("new/parents/1")).ok());
  fs::remove_all(tmp.file("new"));
  testing::write_all(tmp.file("file"), "x");
  EXPECT_FALSE(write_saved_model(tmp.file("file/1"), linear_model()).ok());
  fs::remove(tmp.file("file"));
  SavedModelSpec clash = linear_model();
  clash.variables.push_back({"MatMul", Tensor::from_vector<float>(DType::kFloat, Shape{}, {1.0f}), true});
  Status c = write_saved_model(tmp.file("clash"), clash);
  EXPECT_EQ(c.code(), StatusCode::kInvalidArgument) << c;
  EXPECT_FALSE(fs::exists(tmp.file("clash")));
}

// Frozen fixtures exported again as SavedModels (weights in variables/) compute the same.
TEST(SavedModelBuilder, FrozenFixturesRoundTrip) {
  const std::vector<std::string> sources = {"tfserving/saved_model_half_plus_two_cpu/00000123",
                                            "tfserving/saved_model_half_plus_two_tf2_cpu/00000123",
                                            "realworld/mnist-cnn/model/mnist_cnn.h5"};
  for (const std::string& src : sources) {
    SCOPED_TRACE(src);
    auto frozen = freeze_model(testing::fixture(src));
    ASSERT_TRUE(frozen.ok()) << frozen.status();
    auto spec = saved_model_spec_from_frozen(*frozen, "serving_default", 1);
    ASSERT_TRUE(spec.ok()) << spec.status();
    EXPECT_FALSE(spec->variables.empty());
    TempDir tmp;
    ASSERT_TRUE(write_saved_model(tmp.file("sm"), *spec).ok());
    auto original = Model::load(testing::fixture(src));
    auto copy = Model::load(tmp.file("sm"));
    ASSERT_TRUE(original.ok() && copy.ok()) << copy.status();
    const Signature* sig = *(*original)->signature("serving_default");
    std::map<std::string, Tensor> inputs;
    for (const TensorSpec& in : sig->inputs) {
      std::vector<int64_t> dims;
      for (int64_t d : in.shape.dims()) dims.push_back(d < 0 ? 2 : d);
      auto t = Tensor::allocate(in.dtype, Shape(dims));
      ASSERT_TRUE(t.ok());
      float* p = t->mutable_data<float>();
      for (int64_t i = 0; i < t->num_elements(); ++i) p[i] = static_cast<float>((i * 37) % 11) / 11.0f;
      inputs[in.key] = *t;
    }
    auto want = (*original)->run("serving_default", inputs);
    auto got = (*copy)->run("serving_default", inputs);
    ASSERT_TRUE(want.ok() && got.ok()) << got.status();
    for (const auto& [key, value] : *want) EXPECT_TRUE(got->at(key).equals(value)) << key;
  }
}

}  // namespace
}  // namespace tfport
