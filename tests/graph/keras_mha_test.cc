// MultiHeadAttention against a scalar reference (loops over batch, heads and positions), on
// random weights and on the weights of the real ecg-transformer model, and that whole model.
#include <gtest/gtest.h>

#include <cmath>

#include "keras_test_util.h"
#include "support/test_support.h"
#include "tfport/keras.h"

namespace tfport::graph::keras_testing {
namespace {

struct MhaSpec {
  int64_t heads, key_dim, value_dim, out_dim;
  bool bias = true;
  bool causal = false;
};

// out[b, i, :] = sum_h softmax_j(q_h(i) . k_h(j) / sqrt(key_dim) - 1e9 * hidden(i, j)) v_h(j) W_o,h (+ b_o)
// with q_h(i) = query[b, i] Wq[:, h] + bq[h], likewise k and v. `allowed(b, i, j)` says which
// pairs may attend; `probs` receives the softmax weights [B, heads, T, S].
std::vector<float> reference(const Tensor& query, const Tensor& value, const Tensor& key, const std::vector<Tensor>& w,
                             const MhaSpec& s, const std::function<bool(int, int, int)>& allowed,
                             std::vector<float>* probs = nullptr) {
  const int64_t B = query.shape().dim(0), T = query.shape().dim(1), S = key.shape().dim(1);
  const int64_t dq = query.shape().dim(2), dk = key.shape().dim(2), dv = value.shape().dim(2);
  const size_t step = s.bias ? 2 : 1;
  const Tensor &wq = w[0], &wk = w[step], &wv = w[2 * step], &wo = w[3 * step];
  auto f = [](const Tensor& t, int64_t i) { return static_cast<double>(t.data<float>()[i]); };
  auto proj = [&](const Tensor& x, int64_t d, const Tensor& kernel, const Tensor* bias, int64_t dim, int b, int t,
                  int h, int e) {
    double acc = bias ? f(*bias, h * dim + e) : 0.0;
    for (int64_t c = 0; c < d; ++c) acc += f(x, (b * x.shape().dim(1) + t) * d + c) * f(kernel, (c * s.heads + h) * dim + e);
    return acc;
  };
  const Tensor* bq = s.bias ? &w[1] : nullptr;
  const Tensor* bk = s.bias ? &w[3] : nullptr;
  const Tensor* bv = s.bias ? &w[5] : nullptr;
  std::vector<float> out;
  for (int b = 0; b < B; ++b) {
    std::vector<double> ctx(static_cast<size_t>(T * s.heads * s.value_dim), 0.0);
    for (int h = 0; h < s.heads; ++h) {
      for (int i = 0; i < T; ++i) {
        std::vector<double> sc(static_cast<size_t>(S));
        double mx = -1e300, sum = 0;
        for (int j = 0; j < S; ++j) {
          double dot = 0;
          for (int e = 0; e < s.key_dim; ++e) {
            dot += proj(query, dq, wq, bq, s.key_dim, b, i, h, e) * proj(key, dk, wk, bk, s.key_dim, b, j, h, e);
          }
          sc[static_cast<size_t>(j)] = dot / std::sqrt(static_cast<double>(s.key_dim)) - (allowed(b, i, j) ? 0 : 1e9);
          mx = std::max(mx, sc[static_cast<size_t>(j)]);
        }
        for (double& x : sc) sum += (x = std::exp(x - mx));
        for (int j = 0; j < S; ++j) {
          const double p = sc[static_cast<size_t>(j)] / sum;
          if (probs) probs->push_back(static_cast<float>(p));
          for (int e = 0; e < s.value_dim; ++e) {
            ctx[static_cast<size_t>((i * s.heads + h) * s.value_dim + e)] += p * proj(value, dv, wv, bv, s.value_dim, b, j, h, e);
          }
        }
      }
    }
    for (int i = 0; i < T; ++i) {
      for (int o = 0; o < s.out_dim; ++o) {
        double acc = s.bias ? f(w[7], o) : 0.0;
        for (int h = 0; h < s.heads; ++h)
          for (int e = 0; e < s.value_dim; ++e) {
            acc += ctx[static_cast<size_t>((i * s.heads + h) * s.value_dim + e)] * f(wo, (h * s.value_dim + e) * s.out_dim + o);
          }
        out.push_back(static_cast<float>(acc));
      }
    }
  }
  return out;
}

std::vector<Tensor> random_weights(int64_t dq, int64_t dk, int64_t dv, const MhaSpec& s, unsigned seed) {
  std::vector<Tensor> w;
  auto add = [&](std::vector<int64_t> shape) { w.push_back(random_tensor(shape, -0.5, 0.5, seed++)); };
  add({dq, s.heads, s.key_dim});
  if (s.bias) add({s.heads, s.key_dim});
  add({dk, s.heads, s.key_dim});
  if (s.bias) add({s.heads, s.key_dim});
  add({dv, s.heads, s.value_dim});
  if (s.bias) add({s.heads, s.value_dim});
  add({s.heads, s.value_dim, s.out_dim});
  if (s.bias) add({s.out_dim});
  return w;
}

json mha_config(const MhaSpec& s, bool output_shape) {
  json c = {{"num_heads", s.heads}, {"key_dim", s.key_dim}, {"value_dim", s.value_dim}, {"use_bias", s.bias},
            {"dropout", 0.1}, {"attention_axes", nullptr}};
  if (output_shape) c["output_shape"] = json::array({s.out_dim});
  return c;
}

// The MHA layer named "mha" called on query "q" with the given keyword tensors and flags.
void set_call(KerasModel& m, const std::vector<std::pair<std::string, std::string>>& tensors, json flags) {
  KerasNode& node = m.layers.back().inbound_nodes[0];
  json kwargs = std::move(flags);
  for (const auto& [key, layer] : tensors) {
    kwargs[key] = json::array({layer, 0, 0});
    node.kwarg_inputs.push_back({key, {layer, 0, 0}});
  }
  node.kwargs_json = kwargs.dump();
}

TEST(KerasMultiHeadAttention, CrossAttentionWithSeparateKeyAndOutputShape) {
  const MhaSpec s{2, 3, 2, 5};
  Tensor q = random_tensor({2, 4, 6}, -1, 1, 60), v = random_tensor({2, 3, 5}, -1, 1, 61), k = random_tensor({2, 3, 4}, -1, 1, 62);
  auto w = random_weights(6, 4, 5, s, 63);
  auto m = functional({{"q", {4, 6}}, {"v", {3, 5}}, {"k", {3, 4}}}, {{"MultiHeadAttention", mha_config(s, true), w, {"q"}, "mha"}},
                      {"mha"});
  set_call(m, {{"value", "v"}, {"key", "k"}}, json::object());
  auto out = run_model(m, {{"q", q}, {"v", v}, {"k", k}});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(close(out->at("mha"), {2, 4, 5}, reference(q, v, k, w, s, [](int, int, int) { return true; }), 1e-4, 1e-5));
}

TEST(KerasMultiHeadAttention, SelfAttentionWithoutBiasCausalAndScores) {
  const MhaSpec s{3, 2, 2, 4, false, true};
  Tensor x = random_tensor({2, 5, 4}, -1, 1, 70);
  auto w = random_weights(4, 4, 4, s, 71);
  auto m = functional({{"x", {5, 4}}}, {{"MultiHeadAttention", mha_config(s, false), w, {"x"}, "mha"}}, {"mha"});
  set_call(m, {{"value", "x"}}, {{"use_causal_mask", true}, {"return_attention_scores", true}});
  m.outputs = {{"mha", 0, 0}, {"mha", 0, 1}};
  auto out = run_model(m, {{"x", x}});
  ASSERT_TRUE(out.ok()) << out.status();
  std::vector<float> probs;
  auto want = reference(x, x, x, w, s, [](int, int i, int j) { return j <= i; }, &probs);
  EXPECT_TRUE(close(out->at("mha"), {2, 5, 4}, want, 1e-4, 1e-5));
  EXPECT_TRUE(close(out->at("mha_1"), {2, 3, 5, 5}, probs, 1e-4, 1e-6));
}

TEST(KerasMultiHeadAttention, AttentionMaskHidesPairs) {
  const MhaSpec s{2, 3, 3, 4};
  Tensor x = random_tensor({2, 3, 4}, -1, 1, 80);
  std::vector<float> mask_values;
  for (int b = 0; b < 2; ++b)
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) mask_values.push_back((b + i + j) % 3 == 0 ? 0.f : 1.f);
  Tensor mask = tensor({2, 3, 3}, mask_values);
  auto w = random_weights(4, 4, 4, s, 81);
  auto m = functional({{"x", {3, 4}}, {"mask", {3, 3}}}, {{"MultiHeadAttention", mha_config(s, false), w, {"x"}, "mha"}},
                      {"mha"});
  set_call(m, {{"value", "x"}, {"attention_mask", "mask"}}, json::object());
  auto out = run_model(m, {{"x", x}, {"mask", mask}});
  ASSERT_TRUE(out.ok()) << out.status();
  auto want = reference(x, x, x, w, s, [&](int b, int i, int j) { return mask_values[static_cast<size_t>((b * 3 + i) * 3 + j)] != 0; });
  EXPECT_TRUE(close(out->at("mha"), {2, 3, 4}, want, 1e-4, 1e-5));
}

TEST(KerasMultiHeadAttention, UnsupportedAxesAreRefused) {
  const MhaSpec s{2, 3, 3, 4};
  json cfg = mha_config(s, false);
  cfg["attention_axes"] = json::array({1, 2});
  auto m = functional({{"x", {3, 4}}}, {{"MultiHeadAttention", cfg, random_weights(4, 4, 4, s, 90), {"x"}, "mha"}}, {"mha"});
  set_call(m, {{"value", "x"}}, json::object());
  auto out = run_model(m, {{"x", random_tensor({1, 3, 4})}});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kUnimplemented);
}

class EcgTransformer : public ::testing::Test {
 protected:
  void SetUp() override {
    auto m = read_keras_v3(tfport::testing::fixture(
        "realworld/ecg-transformer-tfkeras215-windows/model/transformer_model.keras"));
    ASSERT_TRUE(m.ok()) << m.status();
    model_ = std::move(*m);
  }
  const KerasLayer& layer(const std::string& name) const {
    for (const KerasLayer& l : model_.layers) {
      if (l.name == name) return l;
    }
    ADD_FAILURE() << "no layer " << name;
    return model_.layers[0];
  }
  KerasModel model_;
};

TEST_F(EcgTransformer, ItsAttentionLayerMatchesTheReferenceOnItsOwnWeights) {
  // 4 heads of 64 over 186 steps of one feature, on the file's weights.
  const KerasLayer& l = layer("multi_head_attention_14");
  std::vector<Tensor> w;
  for (const KerasWeight& kw : l.weights) w.push_back(kw.value);
  ASSERT_EQ(w.size(), 8u);
  const MhaSpec s{4, 64, 64, 1};
  auto m = functional({{"x", {186, 1}}}, {{"MultiHeadAttention", json::parse(l.config_json), w, {"x"}, "mha"}}, {"mha"});
  set_call(m, {{"value", "x"}}, json::object());
  Tensor x = random_tensor({2, 186, 1}, -2, 2, 91);
  auto out = run_model(m, {{"x", x}});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(close(out->at("mha"), {2, 186, 1}, reference(x, x, x, w, s, [](int, int, int) { return true; }), 1e-4, 1e-5));
}

TEST_F(EcgTransformer, WholeModelMatchesItsLayersByHand) {
  // Both LayerNormalizations normalize one feature, so they output their beta: the residual
  // stream is x + beta_27 + beta_28, pooled over time, then Dense relu, selu x3, sigmoid.
  auto lowered = run_model(model_, {{"input_15", random_tensor({2, 186, 1}, -1, 1, 92)}});
  ASSERT_TRUE(lowered.ok()) << lowered.status();
  Tensor x = random_tensor({2, 186, 1}, -1, 1, 92);
  const double beta = layer("layer_normalization_27").weights[1].value.data<float>()[0] +
                      layer("layer_normalization_28").weights[1].value.data<float>()[0];
  const double kAlpha = 1.6732632423543772, kScale = 1.0507009873554805;
  std::vector<float> want;
  for (int b = 0; b < 2; ++b) {
    double mean = 0;
    for (int t = 0; t < 186; ++t) mean += x.data<float>()[b * 186 + t] / 186.0;
    std::vector<double> h{mean + beta};
    for (const char* name : {"dense_71", "dense_72", "dense_73", "dense_74", "dense_75"}) {
      const KerasLayer& d = layer(name);
      const Tensor& k = d.weights[0].value;
      const Tensor& bias = d.weights[1].value;
      const int64_t in = k.shape().dim(0), units = k.shape().dim(1);
      std::vector<double> next(static_cast<size_t>(units));
      for (int64_t u = 0; u < units; ++u) {
        double acc = bias.data<float>()[u];
        for (int64_t i = 0; i < in; ++i) acc += h[static_cast<size_t>(i)] * k.data<float>()[i * units + u];
        const std::string n = name;
        if (n == "dense_71") acc = std::max(acc, 0.0);
        else if (n == "dense_75") acc = 1 / (1 + std::exp(-acc));
        else acc = kScale * (acc > 0 ? acc : kAlpha * (std::exp(acc) - 1));
        next[static_cast<size_t>(u)] = acc;
      }
      h = next;
    }
    want.push_back(static_cast<float>(h[0]));
  }
  EXPECT_TRUE(close(lowered->begin()->second, {2, 1}, want, 1e-4, 1e-6));
}

}  // namespace
}  // namespace tfport::graph::keras_testing
