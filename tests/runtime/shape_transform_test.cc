#include <gtest/gtest.h>

#include "op_test_util.h"
#include "reference.h"

namespace tfport::runtime::testing {
namespace {

std::vector<int32_t> ints(const Tensor& t) {
  return std::vector<int32_t>(t.data<int32_t>(), t.data<int32_t>() + t.num_elements());
}

TEST(Reduction, SumMeanMaxOverAxes) {
  Tensor x = random_float(Shape{2, 3, 4});
  for (bool keep : {false, true}) {
    OpTest t("Mean");
    t.attr("keep_dims", bool_attr(keep));
    auto out = t.run1({x, vec_i32({-1, 0})});
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_EQ(out->shape(), keep ? (Shape{1, 3, 1}) : (Shape{3}));
    for (int j = 0; j < 3; ++j) {
      double s = 0;
      for (int i = 0; i < 2; ++i)
        for (int k = 0; k < 4; ++k) s += x.data<float>()[(i * 3 + j) * 4 + k];
      EXPECT_NEAR(out->data<float>()[j], s / 8, 1e-6);
    }
  }
  OpTest mx("Max");
  auto m = mx.run1({x, scalar_i32(1)});
  ASSERT_TRUE(m.ok());
  for (int i = 0; i < 2; ++i)
    for (int k = 0; k < 4; ++k) {
      float want = -1e30f;
      for (int j = 0; j < 3; ++j) want = std::max(want, x.data<float>()[(i * 3 + j) * 4 + k]);
      EXPECT_EQ(m->data<float>()[i * 4 + k], want);
    }
  OpTest sum("Sum");
  auto all = sum.run1({vec_i32({1, 2, 3}), vec_i32({0})});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->data<int32_t>()[0], 6);
  EXPECT_FALSE(sum.run1({x, scalar_i32(3)}).ok());
  OpTest am("ArgMax");
  auto a = am.run1({floats(Shape{2, 3}, {1, 5, 5, 9, 2, 3}), scalar_i32(1)});
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->dtype(), DType::kInt64);
  EXPECT_EQ(a->data<int64_t>()[0], 1);
  EXPECT_EQ(a->data<int64_t>()[1], 0);
}

TEST(ShapeOps, ReshapeShapeSqueezeExpand) {
  Tensor x = random_float(Shape{2, 1, 6});
  OpTest r("Reshape");
  auto out = r.run1({x, vec_i32({3, -1})});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->shape(), (Shape{3, 4}));
  EXPECT_EQ(out->raw_data(), x.raw_data());
  EXPECT_FALSE(r.run1({x, vec_i32({5, -1})}).ok());
  EXPECT_FALSE(r.run1({x, vec_i32({-1, -1})}).ok());
  OpTest s("Shape");
  auto sh = s.run1({x});
  ASSERT_TRUE(sh.ok());
  EXPECT_EQ(ints(*sh), (std::vector<int32_t>{2, 1, 6}));
  OpTest sq("Squeeze");
  auto q = sq.run1({x});
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->shape(), (Shape{2, 6}));
  OpTest sq2("Squeeze");
  sq2.attr("squeeze_dims", ints_attr({0}));
  EXPECT_FALSE(sq2.run1({x}).ok());
  OpTest e("ExpandDims");
  auto ex = e.run1({x, scalar_i32(-1)});
  ASSERT_TRUE(ex.ok());
  EXPECT_EQ(ex->shape(), (Shape{2, 1, 6, 1}));
  OpTest f("Fill");
  auto fl = f.run1({vec_i32({2, 2}), floats(Shape{}, {3})});
  ASSERT_TRUE(fl.ok());
  EXPECT_EQ(to_vec(*fl), (std::vector<float>{3, 3, 3, 3}));
  EXPECT_FALSE(f.run1({vec_i32({-2, 2}), floats(Shape{}, {3})}).ok());
  EXPECT_FALSE(f.run1({vec_i64({1 << 30, 1 << 30, 1 << 30}), floats(Shape{}, {3})}).ok());  // too large
  OpTest rg("Range");
  auto rr = rg.run1({scalar_i32(1), scalar_i32(10), scalar_i32(3)});
  ASSERT_TRUE(rr.ok());
  EXPECT_EQ(ints(*rr), (std::vector<int32_t>{1, 4, 7}));
  OpTest bt("BroadcastTo");
  auto b = bt.run1({floats(Shape{2, 1}, {1, 2}), vec_i32({2, 3})});
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(to_vec(*b), (std::vector<float>{1, 1, 1, 2, 2, 2}));
}

TEST(Cast, ConvertsLikeTf) {
  OpTest c("Cast");
  c.attr("SrcT", type_attr(DType::kFloat)).attr("DstT", type_attr(DType::kInt32));
  auto out = c.run1({floats(Shape{5}, {1.9f, -1.9f, 0.f, NAN, 3e10f})});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(ints(*out), (std::vector<int32_t>{1, -1, 0, std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::min()}));
  OpTest b("Cast");
  b.attr("DstT", type_attr(DType::kBool));
  auto ob = b.run1({floats(Shape{2}, {0.f, 0.5f})});
  ASSERT_TRUE(ob.ok());
  EXPECT_FALSE(ob->data<bool>()[0]);
  EXPECT_TRUE(ob->data<bool>()[1]);
  OpTest h("Cast");
  h.attr("DstT", type_attr(DType::kHalf));
  auto oh = h.run1({floats(Shape{1}, {1.5f})});
  ASSERT_TRUE(oh.ok());
  OpTest back("Cast");
  back.attr("DstT", type_attr(DType::kFloat));
  auto of = back.run1({*oh});
  ASSERT_TRUE(of.ok());
  EXPECT_EQ(of->data<float>()[0], 1.5f);
}

TEST(Transform, TransposeConcatPackSplit) {
  Tensor x = random_float(Shape{2, 3, 4});
  OpTest t("Transpose");
  auto tr = t.run1({x, vec_i32({2, 0, 1})});
  ASSERT_TRUE(tr.ok());
  ASSERT_EQ(tr->shape(), (Shape{4, 2, 3}));
  for (int a = 0; a < 2; ++a)
    for (int b = 0; b < 3; ++b)
      for (int c = 0; c < 4; ++c) EXPECT_EQ(tr->data<float>()[(c * 2 + a) * 3 + b], x.data<float>()[(a * 3 + b) * 4 + c]);
  EXPECT_FALSE(t.run1({x, vec_i32({0, 0, 1})}).ok());
  Tensor y = random_float(Shape{2, 5, 4});
  OpTest cc("ConcatV2");
  auto cat = cc.run1({x, y, scalar_i32(1)});
  ASSERT_TRUE(cat.ok());
  ASSERT_EQ(cat->shape(), (Shape{2, 8, 4}));
  EXPECT_EQ(cat->data<float>()[3 * 4], y.data<float>()[0]);
  EXPECT_EQ(cat->data<float>()[8 * 4], x.data<float>()[12]);
  EXPECT_FALSE(cc.run1({x, y, scalar_i32(2)}).ok());
  OpTest p("Pack");
  p.attr("axis", int_attr(1));
  auto pk = p.run1({x, x});
  ASSERT_TRUE(pk.ok());
  EXPECT_EQ(pk->shape(), (Shape{2, 2, 3, 4}));
  OpTest sp("Split");
  sp.attr("num_split", int_attr(2));
  auto parts = sp.run({scalar_i32(2), x});
  ASSERT_TRUE(parts.ok()) << parts.status();
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[1].shape(), (Shape{2, 3, 2}));
  EXPECT_EQ((*parts)[1].data<float>()[0], x.data<float>()[2]);
  OpTest sv("SplitV");
  auto pv = sv.run({x, vec_i32({1, -1}), scalar_i32(1)});
  ASSERT_TRUE(pv.ok());
  EXPECT_EQ((*pv)[1].shape(), (Shape{2, 2, 4}));
  OpTest up("Unpack");
  up.attr("num", int_attr(3)).attr("axis", int_attr(1));
  auto un = up.run({x});
  ASSERT_TRUE(un.ok());
  EXPECT_EQ((*un)[2].shape(), (Shape{2, 4}));
  EXPECT_EQ((*un)[2].data<float>()[5], x.data<float>()[(1 * 3 + 2) * 4 + 1]);
}

TEST(Transform, TilePadMirrorPad) {
  OpTest t("Tile");
  auto tl = t.run1({floats(Shape{2}, {1, 2}), vec_i32({3})});
  ASSERT_TRUE(tl.ok());
  EXPECT_EQ(to_vec(*tl), (std::vector<float>{1, 2, 1, 2, 1, 2}));
  Tensor x = floats(Shape{1, 3}, {1, 2, 3});
  Tensor pads = Tensor::from_vector<int32_t>(DType::kInt32, Shape{2, 2}, {0, 0, 2, 2});
  OpTest p("Pad");
  auto pd = p.run1({x, pads});
  ASSERT_TRUE(pd.ok());
  EXPECT_EQ(to_vec(*pd), (std::vector<float>{0, 0, 1, 2, 3, 0, 0}));
  OpTest r("MirrorPad");
  r.attr("mode", string_attr("REFLECT"));
  auto rf = r.run1({x, pads});
  ASSERT_TRUE(rf.ok());
  EXPECT_EQ(to_vec(*rf), (std::vector<float>{3, 2, 1, 2, 3, 2, 1}));
  OpTest s("MirrorPad");
  s.attr("mode", string_attr("SYMMETRIC"));
  auto sy = s.run1({x, pads});
  ASSERT_TRUE(sy.ok());
  EXPECT_EQ(to_vec(*sy), (std::vector<float>{2, 1, 1, 2, 3, 3, 2}));
  Tensor big = Tensor::from_vector<int32_t>(DType::kInt32, Shape{2, 2}, {0, 0, 3, 0});
  EXPECT_FALSE(r.run1({x, big}).ok());
  OpTest p2("PadV2");
  auto pv = p2.run1({x, pads, floats(Shape{}, {9})});
  ASSERT_TRUE(pv.ok());
  EXPECT_EQ(to_vec(*pv), (std::vector<float>{9, 9, 1, 2, 3, 9, 9}));
}

TEST(Slicing, SliceGatherStridedSlice) {
  Tensor x = random_float(Shape{4, 5, 6});
  OpTest s("Slice");
  auto sl = s.run1({x, vec_i32({1, 0, 2}), vec_i32({2, -1, 3})});
  ASSERT_TRUE(sl.ok());
  ASSERT_EQ(sl->shape(), (Shape{2, 5, 3}));
  EXPECT_EQ(sl->data<float>()[0], x.data<float>()[(1 * 5 + 0) * 6 + 2]);
  EXPECT_FALSE(s.run1({x, vec_i32({3, 0, 0}), vec_i32({2, 1, 1})}).ok());
  OpTest g("GatherV2");
  auto ga = g.run1({x, vec_i32({5, 0}), scalar_i32(1)});
  EXPECT_FALSE(ga.ok());  // 5 out of range
  auto gb = g.run1({x, vec_i32({4, 0}), scalar_i32(1)});
  ASSERT_TRUE(gb.ok());
  ASSERT_EQ(gb->shape(), (Shape{4, 2, 6}));
  EXPECT_EQ(gb->data<float>()[6], x.data<float>()[0]);
  EXPECT_EQ(gb->data<float>()[0], x.data<float>()[4 * 6]);

  // x[1:, ::-2, 3] (shrink on the last axis).
  OpTest ss("StridedSlice");
  ss.attr("end_mask", int_attr(2)).attr("begin_mask", int_attr(2)).attr("shrink_axis_mask", int_attr(4));
  auto a = ss.run1({x, vec_i32({1, 0, 3}), vec_i32({4, 0, 4}), vec_i32({1, -2, 1})});
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_EQ(a->shape(), (Shape{3, 3}));
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) EXPECT_EQ(a->data<float>()[i * 3 + j], x.data<float>()[((i + 1) * 5 + (4 - 2 * j)) * 6 + 3]);
  // x[..., tf.newaxis, -1]: ellipsis, new axis, negative shrink index.
  OpTest e("StridedSlice");
  e.attr("ellipsis_mask", int_attr(1)).attr("new_axis_mask", int_attr(2)).attr("shrink_axis_mask", int_attr(4));
  auto b = e.run1({x, vec_i32({0, 0, -1}), vec_i32({0, 0, 0}), vec_i32({1, 1, 1})});
  ASSERT_TRUE(b.ok()) << b.status();
  ASSERT_EQ(b->shape(), (Shape{4, 5, 1}));
  EXPECT_EQ(b->data<float>()[7], x.data<float>()[7 * 6 + 5]);
  // Out-of-range bounds clamp like Python: x[-100:100] over axis 0.
  OpTest c("StridedSlice");
  auto cl = c.run1({x, vec_i32({-100}), vec_i32({100}), vec_i32({1})});
  ASSERT_TRUE(cl.ok());
  EXPECT_EQ(cl->shape(), x.shape());
  // Shrink out of range is an error.
  OpTest d("StridedSlice");
  d.attr("shrink_axis_mask", int_attr(1));
  EXPECT_FALSE(d.run1({x, vec_i32({4}), vec_i32({5}), vec_i32({1})}).ok());
}

TEST(Resize, BilinearAndNearest) {
  Tensor x = floats(Shape{1, 2, 2, 1}, {0, 1, 2, 3});
  OpTest b("ResizeBilinear");
  auto o = b.run1({x, vec_i32({4, 4})});
  ASSERT_TRUE(o.ok());
  // legacy: src = dst * 0.5 -> rows 0, 0.5, 1, 1.5(clamped to 1)
  EXPECT_EQ(to_vec(*o), (std::vector<float>{0, 0.5, 1, 1, 1, 1.5, 2, 2, 2, 2.5, 3, 3, 2, 2.5, 3, 3}));
  OpTest h("ResizeBilinear");
  h.attr("half_pixel_centers", bool_attr(true));
  auto oh = h.run1({x, vec_i32({4, 4})});
  ASSERT_TRUE(oh.ok());
  // src = (dst + .5) * .5 - .5 = -.25, .25, .75, 1.25 -> clamp
  EXPECT_NEAR(oh->data<float>()[1], 0.25f, 1e-6);
  EXPECT_NEAR(oh->data<float>()[5], 0.75f, 1e-6);  // y=.25, x=.25: .25 + (2.25 - .25) * .25
  OpTest a("ResizeBilinear");
  a.attr("align_corners", bool_attr(true));
  auto oa = a.run1({x, vec_i32({3, 3})});
  ASSERT_TRUE(oa.ok());
  EXPECT_EQ(to_vec(*oa), (std::vector<float>{0, 0.5, 1, 1, 1.5, 2, 2, 2.5, 3}));
  OpTest n("ResizeNearestNeighbor");
  auto on = n.run1({x, vec_i32({3, 3})});
  ASSERT_TRUE(on.ok());
  // floor(dst * 2/3): 0, 0, 1
  EXPECT_EQ(to_vec(*on), (std::vector<float>{0, 0, 1, 0, 0, 1, 2, 2, 3}));
}

TEST(Registry, EveryOpHasAFactoryAndNoDuplicates) {
  auto names = OpRegistry::global().op_names();
  EXPECT_GT(names.size(), 100u);
  for (const char* op : {"Conv2D", "DepthwiseConv2dNative", "MatMul", "Relu6", "StridedSlice", "FusedBatchNormV3", "Mean"}) {
    EXPECT_NE(OpRegistry::global().find(op), nullptr) << op;
  }
  EXPECT_FALSE(OpRegistry::global().add(OpRegistration{"Relu", nullptr, nullptr}));
}

}  // namespace
}  // namespace tfport::runtime::testing
