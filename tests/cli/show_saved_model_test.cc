// `tfport show` on SavedModels against saved_model_cli's goldens (../shared/spec/saved_model_cli.md).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <google/protobuf/text_format.h>

#include <filesystem>
#include <sstream>

#include "cli/saved_model_cli_goldens.h"
#include "cli/show.h"
#include "cli/show_saved_model.h"
#include "support/test_support.h"

namespace tfport::cli {
namespace {

using ::testing::HasSubstr;
using tfport::testing::fixture;
namespace goldens = tfport::testing::goldens;

const char kTf1[] = "tfserving/saved_model_half_plus_two_cpu/00000123";
const char kTf2[] = "tfserving/saved_model_half_plus_two_tf2_cpu/00000123";
// TF's own half_plus_two test model (the one saved_model_cli_test.py uses).
const char kH2[] = "tfserving/saved_model_half_plus_two_gpu/00000123";

struct Shown {
  Status status;
  std::string out;
};

Shown show(const std::string& dir, std::optional<std::string> tag_set = std::nullopt,
           std::optional<std::string> signature = std::nullopt, bool all = false, bool list_ops = false,
           bool json = false) {
  ShowOptions o;
  o.dir = dir;
  o.tag_set = std::move(tag_set);
  o.signature_def = std::move(signature);
  o.all = all;
  o.list_ops = list_ops;
  o.json = json;
  std::ostringstream out;
  Status s = run_show(o, out);
  return {s, out.str()};
}

TEST(ShowSavedModel, Tf1Goldens) {
  std::string d = fixture(kTf1);
  EXPECT_EQ(show(d).out, goldens::kTf1TagSets);
  EXPECT_EQ(show(d, "serve").out, goldens::kTf1SignatureKeys);
  EXPECT_EQ(show(d, "serve", "serving_default").out, goldens::kTf1ServingDefault);
  auto all = show(d, std::nullopt, std::nullopt, true);
  ASSERT_TRUE(all.status.ok()) << all.status;
  EXPECT_EQ(all.out, std::string("\n") + goldens::kTf1All);
}

TEST(ShowSavedModel, Tf2Goldens) {
  std::string d = fixture(kTf2);
  EXPECT_EQ(show(d, "serve").out, goldens::kTf2SignatureKeys);
  EXPECT_EQ(show(d, "serve", "serving_default").out, goldens::kTf2ServingDefault);
  auto all = show(d, std::nullopt, std::nullopt, true);
  ASSERT_TRUE(all.status.ok()) << all.status;
  EXPECT_EQ(all.out, std::string("\n") + goldens::kTf2All);
}

TEST(ShowSavedModel, TensorFlowTestGoldens) {
  std::string d = fixture(kH2);
  EXPECT_EQ(show(d).out, goldens::kH2TagSets);
  EXPECT_EQ(show(d, "serve").out, goldens::kH2SignatureKeys);
  EXPECT_EQ(show(d, "serve", "serving_default").out, goldens::kH2ServingDefault);
  auto list_ops = show(d, std::nullopt, std::nullopt, false, true);
  EXPECT_TRUE(list_ops.status.ok());
  EXPECT_EQ(list_ops.out, goldens::kH2ListOpsNoTagSet);
  auto all = show(d, std::nullopt, std::nullopt, true);
  std::string golden = goldens::kH2AllWithoutOps;
  golden.pop_back();  // TF's test strips the text; the ops set follows on the same line
  EXPECT_THAT(all.out, HasSubstr(golden));
  auto ops = show(d, "serve", std::nullopt, false, true);
  ASSERT_TRUE(ops.status.ok());
  EXPECT_THAT(ops.out, HasSubstr("The MetaGraph with tag set ['serve'] contains the following ops:"));
  for (const char* op : {"VariableV2", "Add", "RestoreV2", "ShardedFilename", "Placeholder", "Mul", "Pack", "Reshape",
                         "SaveV2", "Const", "Identity", "Assign", "ParseExample", "StringJoin", "MergeV2Checkpoints",
                         "NoOp"}) {
    EXPECT_THAT(ops.out, HasSubstr(std::string("'") + op + "'"));
  }
  EXPECT_THAT(ops.out, HasSubstr(goldens::kH2SignatureKeys));
}

TEST(ShowSavedModel, Errors) {
  std::string d = fixture(kTf1);
  auto bad_tags = show(d, "badtagset");
  EXPECT_EQ(bad_tags.status.code(), StatusCode::kNotFound);
  EXPECT_EQ(bad_tags.status.message(),
            "MetaGraphDef associated with tag-set 'badtagset' could not be found in SavedModel");
  auto bad_sig = show(d, "serve", "INVALID_SIGNATURE");
  EXPECT_EQ(bad_sig.status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad_sig.status.message(),
            "Could not find signature \"INVALID_SIGNATURE\". Please choose from: classify_x_to_y, "
            "regress_x2_to_y3, regress_x_to_y, regress_x_to_y2, serving_default");
  // --signature_def without --tag_set shows the tag sets, as saved_model_cli does.
  EXPECT_EQ(show(d, std::nullopt, "serving_default").out, goldens::kTf1TagSets);
}

TEST(ShowSavedModel, PbtxtCopyShowsTheSame) {
  tfport::testing::TempDir tmp;
  for (const char* model : {kTf1, kTf2}) {
    auto files = read_saved_model(fixture(model));
    ASSERT_TRUE(files.ok());
    std::string text;
    ASSERT_TRUE(google::protobuf::TextFormat::PrintToString(files->proto, &text));
    std::string dir = tmp.file(std::filesystem::path(model).parent_path().filename().string());
    std::filesystem::create_directories(dir);
    tfport::testing::write_all(dir + "/saved_model.pbtxt", text);
    auto from_text = show(dir, std::nullopt, std::nullopt, true);
    ASSERT_TRUE(from_text.status.ok()) << from_text.status;
    EXPECT_EQ(from_text.out, show(fixture(model), std::nullopt, std::nullopt, true).out);
  }
}

TEST(ShowSavedModel, ConcreteFunctionArgumentKinds) {
  // A model like saved_model_cli_test's testShowAllWithFunctions (§6.2): func1(a, b, c=True)
  // and __call__(y, c=7), each traced once.
  tensorflow::SavedModel model;
  auto* mg = model.add_meta_graphs();
  mg->mutable_meta_info_def()->add_tags("serve");
  auto* graph = mg->mutable_object_graph_def();
  auto* root = graph->add_nodes();
  auto add_function = [&](const std::string& child, const std::string& concrete, const std::string& sig_text) {
    auto* ref = root->add_children();
    ref->set_node_id(graph->nodes_size());
    ref->set_local_name(child);
    graph->add_nodes()->mutable_function()->add_concrete_functions(concrete);
    tensorflow::StructuredValue sig;
    ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(sig_text, &sig));
    *(*graph->mutable_concrete_functions())[concrete].mutable_canonicalized_input_signature() = sig;
  };
  add_function("func1", "__inference_func1_1",
               "tuple_value { values { tuple_value {"
               " values { tensor_spec_value { name: 'a' shape {} dtype: DT_INT32 } }"
               " values { tensor_spec_value { name: 'b' shape {} dtype: DT_INT32 } }"
               " values { bool_value: true } } } values { dict_value {} } }");
  add_function("__call__", "__inference_call_2",
               "tuple_value { values { tuple_value {"
               " values { tensor_spec_value { name: 'y' shape {} dtype: DT_INT32 } }"
               " values { int64_value: 7 } } } values { dict_value {} } }");
  add_function("lists", "__inference_lists_3",
               "tuple_value { values { tuple_value {"
               " values { list_value { values { string_value: 'u' } values { float64_value: 0.5 } } }"
               " values { dict_value { fields { key: 'k' value { none_value {} } } } }"
               " values { tensor_spec_value { shape { dim { size: -1 } dim { size: 3 } } dtype: DT_FLOAT } } } }"
               " values { dict_value { fields { key: 'training' value { bool_value: false } } } } }");
  SavedModelFiles files;
  files.proto = model;
  ShowOptions o;
  o.all = true;
  std::ostringstream out;
  ASSERT_TRUE(print_saved_model(files, o, out).ok());
  const std::string expected_functions =
      "\nConcrete Functions:"
      "\n  Function Name: '__call__'\n"
      "    Option #1\n      Callable with:\n"
      "        Argument #1\n          y: TensorSpec(shape=(), dtype=tf.int32, name='y')\n"
      "        Argument #2\n          DType: int\n          Value: 7\n"
      "\n  Function Name: 'func1'\n"
      "    Option #1\n      Callable with:\n"
      "        Argument #1\n          a: TensorSpec(shape=(), dtype=tf.int32, name='a')\n"
      "        Argument #2\n          b: TensorSpec(shape=(), dtype=tf.int32, name='b')\n"
      "        Argument #3\n          DType: bool\n          Value: True\n"
      "\n  Function Name: 'lists'\n"
      "    Option #1\n      Callable with:\n"
      "        Argument #1\n          DType: list\n          Value: ['u', 0.5, \b\b]\n"
      "        Argument #2\n          DType: dict\n          Value: {'k': None, \b\b}\n"
      "        Argument #3\n          None: TensorSpec(shape=(None, 3), dtype=tf.float32, name=None)\n"
      "        Named Argument #1\n          training\n";
  EXPECT_EQ(out.str(),
            "\nMetaGraphDef with tag-set: 'serve' contains the following SignatureDefs:\n"
            "The MetaGraph with tag set ['serve'] contains the following ops: set()\n" +
                expected_functions);
}

TEST(ShowSavedModel, Json) {
  auto shown = show(fixture(kTf2), std::nullopt, std::nullopt, false, false, true);
  ASSERT_TRUE(shown.status.ok()) << shown.status;
  auto doc = nlohmann::json::parse(shown.out);
  EXPECT_EQ(doc["format"], "SavedModel");
  EXPECT_EQ(doc["saved_model_file"], "saved_model.pb");
  EXPECT_EQ(doc["has_keras_metadata"], false);
  EXPECT_EQ(doc["assets"], nlohmann::json::array({"foo.txt"}));
  EXPECT_EQ(doc["fingerprint"]["saved_model_checksum"], "3202314178945370836");
  ASSERT_EQ(doc["meta_graphs"].size(), 1u);
  const auto& mg = doc["meta_graphs"][0];
  EXPECT_EQ(mg["tags"], nlohmann::json::array({"serve"}));
  EXPECT_EQ(mg["tensorflow_version"], "2.14.0");
  const auto& x = mg["signatures"]["serving_default"]["inputs"]["x"];
  EXPECT_EQ(x["dtype"], "DT_FLOAT");
  EXPECT_EQ(x["shape"], nlohmann::json::array({1}));
  EXPECT_EQ(x["name"], "serving_default_x:0");
  EXPECT_EQ(mg["signatures"]["classify_x_to_y"]["inputs"]["inputs"]["shape"], nlohmann::json::array({-1}));
  EXPECT_TRUE(mg["signatures"]["__saved_model_init_op"]["outputs"]["__saved_model_init_op"]["shape"].is_null());
  EXPECT_EQ(mg["signatures"]["serving_default"]["method_name"], "tensorflow/serving/predict");
  EXPECT_EQ(mg["ops"].size(), 23u);
  ASSERT_EQ(mg["concrete_functions"].size(), 6u);
  EXPECT_EQ(mg["concrete_functions"][2]["name"], "predict");
  EXPECT_EQ(mg["concrete_functions"][2]["options"][0]["args"][0]["tensor_spec"]["name"], "x");

  auto one = show(fixture(kTf1), "serve", "serving_default", false, false, true);
  ASSERT_TRUE(one.status.ok());
  auto doc1 = nlohmann::json::parse(one.out);
  EXPECT_EQ(doc1["meta_graphs"][0]["signatures"].size(), 1u);
  EXPECT_EQ(doc1["meta_graphs"][0]["signatures"]["serving_default"]["outputs"]["y"]["shape"],
            nlohmann::json::array({-1, 1}));
  EXPECT_FALSE(show(fixture(kTf1), "serve", "nope", false, false, true).status.ok());
  auto keras = show(fixture("realworld/auto-mpg-dnn/model"), std::nullopt, std::nullopt, false, false, true);
  ASSERT_TRUE(keras.status.ok());
  EXPECT_EQ(nlohmann::json::parse(keras.out)["has_keras_metadata"], true);
}

// Every SavedModel among the fixtures shows in every form without error.
TEST(ShowSavedModel, EveryFixtureSavedModel) {
  int count = 0;
  for (const char* root : {"tfserving", "realworld"}) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(fixture(root))) {
      if (entry.path().filename() != "saved_model.pb") continue;
      std::string dir = entry.path().parent_path().string();
      for (bool json : {false, true}) {
        auto all = show(dir, std::nullopt, std::nullopt, true, false, json);
        EXPECT_TRUE(all.status.ok()) << dir << ": " << all.status;
        EXPECT_THAT(all.out, HasSubstr(json ? "\"meta_graphs\"" : "contains the following ops:")) << dir;
      }
      ++count;
    }
  }
  EXPECT_GE(count, 17);
}

}  // namespace
}  // namespace tfport::cli
