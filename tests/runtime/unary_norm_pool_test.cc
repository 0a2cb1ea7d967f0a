#include <cmath>

#include <gtest/gtest.h>

#include "op_test_util.h"
#include "reference.h"

namespace tfport::runtime::testing {
namespace {

TEST(Unary, MatchesReference) {
  const std::vector<std::pair<const char*, std::function<double(double)>>> cases = {
      {"Relu", [](double x) { return std::max(x, 0.0); }},
      {"Relu6", [](double x) { return std::min(std::max(x, 0.0), 6.0); }},
      {"Elu", [](double x) { return x < 0 ? std::exp(x) - 1 : x; }},
      {"Selu", [](double x) { return x < 0 ? 1.7580993408473768 * (std::exp(x) - 1) : 1.0507009873554805 * x; }},
      {"Sigmoid", [](double x) { return 1 / (1 + std::exp(-x)); }},
      {"Tanh", [](double x) { return std::tanh(x); }},
      {"Softplus", [](double x) { return std::log1p(std::exp(x)); }},
      {"Softsign", [](double x) { return x / (1 + std::fabs(x)); }},
      {"Exp", [](double x) { return std::exp(x); }},
      {"Square", [](double x) { return x * x; }},
      {"Neg", [](double x) { return -x; }},
      {"Abs", [](double x) { return std::fabs(x); }},
      {"Sign", [](double x) { return static_cast<double>((x > 0) - (x < 0)); }},
      {"Floor", [](double x) { return std::floor(x); }},
      {"Ceil", [](double x) { return std::ceil(x); }},
      {"Erf", [](double x) { return std::erf(x); }},
      {"Sin", [](double x) { return std::sin(x); }},
      {"Cos", [](double x) { return std::cos(x); }},
  };
  Tensor x = random_float(Shape{3, 1000}, -8, 8);
  for (const auto& [op, f] : cases) {
    OpTest t(op);
    auto out = t.run1({x});
    ASSERT_TRUE(out.ok()) << op << ": " << out.status();
    Tensor ref = Tensor::allocate(DType::kFloat, x.shape()).value();
    for (int64_t i = 0; i < x.num_elements(); ++i) ref.mutable_data<float>()[i] = static_cast<float>(f(x.data<float>()[i]));
    EXPECT_TRUE(all_close(*out, ref, 2e-5, 1e-6)) << op;
    EXPECT_TRUE(guard_ok(*out));
  }
  Tensor pos = random_float(Shape{500}, 0.01f, 10);
  for (const auto& [op, f] : std::vector<std::pair<const char*, std::function<double(double)>>>{
           {"Log", [](double v) { return std::log(v); }},  {"Log1p", [](double v) { return std::log1p(v); }},
           {"Sqrt", [](double v) { return std::sqrt(v); }}, {"Rsqrt", [](double v) { return 1 / std::sqrt(v); }},
           {"Reciprocal", [](double v) { return 1 / v; }}}) {
    OpTest t(op);
    auto out = t.run1({pos});
    ASSERT_TRUE(out.ok()) << out.status();
    Tensor ref = Tensor::allocate(DType::kFloat, pos.shape()).value();
    for (int64_t i = 0; i < pos.num_elements(); ++i) ref.mutable_data<float>()[i] = static_cast<float>(f(pos.data<float>()[i]));
    EXPECT_TRUE(all_close(*out, ref, 2e-5, 1e-6)) << op;
  }
}

TEST(Unary, RoundIsBankersAndLeakyReluUsesAlpha) {
  OpTest r("Round");
  auto out = r.run1({floats(Shape{6}, {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, 2.6f})});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(to_vec(*out), (std::vector<float>{0, 2, 2, -0, -2, 3}));
  OpTest l("LeakyRelu");
  l.attr("alpha", float_attr(0.3f));
  auto o2 = l.run1({floats(Shape{2}, {-2, 3})});
  ASSERT_TRUE(o2.ok());
  EXPECT_FLOAT_EQ(o2->data<float>()[0], -0.6f);
  EXPECT_FLOAT_EQ(o2->data<float>()[1], 3.f);
  OpTest bad("Tanh");
  EXPECT_FALSE(bad.run1({vec_i32({1})}).ok());
  OpTest neg("Neg");
  auto o3 = neg.run1({vec_i32({std::numeric_limits<int32_t>::min(), 3})});
  ASSERT_TRUE(o3.ok());
  EXPECT_EQ(o3->data<int32_t>()[1], -3);
}

TEST(Softmax, RowsSumToOneAndLogSoftmaxMatches) {
  Tensor x = random_float(Shape{4, 7, 10}, -20, 20);
  OpTest s("Softmax"), ls("LogSoftmax");
  auto a = s.run1({x});
  auto b = ls.run1({x});
  ASSERT_TRUE(a.ok() && b.ok());
  for (int r = 0; r < 28; ++r) {
    double mx = -1e30, sum = 0;
    for (int j = 0; j < 10; ++j) mx = std::max(mx, static_cast<double>(x.data<float>()[r * 10 + j]));
    for (int j = 0; j < 10; ++j) sum += std::exp(x.data<float>()[r * 10 + j] - mx);
    for (int j = 0; j < 10; ++j) {
      const double want = std::exp(x.data<float>()[r * 10 + j] - mx) / sum;
      EXPECT_NEAR(a->data<float>()[r * 10 + j], want, 1e-6);
      EXPECT_NEAR(b->data<float>()[r * 10 + j], std::log(want), 1e-4);
    }
  }
  EXPECT_FALSE(s.run1({floats(Shape{}, {1})}).ok());
}

TEST(Identity, SharesTheBuffer) {
  Tensor x = random_float(Shape{3});
  for (const char* op : {"Identity", "StopGradient", "Snapshot", "PreventGradient"}) {
    OpTest t(op);
    auto out = t.run1({x});
    ASSERT_TRUE(out.ok());
    EXPECT_EQ(out->raw_data(), x.raw_data());
  }
  OpTest n("IdentityN");
  auto outs = n.run({x, vec_i32({1})});
  ASSERT_TRUE(outs.ok());
  EXPECT_EQ(outs->size(), 2u);
}

// Plain reference pooling, TF semantics.
Tensor ref_pool(const Tensor& x, int k, int s, bool same, bool max) {
  const int64_t n = x.shape().dim(0), h = x.shape().dim(1), w = x.shape().dim(2), c = x.shape().dim(3);
  auto dim = [&](int64_t in, int64_t* out, int64_t* pad) {
    if (same) {
      *out = (in + s - 1) / s;
      *pad = std::max<int64_t>(0, (*out - 1) * s + k - in) / 2;
    } else {
      *out = (in - k) / s + 1;
      *pad = 0;
    }
  };
  int64_t oh, ow, pt, pl;
  dim(h, &oh, &pt);
  dim(w, &ow, &pl);
  Tensor out = Tensor::allocate(DType::kFloat, Shape{n, oh, ow, c}).value();
  for (int64_t b = 0; b < n; ++b)
    for (int64_t y = 0; y < oh; ++y)
      for (int64_t xx = 0; xx < ow; ++xx)
        for (int64_t ch = 0; ch < c; ++ch) {
          double acc = max ? -1e30 : 0;
          int cnt = 0;
          for (int ky = 0; ky < k; ++ky)
            for (int kx = 0; kx < k; ++kx) {
              const int64_t iy = y * s + ky - pt, ix = xx * s + kx - pl;
              if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
              const double v = x.data<float>()[((b * h + iy) * w + ix) * c + ch];
              acc = max ? std::max(acc, v) : acc + v;
              ++cnt;
            }
          out.mutable_data<float>()[((b * oh + y) * ow + xx) * c + ch] = static_cast<float>(max ? acc : acc / cnt);
        }
  return out;
}

TEST(Pooling, MaxAndAvgMatchReference) {
  for (const char* op : {"MaxPool", "AvgPool"})
    for (bool same : {true, false})
      for (auto [k, s] : std::vector<std::pair<int, int>>{{2, 2}, {3, 2}, {3, 1}, {3, 3}}) {
        Tensor x = random_float(Shape{2, 9, 7, 5});
        OpTest t(op);
        t.attr("ksize", ints_attr({1, k, k, 1})).attr("strides", ints_attr({1, s, s, 1}))
            .attr("padding", string_attr(same ? "SAME" : "VALID"));
        auto out = t.run1({x});
        ASSERT_TRUE(out.ok()) << out.status();
        EXPECT_TRUE(all_close(*out, ref_pool(x, k, s, same, std::string(op) == "MaxPool"), 1e-5, 1e-6))
            << op << " k=" << k << " s=" << s << " same=" << same;
        EXPECT_TRUE(guard_ok(*out));
      }
  OpTest bad("MaxPool");
  bad.attr("ksize", ints_attr({1, 0, 2, 1})).attr("strides", ints_attr({1, 1, 1, 1})).attr("padding", string_attr("SAME"));
  EXPECT_FALSE(bad.create().ok());
}

TEST(FusedBatchNorm, InferenceFormula) {
  Tensor x = random_float(Shape{2, 3, 3, 4});
  Tensor scale = random_float(Shape{4}), offset = random_float(Shape{4}), mean = random_float(Shape{4});
  Tensor var = random_float(Shape{4}, 0.1f, 2);
  OpTest t("FusedBatchNormV3");
  t.attr("epsilon", float_attr(0.001f)).attr("is_training", bool_attr(false));
  auto outs = t.run({x, scale, offset, mean, var});
  ASSERT_TRUE(outs.ok()) << outs.status();
  ASSERT_EQ(outs->size(), 6u);
  for (int64_t i = 0; i < x.num_elements(); ++i) {
    const int64_t c = i % 4;
    const double want = (x.data<float>()[i] - mean.data<float>()[c]) / std::sqrt(var.data<float>()[c] + 0.001) *
                            scale.data<float>()[c] + offset.data<float>()[c];
    EXPECT_NEAR((*outs)[0].data<float>()[i], want, 1e-5);
  }
  OpTest training("FusedBatchNorm");
  EXPECT_EQ(training.create().code(), StatusCode::kUnimplemented);  // is_training defaults to true
  EXPECT_FALSE(t.run({x, scale, offset, mean, random_float(Shape{3})}).ok());
}

TEST(BiasAdd, NhwcAndNchw) {
  Tensor x = random_float(Shape{2, 3, 4}), b = random_float(Shape{4}), b3 = random_float(Shape{3});
  OpTest t("BiasAdd");
  auto out = t.run1({x, b});
  ASSERT_TRUE(out.ok());
  for (int64_t i = 0; i < 24; ++i) EXPECT_FLOAT_EQ(out->data<float>()[i], x.data<float>()[i] + b.data<float>()[i % 4]);
  OpTest nchw("BiasAdd");
  nchw.attr("data_format", string_attr("NCHW"));
  auto o2 = nchw.run1({x, b3});
  ASSERT_TRUE(o2.ok()) << o2.status();
  for (int64_t i = 0; i < 24; ++i) EXPECT_FLOAT_EQ(o2->data<float>()[i], x.data<float>()[i] + b3.data<float>()[(i / 4) % 3]);
  EXPECT_FALSE(t.run1({x, b3}).ok());
}

TEST(AddNAndSelect, Work) {
  Tensor a = random_float(Shape{5}), b = random_float(Shape{5}), c = random_float(Shape{5});
  OpTest n("AddN");
  auto s = n.run1({a, b, c});
  ASSERT_TRUE(s.ok());
  for (int i = 0; i < 5; ++i) EXPECT_NEAR(s->data<float>()[i], a.data<float>()[i] + b.data<float>()[i] + c.data<float>()[i], 1e-6);
  Tensor cond = Tensor::from_vector<uint8_t>(DType::kBool, Shape{2}, {1, 0});
  Tensor t2 = random_float(Shape{2, 3}), e2 = random_float(Shape{2, 3});
  OpTest sel("Select");
  auto r = sel.run1({cond, t2, e2});
  ASSERT_TRUE(r.ok()) << r.status();
  for (int i = 0; i < 6; ++i) EXPECT_EQ(r->data<float>()[i], i < 3 ? t2.data<float>()[i] : e2.data<float>()[i]);
  OpTest sel2("SelectV2");
  Tensor cond_row = Tensor::from_vector<uint8_t>(DType::kBool, Shape{3}, {1, 0, 1});
  auto r2 = sel2.run1({cond_row, t2, floats(Shape{}, {7})});
  ASSERT_TRUE(r2.ok()) << r2.status();
  for (int i = 0; i < 6; ++i) EXPECT_EQ(r2->data<float>()[i], (i % 3 != 1) ? t2.data<float>()[i] : 7.f);
}

}  // namespace
}  // namespace tfport::runtime::testing
