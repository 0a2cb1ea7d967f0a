// `tfport run` end to end on the fixtures: saved_model_cli's run goldens (§6.5) and the derived
// half_plus_two output (§7), --outdir/--overwrite, error texts, and a frozen graph by tensor
// names checked against its expected outputs.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <sstream>

#include "cli/run.h"
#include "support/test_support.h"
#include "tfport/npy.h"

namespace tfport::cli {
namespace {

using tfport::testing::CommandResult;
using tfport::testing::fixture;
using tfport::testing::run_tfport;
using tfport::testing::TempDir;

std::string half_plus_two() { return fixture("tfserving/saved_model_half_plus_two_cpu/00000123"); }

std::vector<float> floats(const Tensor& t) {
  if (t.dtype() != DType::kFloat) return {};
  return std::vector<float>(t.data<float>(), t.data<float>() + t.num_elements());
}

// An .npz with x0 = [[1], [2]] (float32), as TF's test writes it.
std::string write_x0_npz(const TempDir& dir) {
  Tensor x0 = Tensor::from_vector<float>(DType::kFloat, Shape{2, 1}, {1.0f, 2.0f});
  std::string path = dir.file("inputs.npz");
  EXPECT_TRUE(write_npz(path, {{"x0", x0}}).ok());
  return path;
}

TEST(RunCommand, HalfPlusTwoPrintsLikeSavedModelCli) {
  CommandResult r = run_tfport({"run", "--dir", half_plus_two(), "--tag_set", "serve", "--signature_def",
                                "serving_default", "--input_exprs", "x=[[1.0], [2.0]]"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "Result for output key y:\n[[2.5]\n [3. ]]\n");
}

TEST(RunCommand, Tf2HalfPlusTwo) {
  TempDir dir;
  CommandResult r = run_tfport({"run", "--dir", fixture("tfserving/saved_model_half_plus_two_tf2_cpu/00000123"),
                                "--input_exprs", "x=[3.0]", "--outdir", dir.path()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "Result for output key y:\n[3.5]\nOutput y is saved to " + dir.file("y.npy") + "\n");
  auto y = read_npy(dir.file("y.npy"));
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(floats(*y), (std::vector<float>{3.5f}));
}

TEST(RunCommand, DefaultsToServeAndServingDefault) {
  CommandResult r = run_tfport({"run", "--dir", half_plus_two(), "--input_exprs", "x=np.arange(4.0).reshape(4, 1)"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "Result for output key y:\n[[2. ]\n [2.5]\n [3. ]\n [3.5]]\n");
}

TEST(RunCommand, OutdirCreatedAndOverwriteRules) {
  TempDir dir;
  std::string npz = write_x0_npz(dir);
  std::string outdir = dir.file("new/out");
  std::vector<std::string> args = {"run", "--dir", half_plus_two(), "--tag_set", "serve", "--signature_def",
                                   "serving_default", "--inputs", "x=" + npz + "[x0]", "--outdir", outdir};
  CommandResult first = run_tfport(args);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const std::string y_path = outdir + "/y.npy";
  EXPECT_EQ(first.out, "Result for output key y:\n[[2.5]\n [3. ]]\nOutput y is saved to " + y_path + "\n");
  auto y = read_npy(y_path);
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(y->shape(), (Shape{2, 1}));
  EXPECT_EQ(floats(*y), (std::vector<float>{2.5f, 3.0f}));

  // Existing file, no --overwrite: the result is printed, then the refusal; the file is kept.
  tfport::testing::write_all(y_path, "sentinel");
  CommandResult refused = run_tfport(args);
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_EQ(refused.out, "Result for output key y:\n[[2.5]\n [3. ]]\n");
  EXPECT_NE(refused.err.find("Output file " + y_path +
                             " already exists. Add \"--overwrite\" to overwrite the existing output files."),
            std::string::npos)
      << refused.err;
  EXPECT_EQ(std::count(refused.err.begin(), refused.err.end(), '\n'), 1) << refused.err;
  EXPECT_EQ(tfport::testing::read_all(y_path), "sentinel");

  args.push_back("--overwrite");
  CommandResult replaced = run_tfport(args);
  ASSERT_EQ(replaced.exit_code, 0) << replaced.err;
  auto y2 = read_npy(y_path);
  ASSERT_TRUE(y2.ok()) << y2.status();
  EXPECT_EQ(floats(*y2), (std::vector<float>{2.5f, 3.0f}));
}

TEST(RunCommand, RegressX2ToY3FromNpz) {
  TempDir dir;
  std::string npz = write_x0_npz(dir);
  RunOptions o;
  o.dir = half_plus_two();
  o.signature_def = "regress_x2_to_y3";
  o.inputs = "inputs=" + npz + "[x0]";
  o.outdir = dir.file("out");
  std::ostringstream out, warn;
  Status s = run_run(o, out, warn);
  ASSERT_TRUE(s.ok()) << s;
  auto got = read_npy(dir.file("out/outputs.npy"));
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(floats(*got), (std::vector<float>{3.5f, 4.0f}));
}

TEST(RunCommand, InputExamplesRegressXToY) {
  TempDir dir;
  RunOptions o;
  o.dir = half_plus_two();
  o.signature_def = "regress_x_to_y";
  o.input_examples = R"(inputs=[{"x":[8.0],"x2":[5.0]}, {"x":[4.0],"x2":[3.0]}])";
  o.outdir = dir.file("out");
  std::ostringstream out, warn;
  Status s = run_run(o, out, warn);
  if (!s.ok()) {
    // Until ParseExample has a kernel, the load names it.
    EXPECT_NE(s.message().find("ParseExample"), std::string::npos) << s;
    return;
  }
  auto got = read_npy(dir.file("out/outputs.npy"));
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->shape(), (Shape{2, 1}));
  EXPECT_EQ(floats(*got), (std::vector<float>{6.0f, 4.0f}));
}

TEST(RunCommand, ErrorTexts) {
  CommandResult no_inputs = run_tfport({"run", "--dir", half_plus_two()});
  EXPECT_NE(no_inputs.exit_code, 0);
  EXPECT_NE(no_inputs.err.find("At least one of --inputs, --input_exprs or --input_examples must be required"),
            std::string::npos)
      << no_inputs.err;

  CommandResult bad_sig = run_tfport(
      {"run", "--dir", half_plus_two(), "--signature_def", "INVALID_SIGNATURE", "--input_exprs", "x2=[1,2,3]"});
  EXPECT_NE(bad_sig.exit_code, 0);
  EXPECT_NE(bad_sig.err.find("Could not find signature \"INVALID_SIGNATURE\". Please choose from: "), std::string::npos)
      << bad_sig.err;

  CommandResult bad_key = run_tfport(
      {"run", "--dir", half_plus_two(), "--signature_def", "regress_x2_to_y3", "--input_exprs", "x2=[1,2,3]"});
  EXPECT_NE(bad_key.exit_code, 0);
  EXPECT_NE(bad_key.err.find("\"x2\" is not a valid input key. Please choose from \"inputs\", or use --show option."),
            std::string::npos)
      << bad_key.err;

  CommandResult bad_shape = run_tfport({"run", "--dir", half_plus_two(), "--input_exprs", "x=[1.0, 2.0]"});
  EXPECT_NE(bad_shape.exit_code, 0);
  EXPECT_NE(bad_shape.err.find("Cannot feed value of shape (2,) for Tensor x:0, which has shape (None, 1)"),
            std::string::npos)
      << bad_shape.err;

  CommandResult bad_tag = run_tfport({"run", "--dir", half_plus_two(), "--tag_set", "gpu", "--input_exprs", "x=[[1.0]]"});
  EXPECT_NE(bad_tag.exit_code, 0);
  EXPECT_NE(bad_tag.err.find("gpu"), std::string::npos) << bad_tag.err;

  CommandResult evil = run_tfport({"run", "--dir", half_plus_two(), "--input_exprs", "x=os.system(\"echo hacked\")"});
  EXPECT_NE(evil.exit_code, 0);
  EXPECT_NE(evil.err.find("is not a valid python literal."), std::string::npos) << evil.err;
  EXPECT_EQ(evil.out.find("hacked"), std::string::npos);

  CommandResult missing_file = run_tfport({"run", "--dir", half_plus_two(), "--inputs", "x=/nonexistent/in.npy"});
  EXPECT_NE(missing_file.exit_code, 0);
  EXPECT_NE(missing_file.err.find("/nonexistent/in.npy"), std::string::npos) << missing_file.err;

  CommandResult huge = run_tfport({"run", "--dir", half_plus_two(), "--input_exprs", "x=np.ones((1 << 40, 1))"});
  EXPECT_NE(huge.exit_code, 0);
  EXPECT_FALSE(huge.err.empty());
}

TEST(RunCommand, FrozenGraphByTensorNames) {
  const std::string slug = fixture("realworld/mnist-frozen-tf1");
  TempDir dir;
  CommandResult r = run_tfport({"run", "--dir", slug + "/model/frozen_graph.pb", "--inputs",
                                "conv2d_input=" + slug + "/expected/inputs/conv2d_input.npy", "--outputs",
                                "dense_1/Softmax", "--outdir", dir.path()});
  if (r.exit_code != 0) {
    // A kernel still missing is reported at load, naming the op.
    EXPECT_NE(r.err.find("does not implement"), std::string::npos) << r.err;
    GTEST_SKIP() << "mnist-frozen-tf1 does not run yet: " << r.err;
  }
  EXPECT_EQ(r.out.rfind("Result for output key dense_1/Softmax:\n[[", 0), 0u) << r.out;
  auto got = read_npy(dir.file("dense_1_Softmax.npy"));
  auto want = read_npy(slug + "/expected/outputs/dense_1_Softmax.npy");
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_TRUE(want.ok()) << want.status();
  ASSERT_EQ(got->shape(), want->shape());
  std::vector<float> g = floats(*got), w = floats(*want);
  ASSERT_EQ(g.size(), w.size());
  for (size_t k = 0; k < g.size(); ++k) {
    EXPECT_LE(std::fabs(g[k] - w[k]), 1e-5 + 1e-4 * std::fabs(w[k])) << "element " << k;
  }
}

TEST(RunCommand, GraphWithoutSignaturesNeedsOutputs) {
  const std::string slug = fixture("realworld/mnist-frozen-tf1");
  CommandResult r = run_tfport({"run", "--dir", slug + "/model/frozen_graph.pb", "--inputs",
                                "conv2d_input=" + slug + "/expected/inputs/conv2d_input.npy"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_FALSE(r.err.empty());
}

}  // namespace
}  // namespace tfport::cli
