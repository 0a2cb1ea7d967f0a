// The REST predict fast path: what it accepts must give exactly the exact (RapidJSON) path's
// tensor; everything unusual must be refused so that the exact path answers (and errs) as TF
// Serving does.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "serving/json_codec.h"
#include "serving/json_fast.h"
#include "one_input.h"

namespace tfport::serving {
namespace {

using testing::one_input;

struct Fast {
  bool ok = false;
  FastPredictRequest request;
};

std::unique_ptr<Fast> fast(const std::string& body, const Signature& sig) {
  auto f = std::make_unique<Fast>();
  f->ok = f->request.parse(body, [&](const std::string& name) { return name.empty() ? &sig : nullptr; }, 1 << 20);
  return f;
}

void expect_same_as_exact(const std::string& body, DType dtype) {
  SCOPED_TRACE(body.substr(0, 100));
  const Signature sig = one_input(dtype);
  auto f = fast(body, sig);
  ASSERT_TRUE(f->ok);
  rapidjson::Document doc;
  ASSERT_TRUE(parse_json_body(body, &doc).ok());
  JsonFormat format;
  auto exact = json_predict_inputs(doc, sig.inputs, 1 << 20, &format);
  ASSERT_TRUE(exact.ok()) << exact.status();
  EXPECT_EQ(f->request.format(), format);
  const Tensor& a = f->request.inputs().at("x");
  const Tensor& b = exact->at("x");
  ASSERT_EQ(a.dtype(), b.dtype());
  ASSERT_EQ(a.shape(), b.shape());
  EXPECT_EQ(std::memcmp(a.raw_data(), b.raw_data(), a.byte_size()), 0);
}

TEST(JsonFastTest, AcceptsPlainNumericRequestsExactlyAsTheExactPath) {
  expect_same_as_exact(R"({"instances": [[1.5, -2, 0.125], [3e2, 4E-1, -0.0]]})", DType::kFloat);
  expect_same_as_exact(R"({"instances": [-0, -0.0, 0, -0e0]})", DType::kFloat);  // integer -0 is +0
  expect_same_as_exact(R"( { "inputs" : [ [ 0.1 , 0.2 ] , [ 0.3 , 1e-7 ] ] } )", DType::kDouble);
  expect_same_as_exact("{\"instances\":\n[[[1],[2]],\r\n\t[[3],[4]]]}", DType::kInt32);
  expect_same_as_exact(R"({"inputs": [9223372036854775807, -9223372036854775807, 0]})", DType::kInt64);
  expect_same_as_exact(R"({"inputs": 2.75})", DType::kFloat);  // columnar scalar
  expect_same_as_exact(R"({"signature_name": "", "instances": [0.001, 12345.678, 0.000123]})", DType::kFloat);
  expect_same_as_exact(R"({"instances": [-2147483648, 2147483647]})", DType::kInt32);
}

// Numbers are read as RapidJSON reads them without its full-precision flag (as TF Serving
// does), then narrowed: the closest double where the digits fit 2^53 and the power of ten is
// at most 10^22 (one exact division); beyond that RapidJSON's own rounding, which can differ
// from the closest double ("1e-45" and "123456789012345678901234" do).
TEST(JsonFastTest, NumbersAreReadAsTheExactPathReadsThem) {
  const char* closest[] = {"0.1", "9007199254740993", "1e22", "0.000123", "-4503599627370497.5", "12345678.25"};
  const char* any[] = {"3.4028235e38", "1e-45", "123456789012345678901234", "1e23", "2.2250738585072014e-308",
                       "0.30000000000000004", "0.41702200470257400", "4.9e-324", "1e-400", "9e308",
                       "-18446744073709551616", "18446744073709551615", "-9223372036854775808", "0.1e1", "1E+2"};
  const Signature sig = one_input(DType::kDouble);
  const Signature fsig = one_input(DType::kFloat);
  for (const char* text : closest) {
    SCOPED_TRACE(text);
    std::string body = R"({"instances": [)";
    body.append(text).append("]}");
    auto d = fast(body, sig);
    ASSERT_TRUE(d->ok);
    const double expected = std::strtod(text, nullptr);
    EXPECT_EQ(d->request.inputs().at("x").data<double>()[0], expected);
    auto f = fast(body, fsig);
    ASSERT_TRUE(f->ok);
    EXPECT_EQ(f->request.inputs().at("x").data<float>()[0], static_cast<float>(expected));
  }
  for (const char* text : any) {
    std::string body = R"({"instances": [)";
    body.append(text).append("]}");
    expect_same_as_exact(body, DType::kDouble);
    expect_same_as_exact(body, DType::kFloat);
  }
  // Differs from strtod: RapidJSON's 1 / 10^45 is not the closest double to 1e-45.
  auto d = fast(R"({"instances": [1e-45]})", sig);
  ASSERT_TRUE(d->ok);
  EXPECT_NE(d->request.inputs().at("x").data<double>()[0], 1e-45);
}

TEST(JsonFastTest, SignatureNameBeforeOrAfterTheInput) {
  Signature sig = one_input(DType::kFloat);
  Signature other = one_input(DType::kFloat);
  auto lookup = [&](const std::string& name) -> const Signature* {
    if (name.empty() || name == "serving_default") return &sig;
    return name == "other" ? &other : nullptr;
  };
  FastPredictRequest a;
  ASSERT_TRUE(a.parse(R"({"signature_name": "other", "instances": [1]})", lookup, 1 << 20));
  EXPECT_EQ(a.signature(), &other);
  FastPredictRequest b;
  ASSERT_TRUE(b.parse(R"({"instances": [1], "signature_name": "serving_default"})", lookup, 1 << 20));
  EXPECT_EQ(b.signature(), &sig);
  // Named afterwards and not the default: the input was read for the wrong signature.
  FastPredictRequest c;
  EXPECT_FALSE(c.parse(R"({"instances": [1], "signature_name": "other"})", lookup, 1 << 20));
  FastPredictRequest d;
  EXPECT_FALSE(d.parse(R"({"signature_name": "missing", "instances": [1]})", lookup, 1 << 20));
}

TEST(JsonFastTest, RefusesWhatTheExactPathMustAnswer) {
  const Signature f32 = one_input(DType::kFloat);
  const Signature i32 = one_input(DType::kInt32);
  const char* float_refused[] = {
      R"({"instances": [NaN]})",        R"({"instances": [Infinity]})",     R"({"instances": ["1"]})",
      R"({"instances": [{"b64": "AA=="}]})", R"({"instances": [[1, 2], [3]]})", R"({"instances": [[1], 2]})",
      R"({"instances": [1, [2]]})",     R"({"instances": []})",             R"({"instances": [[]]})",
      R"({"instances": [1]} x)",         R"({"instances": [1], "instances": [2]})", R"({"inputs": [1], "instances": [2]})",
      R"({"instances": [1], "extra": 1})", R"({"instanc\u0065s": [1]})",   R"({"instances": [01]})",
      R"({"instances": [1.]})",          R"({"instances": [-]})",            R"({"instances": [.5]})",
      R"({"instances": [+1]})",          R"({"instances": [1e]})",           R"({"instances": [1e400]})",
      R"({"instances": [1,]})",          R"({"instances": [1 2]})",          R"({"instances": [1])",
      R"({"instances": 1})",             R"([1])",                           "",
      R"({"signature_name": 5, "instances": [1]})", R"({"signature_name": "a\"b", "instances": [1]})",
  };
  for (const char* body : float_refused) {
    SCOPED_TRACE(body);
    EXPECT_FALSE(fast(body, f32)->ok);
  }
  const char* int_refused[] = {R"({"instances": [1.0]})", R"({"instances": [2147483648]})", R"({"instances": [-0]})",
                               R"({"instances": [1e2]})", R"({"instances": [99999999999999999999]})"};
  for (const char* body : int_refused) {
    SCOPED_TRACE(body);
    EXPECT_FALSE(fast(body, i32)->ok);
  }
  Signature two = one_input(DType::kFloat);
  TensorSpec y;
  y.key = "y";
  y.dtype = DType::kFloat;
  two.inputs.push_back(y);
  EXPECT_FALSE(fast(R"({"inputs": [1]})", two)->ok);
  EXPECT_FALSE(fast(R"({"inputs": [1]})", one_input(DType::kString))->ok);
}

// Bodies above 256 KiB are cut between two numbers and scanned by two threads.
std::string big_array(int rows, int cols, const std::string& separator, bool ragged = false) {
  std::string s = "[";
  for (int i = 0; i < rows; ++i) {
    if (i) s.append(separator);
    s.append("[");
    const int n = ragged && i == rows * 3 / 4 ? cols - 1 : cols;
    for (int j = 0; j < n; ++j) {
      if (j) s.append(separator);
      s.append("[").append(std::to_string((i * 7 + j) % 1000)).append(".").append(std::to_string(j % 10));
      s.append(separator).append("-").append(std::to_string(j)).append("]");
    }
    s.append("]");
  }
  s.append("]");
  return s;
}

std::string wrap(const std::string& prefix, const std::string& value, const std::string& suffix) {
  std::string s = prefix;
  s.append(value).append(suffix);
  return s;
}

TEST(JsonFastTest, LargeBodiesScannedInTwoHalvesMatchTheExactPath) {
  expect_same_as_exact(wrap("{\"instances\": [", big_array(300, 150, ","), "]}"), DType::kFloat);
  expect_same_as_exact(wrap("{\"inputs\": ", big_array(200, 200, ", "), "}"), DType::kDouble);
  const Signature sig = one_input(DType::kFloat);
  EXPECT_FALSE(fast(wrap("{\"instances\": ", big_array(300, 150, ",", true), "}"), sig)->ok);
  EXPECT_FALSE(fast(wrap("{\"instances\": ", big_array(300, 150, ",").substr(0, 400000), "]}"), sig)->ok);
  // A cut that falls after the input (here inside a long signature name) is ignored.
  Signature named = one_input(DType::kFloat);
  FastPredictRequest r;
  std::string name(300000, 'a');
  name.append("1,2").append(std::string(300000, 'b'));
  const std::string body = wrap(wrap("{\"instances\": ", big_array(10, 10, ","), ", \"signature_name\": \""), name, "\"}");
  ASSERT_TRUE(r.parse(body, [&](const std::string&) { return &named; }, 1 << 20));
  EXPECT_EQ(r.inputs().at("x").shape(), (Shape{10, 10, 2}));
  EXPECT_EQ(r.inputs().at("x").data<float>()[199], -9.0f);
}

TEST(JsonFastTest, RefusesTensorsAboveTheByteLimit) {
  const Signature sig = one_input(DType::kFloat);
  FastPredictRequest r;
  auto lookup = [&](const std::string&) { return &sig; };
  EXPECT_TRUE(r.parse(R"({"instances": [1, 2, 3, 4]})", lookup, 16));
  FastPredictRequest s;
  EXPECT_FALSE(s.parse(R"({"instances": [1, 2, 3, 4, 5]})", lookup, 16));
}

}  // namespace
}  // namespace tfport::serving
