// Dense, convolution and pooling layers lowered to TF ops, against plain reference loops.
#include <gtest/gtest.h>

#include <cmath>

#include "keras_test_util.h"

namespace tfport::graph::keras_testing {
namespace {

// NHWC cross-correlation with TF's SAME/VALID padding (pad_before = floor(P/2)).
std::vector<float> conv2d_ref(const Tensor& x, const Tensor& k, int64_t stride, int64_t dil, bool same, int64_t* oh_out,
                              int64_t* ow_out, bool depthwise = false) {
  const int64_t n = x.shape().dim(0), h = x.shape().dim(1), w = x.shape().dim(2), c = x.shape().dim(3);
  const int64_t kh = k.shape().dim(0), kw = k.shape().dim(1), kc = k.shape().dim(2), ko = k.shape().dim(3);
  const int64_t eh = (kh - 1) * dil + 1, ew = (kw - 1) * dil + 1;
  const int64_t oh = same ? (h + stride - 1) / stride : (h - eh) / stride + 1;
  const int64_t ow = same ? (w + stride - 1) / stride : (w - ew) / stride + 1;
  const int64_t ph = same ? std::max<int64_t>((oh - 1) * stride + eh - h, 0) / 2 : 0;
  const int64_t pw = same ? std::max<int64_t>((ow - 1) * stride + ew - w, 0) / 2 : 0;
  const int64_t co = depthwise ? c * ko : ko;
  std::vector<float> y(static_cast<size_t>(n * oh * ow * co), 0.f);
  const float* X = x.data<float>();
  const float* K = k.data<float>();
  for (int64_t b = 0; b < n; ++b)
    for (int64_t i = 0; i < oh; ++i)
      for (int64_t j = 0; j < ow; ++j)
        for (int64_t o = 0; o < co; ++o) {
          double acc = 0;
          for (int64_t a = 0; a < kh; ++a)
            for (int64_t bb = 0; bb < kw; ++bb) {
              int64_t r = i * stride + a * dil - ph, s = j * stride + bb * dil - pw;
              if (r < 0 || r >= h || s < 0 || s >= w) continue;
              if (depthwise) {
                int64_t ci = o / ko, m = o % ko;
                acc += X[((b * h + r) * w + s) * c + ci] * K[((a * kw + bb) * kc + ci) * ko + m];
              } else {
                for (int64_t ci = 0; ci < kc; ++ci) acc += X[((b * h + r) * w + s) * c + ci] * K[((a * kw + bb) * kc + ci) * ko + o];
              }
            }
          y[static_cast<size_t>(((b * oh + i) * ow + j) * co + o)] = static_cast<float>(acc);
        }
  *oh_out = oh;
  *ow_out = ow;
  return y;
}

TEST(KerasDense, Rank2WithBiasAndRelu) {
  Tensor k = random_tensor({3, 4}, -1, 1, 2), b = random_tensor({4}, -1, 1, 3), x = random_tensor({2, 3}, -1, 1, 4);
  auto m = sequential({3}, {{"Dense", {{"units", 4}, {"activation", "relu"}}, {k, b}}});
  auto y = run1(m, x);
  ASSERT_TRUE(y.ok()) << y.status();
  std::vector<float> want;
  for (int r = 0; r < 2; ++r)
    for (int u = 0; u < 4; ++u) {
      float acc = b.data<float>()[u];
      for (int i = 0; i < 3; ++i) acc += x.data<float>()[r * 3 + i] * k.data<float>()[i * 4 + u];
      want.push_back(std::max(acc, 0.f));
    }
  EXPECT_TRUE(close(*y, {2, 4}, want));
}

TEST(KerasDense, Rank3AppliesToTheLastAxis) {
  Tensor k = random_tensor({3, 2}, -1, 1, 5), x = random_tensor({2, 4, 3}, -1, 1, 6);
  auto m = sequential({4, 3}, {{"Dense", {{"units", 2}, {"use_bias", false}}, {k}}});
  auto y = run1(m, x);
  ASSERT_TRUE(y.ok()) << y.status();
  std::vector<float> want;
  for (int r = 0; r < 8; ++r)
    for (int u = 0; u < 2; ++u) {
      float acc = 0;
      for (int i = 0; i < 3; ++i) acc += x.data<float>()[r * 3 + i] * k.data<float>()[i * 2 + u];
      want.push_back(acc);
    }
  EXPECT_TRUE(close(*y, {2, 4, 2}, want));
}

TEST(KerasDense, UnknownInnerDims) {
  Tensor k = random_tensor({3, 2}, -1, 1, 5), x = random_tensor({2, 5, 3}, -1, 1, 6);
  auto m = sequential({-1, 3}, {{"Dense", {{"units", 2}, {"use_bias", false}}, {k}}});
  auto y = run1(m, x);
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(y->shape(), Shape({2, 5, 2}));
}

TEST(KerasDense, WrongKernelShapeNamesTheLayer) {
  auto m = sequential({3}, {{"Dense", {{"units", 4}}, {random_tensor({5, 4}), random_tensor({4})}, {}, "fc"}});
  auto y = run1(m, random_tensor({1, 3}));
  ASSERT_FALSE(y.ok());
  EXPECT_NE(y.status().message().find("layer 'fc' (Dense)"), std::string::npos) << y.status();
}

struct ConvCase {
  int64_t stride, dilation;
  const char* padding;
};

class KerasConv2D : public ::testing::TestWithParam<ConvCase> {};

TEST_P(KerasConv2D, MatchesReference) {
  const ConvCase c = GetParam();
  Tensor k = random_tensor({3, 3, 2, 4}, -1, 1, 7), b = random_tensor({4}, -1, 1, 8);
  Tensor x = random_tensor({2, 7, 6, 2}, -1, 1, 9);
  auto m = sequential({7, 6, 2}, {{"Conv2D",
                                   {{"filters", 4}, {"kernel_size", {3, 3}}, {"strides", {c.stride, c.stride}},
                                    {"dilation_rate", {c.dilation, c.dilation}}, {"padding", c.padding}},
                                   {k, b}}});
  auto y = run1(m, x);
  ASSERT_TRUE(y.ok()) << y.status();
  int64_t oh, ow;
  auto want = conv2d_ref(x, k, c.stride, c.dilation, std::string(c.padding) == "same", &oh, &ow);
  for (size_t i = 0; i < want.size(); ++i) want[i] += b.data<float>()[i % 4];
  EXPECT_TRUE(close(*y, {2, oh, ow, 4}, want, 1e-4, 1e-5));
}

INSTANTIATE_TEST_SUITE_P(Cases, KerasConv2D,
                         ::testing::Values(ConvCase{1, 1, "valid"}, ConvCase{1, 1, "same"}, ConvCase{2, 1, "same"},
                                           ConvCase{2, 1, "valid"}, ConvCase{1, 2, "same"}));

TEST(KerasConv, ChannelsFirstConv2D) {
  Tensor k = random_tensor({3, 3, 2, 3}, -1, 1, 10);
  Tensor x = random_tensor({1, 5, 5, 2}, -1, 1, 11);
  // The same values as NCHW.
  std::vector<float> nchw(50);
  for (int h = 0; h < 5; ++h)
    for (int w = 0; w < 5; ++w)
      for (int c = 0; c < 2; ++c) nchw[static_cast<size_t>((c * 5 + h) * 5 + w)] = x.data<float>()[(h * 5 + w) * 2 + c];
  auto m = sequential({2, 5, 5}, {{"Conv2D",
                                   {{"filters", 3}, {"kernel_size", {3, 3}}, {"padding", "same"},
                                    {"use_bias", false}, {"data_format", "channels_first"}},
                                   {k}}});
  auto y = run1(m, tensor({1, 2, 5, 5}, nchw));
  ASSERT_TRUE(y.ok()) << y.status();
  int64_t oh, ow;
  auto ref = conv2d_ref(x, k, 1, 1, true, &oh, &ow);
  std::vector<float> want(ref.size());
  for (int h = 0; h < 5; ++h)
    for (int w = 0; w < 5; ++w)
      for (int c = 0; c < 3; ++c) want[static_cast<size_t>((c * 5 + h) * 5 + w)] = ref[static_cast<size_t>((h * 5 + w) * 3 + c)];
  EXPECT_TRUE(close(*y, {1, 3, 5, 5}, want, 1e-4, 1e-5));
}

TEST(KerasConv, Conv1DCausalDilated) {
  Tensor k = random_tensor({2, 3, 2}, -1, 1, 12), x = random_tensor({2, 6, 3}, -1, 1, 13);
  auto m = sequential({6, 3}, {{"Conv1D",
                                {{"filters", 2}, {"kernel_size", {2}}, {"padding", "causal"}, {"dilation_rate", {2}},
                                 {"use_bias", false}},
                                {k}}});
  auto y = run1(m, x);
  ASSERT_TRUE(y.ok()) << y.status();
  std::vector<float> want;
  for (int b = 0; b < 2; ++b)
    for (int t = 0; t < 6; ++t)
      for (int o = 0; o < 2; ++o) {
        float acc = 0;
        for (int a = 0; a < 2; ++a) {
          int s = t - 2 + a * 2;  // front padding (k-1)*d = 2
          if (s < 0) continue;
          for (int c = 0; c < 3; ++c) acc += x.data<float>()[(b * 6 + s) * 3 + c] * k.data<float>()[(a * 3 + c) * 2 + o];
        }
        want.push_back(acc);
      }
  EXPECT_TRUE(close(*y, {2, 6, 2}, want, 1e-4, 1e-5));
}

TEST(KerasConv, DepthwiseAndSeparable) {
  Tensor dk = random_tensor({3, 3, 2, 2}, -1, 1, 14), pk = random_tensor({1, 1, 4, 3}, -1, 1, 15);
  Tensor b = random_tensor({3}, -1, 1, 16), x = random_tensor({1, 5, 5, 2}, -1, 1, 17);
  int64_t oh, ow;
  auto dw = conv2d_ref(x, dk, 1, 1, true, &oh, &ow, true);
  auto dm = sequential({5, 5, 2}, {{"DepthwiseConv2D",
                                    {{"kernel_size", {3, 3}}, {"padding", "same"}, {"depth_multiplier", 2},
                                     {"use_bias", false}},
                                    {dk}}});
  auto y = run1(dm, x);
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_TRUE(close(*y, {1, 5, 5, 4}, dw, 1e-4, 1e-5));

  auto sm = sequential({5, 5, 2}, {{"SeparableConv2D",
                                    {{"filters", 3}, {"kernel_size", {3, 3}}, {"padding", "same"},
                                     {"depth_multiplier", 2}},
                                    {dk, pk, b}}});
  auto s = run1(sm, x);
  ASSERT_TRUE(s.ok()) << s.status();
  int64_t h2, w2;
  auto want = conv2d_ref(tensor({1, 5, 5, 4}, dw), pk, 1, 1, false, &h2, &w2);
  for (size_t i = 0; i < want.size(); ++i) want[i] += b.data<float>()[i % 3];
  EXPECT_TRUE(close(*s, {1, 5, 5, 3}, want, 1e-4, 1e-5));
}

TEST(KerasConv, Conv2DTransposeSameStride2) {
  Tensor k = random_tensor({3, 3, 2, 3}, -1, 1, 18), x = random_tensor({1, 3, 3, 3}, -1, 1, 19);
  auto m = sequential({3, 3, 3}, {{"Conv2DTranspose",
                                   {{"filters", 2}, {"kernel_size", {3, 3}}, {"strides", {2, 2}}, {"padding", "same"},
                                    {"use_bias", false}},
                                   {k}}});
  auto y = run1(m, x);
  ASSERT_TRUE(y.ok()) << y.status();
  // Scatter into the full output, then crop pad_before = floor(P/2) with P = max((6-1)*2+3-... ) of
  // the forward conv 6 -> 3: P = (3-1)*2 + 3 - 6 = 1, before 0.
  const int full = (3 - 1) * 2 + 3;
  std::vector<float> acc(static_cast<size_t>(full * full * 2), 0.f);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      for (int ci = 0; ci < 3; ++ci)
        for (int a = 0; a < 3; ++a)
          for (int b = 0; b < 3; ++b)
            for (int o = 0; o < 2; ++o)
              acc[static_cast<size_t>(((i * 2 + a) * full + (j * 2 + b)) * 2 + o)] +=
                  x.data<float>()[(i * 3 + j) * 3 + ci] * k.data<float>()[((a * 3 + b) * 2 + o) * 3 + ci];
  std::vector<float> want;
  for (int r = 0; r < 6; ++r)
    for (int s = 0; s < 6; ++s)
      for (int o = 0; o < 2; ++o) want.push_back(acc[static_cast<size_t>((r * full + s) * 2 + o)]);
  EXPECT_TRUE(close(*y, {1, 6, 6, 2}, want, 1e-4, 1e-5));
}

TEST(KerasPooling, MaxAndAverage2D) {
  Tensor x = random_tensor({1, 5, 5, 2}, -1, 1, 20);
  auto mm = sequential({5, 5, 2}, {{"MaxPooling2D", {{"pool_size", {2, 2}}, {"padding", "valid"}}}});
  auto y = run1(mm, x);
  ASSERT_TRUE(y.ok()) << y.status();
  std::vector<float> want;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j)
      for (int c = 0; c < 2; ++c) {
        float m = -1e9f;
        for (int a = 0; a < 2; ++a)
          for (int b = 0; b < 2; ++b) m = std::max(m, x.data<float>()[((i * 2 + a) * 5 + j * 2 + b) * 2 + c]);
        want.push_back(m);
      }
  EXPECT_TRUE(close(*y, {1, 2, 2, 2}, want));

  // Average with same padding divides by the valid elements only.
  auto am = sequential({5, 5, 2}, {{"AveragePooling2D", {{"pool_size", {2, 2}}, {"strides", {2, 2}}, {"padding", "same"}}}});
  auto a = run1(am, x);
  ASSERT_TRUE(a.ok()) << a.status();
  std::vector<float> avg;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      for (int c = 0; c < 2; ++c) {
        float s = 0;
        int n = 0;
        for (int r = i * 2; r < std::min(i * 2 + 2, 5); ++r)
          for (int q = j * 2; q < std::min(j * 2 + 2, 5); ++q, ++n) s += x.data<float>()[(r * 5 + q) * 2 + c];
        avg.push_back(s / static_cast<float>(n));
      }
  EXPECT_TRUE(close(*a, {1, 3, 3, 2}, avg));
}

TEST(KerasPooling, MaxPooling1DAndGlobal) {
  Tensor x = random_tensor({2, 6, 3}, -1, 1, 21);
  auto m = sequential({6, 3}, {{"MaxPooling1D", {{"pool_size", {3}}, {"strides", {3}}}},
                               {"GlobalAveragePooling1D", {{"keepdims", false}}}});
  auto y = run1(m, x);
  ASSERT_TRUE(y.ok()) << y.status();
  std::vector<float> want;
  for (int b = 0; b < 2; ++b)
    for (int c = 0; c < 3; ++c) {
      float s = 0;
      for (int w = 0; w < 2; ++w) {
        float mx = -1e9f;
        for (int t = 0; t < 3; ++t) mx = std::max(mx, x.data<float>()[(b * 6 + w * 3 + t) * 3 + c]);
        s += mx;
      }
      want.push_back(s / 2);
    }
  EXPECT_TRUE(close(*y, {2, 3}, want));
  auto g = sequential({4, 4, 2}, {{"GlobalMaxPooling2D", {{"keepdims", true}}}});
  auto gy = run1(g, random_tensor({1, 4, 4, 2}));
  ASSERT_TRUE(gy.ok()) << gy.status();
  EXPECT_EQ(gy->shape(), Shape({1, 1, 1, 2}));
}

}  // namespace
}  // namespace tfport::graph::keras_testing
