#include <gtest/gtest.h>

#include "op_test_util.h"
#include "reference.h"

namespace tfport::runtime::testing {
namespace {

struct ConvCase {
  Shape x, w;
  int s, d;
  const char* padding;
};

// TF's SAME/VALID arithmetic, written out independently of the kernel's helper.
void same_or_valid(int64_t in, int64_t k, int s, int d, bool same, int64_t* out, int* pad) {
  const int64_t eff = (k - 1) * d + 1;
  if (same) {
    *out = (in + s - 1) / s;
    *pad = static_cast<int>(std::max<int64_t>(0, (*out - 1) * s + eff - in) / 2);
  } else {
    *out = (in - eff) / s + 1;
    *pad = 0;
  }
}

TEST(Conv2D, MatchesReferenceOnRandomShapes) {
  const std::vector<ConvCase> cases = {
      {Shape{1, 7, 7, 3}, Shape{3, 3, 3, 8}, 1, 1, "SAME"},   {Shape{2, 9, 8, 4}, Shape{3, 3, 4, 5}, 2, 1, "SAME"},
      {Shape{1, 10, 11, 3}, Shape{3, 2, 3, 6}, 2, 1, "VALID"}, {Shape{1, 12, 12, 2}, Shape{3, 3, 2, 4}, 1, 2, "SAME"},
      {Shape{3, 6, 5, 8}, Shape{1, 1, 8, 16}, 1, 1, "VALID"},  {Shape{1, 8, 8, 3}, Shape{5, 5, 3, 2}, 3, 1, "SAME"},
      {Shape{1, 4, 4, 1}, Shape{4, 4, 1, 1}, 1, 1, "SAME"},    {Shape{1, 5, 5, 2}, Shape{2, 2, 2, 3}, 2, 2, "VALID"}};
  for (const auto& c : cases) {
    const bool same = std::string(c.padding) == "SAME";
    int64_t oh, ow;
    int pt, pl;
    same_or_valid(c.x.dim(1), c.w.dim(0), c.s, c.d, same, &oh, &pt);
    same_or_valid(c.x.dim(2), c.w.dim(1), c.s, c.d, same, &ow, &pl);
    Tensor x = random_float(c.x), w = random_float(c.w);
    OpTest t("Conv2D");
    t.attr("T", type_attr(DType::kFloat)).attr("strides", ints_attr({1, c.s, c.s, 1}))
        .attr("dilations", ints_attr({1, c.d, c.d, 1})).attr("padding", string_attr(c.padding));
    for (int rep = 0; rep < 2; ++rep) {  // second run uses the cached primitive and weights
      auto out = t.run1({x, w});
      ASSERT_TRUE(out.ok()) << out.status();
      EXPECT_TRUE(all_close(*out, ref_conv2d(x, w, c.s, c.s, c.d, c.d, pt, pl, oh, ow), 1e-4, 1e-4))
          << c.x.to_string() << " " << c.w.to_string() << " " << c.padding;
      EXPECT_TRUE(guard_ok(*out));
    }
    // A different filter buffer must not reuse the cached reorder.
    Tensor w2 = random_float(c.w);
    auto out2 = t.run1({x, w2});
    ASSERT_TRUE(out2.ok());
    EXPECT_TRUE(all_close(*out2, ref_conv2d(x, w2, c.s, c.s, c.d, c.d, pt, pl, oh, ow), 1e-4, 1e-4));
  }
}

TEST(Conv2D, ExplicitPaddingAndShapeFunction) {
  Tensor x = random_float(Shape{1, 5, 6, 2}), w = random_float(Shape{3, 3, 2, 3});
  OpTest t("Conv2D");
  t.attr("strides", ints_attr({1, 1, 1, 1})).attr("padding", string_attr("EXPLICIT"))
      .attr("explicit_paddings", ints_attr({0, 0, 2, 0, 1, 1, 0, 0}));
  auto out = t.run1({x, w});
  ASSERT_TRUE(out.ok()) << out.status();
  // out_h = 5 + 2 - 3 + 1 = 5; out_w = 6 + 2 - 3 + 1 = 6
  EXPECT_TRUE(all_close(*out, ref_conv2d(x, w, 1, 1, 1, 1, 2, 1, 5, 6), 1e-4, 1e-4));
  auto s = t.shapes({PartialShape({-1, 5, 6, 2}), PartialShape({3, 3, 2, 3})});
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ((*s)[0], PartialShape({-1, 5, 6, 3}));
}

TEST(Conv2D, ErrorsNameTheNode) {
  OpTest nchw("Conv2D", "c1");
  nchw.attr("strides", ints_attr({1, 1, 1, 1})).attr("padding", string_attr("SAME")).attr("data_format", string_attr("NCHW"));
  EXPECT_EQ(nchw.create().code(), StatusCode::kUnimplemented);
  OpTest t("Conv2D", "c2");
  t.attr("strides", ints_attr({1, 1, 1, 1})).attr("padding", string_attr("VALID"));
  auto r = t.run1({random_float(Shape{1, 4, 4, 3}), random_float(Shape{3, 3, 2, 4})});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("node 'c2' (Conv2D)"), std::string::npos) << r.status();
  auto r2 = t.run1({random_float(Shape{1, 1, 1, 3}), random_float(Shape{3, 3, 3, 4})});  // negative output
  EXPECT_FALSE(r2.ok());
  auto r3 = t.run1({random_float(Shape{4, 4, 3}), random_float(Shape{3, 3, 3, 4})});
  EXPECT_FALSE(r3.ok());
  OpTest bad("Conv2D");
  bad.attr("strides", ints_attr({1, 0, 1, 1})).attr("padding", string_attr("VALID"));
  EXPECT_FALSE(bad.create().ok());
  OpTest nostride("Conv2D");
  nostride.attr("padding", string_attr("VALID"));
  EXPECT_FALSE(nostride.create().ok());
}

TEST(Conv2D, GroupedConvolution) {
  // 4 input channels, filter in-depth 2 -> 2 groups of 3 outputs each.
  Tensor x = random_float(Shape{1, 5, 5, 4}), w = random_float(Shape{3, 3, 2, 6});
  OpTest t("Conv2D");
  t.attr("strides", ints_attr({1, 1, 1, 1})).attr("padding", string_attr("SAME"));
  auto out = t.run1({x, w});
  ASSERT_TRUE(out.ok()) << out.status();
  // Reference: each group separately.
  for (int g = 0; g < 2; ++g) {
    Tensor xg = Tensor::allocate(DType::kFloat, Shape{1, 5, 5, 2}).value();
    Tensor wg = Tensor::allocate(DType::kFloat, Shape{3, 3, 2, 3}).value();
    for (int p = 0; p < 25; ++p)
      for (int c = 0; c < 2; ++c) xg.mutable_data<float>()[p * 2 + c] = x.data<float>()[p * 4 + g * 2 + c];
    for (int p = 0; p < 18; ++p)
      for (int o = 0; o < 3; ++o) wg.mutable_data<float>()[p * 3 + o] = w.data<float>()[p * 6 + g * 3 + o];
    Tensor ref = ref_conv2d(xg, wg, 1, 1, 1, 1, 1, 1, 5, 5);
    for (int p = 0; p < 25; ++p)
      for (int o = 0; o < 3; ++o)
        EXPECT_NEAR(out->data<float>()[p * 6 + g * 3 + o], ref.data<float>()[p * 3 + o], 1e-4);
  }
}

TEST(DepthwiseConv2dNative, MatchesReference) {
  const std::vector<ConvCase> cases = {{Shape{1, 9, 9, 8}, Shape{3, 3, 8, 1}, 1, 1, "SAME"},
                                       {Shape{2, 10, 7, 3}, Shape{3, 3, 3, 2}, 2, 1, "SAME"},
                                       {Shape{1, 8, 8, 4}, Shape{3, 3, 4, 1}, 2, 1, "VALID"},
                                       {Shape{1, 11, 11, 5}, Shape{3, 3, 5, 3}, 1, 2, "SAME"}};
  for (const auto& c : cases) {
    const bool same = std::string(c.padding) == "SAME";
    int64_t oh, ow;
    int pt, pl;
    same_or_valid(c.x.dim(1), c.w.dim(0), c.s, c.d, same, &oh, &pt);
    same_or_valid(c.x.dim(2), c.w.dim(1), c.s, c.d, same, &ow, &pl);
    Tensor x = random_float(c.x), w = random_float(c.w);
    OpTest t("DepthwiseConv2dNative");
    t.attr("strides", ints_attr({1, c.s, c.s, 1})).attr("dilations", ints_attr({1, c.d, c.d, 1}))
        .attr("padding", string_attr(c.padding));
    auto out = t.run1({x, w});
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_TRUE(all_close(*out, ref_depthwise(x, w, c.s, c.s, c.d, c.d, pt, pl, oh, ow), 1e-4, 1e-4))
        << c.x.to_string() << " " << c.w.to_string();
  }
}

TEST(FusedConv2D, BiasAndRelu6) {
  Tensor x = random_float(Shape{1, 6, 6, 3}), w = random_float(Shape{3, 3, 3, 4}), b = random_float(Shape{4});
  OpTest t("_FusedConv2D");
  tensorflow::AttrValue ops;
  ops.mutable_list()->add_s("BiasAdd");
  ops.mutable_list()->add_s("Relu6");
  t.attr("strides", ints_attr({1, 1, 1, 1})).attr("padding", string_attr("SAME")).attr("fused_ops", ops)
      .attr("num_args", int_attr(1));
  auto out = t.run1({x, w, b});
  ASSERT_TRUE(out.ok()) << out.status();
  Tensor ref = ref_conv2d(x, w, 1, 1, 1, 1, 1, 1, 6, 6);
  for (int64_t i = 0; i < ref.num_elements(); ++i) {
    float v = ref.data<float>()[i] + b.data<float>()[i % 4];
    ref.mutable_data<float>()[i] = std::min(std::max(v, 0.f), 6.f);
  }
  EXPECT_TRUE(all_close(*out, ref, 1e-4, 1e-4));
}

TEST(Conv2DBackpropInput, IsTheTransposeOfConv2D) {
  // <conv(x, w), g> == <x, conv_transpose(g, w)> for every x, g: check with the reference conv.
  for (const char* padding : {"SAME", "VALID"}) {
    for (int s : {1, 2}) {
      const Shape xs{2, 7, 6, 3};
      Tensor w = random_float(Shape{3, 3, 3, 4});
      int64_t oh, ow;
      int pt, pl;
      same_or_valid(7, 3, s, 1, std::string(padding) == "SAME", &oh, &pt);
      same_or_valid(6, 3, s, 1, std::string(padding) == "SAME", &ow, &pl);
      Tensor g = random_float(Shape{2, oh, ow, 4});
      OpTest t("Conv2DBackpropInput");
      t.attr("strides", ints_attr({1, s, s, 1})).attr("padding", string_attr(padding));
      auto out = t.run1({vec_i32({2, 7, 6, 3}), w, g});
      ASSERT_TRUE(out.ok()) << out.status();
      ASSERT_EQ(out->shape(), xs);
      // Column by column: e_i through the reference conv gives row i of the transpose.
      Tensor e = Tensor::allocate(DType::kFloat, xs).value();
      for (int64_t i = 0; i < e.num_elements(); i += 7) {
        std::fill(e.mutable_data<float>(), e.mutable_data<float>() + e.num_elements(), 0.f);
        e.mutable_data<float>()[i] = 1.f;
        Tensor y = ref_conv2d(e, w, s, s, 1, 1, pt, pl, oh, ow);
        double dot = 0;
        for (int64_t j = 0; j < y.num_elements(); ++j) dot += static_cast<double>(y.data<float>()[j]) * g.data<float>()[j];
        EXPECT_NEAR(out->data<float>()[i], dot, 1e-4) << padding << " s=" << s << " i=" << i;
      }
    }
  }
  OpTest t("Conv2DBackpropInput");
  t.attr("strides", ints_attr({1, 1, 1, 1})).attr("padding", string_attr("SAME"));
  EXPECT_FALSE(t.run1({vec_i32({1, 4, 4, 3}), random_float(Shape{3, 3, 3, 2}), random_float(Shape{1, 5, 5, 2})}).ok());
}

TEST(Conv3D, MatchesReferenceViaSlices) {
  // A 1-deep Conv3D with a depth-1 filter equals Conv2D per depth slice.
  Tensor x = random_float(Shape{1, 2, 6, 6, 3}), w = random_float(Shape{1, 3, 3, 3, 4});
  OpTest t("Conv3D");
  t.attr("strides", ints_attr({1, 1, 2, 2, 1})).attr("padding", string_attr("SAME"));
  auto out = t.run1({x, w});
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_EQ(out->shape(), (Shape{1, 2, 3, 3, 4}));
  for (int d = 0; d < 2; ++d) {
    Tensor xs = Tensor::from_vector<float>(DType::kFloat, Shape{1, 6, 6, 3},
                                           std::vector<float>(x.data<float>() + d * 108, x.data<float>() + (d + 1) * 108));
    Tensor ws = Tensor::from_vector<float>(DType::kFloat, Shape{3, 3, 3, 4},
                                           std::vector<float>(w.data<float>(), w.data<float>() + 108));
    Tensor ref = ref_conv2d(xs, ws, 2, 2, 1, 1, 0, 0, 3, 3);  // SAME, in 6, k 3, s 2: total pad 1 -> before 0
    for (int i = 0; i < 36; ++i) EXPECT_NEAR(out->data<float>()[d * 36 + i], ref.data<float>()[i], 1e-4);
  }
}

TEST(MatMul, MatchesReferenceWithTransposes) {
  for (bool ta : {false, true})
    for (bool tb : {false, true})
      for (auto [m, k, n] : std::vector<std::array<int64_t, 3>>{{1, 7, 5}, {13, 32, 9}, {64, 17, 33}, {3, 0, 4}}) {
        Tensor a = random_float(ta ? Shape{k, m} : Shape{m, k}), b = random_float(tb ? Shape{n, k} : Shape{k, n});
        OpTest t("MatMul");
        t.attr("transpose_a", bool_attr(ta)).attr("transpose_b", bool_attr(tb));
        auto out = t.run1({a, b});
        ASSERT_TRUE(out.ok()) << out.status();
        EXPECT_TRUE(all_close(*out, ref_matmul(a, b, ta, tb), 1e-4, 1e-4));
        EXPECT_TRUE(guard_ok(*out));
      }
  OpTest t("MatMul");
  EXPECT_FALSE(t.run1({random_float(Shape{2, 3}), random_float(Shape{4, 5})}).ok());
  EXPECT_FALSE(t.run1({random_float(Shape{2, 3, 1}), random_float(Shape{3, 5})}).ok());
  auto s = t.shapes({PartialShape({-1, 3}), PartialShape({3, 7})});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ((*s)[0], PartialShape({-1, 7}));
}

TEST(MatMul, Int32) {
  OpTest t("MatMul");
  auto out = t.run1({Tensor::from_vector<int32_t>(DType::kInt32, Shape{2, 2}, {1, 2, 3, 4}),
                     Tensor::from_vector<int32_t>(DType::kInt32, Shape{2, 1}, {5, 6})});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->data<int32_t>()[0], 17);
  EXPECT_EQ(out->data<int32_t>()[1], 39);
}

TEST(BatchMatMulV2, BroadcastsBatchDims) {
  Tensor x = random_float(Shape{2, 1, 3, 4}), y = random_float(Shape{3, 5, 4});
  OpTest t("BatchMatMulV2");
  t.attr("adj_y", bool_attr(true));
  auto out = t.run1({x, y});
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_EQ(out->shape(), (Shape{2, 3, 3, 5}));
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j) {
      Tensor a = Tensor::from_vector<float>(DType::kFloat, Shape{3, 4},
                                            std::vector<float>(x.data<float>() + i * 12, x.data<float>() + i * 12 + 12));
      Tensor b = Tensor::from_vector<float>(DType::kFloat, Shape{5, 4},
                                            std::vector<float>(y.data<float>() + j * 20, y.data<float>() + j * 20 + 20));
      Tensor r = ref_matmul(a, b, false, true);
      for (int e = 0; e < 15; ++e) EXPECT_NEAR(out->data<float>()[(i * 3 + j) * 15 + e], r.data<float>()[e], 1e-4);
    }
  OpTest v1("BatchMatMul");
  EXPECT_FALSE(v1.run1({x, y}).ok());
}

}  // namespace
}  // namespace tfport::runtime::testing
