// `tfport run` input parsing: saved_model_cli's parser goldens (saved_model_cli.md §6.5), the
// safe literal parser with np.* constructors, tf.Example building, and .npy/.npz loading.
#include <gtest/gtest.h>

#include <sstream>

#include "cli/run.h"
#include "support/test_support.h"
#include "tfport/npy.h"
#include "tfport/tf/example.pb.h"

namespace tfport::cli {
namespace {

using tfport::testing::TempDir;

TEST(RunParse, InputsArgGoldens) {
  auto parsed = parse_inputs_arg("input1=/path/file.txt[ab3];input2=file2");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ASSERT_EQ(parsed->size(), 2u);
  EXPECT_EQ(parsed->at("input1"), (InputFileArg{"/path/file.txt", "ab3"}));
  EXPECT_EQ(parsed->at("input2"), (InputFileArg{"file2", std::nullopt}));

  auto windows = parse_inputs_arg("inputx=C:\\Program Files\\data.npz[v:0];input:0=c:\\PROGRA~1\\data.npy");
  ASSERT_TRUE(windows.ok()) << windows.status();
  EXPECT_EQ(windows->at("inputx"), (InputFileArg{"C:\\Program Files\\data.npz", "v:0"}));
  EXPECT_EQ(windows->at("input:0"), (InputFileArg{"c:\\PROGRA~1\\data.npy", std::nullopt}));

  for (const char* bad : {"inputx=file[[v1]v2", "inputx:file", "=file", "x=", "x=f[]", "x=f[a]b"}) {
    auto r = parse_inputs_arg(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().message(), std::string("--inputs \"") + bad +
                                         "\" format is incorrect. Please follow\"<input_key>=<filename>\", or"
                                         "\"<input_key>=<filename>[<variable_name>]\"");
  }
  // Empty items are skipped; a repeated key keeps the last value.
  auto repeated = parse_inputs_arg(";x=a.npy;;x=b.npy;");
  ASSERT_TRUE(repeated.ok());
  EXPECT_EQ(repeated->at("x").file, "b.npy");
}

TEST(RunParse, InputExprsFormatAndSafety) {
  auto no_eq = parse_input_exprs_arg("inputx:np.zeros((5))");
  ASSERT_FALSE(no_eq.ok());
  EXPECT_NE(no_eq.status().message().find("format is incorrect"), std::string::npos);
  EXPECT_EQ(no_eq.status().message(),
            "--input_exprs \"inputx:np.zeros((5))\" format is incorrect. Please follow\"<input_key>=<python expression>\"");

  for (const char* evil : {"x=os.system(\"echo hacked\")", "x=__import__('os')", "x=np.load('f')", "x=[1,2",
                           "x=1+2", "x=np.ones((2,2)).tofile('x')"}) {
    auto r = parse_input_exprs_arg(evil);
    ASSERT_FALSE(r.ok()) << evil;
    EXPECT_NE(r.status().message().find("is not a valid python literal."), std::string::npos) << r.status();
  }
}

Tensor expr_tensor(const std::string& text, DType dtype = DType::kInvalid) {
  auto parsed = parse_input_exprs_arg("x=" + text);
  EXPECT_TRUE(parsed.ok()) << text << ": " << parsed.status();
  if (!parsed.ok()) return Tensor();
  auto t = py_to_array(parsed->at("x"), dtype);
  EXPECT_TRUE(t.ok()) << text << ": " << t.status();
  return t.ok() ? *t : Tensor();
}

TEST(RunParse, LiteralsBecomeArraysLikeNumpy) {
  Tensor a = expr_tensor("[[1.0], [2.0]]");
  EXPECT_EQ(a.dtype(), DType::kDouble);
  EXPECT_EQ(a.shape(), (Shape{2, 1}));
  EXPECT_EQ(a.data<double>()[1], 2.0);

  Tensor b = expr_tensor("[1, 2, 3]", DType::kFloat);
  EXPECT_EQ(b.dtype(), DType::kFloat);
  EXPECT_EQ(b.data<float>()[2], 3.0f);

  Tensor c = expr_tensor("(1, -0x10, 0b11, 1_000)");
  EXPECT_EQ(c.dtype(), DType::kInt64);
  EXPECT_EQ(std::vector<int64_t>(c.data<int64_t>(), c.data<int64_t>() + 4), (std::vector<int64_t>{1, -16, 3, 1000}));

  Tensor d = expr_tensor("[True, False]");
  EXPECT_EQ(d.dtype(), DType::kBool);

  Tensor e = expr_tensor("['a' 'b', b'\\x00z', \"\\u00e9\"]");
  ASSERT_EQ(e.dtype(), DType::kString);
  EXPECT_EQ(e.strings(), (std::vector<std::string>{"ab", std::string("\0z", 2), "\xc3\xa9"}));

  Tensor f = expr_tensor("7.5");
  EXPECT_EQ(f.shape().rank(), 0);
  EXPECT_EQ(f.data<double>()[0], 7.5);

  Tensor g = expr_tensor("[2.7, -2.7, 1e30]", DType::kInt32);  // C truncation; out of range -> INT_MIN bits
  EXPECT_EQ(g.data<int32_t>()[0], 2);
  EXPECT_EQ(g.data<int32_t>()[1], -2);

  auto ragged = parse_input_exprs_arg("x=[[1], [2, 3]]");
  ASSERT_TRUE(ragged.ok());
  auto r = py_to_array(ragged->at("x"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("inhomogeneous"), std::string::npos);

  auto mixed = parse_input_exprs_arg("x=[1, 'a']");
  ASSERT_TRUE(mixed.ok());
  EXPECT_FALSE(py_to_array(mixed->at("x")).ok());
}

TEST(RunParse, NumpyConstructors) {
  Tensor ones = expr_tensor("np.ones((2, 10))");
  EXPECT_EQ(ones.dtype(), DType::kDouble);
  EXPECT_EQ(ones.shape(), (Shape{2, 10}));
  EXPECT_EQ(ones.data<double>()[19], 1.0);

  Tensor zeros = expr_tensor("numpy.zeros(3, dtype=np.int32)");
  EXPECT_EQ(zeros.dtype(), DType::kInt32);
  EXPECT_EQ(zeros.shape(), (Shape{3}));

  Tensor full = expr_tensor("np.full([2, 2], 4.5, dtype='float32')");
  EXPECT_EQ(full.dtype(), DType::kFloat);
  EXPECT_EQ(full.data<float>()[3], 4.5f);

  Tensor full_int = expr_tensor("np.full((3,), 7)");
  EXPECT_EQ(full_int.dtype(), DType::kInt64);
  EXPECT_EQ(full_int.data<int64_t>()[2], 7);

  Tensor range = expr_tensor("np.arange(6).reshape((2, -1))");
  EXPECT_EQ(range.dtype(), DType::kInt64);
  EXPECT_EQ(range.shape(), (Shape{2, 3}));
  EXPECT_EQ(range.data<int64_t>()[5], 5);

  Tensor frange = expr_tensor("np.arange(1.0, 2.0, 0.25).astype(np.float32)");
  EXPECT_EQ(frange.dtype(), DType::kFloat);
  ASSERT_EQ(frange.num_elements(), 4);
  EXPECT_EQ(frange.data<float>()[3], 1.75f);

  Tensor mixed = expr_tensor("[np.ones(2), np.zeros(2)]");
  EXPECT_EQ(mixed.shape(), (Shape{2, 2}));

  Tensor arr = expr_tensor("np.array([[1, 2]], dtype=np.float32)");
  EXPECT_EQ(arr.dtype(), DType::kFloat);
  EXPECT_EQ(arr.shape(), (Shape{1, 2}));

  auto huge = parse_input_exprs_arg("x=np.ones((100000, 100000, 100000))");
  ASSERT_FALSE(huge.ok());
  EXPECT_EQ(huge.status().code(), StatusCode::kResourceExhausted) << huge.status();

  auto big = parse_input_exprs_arg("x=np.zeros((1 << 20, 1 << 20))");
  EXPECT_FALSE(big.ok());
  auto negative = parse_input_exprs_arg("x=np.ones((-1, 2))");
  EXPECT_FALSE(negative.ok());
  auto bad_reshape = parse_input_exprs_arg("x=np.arange(5).reshape(2, 3)");
  EXPECT_FALSE(bad_reshape.ok());
  auto huge_range = parse_input_exprs_arg("x=np.arange(1e18)");
  EXPECT_FALSE(huge_range.ok());
  auto examples_no_numpy = parse_input_examples_arg("inputs=np.ones(2)");
  EXPECT_FALSE(examples_no_numpy.ok());
}

TEST(RunParse, InputExamplesGoldens) {
  auto parsed = parse_input_examples_arg(R"(inputs=[{"text":["foo"], "bytes":[b"bar"]}])");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ASSERT_EQ(parsed->at("inputs").size(), 1u);
  tensorflow::Example example;
  ASSERT_TRUE(example.ParseFromString(parsed->at("inputs")[0]));
  const auto& features = example.features().feature();
  ASSERT_EQ(features.size(), 2u);
  ASSERT_TRUE(features.at("bytes").has_bytes_list());
  EXPECT_EQ(features.at("bytes").bytes_list().value(0), "bar");
  ASSERT_TRUE(features.at("text").has_bytes_list());
  EXPECT_EQ(features.at("text").bytes_list().value(0), "foo");

  auto numbers = parse_input_examples_arg(R"(inputs=[{"x":[8.0],"x2":[5.0]}, {"x":[4.0],"n":[1, 2]}])");
  ASSERT_TRUE(numbers.ok()) << numbers.status();
  ASSERT_EQ(numbers->at("inputs").size(), 2u);
  tensorflow::Example second;
  ASSERT_TRUE(second.ParseFromString(numbers->at("inputs")[1]));
  EXPECT_EQ(second.features().feature().at("x").float_list().value(0), 4.0f);
  EXPECT_EQ(second.features().feature().at("n").int64_list().value(1), 2);

  auto not_list = parse_input_examples_arg(R"(inputs={"x":8.0,"x2":5.0})");
  ASSERT_FALSE(not_list.ok());
  EXPECT_EQ(not_list.status().message(),
            "tf.Example input must be a list of dictionaries, but \"{'x': 8.0, 'x2': 5.0}\" is <class 'dict'>");

  auto feature_not_list = parse_input_examples_arg(R"(inputs=[{"x":8.0,"x2":5.0}])");
  ASSERT_FALSE(feature_not_list.ok());
  EXPECT_NE(feature_not_list.status().message().find("feature value must be a list, but x: \"8.0\" is <class 'float'>"),
            std::string::npos)
      << feature_not_list.status();

  auto nested = parse_input_examples_arg(R"(inputs=[{"x":[[1],[2]]}])");
  ASSERT_FALSE(nested.ok());
  EXPECT_NE(nested.status().message().find("Type <class 'list'> for value [1] is not supported for tf.train.Feature."),
            std::string::npos)
      << nested.status();

  auto hacked = parse_input_examples_arg(R"(inputs=os.system("echo hacked"))");
  ASSERT_FALSE(hacked.ok());
  EXPECT_NE(hacked.status().message().find("not a valid python literal."), std::string::npos);
}

TEST(RunParse, LoadsNpyAndNpzLikeNumpyLoad) {
  TempDir dir;
  Tensor x0 = Tensor::from_vector<float>(DType::kFloat, Shape{2, 1}, {1.0f, 2.0f});
  Tensor x1 = Tensor::from_vector<int32_t>(DType::kInt32, Shape{3}, {1, 2, 3});
  ASSERT_TRUE(write_npy(dir.file("x.npy"), x0).ok());
  ASSERT_TRUE(write_npz(dir.file("two.npz"), {{"x0", x0}, {"x1", x1}}).ok());
  ASSERT_TRUE(write_npz(dir.file("one.npz"), {{"only", x1}}).ok());
  std::ostringstream warn;

  auto npy = load_input_file({dir.file("x.npy"), "ignored"}, warn);
  ASSERT_TRUE(npy.ok()) << npy.status();
  EXPECT_TRUE(npy->equals(x0));
  EXPECT_EQ(warn.str(), "Input file " + dir.file("x.npy") + " contains a single ndarray. Name key \"ignored\" ignored.\n");

  auto member = load_input_file({dir.file("two.npz"), "x1"}, warn);
  ASSERT_TRUE(member.ok()) << member.status();
  EXPECT_TRUE(member->equals(x1));

  auto only = load_input_file({dir.file("one.npz"), std::nullopt}, warn);
  ASSERT_TRUE(only.ok()) << only.status();
  EXPECT_TRUE(only->equals(x1));

  auto ambiguous = load_input_file({dir.file("two.npz"), std::nullopt}, warn);
  ASSERT_FALSE(ambiguous.ok());
  EXPECT_EQ(ambiguous.status().message(), "Input file " + dir.file("two.npz") +
                                              " contains more than one ndarrays. Please specify the name of ndarray to use.");

  auto missing_member = load_input_file({dir.file("two.npz"), "c"}, warn);
  ASSERT_FALSE(missing_member.ok());
  EXPECT_EQ(missing_member.status().message(),
            "Input file " + dir.file("two.npz") + " does not contain variable with name \"c\".");

  EXPECT_FALSE(load_input_file({dir.file("nope.npy"), std::nullopt}, warn).ok());
  tfport::testing::write_all(dir.file("pickle.pkl"), "\x80\x04\x95\x05\x00\x00\x00\x00\x00\x00\x00K\x05.");
  auto pickle = load_input_file({dir.file("pickle.pkl"), std::nullopt}, warn);
  ASSERT_FALSE(pickle.ok());
  EXPECT_NE(pickle.status().message().find("pickle"), std::string::npos);
  tfport::testing::write_all(dir.file("trunc.npy"), "\x93NUMPY\x01\x00\x76\x00{'descr'");
  EXPECT_FALSE(load_input_file({dir.file("trunc.npy"), std::nullopt}, warn).ok());
}

TEST(RunParse, PythonShapes) {
  EXPECT_EQ(python_shape({2}), "(2,)");
  EXPECT_EQ(python_shape({-1, 1}), "(None, 1)");
  EXPECT_EQ(python_shape({}), "()");
}

}  // namespace
}  // namespace tfport::cli
