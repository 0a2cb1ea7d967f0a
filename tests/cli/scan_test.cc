#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sstream>

#include "cli/show.h"
#include "support/test_support.h"

namespace tfport::cli {
namespace {

using ::testing::HasSubstr;
using tfport::testing::fixture;

struct Scanned {
  Status status;
  std::string out;
};

Scanned scan(const std::string& dir, std::optional<std::string> tag_set = std::nullopt,
             std::optional<std::string> denylist = std::nullopt, bool json = false) {
  ScanOptions o;
  o.dir = dir;
  o.tag_set = std::move(tag_set);
  o.op_denylist = std::move(denylist);
  o.json = json;
  std::ostringstream out;
  Status s = run_scan(o, out);
  return {s, out.str()};
}

const char kH2[] = "tfserving/saved_model_half_plus_two_gpu/00000123";

TEST(Scan, DefaultDenylistGolden) {
  auto r = scan(fixture(kH2));
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(r.out,
            "MetaGraph with tag set ['serve'] does not contain the default denylisted ops: "
            "{'PrintV2', 'ReadFile', 'WriteFile'}\n");
  // An empty --op_denylist means the default list (saved_model_cli tests the flag's truthiness).
  EXPECT_EQ(scan(fixture(kH2), std::nullopt, "").out, r.out);
}

TEST(Scan, CustomDenylistGolden) {
  auto r = scan(fixture(kH2), "serve", "VariableV2,Assign,Relu6");
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(r.out, "MetaGraph with tag set ['serve'] contains the following denylisted ops: {'Assign', 'VariableV2'}\n");
  auto none = scan(fixture(kH2), "serve", "Relu6,,");
  EXPECT_EQ(none.out, "MetaGraph with tag set ['serve'] does not contain the default denylisted ops: {'Relu6'}\n");
}

TEST(Scan, OpsInsideFunctionsOfTf2Models) {
  auto r = scan(fixture("tfserving/saved_model_half_plus_two_tf2_cpu/00000123"), std::nullopt, "SaveV2,AddV2");
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.out, "MetaGraph with tag set ['serve'] contains the following denylisted ops: {'AddV2', 'SaveV2'}\n");
}

TEST(Scan, GraphsAndErrors) {
  auto frozen = scan(fixture("realworld/mnist-frozen-tf1/model/frozen_graph.pb"), std::nullopt, "Conv2D");
  ASSERT_TRUE(frozen.status.ok()) << frozen.status;
  EXPECT_THAT(frozen.out, HasSubstr("contains the following denylisted ops: {'Conv2D'}"));
  auto meta = scan(fixture("realworld/houseprices-tf1-ckpt/model/model.ckpt.meta"), std::nullopt, "ApplyAdam");
  ASSERT_TRUE(meta.status.ok()) << meta.status;
  EXPECT_EQ(meta.out, "MetaGraph with tag set [] contains the following denylisted ops: {'ApplyAdam'}\n");
  auto bad_tag = scan(fixture(kH2), "train");
  EXPECT_EQ(bad_tag.status.code(), StatusCode::kNotFound);
  auto checkpoint = scan(fixture("checkpoints/lso_ckpt_tf2.2"));
  EXPECT_EQ(checkpoint.status.code(), StatusCode::kFailedPrecondition);
}

TEST(Scan, JsonReportsUnsafeOps) {
  auto r = scan(fixture(kH2), std::nullopt, std::nullopt, true);
  ASSERT_TRUE(r.status.ok());
  auto doc = nlohmann::json::parse(r.out);
  const auto& g = doc["graphs"][0];
  EXPECT_EQ(g["tags"], nlohmann::json::array({"serve"}));
  EXPECT_TRUE(g["denylisted_ops"].empty());
  std::vector<std::string> unsafe;
  for (const auto& u : g["unsafe_ops"]) unsafe.push_back(u["op"]);
  EXPECT_EQ(unsafe, (std::vector<std::string>{"MergeV2Checkpoints", "RestoreV2", "SaveV2"}));
}

}  // namespace
}  // namespace tfport::cli
