// ReverseV2, DepthToSpace / SpaceToDepth, SpaceToBatchND / BatchToSpaceND, Cumsum / Cumprod,
// TopKV2, ClipByValue, MatrixBandPart, LRN, the trigonometric ops and IsNan / IsInf /
// IsFinite, against values worked out by hand or by plain loops.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "op_test_util.h"

namespace tfport::runtime::testing {
namespace {

Tensor i32(const Shape& shape, std::vector<int32_t> v) { return Tensor::from_vector<int32_t>(DType::kInt32, shape, v); }

Tensor iota(const Shape& shape) {
  std::vector<float> v(static_cast<size_t>(shape.num_elements()));
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(i);
  return floats(shape, v);
}

StatusOr<Tensor> run(const std::string& op, const std::vector<Tensor>& in,
                     std::initializer_list<std::pair<const char*, tensorflow::AttrValue>> attrs = {}) {
  OpTest t(op);
  for (const auto& [k, v] : attrs) t.attr(k, v);
  return t.run1(in);
}

TEST(ReverseV2, FlipsTheGivenAxes) {
  auto y = run("ReverseV2", {iota(Shape{2, 3}), vec_i32({1})});
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(to_vec(*y), (std::vector<float>{2, 1, 0, 5, 4, 3}));
  y = run("ReverseV2", {iota(Shape{2, 3}), vec_i32({0, -1})});
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(to_vec(*y), (std::vector<float>{5, 4, 3, 2, 1, 0}));
  EXPECT_FALSE(run("ReverseV2", {iota(Shape{2, 3}), vec_i32({1, 1})}).ok());
}

TEST(DepthToSpace, MovesChannelBlocksIntoPixelsAndBack) {
  // [1, 1, 1, 4] with block 2 -> [1, 2, 2, 1]: channel (i * 2 + j) lands at (i, j).
  auto d2s = run("DepthToSpace", {iota(Shape{1, 1, 1, 4})}, {{"block_size", int_attr(2)}});
  ASSERT_TRUE(d2s.ok()) << d2s.status();
  EXPECT_EQ(d2s->shape(), (Shape{1, 2, 2, 1}));
  EXPECT_EQ(to_vec(*d2s), (std::vector<float>{0, 1, 2, 3}));
  // [1, 2, 2, 2] -> [1, 4, 4, ...]: a round trip through SpaceToDepth restores the input.
  Tensor x = random_float(Shape{2, 4, 6, 3});
  auto s2d = run("SpaceToDepth", {x}, {{"block_size", int_attr(2)}});
  ASSERT_TRUE(s2d.ok()) << s2d.status();
  EXPECT_EQ(s2d->shape(), (Shape{2, 2, 3, 12}));
  // Output pixel (0, 0) of batch 0 holds input pixels (0,0), (0,1), (1,0), (1,1), channels inner.
  const float* in = x.data<float>();
  const std::vector<float> first(s2d->data<float>(), s2d->data<float>() + 12);
  std::vector<float> want;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j)
      for (int c = 0; c < 3; ++c) want.push_back(in[(i * 6 + j) * 3 + c]);
  EXPECT_EQ(first, want);
  auto back = run("DepthToSpace", {*s2d}, {{"block_size", int_attr(2)}});
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_TRUE(all_close(*back, x, 0, 0));
}

TEST(SpaceToBatchND, PadsSplitsIntoBlocksAndComesBack) {
  // [1, 2, 2, 1] with block [2, 2]: each pixel becomes a batch entry of one pixel.
  auto s2b = run("SpaceToBatchND", {iota(Shape{1, 2, 2, 1}), vec_i32({2, 2}), i32(Shape{2, 2}, {0, 0, 0, 0})});
  ASSERT_TRUE(s2b.ok()) << s2b.status();
  EXPECT_EQ(s2b->shape(), (Shape{4, 1, 1, 1}));
  EXPECT_EQ(to_vec(*s2b), (std::vector<float>{0, 1, 2, 3}));
  // Padding [1, 0] on rows of a [1, 3, 2, 1] image, block [2, 1]: rows -1, 1 | 0, 2.
  auto padded = run("SpaceToBatchND", {iota(Shape{1, 3, 2, 1}), vec_i32({2, 1}), i32(Shape{2, 2}, {1, 0, 0, 0})});
  ASSERT_TRUE(padded.ok()) << padded.status();
  EXPECT_EQ(padded->shape(), (Shape{2, 2, 2, 1}));
  EXPECT_EQ(to_vec(*padded), (std::vector<float>{0, 0, 2, 3, 0, 1, 4, 5}));
  // A dilated-convolution style round trip with crops undoing the padding.
  Tensor x = random_float(Shape{2, 5, 6, 3});
  auto b = run("SpaceToBatchND", {x, vec_i32({2, 3}), i32(Shape{2, 2}, {1, 0, 0, 0})});
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->shape(), (Shape{12, 3, 2, 3}));
  auto s = run("BatchToSpaceND", {*b, vec_i32({2, 3}), i32(Shape{2, 2}, {1, 0, 0, 0})});
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_TRUE(all_close(*s, x, 0, 0));
}

TEST(Cumsum, ExclusiveAndReverse) {
  Tensor x = floats(Shape{2, 3}, {1, 2, 3, 4, 5, 6});
  auto plain = run("Cumsum", {x, scalar_i32(1)});
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_EQ(to_vec(*plain), (std::vector<float>{1, 3, 6, 4, 9, 15}));
  auto excl_rev = run("Cumsum", {x, scalar_i32(1)}, {{"exclusive", bool_attr(true)}, {"reverse", bool_attr(true)}});
  ASSERT_TRUE(excl_rev.ok()) << excl_rev.status();
  EXPECT_EQ(to_vec(*excl_rev), (std::vector<float>{5, 3, 0, 11, 6, 0}));
  auto prod = run("Cumprod", {x, scalar_i32(0)});
  ASSERT_TRUE(prod.ok()) << prod.status();
  EXPECT_EQ(to_vec(*prod), (std::vector<float>{1, 2, 3, 4, 10, 18}));
}

TEST(TopKV2, LargestFirstTiesInIndexOrder) {
  OpTest t("TopKV2");
  auto out = t.run({floats(Shape{2, 4}, {1, 3, 3, 2, -1, -5, 0, 7}), scalar_i32(2)});
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_EQ(out->size(), 2u);
  EXPECT_EQ(to_vec((*out)[0]), (std::vector<float>{3, 3, 7, 0}));
  const int32_t* idx = (*out)[1].data<int32_t>();
  EXPECT_EQ(std::vector<int32_t>(idx, idx + 4), (std::vector<int32_t>{1, 2, 3, 2}));
  OpTest too_many("TopKV2");
  EXPECT_FALSE(too_many.run({floats(Shape{3}, {1, 2, 3}), scalar_i32(4)}).ok());
}

TEST(ClipByValue, ScalarAndElementwiseBoundsInTfOrder) {
  Tensor x = floats(Shape{4}, {-2, 0.5f, 3, 9});
  auto y = run("ClipByValue", {x, floats(Shape{}, {0}), floats(Shape{}, {2})});
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(to_vec(*y), (std::vector<float>{0, 0.5f, 2, 2}));
  // lo > hi: TF takes min with hi first, then max with lo, so lo wins.
  y = run("ClipByValue", {x, floats(Shape{4}, {6, 6, 6, 6}), floats(Shape{}, {3})});
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(to_vec(*y), (std::vector<float>{6, 6, 6, 6}));
}

TEST(MatrixBandPart, KeepsTheBand) {
  Tensor x = floats(Shape{3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  auto y = run("MatrixBandPart", {x, Tensor::from_vector<int64_t>(DType::kInt64, Shape{}, {-1}),
                                  Tensor::from_vector<int64_t>(DType::kInt64, Shape{}, {0})});
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(to_vec(*y), (std::vector<float>{1, 0, 0, 4, 5, 0, 7, 8, 9}));  // lower triangle: a causal mask
  y = run("MatrixBandPart", {x, scalar_i32(0), scalar_i32(1)});
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(to_vec(*y), (std::vector<float>{1, 2, 0, 0, 5, 6, 0, 0, 9}));
}

TEST(LRN, NormalizesAcrossNearbyChannels) {
  Tensor x = random_float(Shape{1, 2, 1, 5});
  auto y = run("LRN", {x}, {{"depth_radius", int_attr(1)}, {"bias", float_attr(2)}, {"alpha", float_attr(0.5f)},
                            {"beta", float_attr(0.75f)}});
  ASSERT_TRUE(y.ok()) << y.status();
  std::vector<float> want;
  const float* in = x.data<float>();
  for (int r = 0; r < 2; ++r)
    for (int d = 0; d < 5; ++d) {
      double sum = 0;
      for (int j = std::max(0, d - 1); j <= std::min(4, d + 1); ++j) sum += in[r * 5 + j] * in[r * 5 + j];
      want.push_back(static_cast<float>(in[r * 5 + d] / std::pow(2 + 0.5 * sum, 0.75)));
    }
  EXPECT_TRUE(all_close(*y, floats(Shape{1, 2, 1, 5}, want), 1e-5, 1e-6));
}

TEST(Trigonometric, MatchTheCLibrary) {
  Tensor x = floats(Shape{4}, {-0.9f, -0.1f, 0.3f, 0.8f});
  struct F {
    const char* op;
    double (*f)(double);
  };
  for (const F& c : {F{"Tan", std::tan}, F{"Asin", std::asin}, F{"Acos", std::acos}, F{"Atan", std::atan},
                     F{"Sinh", std::sinh}, F{"Cosh", std::cosh}, F{"Asinh", std::asinh}, F{"Atanh", std::atanh}}) {
    SCOPED_TRACE(c.op);
    auto y = run(c.op, {x});
    ASSERT_TRUE(y.ok()) << y.status();
    std::vector<float> want;
    for (float v : to_vec(x)) want.push_back(static_cast<float>(c.f(v)));
    EXPECT_TRUE(all_close(*y, floats(Shape{4}, want), 1e-6, 1e-7));
  }
  auto acosh = run("Acosh", {floats(Shape{2}, {1.5f, 3})});
  ASSERT_TRUE(acosh.ok()) << acosh.status();
  EXPECT_NEAR(acosh->data<float>()[1], std::acosh(3.0), 1e-6);
}

TEST(FloatClasses, NanInfFinite) {
  const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
  Tensor x = floats(Shape{4}, {1, inf, -inf, nan});
  for (const auto& [op, want] : std::vector<std::pair<const char*, std::vector<bool>>>{
           {"IsNan", {false, false, false, true}}, {"IsInf", {false, true, true, false}}, {"IsFinite", {true, false, false, false}}}) {
    SCOPED_TRACE(op);
    auto y = run(op, {x});
    ASSERT_TRUE(y.ok()) << y.status();
    ASSERT_EQ(y->dtype(), DType::kBool);
    EXPECT_EQ(std::vector<bool>(y->data<bool>(), y->data<bool>() + 4), want);
  }
}

TEST(MoreBinaryOps, TruncatingModuloAtan2NoNanAndBitwise) {
  Tensor a = i32(Shape{4}, {7, -7, 7, -7}), b = i32(Shape{4}, {3, 3, -3, -3});
  for (const char* op : {"Mod", "TruncateMod"}) {
    auto y = run(op, {a, b});
    ASSERT_TRUE(y.ok()) << y.status();
    EXPECT_EQ(std::vector<int32_t>(y->data<int32_t>(), y->data<int32_t>() + 4), (std::vector<int32_t>{1, -1, 1, -1})) << op;
  }
  auto div = run("TruncateDiv", {a, b});
  ASSERT_TRUE(div.ok()) << div.status();
  EXPECT_EQ(std::vector<int32_t>(div->data<int32_t>(), div->data<int32_t>() + 4), (std::vector<int32_t>{2, -2, -2, 2}));
  EXPECT_FALSE(run("TruncateMod", {a, i32(Shape{4}, {1, 0, 1, 1})}).ok());  // integer division by zero

  auto fmod = run("Mod", {floats(Shape{2}, {5.5f, -5.5f}), floats(Shape{2}, {2, 2})});
  ASSERT_TRUE(fmod.ok()) << fmod.status();
  EXPECT_EQ(to_vec(*fmod), (std::vector<float>{1.5f, -1.5f}));
  auto at = run("Atan2", {floats(Shape{3}, {1, -1, 0}), floats(Shape{3}, {-1, -1, 2})});
  ASSERT_TRUE(at.ok()) << at.status();
  EXPECT_TRUE(all_close(*at, floats(Shape{3}, {static_cast<float>(std::atan2(1.0, -1.0)),
                                               static_cast<float>(std::atan2(-1.0, -1.0)), 0.f})));
  const float inf = std::numeric_limits<float>::infinity();
  auto dnn = run("DivNoNan", {floats(Shape{3}, {1, 2, 0}), floats(Shape{3}, {0, 4, 0})});
  ASSERT_TRUE(dnn.ok()) << dnn.status();
  EXPECT_EQ(to_vec(*dnn), (std::vector<float>{0, 0.5f, 0}));
  auto mnn = run("MulNoNan", {floats(Shape{2}, {inf, 3}), floats(Shape{2}, {0, 2})});
  ASSERT_TRUE(mnn.ok()) << mnn.status();
  EXPECT_EQ(to_vec(*mnn), (std::vector<float>{0, 6}));
  auto band = run("BitwiseAnd", {i32(Shape{2}, {12, 5}), i32(Shape{2}, {10, 3})});
  auto bor = run("BitwiseOr", {i32(Shape{2}, {12, 5}), i32(Shape{2}, {10, 3})});
  auto bxor = run("BitwiseXor", {i32(Shape{2}, {12, 5}), i32(Shape{2}, {10, 3})});
  ASSERT_TRUE(band.ok() && bor.ok() && bxor.ok());
  EXPECT_EQ(std::vector<int32_t>(band->data<int32_t>(), band->data<int32_t>() + 2), (std::vector<int32_t>{8, 1}));
  EXPECT_EQ(std::vector<int32_t>(bor->data<int32_t>(), bor->data<int32_t>() + 2), (std::vector<int32_t>{14, 7}));
  EXPECT_EQ(std::vector<int32_t>(bxor->data<int32_t>(), bxor->data<int32_t>() + 2), (std::vector<int32_t>{6, 6}));
}

}  // namespace
}  // namespace tfport::runtime::testing
