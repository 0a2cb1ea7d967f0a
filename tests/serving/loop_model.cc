#include "loop_model.h"

#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "support/test_support.h"
#include "tfport/saved_model_builder.h"

namespace tfport::serving::testing {
namespace {

std::string type_attr(const char* key, const char* type) {
  return std::string("attr { key: \"") + key + "\" value { type: " + type + " } } ";
}

// while (i < n) { sum += i; i += 1 }
std::string loop_graph_text() {
  const std::string t = type_attr("T", "DT_INT32");
  return "node { name: \"n\" op: \"Placeholder\" " + type_attr("dtype", "DT_INT32") +
         "attr { key: \"shape\" value { shape {} } } } "
         "node { name: \"zero\" op: \"Const\" " + type_attr("dtype", "DT_INT32") +
         "attr { key: \"value\" value { tensor { dtype: DT_INT32 tensor_shape {} int_val: 0 } } } } "
         "node { name: \"w\" op: \"While\" input: \"zero\" input: \"zero\" input: \"n\" "
         "attr { key: \"T\" value { list { type: DT_INT32 type: DT_INT32 type: DT_INT32 } } } "
         "attr { key: \"cond\" value { func { name: \"cond\" } } } attr { key: \"body\" value { func { name: \"body\" } } } } "
         "node { name: \"sum\" op: \"Identity\" input: \"w:1\" " + t + "} "
         "library { "
         "function { signature { name: \"cond\" input_arg { name: \"i\" type: DT_INT32 } "
         "input_arg { name: \"acc\" type: DT_INT32 } input_arg { name: \"n\" type: DT_INT32 } "
         "output_arg { name: \"out\" type: DT_BOOL } } "
         "node_def { name: \"less\" op: \"Less\" input: \"i\" input: \"n\" " + t + "} "
         "ret { key: \"out\" value: \"less:z:0\" } } "
         "function { signature { name: \"body\" input_arg { name: \"i\" type: DT_INT32 } "
         "input_arg { name: \"acc\" type: DT_INT32 } input_arg { name: \"n\" type: DT_INT32 } "
         "output_arg { name: \"i2\" type: DT_INT32 } output_arg { name: \"acc2\" type: DT_INT32 } "
         "output_arg { name: \"n2\" type: DT_INT32 } } "
         "node_def { name: \"one\" op: \"Const\" " + type_attr("dtype", "DT_INT32") +
         "attr { key: \"value\" value { tensor { dtype: DT_INT32 tensor_shape {} int_val: 1 } } } } "
         "node_def { name: \"inc\" op: \"AddV2\" input: \"i\" input: \"one:output:0\" " + t + "} "
         "node_def { name: \"add\" op: \"AddV2\" input: \"acc\" input: \"i\" " + t + "} "
         "ret { key: \"i2\" value: \"inc:z:0\" } ret { key: \"acc2\" value: \"add:z:0\" } ret { key: \"n2\" value: \"n\" } } }";
}

}  // namespace

void write_loop_model(const std::string& base_path, int version, const std::map<std::string, std::string>& extra_files) {
  SavedModelSpec spec;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(loop_graph_text(), &spec.graph));
  spec.signatures["serving_default"] =
      predict_signature({{"n", tensor_info("n:0", DType::kInt32, PartialShape(std::vector<int64_t>{}))}},
                        {{"sum", tensor_info("sum:0", DType::kInt32, PartialShape(std::vector<int64_t>{}))}});
  const std::string dir = base_path + "/" + std::to_string(version);
  SavedModelWriteOptions options;
  options.overwrite = true;  // tests write several versions of the file at one path
  const Status s = write_saved_model(dir, spec, options);
  ASSERT_TRUE(s.ok()) << s;
  for (const auto& [name, bytes] : extra_files) {
    std::filesystem::create_directories(std::filesystem::path(dir + "/" + name).parent_path());
    tfport::testing::write_all(dir + "/" + name, bytes);
  }
}

}  // namespace tfport::serving::testing
