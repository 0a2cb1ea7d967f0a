#include <cmath>

#include <gtest/gtest.h>

#include "op_test_util.h"
#include "reference.h"

namespace tfport::runtime::testing {
namespace {

struct BinaryCase {
  const char* op;
  std::function<double(double, double)> f;
};

class BinaryFloatTest : public ::testing::TestWithParam<int> {};

const std::vector<BinaryCase>& binary_cases() {
  static const std::vector<BinaryCase> cases = {
      {"Add", [](double a, double b) { return a + b; }},
      {"AddV2", [](double a, double b) { return a + b; }},
      {"Sub", [](double a, double b) { return a - b; }},
      {"Mul", [](double a, double b) { return a * b; }},
      {"RealDiv", [](double a, double b) { return a / b; }},
      {"Div", [](double a, double b) { return a / b; }},
      {"Maximum", [](double a, double b) { return std::max(a, b); }},
      {"Minimum", [](double a, double b) { return std::min(a, b); }},
      {"SquaredDifference", [](double a, double b) { return (a - b) * (a - b); }},
      {"FloorDiv", [](double a, double b) { return std::floor(static_cast<float>(a) / static_cast<float>(b)); }},
      {"FloorMod",
       [](double a, double b) {
         double r = std::fmod(a, b);
         if (r != 0 && ((b < 0) != (r < 0))) r += b;
         return r;
       }},
  };
  return cases;
}

TEST(ElementwiseBinary, MatchesReferenceUnderBroadcasting) {
  const std::vector<std::pair<Shape, Shape>> shape_pairs = {
      {Shape{2, 3, 4}, Shape{2, 3, 4}}, {Shape{2, 3, 4}, Shape{4}},       {Shape{4}, Shape{2, 3, 4}},
      {Shape{2, 1, 4}, Shape{1, 3, 1}}, {Shape{}, Shape{5, 2}},          {Shape{5, 2}, Shape{}},
      {Shape{3, 1}, Shape{1, 7}},       {Shape{2, 3, 1, 5}, Shape{3, 4, 1}}, {Shape{0, 3}, Shape{3}},
      {Shape{1, 300, 64}, Shape{64}},   {Shape{1, 1, 1}, Shape{1}}};
  for (const auto& c : binary_cases()) {
    for (const auto& [sa, sb] : shape_pairs) {
      Tensor a = random_float(sa, -3, 3);
      Tensor b = random_float(sb, 0.5, 3);  // positive divisors; sign handled below
      for (int64_t i = 0; i < b.num_elements(); i += 2) b.mutable_data<float>()[i] *= -1;
      OpTest t(c.op);
      auto out = t.run1({a, b});
      ASSERT_TRUE(out.ok()) << c.op << ": " << out.status();
      EXPECT_TRUE(all_close(*out, ref_binary_float(a, b, c.f), 1e-5, 1e-5))
          << c.op << " " << sa.to_string() << " " << sb.to_string();
      EXPECT_TRUE(guard_ok(*out));
    }
  }
}

TEST(ElementwiseBinary, LargeBroadcastUsesThreadsCorrectly) {
  Tensor a = random_float(Shape{3, 57, 33, 40});
  Tensor b = random_float(Shape{57, 1, 40});
  OpTest t("Mul");
  auto out = t.run1({a, b});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(all_close(*out, ref_binary_float(a, b, [](double x, double y) { return x * y; })));
}

TEST(ElementwiseBinary, IncompatibleShapesNameTheNode) {
  OpTest t("Add", "my_add");
  auto out = t.run1({random_float(Shape{2, 3}), random_float(Shape{4})});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("node 'my_add' (Add)"), std::string::npos) << out.status();
  EXPECT_NE(out.status().message().find("[2, 3]"), std::string::npos);
}

TEST(ElementwiseBinary, MixedTypesAndUnsupportedTypesAreErrors) {
  OpTest t("Add");
  EXPECT_FALSE(t.run1({random_float(Shape{2}), vec_i32({1, 2})}).ok());
  OpTest bad("RealDiv");
  bad.attr("T", type_attr(DType::kInt32));
  EXPECT_EQ(bad.create().code(), StatusCode::kUnimplemented);
  OpTest logical("LogicalAnd");
  EXPECT_FALSE(logical.run1({random_float(Shape{2}), random_float(Shape{2})}).ok());
}

TEST(ElementwiseBinary, IntegerSemantics) {
  OpTest fd("FloorDiv"), fm("FloorMod"), dv("Div"), add("Add"), pw("Pow");
  Tensor a = vec_i32({7, -7, 7, -7, std::numeric_limits<int32_t>::min()});
  Tensor b = vec_i32({2, 2, -2, -2, -1});
  auto q = fd.run1({a, b});
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_EQ(std::vector<int32_t>(q->data<int32_t>(), q->data<int32_t>() + 4), (std::vector<int32_t>{3, -4, -4, 3}));
  auto r = fm.run1({a, b});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::vector<int32_t>(r->data<int32_t>(), r->data<int32_t>() + 5), (std::vector<int32_t>{1, 1, -1, -1, 0}));
  auto d = dv.run1({a, b});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(std::vector<int32_t>(d->data<int32_t>(), d->data<int32_t>() + 4), (std::vector<int32_t>{3, -3, -3, 3}));
  // Wrapping, not UB.
  auto s = add.run1({vec_i32({std::numeric_limits<int32_t>::max()}), vec_i32({1})});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->data<int32_t>()[0], std::numeric_limits<int32_t>::min());
  auto p = pw.run1({vec_i32({3, -2, 5}), vec_i32({4, 3, 0})});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(std::vector<int32_t>(p->data<int32_t>(), p->data<int32_t>() + 3), (std::vector<int32_t>{81, -8, 1}));
  EXPECT_FALSE(pw.run1({vec_i32({3}), vec_i32({-1})}).ok());
  auto z = fd.run1({vec_i32({1, 2}), vec_i32({1, 0})});
  ASSERT_FALSE(z.ok());
  EXPECT_NE(z.status().message().find("division by zero"), std::string::npos);
}

TEST(ElementwiseBinary, ComparisonsAndLogical) {
  Tensor a = floats(Shape{4}, {1, 2, 3, NAN});
  Tensor b = floats(Shape{}, {2});
  const std::vector<std::pair<const char*, std::vector<bool>>> cases = {
      {"Less", {true, false, false, false}},     {"LessEqual", {true, true, false, false}},
      {"Greater", {false, false, true, false}},  {"GreaterEqual", {false, true, true, false}},
      {"Equal", {false, true, false, false}},    {"NotEqual", {true, false, true, true}}};
  for (const auto& [op, want] : cases) {
    OpTest t(op);
    auto out = t.run1({a, b});
    ASSERT_TRUE(out.ok()) << out.status();
    ASSERT_EQ(out->dtype(), DType::kBool);
    for (int i = 0; i < 4; ++i) EXPECT_EQ(out->data<bool>()[i], want[static_cast<size_t>(i)]) << op << " " << i;
  }
  Tensor x = Tensor::from_vector<uint8_t>(DType::kBool, Shape{4}, {1, 1, 0, 0});
  Tensor y = Tensor::from_vector<uint8_t>(DType::kBool, Shape{4}, {1, 0, 1, 0});
  OpTest land("LogicalAnd"), lor("LogicalOr");
  auto r1 = land.run1({x, y});
  auto r2 = lor.run1({x, y});
  ASSERT_TRUE(r1.ok() && r2.ok());
  EXPECT_EQ(r1->data<bool>()[0], true);
  EXPECT_EQ(r1->data<bool>()[1], false);
  EXPECT_EQ(r2->data<bool>()[2], true);
  EXPECT_EQ(r2->data<bool>()[3], false);
}

TEST(ElementwiseBinary, MaximumPropagatesNaN) {
  OpTest t("Maximum");
  auto out = t.run1({floats(Shape{2}, {NAN, 1}), floats(Shape{2}, {1, NAN})});
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(std::isnan(out->data<float>()[0]));
  EXPECT_TRUE(std::isnan(out->data<float>()[1]));
}

TEST(ElementwiseBinary, ShapeFunction) {
  OpTest t("Add");
  auto s = t.shapes({PartialShape({-1, 3}), PartialShape({4, 1, 1})});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ((*s)[0], PartialShape({4, -1, 3}));
  EXPECT_FALSE(t.shapes({PartialShape({2}), PartialShape({3})}).ok());
}

}  // namespace
}  // namespace tfport::runtime::testing
