// _TfportKerasRNN (the fused Keras LSTM/GRU/SimpleRNN layer kernel) against a plain per-step
// reference of Keras' cell equations, for the settings the fixtures do not cover: GRU with
// reset_after=false, go_backwards, masks (previous state carried, previous or zero output),
// initial states and every output.
#include <gtest/gtest.h>

#include <cmath>

#include "op_test_util.h"
#include "runtime/ops/recurrent_avx512.h"

namespace tfport::runtime::testing {
namespace {

float sigm(float x) { return 1.0f / (1.0f + std::exp(-x)); }

struct RefConfig {
  std::string cell;
  int64_t units = 3;
  int64_t batch = 2;
  int64_t steps = 4;
  // Longer sequences accumulate float32 rounding that differs with the summation order.
  double rtol = 1e-5, atol = 1e-6;
  bool reset_after = true;
  bool go_backwards = false;
  bool zero_output_for_mask = false;
  std::vector<int> mask;  // [batch * time], empty = none
};

// Returns (sequence outputs [b, t, u] in processing order, final h, final c).
std::vector<std::vector<float>> reference(const RefConfig& cfg, const Tensor& x, const Tensor& w, const Tensor& u,
                                          const std::vector<float>& bi, const std::vector<float>& br,
                                          std::vector<float> h, std::vector<float> c) {
  const int64_t B = x.shape().dim(0), T = x.shape().dim(1), F = x.shape().dim(2), U = cfg.units;
  const int64_t G = cfg.cell == "lstm" ? 4 : cfg.cell == "gru" ? 3 : 1;
  std::vector<float> seq(static_cast<size_t>(B * T * U), 0.0f);
  std::vector<float> last(static_cast<size_t>(B * U), 0.0f);
  auto W = [&](int64_t f, int64_t j) { return w.data<float>()[f * G * U + j]; };
  auto R = [&](int64_t k, int64_t j) { return u.data<float>()[k * G * U + j]; };
  for (int64_t b = 0; b < B; ++b) {
    for (int64_t s = 0; s < T; ++s) {
      const int64_t t = cfg.go_backwards ? T - 1 - s : s;
      std::vector<float> xz(static_cast<size_t>(G * U)), hz(static_cast<size_t>(G * U));
      for (int64_t j = 0; j < G * U; ++j) {
        float a = bi[static_cast<size_t>(j)], r = br[static_cast<size_t>(j)];
        for (int64_t f = 0; f < F; ++f) a += x.data<float>()[(b * T + t) * F + f] * W(f, j);
        for (int64_t k = 0; k < U; ++k) r += h[static_cast<size_t>(b * U + k)] * R(k, j);
        xz[static_cast<size_t>(j)] = a;
        hz[static_cast<size_t>(j)] = r;
      }
      std::vector<float> nh(static_cast<size_t>(U)), nc(static_cast<size_t>(U));
      for (int64_t k = 0; k < U; ++k) {
        const float hp = h[static_cast<size_t>(b * U + k)];
        auto X = [&](int g) { return xz[static_cast<size_t>(g * U + k)]; };
        auto H = [&](int g) { return hz[static_cast<size_t>(g * U + k)]; };
        if (cfg.cell == "lstm") {
          float i = sigm(X(0) + H(0)), f = sigm(X(1) + H(1)), g = std::tanh(X(2) + H(2)), o = sigm(X(3) + H(3));
          nc[static_cast<size_t>(k)] = f * c[static_cast<size_t>(b * U + k)] + i * g;
          nh[static_cast<size_t>(k)] = o * std::tanh(nc[static_cast<size_t>(k)]);
        } else if (cfg.cell == "gru") {
          float z = sigm(X(0) + H(0)), r = sigm(X(1) + H(1));
          float cand;
          if (cfg.reset_after) {
            cand = std::tanh(X(2) + r * H(2));
          } else {
            // Recurrent part of the candidate uses (r * h_prev) for every unit.
            float acc = X(2);
            for (int64_t q = 0; q < U; ++q) {
              float rq = sigm(xz[static_cast<size_t>(U + q)] + hz[static_cast<size_t>(U + q)]);
              acc += rq * h[static_cast<size_t>(b * U + q)] * R(q, 2 * U + k);
            }
            cand = std::tanh(acc);
          }
          nh[static_cast<size_t>(k)] = z * hp + (1 - z) * cand;
        } else {
          nh[static_cast<size_t>(k)] = std::tanh(X(0) + H(0));
        }
      }
      const bool keep = cfg.mask.empty() || cfg.mask[static_cast<size_t>(b * T + t)] != 0;
      for (int64_t k = 0; k < U; ++k) {
        const size_t i = static_cast<size_t>(b * U + k);
        if (keep) {
          h[i] = nh[static_cast<size_t>(k)];
          if (cfg.cell == "lstm") c[i] = nc[static_cast<size_t>(k)];
          last[i] = h[i];
        } else if (cfg.zero_output_for_mask) {
          last[i] = 0;
        }
        seq[static_cast<size_t>((b * T + s) * U + k)] = last[i];
      }
    }
  }
  return {seq, h, c};
}

void check(const RefConfig& cfg, bool with_initial) {
  SCOPED_TRACE(cfg.cell + (cfg.reset_after ? " reset_after" : "") + (cfg.go_backwards ? " backwards" : "") +
               (cfg.mask.empty() ? "" : " masked") + (with_initial ? " initial" : ""));
  const int64_t B = cfg.batch, T = cfg.steps, F = 5, U = cfg.units;
  const int64_t G = cfg.cell == "lstm" ? 4 : cfg.cell == "gru" ? 3 : 1;
  Tensor x = random_float(Shape{B, T, F}, -1, 1);
  Tensor w = random_float(Shape{F, G * U}, -0.5, 0.5);
  Tensor u = random_float(Shape{U, G * U}, -0.5, 0.5);
  Tensor bi = random_float(Shape{G * U}, -0.3, 0.3);
  Tensor br = random_float(Shape{G * U}, -0.3, 0.3);
  std::vector<float> bri = to_vec(br);
  if (cfg.cell == "gru" && !cfg.reset_after) {
    std::fill(bri.begin(), bri.end(), 0.0f);
    br = floats(Shape{G * U}, bri);
  }
  OpTest op("_TfportKerasRNN");
  op.attr("cell", string_attr(cfg.cell)).attr("units", int_attr(U)).attr("reset_after", bool_attr(cfg.reset_after));
  op.attr("go_backwards", bool_attr(cfg.go_backwards)).attr("return_sequences", bool_attr(true));
  op.attr("zero_output_for_mask", bool_attr(cfg.zero_output_for_mask));
  op.attr("has_mask", bool_attr(!cfg.mask.empty()));
  std::vector<Tensor> inputs{x, w, u, bi, br};
  if (!cfg.mask.empty()) {
    std::vector<float> m(cfg.mask.begin(), cfg.mask.end());
    inputs.push_back(floats(Shape{B, T}, m));
  }
  std::vector<float> h0(static_cast<size_t>(B * U), 0.0f), c0 = h0;
  const int num_states = cfg.cell == "lstm" ? 2 : 1;
  if (with_initial) {
    Tensor h = random_float(Shape{B, U}, -1, 1), c = random_float(Shape{B, U}, -1, 1);
    h0 = to_vec(h);
    c0 = to_vec(c);
    inputs.push_back(h);
    if (num_states == 2) inputs.push_back(c);
    op.attr("num_initial_states", int_attr(num_states));
  }
  auto out = op.run(inputs);
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_EQ(out->size(), static_cast<size_t>(1 + num_states));
  auto want = reference(cfg, x, w, u, to_vec(bi), bri, h0, c0);
  EXPECT_TRUE(all_close((*out)[0], floats(Shape{B, T, U}, want[0]), cfg.rtol, cfg.atol));
  EXPECT_TRUE(all_close((*out)[1], floats(Shape{B, U}, want[1]), cfg.rtol, cfg.atol));
  if (num_states == 2) {
    EXPECT_TRUE(all_close((*out)[2], floats(Shape{B, U}, want[2]), cfg.rtol, cfg.atol));
  }
  EXPECT_TRUE(guard_ok((*out)[0]));
}

TEST(KerasRnnKernel, MatchesTheCellEquations) {
  for (const char* cell : {"lstm", "gru", "simple_rnn"}) {
    for (bool backwards : {false, true}) {
      RefConfig cfg;
      cfg.cell = cell;
      cfg.go_backwards = backwards;
      check(cfg, false);
      check(cfg, true);
    }
  }
  RefConfig gru_v1;
  gru_v1.cell = "gru";
  gru_v1.reset_after = false;
  check(gru_v1, false);
  check(gru_v1, true);
}

// The AVX-512 kernels (used when the CPU has them) and the portable path, each against the
// reference, at sizes that leave partial vectors and every row grouping (8, 4, 2, 1 rows), with
// enough work for the batch to be split across the test device's two threads.
class AvxSetting {
 public:
  explicit AvxSetting(bool on) { ops::rnn::set_recurrent_avx512_enabled(on); }
  ~AvxSetting() { ops::rnn::set_recurrent_avx512_enabled(true); }
};

TEST(KerasRnnKernel, BothPathsMatchTheCellEquationsAtOddSizes) {
  for (bool avx : {true, false}) {
    SCOPED_TRACE(avx ? "AVX-512 where available" : "portable");
    AvxSetting setting(avx);
    for (const char* cell : {"lstm", "gru", "simple_rnn"}) {
      RefConfig cfg;
      cfg.cell = cell;
      cfg.units = 37;
      cfg.batch = 15;
      cfg.steps = 9;
      cfg.rtol = 1e-4;
      cfg.atol = 1e-5;
      check(cfg, true);
      cfg.go_backwards = true;
      cfg.batch = 1;
      check(cfg, false);
    }
  }
}

// Activations without a reference here: the AVX-512 LSTM cell against the portable one.
TEST(KerasRnnKernel, Avx512LstmCellAgreesWithThePortableOneForEveryActivation) {
  const int64_t B = 3, T = 6, F = 7, U = 21, N = 4 * U;
  Tensor x = random_float(Shape{B, T, F}, -2, 2);
  Tensor w = random_float(Shape{F, N}, -1, 1), u = random_float(Shape{U, N}, -1, 1);
  Tensor bi = random_float(Shape{N}, -0.5, 0.5), br = random_float(Shape{N}, -0.5, 0.5);
  for (const char* act : {"tanh", "relu", "linear", "sigmoid"}) {
    for (const char* rec : {"sigmoid", "hard_sigmoid", "hard_sigmoid_v3"}) {
      SCOPED_TRACE(std::string(act) + " / " + rec);
      std::vector<std::vector<Tensor>> results;
      for (bool avx : {true, false}) {
        AvxSetting setting(avx);
        OpTest op("_TfportKerasRNN");
        op.attr("cell", string_attr("lstm")).attr("units", int_attr(U)).attr("return_sequences", bool_attr(true));
        op.attr("activation", string_attr(act)).attr("recurrent_activation", string_attr(rec));
        auto out = op.run({x, w, u, bi, br});
        ASSERT_TRUE(out.ok()) << out.status();
        results.push_back(*out);
      }
      for (size_t i = 0; i < results[0].size(); ++i) {
        EXPECT_TRUE(all_close(results[0][i], results[1][i], 1e-4, 1e-5)) << "output " << i;
      }
    }
  }
}

TEST(KerasRnnKernel, MasksCarryStateAndRepeatOrZeroOutputs) {
  for (const char* cell : {"lstm", "gru", "simple_rnn"}) {
    for (bool zero : {false, true}) {
      RefConfig cfg;
      cfg.cell = cell;
      cfg.zero_output_for_mask = zero;
      cfg.mask = {1, 1, 0, 0, 0, 1, 0, 1};  // trailing padding, and holes
      check(cfg, false);
      check(cfg, true);
      cfg.go_backwards = true;
      check(cfg, false);
    }
  }
}

// CudnnRNN takes cuDNN's canonical params (per gate: W [units, features], then per gate
// R [units, units], then input and recurrent biases; GRU gates r, z, h) and time-major data.
TEST(CudnnRnnKernel, MatchesTheKerasLayerOnCanonicalParams) {
  for (const char* mode : {"lstm", "gru"}) {
    SCOPED_TRACE(mode);
    const bool lstm = std::string(mode) == "lstm";
    const int64_t B = 2, T = 3, F = 4, U = 3, G = lstm ? 4 : 3, N = G * U;
    Tensor x = random_float(Shape{B, T, F}, -1, 1);
    Tensor w = random_float(Shape{F, N}, -0.5, 0.5), u = random_float(Shape{U, N}, -0.5, 0.5);
    Tensor bi = random_float(Shape{N}, -0.3, 0.3), br = random_float(Shape{N}, -0.3, 0.3);
    Tensor h0 = random_float(Shape{B, U}, -1, 1), c0 = random_float(Shape{B, U}, -1, 1);
    std::vector<float> params;
    auto keras_gate = [&](int64_t gate) { return lstm ? gate : (gate == 0 ? 1 : gate == 1 ? 0 : 2); };
    for (int64_t gate = 0; gate < G; ++gate) {
      for (int64_t k = 0; k < U; ++k) {
        for (int64_t f = 0; f < F; ++f) params.push_back(w.data<float>()[f * N + keras_gate(gate) * U + k]);
      }
    }
    for (int64_t gate = 0; gate < G; ++gate) {
      for (int64_t k = 0; k < U; ++k) {
        for (int64_t j = 0; j < U; ++j) params.push_back(u.data<float>()[j * N + keras_gate(gate) * U + k]);
      }
    }
    for (const Tensor* b : {&bi, &br}) {
      for (int64_t gate = 0; gate < G; ++gate) {
        for (int64_t k = 0; k < U; ++k) params.push_back(b->data<float>()[keras_gate(gate) * U + k]);
      }
    }
    std::vector<float> xt;  // time-major copy of x
    for (int64_t t = 0; t < T; ++t) {
      for (int64_t b = 0; b < B; ++b) {
        for (int64_t f = 0; f < F; ++f) xt.push_back(x.data<float>()[(b * T + t) * F + f]);
      }
    }
    OpTest cudnn("CudnnRNN");
    cudnn.attr("rnn_mode", string_attr(mode)).attr("T", type_attr(DType::kFloat));
    auto got = cudnn.run({floats(Shape{T, B, F}, xt), floats(Shape{1, B, U}, to_vec(h0)),
                          floats(Shape{1, B, U}, to_vec(c0)), floats(Shape{static_cast<int64_t>(params.size())}, params)});
    ASSERT_TRUE(got.ok()) << got.status();
    OpTest keras("_TfportKerasRNN");
    keras.attr("cell", string_attr(mode)).attr("units", int_attr(U)).attr("return_sequences", bool_attr(true));
    keras.attr("num_initial_states", int_attr(lstm ? 2 : 1));
    std::vector<Tensor> in{x, w, u, bi, br, h0};
    if (lstm) in.push_back(c0);
    auto want = keras.run(in);
    ASSERT_TRUE(want.ok()) << want.status();
    std::vector<float> yt;  // Keras output, time-major
    for (int64_t t = 0; t < T; ++t) {
      for (int64_t b = 0; b < B; ++b) {
        for (int64_t k = 0; k < U; ++k) yt.push_back((*want)[0].data<float>()[(b * T + t) * U + k]);
      }
    }
    EXPECT_TRUE(all_close((*got)[0], floats(Shape{T, B, U}, yt), 1e-5, 1e-6));
    EXPECT_TRUE(all_close((*got)[1], floats(Shape{1, B, U}, to_vec((*want)[1])), 1e-5, 1e-6));
  }
}

TEST(KerasRnnKernel, RefusesMismatchedWeights) {
  OpTest op("_TfportKerasRNN");
  op.attr("cell", string_attr("lstm")).attr("units", int_attr(3));
  auto out = op.run({random_float(Shape{1, 2, 4}), random_float(Shape{5, 12}), random_float(Shape{3, 12}),
                     random_float(Shape{12}), random_float(Shape{12})});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("weights do not fit"), std::string::npos) << out.status();
  OpTest bad("_TfportKerasRNN");
  bad.attr("cell", string_attr("lstm")).attr("units", int_attr(3)).attr("activation", string_attr("swish_x"));
  EXPECT_FALSE(bad.create().ok());
}

}  // namespace
}  // namespace tfport::runtime::testing
