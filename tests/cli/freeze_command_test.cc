// `tfport freeze` through the binary: files written, what is printed, and
// one-line errors with exit code 1.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "support/test_support.h"
#include "tfport/graph_def.h"
#include "tfport/model.h"
#include "tfport/npy.h"

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

// A Keras GRU (run fused by tfport) freezes into a While loop that `tfport run` executes with
// the fixture's expected result; tf.keras' LSTM SavedModel (variables read in the loop body) too.
TEST(FreezeCommand, RecurrentModels) {
  TempDir tmp;
  const std::string gru = tmp.file("gru.pb");
  auto r = run_tfport({"freeze", "--dir", fixture("realworld/gru-regressor/model/gru_model.h5"), "--output", gru});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("Inputs:\n  gru_input: gru_input:0 float32[?, ?, 20]\n"));
  EXPECT_THAT(r.out, HasSubstr("Outputs:\n  dense_3: dense_3:0 float32[?, 1]\n"));
  auto g = read_graph_def(gru);
  ASSERT_TRUE(g.ok()) << g.status();
  int loops = 0;
  for (const auto& n : g->node()) loops += n.op() == "StatelessWhile";
  EXPECT_EQ(loops, 1);
  EXPECT_EQ(g->library().function_size(), 2);  // the loop's cond and body
  const std::string expected = fixture("realworld/gru-regressor/expected");
  const std::string out_dir = tmp.file("out");
  auto run = run_tfport({"run", "--dir", gru, "--inputs", "gru_input=" + expected + "/inputs/gru_input.npy", "--outputs",
                         "dense_3", "--outdir", out_dir});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto got = read_npy(out_dir + "/dense_3.npy");
  auto want = read_npy(expected + "/outputs/dense_3.npy");
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_TRUE(want.ok()) << want.status();
  ASSERT_EQ(got->shape(), want->shape());
  for (int64_t i = 0; i < want->num_elements(); ++i) {
    EXPECT_NEAR(got->data<float>()[i], want->data<float>()[i], 1e-5 + 1e-4 * std::abs(want->data<float>()[i])) << i;
  }

  auto lstm = run_tfport({"freeze", "--dir", fixture("realworld/stock-lstm-savedmodel/model"), "--output",
                          tmp.file("stock.pb")});
  ASSERT_EQ(lstm.exit_code, 0) << lstm.err;
  EXPECT_THAT(lstm.out, HasSubstr("14 variables frozen into constants"));
  EXPECT_THAT(lstm.out, HasSubstr("lstm_input: serving_default_lstm_input:0 float32[?, 100, 1]"));
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
