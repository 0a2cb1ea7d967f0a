// numpy_str against NumPy 1.24's str(array) for the same arrays (expected texts captured from
// NumPy itself): floats with trimmed zeros, scientific switching, nan/inf padding, ints, bools,
// bytes, 0-d, empty, 3-D and 4-D nesting, line wrapping and "..." summarisation.
#include <gtest/gtest.h>

#include <Eigen/Core>

#include <cmath>
#include <limits>

#include "cli/numpy_print.h"

namespace tfport::cli {
namespace {

constexpr float kNan = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

Tensor F32(std::vector<int64_t> dims, std::vector<float> v) {
  return Tensor::from_vector<float>(DType::kFloat, Shape(std::move(dims)), v);
}
Tensor F64(std::vector<int64_t> dims, std::vector<double> v) {
  return Tensor::from_vector<double>(DType::kDouble, Shape(std::move(dims)), v);
}
Tensor Bools(std::vector<int64_t> dims, std::vector<bool> v) {
  std::vector<uint8_t> bytes(v.begin(), v.end());
  return Tensor::from_vector<uint8_t>(DType::kBool, Shape(std::move(dims)), bytes);
}
Tensor Strings(std::vector<int64_t> dims, std::vector<std::string> v) {
  return *Tensor::from_strings(Shape(std::move(dims)), std::move(v));
}
Tensor Half(std::vector<int64_t> dims, std::vector<float> v) {
  std::vector<Eigen::half> h;
  for (float f : v) h.emplace_back(f);
  return Tensor::from_vector<Eigen::half>(DType::kHalf, Shape(std::move(dims)), h);
}
// 0, 1, 2, ... times `scale` (np.arange(n, dtype=float32) * scale).
Tensor Iota32(std::vector<int64_t> dims, float scale) {
  Shape shape(std::move(dims));
  std::vector<float> v(static_cast<size_t>(shape.num_elements()));
  for (size_t k = 0; k < v.size(); ++k) v[k] = static_cast<float>(k) * scale;
  return Tensor::from_vector<float>(DType::kFloat, shape, v);
}
Tensor Div32(std::vector<int64_t> dims, float divisor) {
  Shape shape(std::move(dims));
  std::vector<float> v(static_cast<size_t>(shape.num_elements()));
  for (size_t k = 0; k < v.size(); ++k) v[k] = static_cast<float>(k) / divisor;
  return Tensor::from_vector<float>(DType::kFloat, shape, v);
}
Tensor Iota32i(std::vector<int64_t> dims, int32_t scale) {
  Shape shape(std::move(dims));
  std::vector<int32_t> v(static_cast<size_t>(shape.num_elements()));
  for (size_t k = 0; k < v.size(); ++k) v[k] = static_cast<int32_t>(k) * scale;
  return Tensor::from_vector<int32_t>(DType::kInt32, shape, v);
}
Tensor Iota64(std::vector<int64_t> dims, int64_t scale) {
  Shape shape(std::move(dims));
  std::vector<int64_t> v(static_cast<size_t>(shape.num_elements()));
  for (size_t k = 0; k < v.size(); ++k) v[k] = static_cast<int64_t>(k) * scale;
  return Tensor::from_vector<int64_t>(DType::kInt64, shape, v);
}
// np.linspace(0, 1, 30).astype(np.float32)
Tensor Linspace30() {
  std::vector<float> v(30);
  for (int k = 0; k < 30; ++k) v[static_cast<size_t>(k)] = static_cast<float>(k * (1.0 / 29));
  v[29] = 1.0f;
  return Tensor::from_vector<float>(DType::kFloat, Shape{30}, v);
}
Tensor Words(int n) {
  std::vector<std::string> v;
  for (int k = 0; k < n; ++k) v.push_back("word" + std::to_string(k));
  return Strings({n}, v);
}

struct Case {
  const char* name;
  Tensor tensor;
  const char* want;
};

TEST(NumpyPrint, MatchesNumpyStr) {
  const Case cases[] = {
      {"f32_col", F32({2, 1}, {2.5f, 3.0f}),
       "[[2.5]\n [3. ]]"},
      {"f32_row", F32({2}, {2.5f, 3.0f}),
       "[2.5 3. ]"},
      {"f32_whole", F32({2}, {45.0f, 55.0f}),
       "[45. 55.]"},
      {"f32_sci", F32({2}, {1e-5f, 1e5f}),
       "[1.e-05 1.e+05]"},
      {"f32_neg", F32({3}, {-1.5f, 2.25f, -0.125f}),
       "[-1.5    2.25  -0.125]"},
      {"f32_tenth", F32({3}, {0.1f, 0.2f, 0.3f}),
       "[0.1 0.2 0.3]"},
      {"f64_third", F64({3}, {1.0 / 3, 2.0 / 3, 1.0}),
       "[0.33333333 0.66666667 1.        ]"},
      {"f32_third", F32({3}, {static_cast<float>(1.0 / 3), static_cast<float>(2.0 / 3), 1.0f}),
       "[0.33333334 0.6666667  1.        ]"},
      {"f32_big", F32({2}, {1e8f, 1.0f}),
       "[1.e+08 1.e+00]"},
      {"f32_nan", F32({3}, {kNan, 1.5f, -kInf}),
       "[ nan  1.5 -inf]"},
      {"f32_allnan", F32({2}, {kNan, kInf}),
       "[nan inf]"},
      {"f32_zeros", F32({2, 3}, {0, 0, 0, 0, 0, 0}),
       "[[0. 0. 0.]\n [0. 0. 0.]]"},
      {"f32_negzero", F32({2}, {-0.0f, 1.0f}),
       "[-0.  1.]"},
      {"f32_sci_mixed", F32({3}, {1.5e-7f, 2.0f, 3e10f}),
       "[1.5e-07 2.0e+00 3.0e+10]"},
      {"f64_sci_bigexp", F64({2}, {1e-300, 1e300}),
       "[1.e-300 1.e+300]"},
      {"f32_3d", Iota32({2, 3, 4}, 0.25f),
       "[[[0.   0.25 0.5  0.75]\n  [1.   1.25 1.5  1.75]\n  [2.   2.25 2.5  2.75]]\n\n [[3.   3.25 3.5  3.75]\n  [4.   4.25 4.5  4.75]\n  [5.   5.25 5.5  5.75]]]"},
      {"i32_2d", Tensor::from_vector<int32_t>(DType::kInt32, Shape{2, 2}, {1, 2, 3, 4}),
       "[[1 2]\n [3 4]]"},
      {"i64_neg", Tensor::from_vector<int64_t>(DType::kInt64, Shape{3}, {-100, 5, 7}),
       "[-100    5    7]"},
      {"i64_3d", Tensor::from_vector<int64_t>(DType::kInt64, Shape{2, 2, 3}, {-6, -5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5}),
       "[[[-6 -5 -4]\n  [-3 -2 -1]]\n\n [[ 0  1  2]\n  [ 3  4  5]]]"},
      {"u8", Tensor::from_vector<uint8_t>(DType::kUInt8, Shape{3}, {0, 255, 7}),
       "[  0 255   7]"},
      {"bool", Bools({3}, {true, false, true}),
       "[ True False  True]"},
      {"bool_2d", Bools({2, 1}, {true, false}),
       "[[ True]\n [False]]"},
      {"bytes", Strings({2}, {"a", "bc"}),
       "[b'a' b'bc']"},
      {"bytes_esc", Strings({3}, {"it's", std::string("x\0\n", 3), "q\""}),
       "[b\"it's\" b'x\\x00\\n' b'q\"']"},
      {"empty", F32({0}, {}),
       "[]"},
      {"empty2d", F32({2, 0}, {}),
       "[]"},
      {"scalar_f32", F32({}, {2.5f}),
       "2.5"},
      {"scalar_f32_whole", F32({}, {3.0f}),
       "3.0"},
      {"scalar_f32_tiny", F32({}, {1e-5f}),
       "1e-05"},
      {"scalar_f64_big", F64({}, {1.5e20}),
       "1.5e+20"},
      {"scalar_f32_tenth", F32({}, {0.1f}),
       "0.1"},
      {"scalar_i64", Tensor::from_vector<int64_t>(DType::kInt64, Shape{}, {-42}),
       "-42"},
      {"scalar_bool", Bools({}, {true}),
       "True"},
      {"scalar_bytes", Strings({}, {"hi"}),
       "b'hi'"},
      {"long_f32", Iota32({2000}, 1.0f),
       "[0.000e+00 1.000e+00 2.000e+00 ... 1.997e+03 1.998e+03 1.999e+03]"},
      {"long_i64", Iota64({1001}, 1),
       "[   0    1    2 ...  998  999 1000]"},
      {"wrap_f32", Linspace30(),
       "[0.         0.03448276 0.06896552 0.10344828 0.13793103 0.1724138\n 0.20689656 0.2413793  0.27586207 0.31034482 0.3448276  0.37931034\n 0.41379312 0.44827586 0.4827586  0.51724136 0.55172414 0.5862069\n 0.62068963 0.6551724  0.6896552  0.7241379  0.7586207  0.79310346\n 0.82758623 0.86206895 0.8965517  0.9310345  0.9655172  1.        ]"},
      {"wrap_i", Iota32i({40}, 1000),
       "[    0  1000  2000  3000  4000  5000  6000  7000  8000  9000 10000 11000\n 12000 13000 14000 15000 16000 17000 18000 19000 20000 21000 22000 23000\n 24000 25000 26000 27000 28000 29000 30000 31000 32000 33000 34000 35000\n 36000 37000 38000 39000]"},
      {"big2d", Div32({50, 40}, 7.0f),
       "[[0.0000000e+00 1.4285715e-01 2.8571430e-01 ... 5.2857141e+00\n  5.4285712e+00 5.5714288e+00]\n [5.7142859e+00 5.8571429e+00 6.0000000e+00 ... 1.1000000e+01\n  1.1142858e+01 1.1285714e+01]\n [1.1428572e+01 1.1571428e+01 1.1714286e+01 ... 1.6714285e+01\n  1.6857143e+01 1.7000000e+01]\n ...\n [2.6857144e+02 2.6871429e+02 2.6885715e+02 ... 2.7385715e+02\n  2.7400000e+02 2.7414285e+02]\n [2.7428571e+02 2.7442856e+02 2.7457144e+02 ... 2.7957144e+02\n  2.7971429e+02 2.7985715e+02]\n [2.8000000e+02 2.8014285e+02 2.8028571e+02 ... 2.8528571e+02\n  2.8542856e+02 2.8557144e+02]]"},
      {"softmax", F32({1, 3}, {1.2345678e-3f, 0.99876543f, 5.5e-9f}),
       "[[1.2345678e-03 9.9876541e-01 5.5000000e-09]]"},
      {"half", Half({3}, {0.1f, 2.0f, 65504.0f}),
       "[1.00e-01 2.00e+00 6.55e+04]"},
      {"f64_prec", F64({2}, {0.123456789123, 1.5}),
       "[0.12345679 1.5       ]"},
      {"f32_round", F32({2}, {1.99999999f, 123456.789f}),
       "[2.0000000e+00 1.2345679e+05]"},
      {"bytes_wrap", Words(20),
       "[b'word0' b'word1' b'word2' b'word3' b'word4' b'word5' b'word6' b'word7'\n b'word8' b'word9' b'word10' b'word11' b'word12' b'word13' b'word14'\n b'word15' b'word16' b'word17' b'word18' b'word19']"},
      {"i_4d", Iota32i({2, 2, 2, 2}, 1),
       "[[[[ 0  1]\n   [ 2  3]]\n\n  [[ 4  5]\n   [ 6  7]]]\n\n\n [[[ 8  9]\n   [10 11]]\n\n  [[12 13]\n   [14 15]]]]"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(numpy_str(c.tensor), c.want) << c.name;
  }
}

TEST(NumpyPrint, PythonReprs) {
  EXPECT_EQ(numpy_float64_str(8.0), "8.0");
  EXPECT_EQ(numpy_float64_str(0.1), "0.1");
  EXPECT_EQ(numpy_float64_str(1e16), "1e+16");
  EXPECT_EQ(numpy_float64_str(1e15), "1000000000000000.0");
  EXPECT_EQ(numpy_float64_str(0.0001), "0.0001");
  EXPECT_EQ(numpy_float64_str(0.00001), "1e-05");
  EXPECT_EQ(numpy_float64_str(-2.5e-300), "-2.5e-300");
  EXPECT_EQ(numpy_bytes_repr("bar"), "b'bar'");
  EXPECT_EQ(numpy_bytes_repr(std::string("\x01\xff\\", 3)), "b'\\x01\\xff\\\\'");
  EXPECT_EQ(numpy_bytes_repr("a'b\"c"), "b'a\\'b\"c'");
}

}  // namespace
}  // namespace tfport::cli
