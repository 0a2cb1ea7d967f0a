// `tfport show` on checkpoints: text listing and --json.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/show.h"
#include "support/test_support.h"

namespace tfport::cli {
namespace {

DetectedModel checkpoint_model(const std::string& prefix) {
  return DetectedModel{ModelFormat::kCheckpoint, prefix, prefix, ""};
}

TEST(ShowCheckpoint, TextListsVariablesSortedWithTotals) {
  const std::string prefix =
      tfport::testing::fixture("tfserving/saved_model_half_plus_two_cpu/00000123/variables/variables");
  std::ostringstream out;
  ASSERT_TRUE(show_checkpoint(checkpoint_model(prefix), ShowOptions{}, out).ok());
  const std::string want = "Checkpoint: " + prefix + " (1 data shard)\n\n" +
                           "Variable  DType     Shape  Elements  Bytes\n"
                           "a         DT_FLOAT  []            1      4\n"
                           "a2        DT_FLOAT  []            1      4\n"
                           "b         DT_FLOAT  []            1      4\n"
                           "c         DT_FLOAT  []            1      4\n"
                           "c2        DT_FLOAT  []            1      4\n"
                           "\nTotal: 5 variables, 5 parameters, 20 bytes\n";
  EXPECT_EQ(out.str(), want);
}

TEST(ShowCheckpoint, JsonForTwoShards) {
  const std::string prefix = tfport::testing::fixture("checkpoints/lso_ckpt_tf2.2/ckpt");
  ShowOptions options;
  options.json = true;
  std::ostringstream out;
  ASSERT_TRUE(show_checkpoint(checkpoint_model(prefix), options, out).ok());
  auto doc = nlohmann::json::parse(out.str());
  EXPECT_EQ(doc["format"], "checkpoint");
  EXPECT_EQ(doc["prefix"], prefix);
  EXPECT_EQ(doc["num_shards"], 2);
  bool saw_kernel = false;
  uint64_t params = 0;
  for (const auto& v : doc["variables"]) {
    if (v["name"] == "layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE") {
      saw_kernel = true;
      EXPECT_EQ(v["dtype"], "DT_FLOAT");
      EXPECT_EQ(v["shape"], nlohmann::json::array({2, 2}));
      EXPECT_EQ(v["num_elements"], 4);
      EXPECT_EQ(v["bytes"], 16);
    }
    if (v["dtype"] != "DT_STRING") params += v["num_elements"].get<uint64_t>();
  }
  EXPECT_TRUE(saw_kernel);
  EXPECT_EQ(doc["total_variables"], doc["variables"].size());
  EXPECT_EQ(doc["total_parameters"], params);
  EXPECT_GT(doc["total_bytes"].get<uint64_t>(), 16u);
}

TEST(ShowCheckpoint, CorruptCheckpointIsAnError) {
  tfport::testing::TempDir dir;
  tfport::testing::write_all(dir.file("bad.index"), "not a table");
  std::ostringstream out;
  Status s = show_checkpoint(checkpoint_model(dir.file("bad")), ShowOptions{}, out);
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_NE(s.message().find("bad.index"), std::string::npos) << s;
}

}  // namespace
}  // namespace tfport::cli
