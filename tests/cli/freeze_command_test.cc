// `tfport freeze` through the binary: files written, what is printed, and
// one-line errors with exit code 1.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "support/test_support.h"
#include "tfport/graph_def.h"
#include "tfport/model.h"

namespace tfport {
namespace {

using ::testing::HasSubstr;
using tfport::testing::fixture;
using tfport::testing::run_tfport;
using tfport::testing::TempDir;

TEST(FreezeCommand, HalfPlusTwo) {
  TempDir tmp;
  const std::string pb = tmp.file("frozen.pb");
  auto r = run_tfport({"freeze", "--dir", fixture("tfserving/saved_model_half_plus_two_cpu/00000123"), "--tag_set",
                       "serve", "--signature_def", "serving_default", "--output", pb});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("variables frozen into constants"));
  EXPECT_THAT(r.out, HasSubstr("Inputs:\n  x: x:0 float32[?, 1]\n"));
  EXPECT_THAT(r.out, HasSubstr("Outputs:\n  y: y:0 float32[?, 1]\n"));
  auto g = read_graph_def(pb);
  ASSERT_TRUE(g.ok()) << g.status();
  auto run = run_tfport({"run", "--dir", pb, "--input_exprs", "x=np.array([[1.0],[2.0]], dtype=np.float32)", "--outputs", "y"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("2.5"));
}

TEST(FreezeCommand, TensorNamesForGraphsWithoutSignatures) {
  TempDir tmp;
  const std::string pb = tmp.file("mnist.pb");
  auto r = run_tfport({"freeze", "--dir", fixture("realworld/mnist-tf12-savedmodel-nosig/model"), "--tag_set", "tag",
                       "--output_node_names", "Softmax", "--output", pb});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("Softmax: Softmax:0"));
  EXPECT_THAT(r.out, HasSubstr("Placeholder: Placeholder:0 float32"));
}

TEST(FreezeCommand, Errors) {
  TempDir tmp;
  auto no_sig = run_tfport({"freeze", "--dir", fixture("realworld/mnist-tf12-savedmodel-nosig/model"), "--output",
                            tmp.file("x.pb")});
  EXPECT_EQ(no_sig.exit_code, 1);
  EXPECT_THAT(no_sig.err, HasSubstr("--output_node_names"));
  auto unwritable = run_tfport({"freeze", "--dir", fixture("tfserving/saved_model_half_plus_two_cpu/00000123"),
                                "--output", tmp.file("no/such/dir/x.pb")});
  EXPECT_EQ(unwritable.exit_code, 1);
  EXPECT_THAT(unwritable.err, HasSubstr("no/such/dir/x.pb"));
  EXPECT_TRUE(std::filesystem::is_empty(tmp.path()));
}

}  // namespace
}  // namespace tfport
