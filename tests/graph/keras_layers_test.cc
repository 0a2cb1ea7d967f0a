// Activations, normalization, shape, merge, embedding and preprocessing layers against plain
// reference math.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "keras_test_util.h"

namespace tfport::graph::keras_testing {
namespace {

std::vector<float> map(const Tensor& x, const std::function<double(double)>& f) {
  std::vector<float> out;
  for (float v : values(x)) out.push_back(static_cast<float>(f(v)));
  return out;
}

double sigmoid(double x) { return 1 / (1 + std::exp(-x)); }

struct ActCase {
  const char* name;
  const char* version;
  std::function<double(double)> f;
};

TEST(KerasActivations, EveryStandardName) {
  const double kAlpha = 1.6732632423543772, kScale = 1.0507009873554805;
  std::vector<ActCase> cases = {
      {"linear", "2.13.0", [](double x) { return x; }},
      {"relu", "2.13.0", [](double x) { return std::max(x, 0.0); }},
      {"relu6", "2.13.0", [](double x) { return std::min(std::max(x, 0.0), 6.0); }},
      {"leaky_relu", "3.3.3", [](double x) { return x > 0 ? x : 0.2 * x; }},
      {"elu", "2.13.0", [](double x) { return x > 0 ? x : std::exp(x) - 1; }},
      {"selu", "2.13.0", [&](double x) { return kScale * (x > 0 ? x : kAlpha * (std::exp(x) - 1)); }},
      {"gelu", "3.3.3", [](double x) { return 0.5 * x * (1 + std::erf(x / std::sqrt(2.0))); }},
      {"swish", "2.13.0", [](double x) { return x * sigmoid(x); }},
      {"silu", "3.3.3", [](double x) { return x * sigmoid(x); }},
      {"sigmoid", "2.13.0", sigmoid},
      {"hard_sigmoid", "2.13.0", [](double x) { return std::min(std::max(0.2 * x + 0.5, 0.0), 1.0); }},
      {"hard_sigmoid", "3.3.3", [](double x) { return std::min(std::max(x + 3, 0.0), 6.0) / 6; }},
      {"hard_swish", "3.3.3", [](double x) { return x * std::min(std::max(x + 3, 0.0), 6.0) / 6; }},
      {"tanh", "2.13.0", [](double x) { return std::tanh(x); }},
      {"softplus", "2.13.0", [](double x) { return std::log1p(std::exp(x)); }},
      {"softsign", "2.13.0", [](double x) { return x / (1 + std::fabs(x)); }},
      {"exponential", "2.13.0", [](double x) { return std::exp(x); }},
      {"mish", "3.3.3", [](double x) { return x * std::tanh(std::log1p(std::exp(x))); }},
  };
  Tensor x = random_tensor({2, 8}, -5, 5, 30);
  for (const ActCase& c : cases) {
    SCOPED_TRACE(std::string(c.name) + " keras " + c.version);
    auto m = sequential({8}, {{"Activation", {{"activation", c.name}}}}, c.version);
    auto y = run1(m, x);
    ASSERT_TRUE(y.ok()) << y.status();
    EXPECT_TRUE(close(*y, {2, 8}, map(x, c.f), 1e-5, 1e-6));
  }
}

TEST(KerasActivations, GeluApproximateAndSoftmaxAxis) {
  Tensor x = random_tensor({2, 3, 4}, -3, 3, 31);
  auto m = sequential({3, 4}, {{"Activation",
                                {{"activation", {{"class_name", "function"}, {"config", "gelu"}}}}}});
  auto y = run1(m, x);
  ASSERT_TRUE(y.ok()) << y.status();
  auto s = sequential({3, 4}, {{"Softmax", {{"axis", 1}}}});
  auto sy = run1(s, x);
  ASSERT_TRUE(sy.ok()) << sy.status();
  std::vector<float> want(24);
  for (int b = 0; b < 2; ++b)
    for (int j = 0; j < 4; ++j) {
      double mx = -1e9, sum = 0;
      for (int i = 0; i < 3; ++i) mx = std::max<double>(mx, x.data<float>()[(b * 3 + i) * 4 + j]);
      for (int i = 0; i < 3; ++i) sum += std::exp(x.data<float>()[(b * 3 + i) * 4 + j] - mx);
      for (int i = 0; i < 3; ++i) want[static_cast<size_t>((b * 3 + i) * 4 + j)] = static_cast<float>(std::exp(x.data<float>()[(b * 3 + i) * 4 + j] - mx) / sum);
    }
  EXPECT_TRUE(close(*sy, {2, 3, 4}, want));
}

TEST(KerasActivations, Layers) {
  Tensor x = random_tensor({2, 6}, -8, 8, 32);
  struct L {
    const char* cls;
    json config;
    std::function<double(double)> f;
  };
  std::vector<L> layers = {
      {"ReLU", {{"max_value", 6}}, [](double v) { return std::min(std::max(v, 0.0), 6.0); }},
      {"ReLU", {{"max_value", 4}, {"negative_slope", 0.1}, {"threshold", 1.0}},
       [](double v) { return v >= 4 ? 4.0 : v > 1 ? v : 0.1 * (v - 1); }},
      {"LeakyReLU", {{"alpha", 0.3}}, [](double v) { return v > 0 ? v : 0.3 * v; }},
      {"ELU", {{"alpha", 0.5}}, [](double v) { return v > 0 ? v : 0.5 * (std::exp(v) - 1); }},
      {"ThresholdedReLU", {{"theta", 2.0}}, [](double v) { return v > 2 ? v : 0.0; }},
  };
  for (const L& l : layers) {
    SCOPED_TRACE(std::string(l.cls) + " " + l.config.dump());
    auto y = run1(sequential({6}, {{l.cls, l.config}}), x);
    ASSERT_TRUE(y.ok()) << y.status();
    EXPECT_TRUE(close(*y, {2, 6}, map(x, l.f), 1e-5, 1e-5));
  }
  Tensor alpha = random_tensor({6}, 0, 1, 33);
  auto p = run1(sequential({6}, {{"PReLU", {}, {alpha}}}), x);
  ASSERT_TRUE(p.ok()) << p.status();
  std::vector<float> want;
  for (int i = 0; i < 12; ++i) {
    float v = x.data<float>()[i];
    want.push_back(v > 0 ? v : alpha.data<float>()[i % 6] * v);
  }
  EXPECT_TRUE(close(*p, {2, 6}, want));
}

TEST(KerasNormalization, BatchNormInference) {
  Tensor gamma = random_tensor({3}, 0.5, 2, 40), beta = random_tensor({3}, -1, 1, 41);
  Tensor mean = random_tensor({3}, -1, 1, 42), var = random_tensor({3}, 0.1, 2, 43);
  Tensor x = random_tensor({2, 2, 2, 3}, -2, 2, 44);
  auto m = sequential({2, 2, 3}, {{"BatchNormalization", {{"epsilon", 0.001}}, {gamma, beta, mean, var}}});
  auto y = run1(m, x);
  ASSERT_TRUE(y.ok()) << y.status();
  std::vector<float> want;
  for (int i = 0; i < 24; ++i) {
    int c = i % 3;
    want.push_back((x.data<float>()[i] - mean.data<float>()[c]) / std::sqrt(var.data<float>()[c] + 0.001f) *
                       gamma.data<float>()[c] + beta.data<float>()[c]);
  }
  EXPECT_TRUE(close(*y, {2, 2, 2, 3}, want));
  // Axis 1 of a rank-3 input, without scale.
  Tensor x3 = random_tensor({2, 3, 4}, -2, 2, 45);
  auto m1 = sequential({3, 4}, {{"BatchNormalization", {{"axis", 1}, {"scale", false}}, {beta, mean, var}}});
  auto y1 = run1(m1, x3);
  ASSERT_TRUE(y1.ok()) << y1.status();
  std::vector<float> want1;
  for (int i = 0; i < 24; ++i) {
    int c = (i / 4) % 3;
    want1.push_back((x3.data<float>()[i] - mean.data<float>()[c]) / std::sqrt(var.data<float>()[c] + 0.001f) +
                    beta.data<float>()[c]);
  }
  EXPECT_TRUE(close(*y1, {2, 3, 4}, want1));
}

TEST(KerasNormalization, LayerNorm) {
  Tensor gamma = random_tensor({5}, 0.5, 2, 46), beta = random_tensor({5}, -1, 1, 47);
  Tensor x = random_tensor({2, 3, 5}, -2, 2, 48);
  auto y = run1(sequential({3, 5}, {{"LayerNormalization", {{"axis", {-1}}, {"epsilon", 1e-3}}, {gamma, beta}}}), x);
  ASSERT_TRUE(y.ok()) << y.status();
  std::vector<float> want;
  for (int r = 0; r < 6; ++r) {
    double mu = 0, var = 0;
    for (int c = 0; c < 5; ++c) mu += x.data<float>()[r * 5 + c] / 5.0;
    for (int c = 0; c < 5; ++c) var += std::pow(x.data<float>()[r * 5 + c] - mu, 2) / 5.0;
    for (int c = 0; c < 5; ++c) {
      want.push_back(static_cast<float>((x.data<float>()[r * 5 + c] - mu) / std::sqrt(var + 1e-3) * gamma.data<float>()[c] +
                                        beta.data<float>()[c]));
    }
  }
  EXPECT_TRUE(close(*y, {2, 3, 5}, want, 1e-4, 1e-5));
}

TEST(KerasNormalization, GroupNormOverSpatialDimsAndGroupChannels) {
  // [B=2, T=3, C=6] in 2 groups of 3 channels: statistics over T and the group's channels.
  Tensor gamma = random_tensor({6}, 0.5, 2, 51), beta = random_tensor({6}, -1, 1, 52);
  Tensor x = random_tensor({2, 3, 6}, -2, 2, 53);
  auto y = run1(sequential({3, 6}, {{"GroupNormalization", {{"groups", 2}, {"epsilon", 1e-3}}, {gamma, beta}}}), x);
  ASSERT_TRUE(y.ok()) << y.status();
  std::vector<float> want(36);
  auto at = [&](int b, int t, int c) { return x.data<float>()[(b * 3 + t) * 6 + c]; };
  for (int b = 0; b < 2; ++b) {
    for (int g = 0; g < 2; ++g) {
      double mu = 0, var = 0;
      for (int t = 0; t < 3; ++t)
        for (int c = g * 3; c < g * 3 + 3; ++c) mu += at(b, t, c) / 9.0;
      for (int t = 0; t < 3; ++t)
        for (int c = g * 3; c < g * 3 + 3; ++c) var += std::pow(at(b, t, c) - mu, 2) / 9.0;
      for (int t = 0; t < 3; ++t)
        for (int c = g * 3; c < g * 3 + 3; ++c) {
          want[static_cast<size_t>((b * 3 + t) * 6 + c)] = static_cast<float>(
              (at(b, t, c) - mu) / std::sqrt(var + 1e-3) * gamma.data<float>()[c] + beta.data<float>()[c]);
        }
    }
  }
  EXPECT_TRUE(close(*y, {2, 3, 6}, want, 1e-4, 1e-5));

  auto bad = run1(sequential({3, 6}, {{"GroupNormalization", {{"groups", 4}}, {gamma, beta}}}), x);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("4 does not divide 6 channels"), std::string::npos) << bad.status();
}

TEST(KerasNormalization, UnitNorm) {
  Tensor x = random_tensor({4, 3}, -2, 2, 54);
  auto y = run1(sequential({3}, {{"UnitNormalization", {{"axis", -1}}}}), x);
  ASSERT_TRUE(y.ok()) << y.status();
  std::vector<float> want;
  for (int r = 0; r < 4; ++r) {
    double n = 0;
    for (int c = 0; c < 3; ++c) n += std::pow(x.data<float>()[r * 3 + c], 2);
    for (int c = 0; c < 3; ++c) want.push_back(static_cast<float>(x.data<float>()[r * 3 + c] / std::sqrt(n)));
  }
  EXPECT_TRUE(close(*y, {4, 3}, want));
}

TEST(KerasDense, EinsumDenseWithBiasOverTwoOutputAxes) {
  // "abc,cde->abde" (MultiHeadAttention's projections): [B, 3, 4] x [4, 2, 5] + bias [2, 5].
  Tensor x = random_tensor({2, 3, 4}, -1, 1, 55), kernel = random_tensor({4, 2, 5}, -1, 1, 56);
  Tensor bias = random_tensor({2, 5}, -1, 1, 57);
  auto y = run1(sequential({3, 4}, {{"EinsumDense", {{"equation", "abc,cde->abde"}, {"output_shape", {3, 2, 5}},
                                                     {"bias_axes", "de"}, {"activation", "relu"}},
                                     {kernel, bias}}}),
                x);
  ASSERT_TRUE(y.ok()) << y.status();
  std::vector<float> want;
  for (int a = 0; a < 2; ++a)
    for (int b = 0; b < 3; ++b)
      for (int d = 0; d < 2; ++d)
        for (int e = 0; e < 5; ++e) {
          double s = bias.data<float>()[d * 5 + e];
          for (int c = 0; c < 4; ++c) s += x.data<float>()[(a * 3 + b) * 4 + c] * kernel.data<float>()[(c * 2 + d) * 5 + e];
          want.push_back(static_cast<float>(std::max(s, 0.0)));
        }
  EXPECT_TRUE(close(*y, {2, 3, 2, 5}, want));

  auto bad = run1(sequential({3, 4}, {{"EinsumDense", {{"equation", "abc,cde->abz"}}, {kernel}}}), x);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("output label 'z' is in no operand"), std::string::npos) << bad.status();
}

TEST(KerasShapes, FlattenReshapePermuteRepeat) {
  Tensor x = random_tensor({2, 2, 3, 2}, -1, 1, 50);
  auto f = run1(sequential({2, 3, 2}, {{"Flatten", {}}}), x);
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_TRUE(close(*f, {2, 12}, values(x)));
  auto r = run1(sequential({2, 3, 2}, {{"Reshape", {{"target_shape", {-1, 4}}}}}), x);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(close(*r, {2, 3, 4}, values(x)));
  auto p = run1(sequential({2, 3, 2}, {{"Permute", {{"dims", {3, 1, 2}}}}}), x);
  ASSERT_TRUE(p.ok()) << p.status();
  std::vector<float> want;
  for (int b = 0; b < 2; ++b)
    for (int c = 0; c < 2; ++c)
      for (int h = 0; h < 2; ++h)
        for (int w = 0; w < 3; ++w) want.push_back(x.data<float>()[((b * 2 + h) * 3 + w) * 2 + c]);
  EXPECT_TRUE(close(*p, {2, 2, 2, 3}, want));
  Tensor v = random_tensor({2, 3}, -1, 1, 51);
  auto rv = run1(sequential({3}, {{"RepeatVector", {{"n", 2}}}}), v);
  ASSERT_TRUE(rv.ok()) << rv.status();
  std::vector<float> rep;
  for (int b = 0; b < 2; ++b)
    for (int n = 0; n < 2; ++n)
      for (int i = 0; i < 3; ++i) rep.push_back(v.data<float>()[b * 3 + i]);
  EXPECT_TRUE(close(*rv, {2, 2, 3}, rep));
}

TEST(KerasShapes, UpSamplingPaddingCropping) {
  Tensor x = random_tensor({1, 2, 2, 1}, -1, 1, 52);
  const float* d = x.data<float>();
  auto up = run1(sequential({2, 2, 1}, {{"UpSampling2D", {{"size", {2, 2}}}}}), x);
  ASSERT_TRUE(up.ok()) << up.status();
  std::vector<float> want;
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 4; ++c) want.push_back(d[(r / 2) * 2 + c / 2]);
  EXPECT_TRUE(close(*up, {1, 4, 4, 1}, want));
  auto up1 = run1(sequential({2, 2}, {{"UpSampling1D", {{"size", 3}}}}), tensor({1, 2, 2}, values(x)));
  ASSERT_TRUE(up1.ok()) << up1.status();
  EXPECT_TRUE(close(*up1, {1, 6, 2}, {d[0], d[1], d[0], d[1], d[0], d[1], d[2], d[3], d[2], d[3], d[2], d[3]}));
  auto pad = run1(sequential({2, 2, 1}, {{"ZeroPadding2D", {{"padding", {{1, 0}, {0, 1}}}}}}), x);
  ASSERT_TRUE(pad.ok()) << pad.status();
  EXPECT_TRUE(close(*pad, {1, 3, 3, 1}, {0, 0, 0, d[0], d[1], 0, d[2], d[3], 0}));
  Tensor big = random_tensor({1, 4, 5, 1}, -1, 1, 53);
  auto crop = run1(sequential({4, 5, 1}, {{"Cropping2D", {{"cropping", {{1, 2}, {0, 3}}}}}}), big);
  ASSERT_TRUE(crop.ok()) << crop.status();
  EXPECT_TRUE(close(*crop, {1, 1, 2, 1}, {big.data<float>()[5], big.data<float>()[6]}));
  auto bil = run1(sequential({2, 2, 1}, {{"UpSampling2D", {{"size", {2, 2}}, {"interpolation", "bilinear"}}}}), x);
  ASSERT_TRUE(bil.ok()) << bil.status();
  // Half-pixel centers: output row 1 samples input y = 0.25 between rows 0 and 1.
  const float r0 = d[0] * 0.75f + d[1] * 0.25f;  // row 0, output col 1
  EXPECT_NEAR(bil->data<float>()[1], r0, 1e-5);
  EXPECT_NEAR(bil->data<float>()[0], d[0], 1e-6);
}

// TF's bilinear resize with half-pixel centers of a one-channel [h, w] image.
std::vector<float> bilinear(const std::vector<float>& img, int64_t h, int64_t w, int64_t th, int64_t tw) {
  auto axis = [](int64_t o, int64_t n, int64_t out, int64_t* lo, int64_t* hi, double* frac) {
    const double in = (static_cast<double>(o) + 0.5) * static_cast<double>(n) / static_cast<double>(out) - 0.5;
    *lo = std::max<int64_t>(static_cast<int64_t>(std::floor(in)), 0);
    *hi = std::min<int64_t>(static_cast<int64_t>(std::ceil(in)), n - 1);
    *frac = in - std::floor(in);
  };
  std::vector<float> out;
  for (int64_t r = 0; r < th; ++r)
    for (int64_t c = 0; c < tw; ++c) {
      int64_t y0, y1, x0, x1;
      double fy, fx;
      axis(r, h, th, &y0, &y1, &fy);
      axis(c, w, tw, &x0, &x1, &fx);
      auto at = [&](int64_t y, int64_t x) { return static_cast<double>(img[static_cast<size_t>(y * w + x)]); };
      const double top = at(y0, x0) + (at(y0, x1) - at(y0, x0)) * fx;
      const double bottom = at(y1, x0) + (at(y1, x1) - at(y1, x0)) * fx;
      out.push_back(static_cast<float>(top + (bottom - top) * fy));
    }
  return out;
}

TEST(KerasPreprocessing, CenterCropAndCropToAspectRatio) {
  Tensor big = random_tensor({1, 5, 6, 1}, -1, 1, 64);
  auto crop = run1(sequential({5, 6, 1}, {{"CenterCrop", {{"height", 3}, {"width", 4}}}}), big);
  ASSERT_TRUE(crop.ok()) << crop.status();
  std::vector<float> want;
  for (int r = 1; r < 4; ++r)
    for (int c = 1; c < 5; ++c) want.push_back(big.data<float>()[r * 6 + c]);
  EXPECT_TRUE(close(*crop, {1, 3, 4, 1}, want));

  // Smaller than the target: the centered 2x2 square of a 2x3 image, resized to 4x4.
  Tensor small = random_tensor({1, 2, 3, 1}, -1, 1, 65);
  auto up = run1(sequential({2, 3, 1}, {{"CenterCrop", {{"height", 4}, {"width", 4}}}}), small);
  ASSERT_TRUE(up.ok()) << up.status();
  const float* sd = small.data<float>();
  EXPECT_TRUE(close(*up, {1, 4, 4, 1}, bilinear({sd[0], sd[1], sd[3], sd[4]}, 2, 2, 4, 4)));

  // Resizing(crop_to_aspect_ratio): the centered 4x4 of a 4x6 image, to 2x2.
  Tensor wide = random_tensor({1, 4, 6, 1}, -1, 1, 66);
  auto r = run1(sequential({4, 6, 1}, {{"Resizing", {{"height", 2}, {"width", 2}, {"crop_to_aspect_ratio", true}}}}), wide);
  ASSERT_TRUE(r.ok()) << r.status();
  std::vector<float> square;
  for (int y = 0; y < 4; ++y)
    for (int x = 1; x < 5; ++x) square.push_back(wide.data<float>()[y * 6 + x]);
  EXPECT_TRUE(close(*r, {1, 2, 2, 1}, bilinear(square, 4, 4, 2, 2)));
}

TEST(KerasMerge, EveryMergeLayer) {
  Tensor a = random_tensor({2, 3}, -1, 1, 60), b = random_tensor({2, 3}, -1, 1, 61);
  struct M {
    const char* cls;
    std::function<float(float, float)> f;
  };
  std::vector<M> cases = {{"Add", [](float p, float q) { return p + q; }},
                          {"Subtract", [](float p, float q) { return p - q; }},
                          {"Multiply", [](float p, float q) { return p * q; }},
                          {"Average", [](float p, float q) { return (p + q) / 2; }},
                          {"Maximum", [](float p, float q) { return std::max(p, q); }},
                          {"Minimum", [](float p, float q) { return std::min(p, q); }}};
  for (const M& c : cases) {
    SCOPED_TRACE(c.cls);
    auto m = functional({{"a", {3}}, {"b", {3}}}, {{c.cls, {}, {}, {"a", "b"}, "merged"}}, {"merged"});
    auto out = run_model(m, {{"a", a}, {"b", b}});
    ASSERT_TRUE(out.ok()) << out.status();
    std::vector<float> want;
    for (int i = 0; i < 6; ++i) want.push_back(c.f(a.data<float>()[i], b.data<float>()[i]));
    EXPECT_TRUE(close(out->at("merged"), {2, 3}, want));
  }
  auto m = functional({{"a", {3}}, {"b", {3}}}, {{"Concatenate", {{"axis", -1}}, {}, {"a", "b"}, "cat"}}, {"cat"});
  auto out = run_model(m, {{"a", a}, {"b", b}});
  ASSERT_TRUE(out.ok()) << out.status();
  std::vector<float> want;
  for (int r = 0; r < 2; ++r) {
    for (int i = 0; i < 3; ++i) want.push_back(a.data<float>()[r * 3 + i]);
    for (int i = 0; i < 3; ++i) want.push_back(b.data<float>()[r * 3 + i]);
  }
  EXPECT_TRUE(close(out->at("cat"), {2, 6}, want));
}

TEST(KerasEmbedding, GathersRowsOfFloatIds) {
  Tensor table = random_tensor({5, 2}, -1, 1, 70);
  auto y = run1(sequential({3}, {{"Embedding", {{"input_dim", 5}, {"output_dim", 2}}, {table}}}),
                tensor({1, 3}, {4, 0, 2}));
  ASSERT_TRUE(y.ok()) << y.status();
  const float* t = table.data<float>();
  EXPECT_TRUE(close(*y, {1, 3, 2}, {t[8], t[9], t[0], t[1], t[4], t[5]}));
}

TEST(KerasPreprocessing, RescalingAndNormalization) {
  Tensor x = random_tensor({2, 3}, 0, 255, 80);
  auto r = run1(sequential({3}, {{"Rescaling", {{"scale", 1.0 / 255}, {"offset", -0.5}}}}), x);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(close(*r, {2, 3}, map(x, [](double v) { return v / 255 - 0.5; }), 1e-5, 1e-6));
  Tensor mean = tensor({3}, {1, 2, 3}), var = tensor({3}, {4, 9, 0}), count = tensor({}, {10});
  auto n = run1(sequential({3}, {{"Normalization", {{"axis", -1}}, {mean, var, count}}}), x);
  ASSERT_TRUE(n.ok()) << n.status();
  std::vector<float> want;
  for (int i = 0; i < 6; ++i) {
    float sd[3] = {2, 3, 1e-7f};
    want.push_back((x.data<float>()[i] - mean.data<float>()[i % 3]) / sd[i % 3]);
  }
  EXPECT_TRUE(close(*n, {2, 3}, want, 1e-5, 1e-3));
}

TEST(KerasWrappers, TimeDistributedDenseAndDropout) {
  Tensor k = random_tensor({3, 2}, -1, 1, 90), b = random_tensor({2}, -1, 1, 91), x = random_tensor({2, 4, 3}, -1, 1, 92);
  json inner = {{"class_name", "Dense"}, {"config", {{"name", "inner"}, {"units", 2}, {"activation", "tanh"}}}};
  auto y = run1(sequential({4, 3}, {{"Dropout", {{"rate", 0.5}}}, {"TimeDistributed", {{"layer", inner}}, {k, b}}}), x);
  ASSERT_TRUE(y.ok()) << y.status();
  std::vector<float> want;
  for (int r = 0; r < 8; ++r)
    for (int u = 0; u < 2; ++u) {
      float acc = b.data<float>()[u];
      for (int i = 0; i < 3; ++i) acc += x.data<float>()[r * 3 + i] * k.data<float>()[i * 2 + u];
      want.push_back(std::tanh(acc));
    }
  EXPECT_TRUE(close(*y, {2, 4, 2}, want));
}

}  // namespace
}  // namespace tfport::graph::keras_testing
