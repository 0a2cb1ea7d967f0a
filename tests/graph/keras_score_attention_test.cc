// Attention, AdditiveAttention, Dot and the augmentation layers against plain reference math.
#include <gtest/gtest.h>

#include <cmath>

#include "keras_test_util.h"

namespace tfport::graph::keras_testing {
namespace {

using Mat = std::vector<std::vector<double>>;  // [time][dim] of one batch row

Mat rows(const Tensor& t, int b) {
  const auto& d = t.shape().dims();
  Mat m(static_cast<size_t>(d[1]), std::vector<double>(static_cast<size_t>(d[2])));
  for (int64_t i = 0; i < d[1]; ++i)
    for (int64_t j = 0; j < d[2]; ++j) m[static_cast<size_t>(i)][static_cast<size_t>(j)] = t.data<float>()[(b * d[1] + i) * d[2] + j];
  return m;
}

// softmax(scores) @ v per batch row, with score(i, j) given; masked (j > i when causal) scores
// get 1e9 subtracted as Keras does.
std::vector<float> attend(const Tensor& q, const Tensor& v, bool causal,
                          const std::function<double(int, int, int)>& score, std::vector<float>* weights_out = nullptr) {
  std::vector<float> out;
  const int64_t B = q.shape().dim(0), Tq = q.shape().dim(1), Tv = v.shape().dim(1), D = v.shape().dim(2);
  for (int b = 0; b < B; ++b) {
    Mat vv = rows(v, b);
    for (int i = 0; i < Tq; ++i) {
      std::vector<double> s(static_cast<size_t>(Tv));
      double mx = -1e300, sum = 0;
      for (int j = 0; j < Tv; ++j) {
        s[static_cast<size_t>(j)] = score(b, i, j) - (causal && j > i ? 1e9 : 0);
        mx = std::max(mx, s[static_cast<size_t>(j)]);
      }
      for (double& x : s) sum += (x = std::exp(x - mx));
      for (double& x : s) x /= sum;
      if (weights_out) {
        for (double x : s) weights_out->push_back(static_cast<float>(x));
      }
      for (int d = 0; d < D; ++d) {
        double acc = 0;
        for (int j = 0; j < Tv; ++j) acc += s[static_cast<size_t>(j)] * vv[static_cast<size_t>(j)][static_cast<size_t>(d)];
        out.push_back(static_cast<float>(acc));
      }
    }
  }
  return out;
}

double dot(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

class ScoreAttentionTest : public ::testing::Test {
 protected:
  Tensor q_ = random_tensor({2, 3, 4}, -1, 1, 41);
  Tensor v_ = random_tensor({2, 5, 4}, -1, 1, 42);
  Tensor k_ = random_tensor({2, 5, 4}, -1, 1, 43);
};

TEST_F(ScoreAttentionTest, DotScoresWithScaleAndSeparateKey) {
  auto m = functional({{"q", {3, 4}}, {"v", {5, 4}}, {"k", {5, 4}}},
                      {{"Attention", {{"use_scale", true}}, {tensor({}, {0.7f})}, {"q", "v", "k"}, "att"}}, {"att"});
  auto out = run_model(m, {{"q", q_}, {"v", v_}, {"k", k_}});
  ASSERT_TRUE(out.ok()) << out.status();
  auto want = attend(q_, v_, false, [&](int b, int i, int j) { return 0.7 * dot(rows(q_, b)[i], rows(k_, b)[j]); });
  EXPECT_TRUE(close(out->begin()->second, {2, 3, 4}, want));
}

TEST_F(ScoreAttentionTest, ConcatScoresCausalMaskAndReturnedScores) {
  auto m = functional({{"q", {3, 4}}, {"v", {5, 4}}},
                      {{"Attention", {{"use_scale", true}, {"score_mode", "concat"}},
                        {tensor({}, {0.5f}), tensor({}, {1.5f})}, {"q", "v"}, "att"}},
                      {"att"});
  m.layers.back().inbound_nodes[0].kwargs_json = R"({"use_causal_mask": true, "return_attention_scores": true})";
  m.outputs = {{"att", 0, 0}, {"att", 0, 1}};
  auto out = run_model(m, {{"q", q_}, {"v", v_}});
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_EQ(out->size(), 2u);
  std::vector<float> weights;
  auto want = attend(q_, v_, true, [&](int b, int i, int j) {
    double s = 0;
    for (int d = 0; d < 4; ++d) s += std::tanh(0.5 * (rows(q_, b)[i][d] + rows(v_, b)[j][d]));
    return 1.5 * s;
  }, &weights);
  EXPECT_TRUE(close(out->at("att"), {2, 3, 4}, want, 1e-5, 1e-6));
  EXPECT_TRUE(close(out->at("att_1"), {2, 3, 5}, weights, 1e-5, 1e-6));
}

TEST_F(ScoreAttentionTest, AdditiveScoresScaledPerFeature) {
  const std::vector<float> scale = {0.3f, -0.2f, 0.9f, 0.1f};
  auto m = functional({{"q", {3, 4}}, {"v", {5, 4}}},
                      {{"AdditiveAttention", {{"use_scale", true}}, {tensor({4}, scale)}, {"q", "v"}, "att"}}, {"att"});
  auto out = run_model(m, {{"q", q_}, {"v", v_}});
  ASSERT_TRUE(out.ok()) << out.status();
  auto want = attend(q_, v_, false, [&](int b, int i, int j) {
    double s = 0;
    for (int d = 0; d < 4; ++d) s += scale[static_cast<size_t>(d)] * std::tanh(rows(q_, b)[i][d] + rows(v_, b)[j][d]);
    return s;
  });
  EXPECT_TRUE(close(out->begin()->second, {2, 3, 4}, want));
}

TEST(KerasAttentionMasks, PaddingIdsAreHiddenAsValuesAndZeroedAsQueries) {
  // ids -> Embedding(mask_zero) -> Attention([e, e]): id 0 is padding.
  Tensor table = random_tensor({6, 3}, -1, 1, 49);
  const std::vector<float> ids = {3, 1, 0, 5, 0, 2, 4, 4, 1, 0};
  auto m = functional({{"ids", {5}}},
                      {{"Embedding", {{"input_dim", 6}, {"output_dim", 3}, {"mask_zero", true}}, {table}, {"ids"}, "emb"},
                       {"Attention", json::object(), {}, {"emb", "emb"}, "att"}},
                      {"att"});
  auto out = run_model(m, {{"ids", tensor({2, 5}, ids)}});
  ASSERT_TRUE(out.ok()) << out.status();
  std::vector<float> want;
  for (int b = 0; b < 2; ++b) {
    auto row = [&](int t) {
      const int id = static_cast<int>(ids[static_cast<size_t>(b * 5 + t)]);
      return std::vector<double>(table.data<float>() + id * 3, table.data<float>() + id * 3 + 3);
    };
    for (int i = 0; i < 5; ++i) {
      const bool query_kept = ids[static_cast<size_t>(b * 5 + i)] != 0;
      std::vector<double> w(5);
      double mx = -1e300, sum = 0;
      for (int j = 0; j < 5; ++j) {
        const bool value_kept = ids[static_cast<size_t>(b * 5 + j)] != 0;
        w[static_cast<size_t>(j)] = dot(row(i), row(j)) - (value_kept ? 0 : 1e9);
        mx = std::max(mx, w[static_cast<size_t>(j)]);
      }
      for (double& x : w) sum += (x = std::exp(x - mx));
      for (int d = 0; d < 3; ++d) {
        double acc = 0;
        for (int j = 0; j < 5; ++j) acc += w[static_cast<size_t>(j)] / sum * row(j)[static_cast<size_t>(d)];
        want.push_back(query_kept ? static_cast<float>(acc) : 0.f);
      }
    }
  }
  EXPECT_TRUE(close(out->begin()->second, {2, 5, 3}, want));
}

TEST(KerasDot, VectorsAndSequencesNormalizedOrNot) {
  Tensor a = random_tensor({3, 4}, -1, 1, 44), b = random_tensor({3, 4}, -1, 1, 45);
  auto m = functional({{"a", {4}}, {"b", {4}}}, {{"Dot", {{"axes", 1}, {"normalize", true}}, {}, {"a", "b"}, "dot"}}, {"dot"});
  auto out = run_model(m, {{"a", a}, {"b", b}});
  ASSERT_TRUE(out.ok()) << out.status();
  std::vector<float> cosine;
  for (int r = 0; r < 3; ++r) {
    double ab = 0, aa = 0, bb = 0;
    for (int k = 0; k < 4; ++k) {
      const double x = a.data<float>()[r * 4 + k], y = b.data<float>()[r * 4 + k];
      ab += x * y, aa += x * x, bb += y * y;
    }
    cosine.push_back(static_cast<float>(ab / std::sqrt(aa * bb)));
  }
  EXPECT_TRUE(close(out->begin()->second, {3, 1}, cosine));

  // [B, n, d] . [B, d, m] with axes (2, 1) -> [B, n, m]
  Tensor x = random_tensor({2, 3, 4}, -1, 1, 46), y = random_tensor({2, 4, 5}, -1, 1, 47);
  auto seq = functional({{"x", {3, 4}}, {"y", {4, 5}}}, {{"Dot", {{"axes", {2, 1}}}, {}, {"x", "y"}, "dot"}}, {"dot"});
  out = run_model(seq, {{"x", x}, {"y", y}});
  ASSERT_TRUE(out.ok()) << out.status();
  std::vector<float> want;
  for (int bb = 0; bb < 2; ++bb)
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 5; ++j) {
        double s = 0;
        for (int k = 0; k < 4; ++k) s += x.data<float>()[(bb * 3 + i) * 4 + k] * y.data<float>()[(bb * 4 + k) * 5 + j];
        want.push_back(static_cast<float>(s));
      }
  EXPECT_TRUE(close(out->begin()->second, {2, 3, 5}, want));
}

TEST(KerasAugmentation, RandomLayersAreTheIdentityAtInference) {
  Tensor x = random_tensor({2, 4, 4, 3}, 0, 1, 48);
  auto m = sequential({4, 4, 3}, {{"RandomFlip", {{"mode", "horizontal"}}},
                                  {"RandomRotation", {{"factor", 0.2}}},
                                  {"RandomZoom", {{"height_factor", 0.1}}},
                                  {"RandomContrast", {{"factor", 0.3}}}});
  auto y = run1(m, x);
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_TRUE(close(*y, {2, 4, 4, 3}, values(x), 0, 0));
}

}  // namespace
}  // namespace tfport::graph::keras_testing
