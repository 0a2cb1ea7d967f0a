// Keras recurrent layers lowered and run: Bidirectional merge modes built from the same
// LSTM run forwards and backwards, return_state, Masking and Embedding(mask_zero) making
// padded steps invisible, and GRU's two bias layouts.
#include <gtest/gtest.h>

#include "keras_test_util.h"

namespace tfport::graph::keras_testing {
namespace {

constexpr int64_t kT = 4, kF = 3, kU = 2;

json lstm_config(bool seq, bool backwards = false, bool state = false) {
  return {{"units", kU}, {"return_sequences", seq}, {"go_backwards", backwards}, {"return_state", state},
          {"activation", "tanh"}, {"recurrent_activation", "sigmoid"}};
}

std::vector<Tensor> lstm_weights(unsigned seed) {
  return {random_tensor({kF, 4 * kU}, -0.5f, 0.5f, seed), random_tensor({kU, 4 * kU}, -0.5f, 0.5f, seed + 1),
          random_tensor({4 * kU}, -0.2f, 0.2f, seed + 2)};
}

std::vector<float> reversed_in_time(const std::vector<float>& v, int64_t batch, int64_t steps, int64_t width) {
  std::vector<float> r(v.size());
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t t = 0; t < steps; ++t) {
      for (int64_t k = 0; k < width; ++k) r[static_cast<size_t>((b * steps + t) * width + k)] = v[static_cast<size_t>((b * steps + (steps - 1 - t)) * width + k)];
    }
  }
  return r;
}

TEST(KerasRecurrent, BidirectionalMergeModesCombineBothDirections) {
  Tensor x = random_tensor({2, kT, kF}, -1, 1, 7);
  auto fw = lstm_weights(10), bw = lstm_weights(20);
  auto f = run1(sequential({kT, kF}, {{"LSTM", lstm_config(true), fw}}), x);
  auto b = run1(sequential({kT, kF}, {{"LSTM", lstm_config(true, true), bw}}), x);
  ASSERT_TRUE(f.ok() && b.ok()) << f.status() << b.status();
  std::vector<float> fv = values(*f), bv = reversed_in_time(values(*b), 2, kT, kU);
  std::vector<Tensor> both = fw;
  both.insert(both.end(), bw.begin(), bw.end());
  for (const char* mode : {"concat", "sum", "mul", "ave"}) {
    SCOPED_TRACE(mode);
    json cfg = {{"merge_mode", mode}, {"layer", {{"class_name", "LSTM"}, {"config", lstm_config(true)}}}};
    auto y = run1(sequential({kT, kF}, {{"Bidirectional", cfg, both}}), x);
    ASSERT_TRUE(y.ok()) << y.status();
    std::vector<float> want;
    for (size_t i = 0; i < fv.size(); ++i) {
      if (std::string(mode) == "sum") want.push_back(fv[i] + bv[i]);
      if (std::string(mode) == "mul") want.push_back(fv[i] * bv[i]);
      if (std::string(mode) == "ave") want.push_back((fv[i] + bv[i]) / 2);
    }
    if (std::string(mode) == "concat") {
      for (size_t r = 0; r < fv.size() / kU; ++r) {
        for (int64_t k = 0; k < kU; ++k) want.push_back(fv[r * kU + static_cast<size_t>(k)]);
        for (int64_t k = 0; k < kU; ++k) want.push_back(bv[r * kU + static_cast<size_t>(k)]);
      }
      EXPECT_TRUE(close(*y, {2, kT, 2 * kU}, want));
    } else {
      EXPECT_TRUE(close(*y, {2, kT, kU}, want));
    }
  }
}

TEST(KerasRecurrent, ReturnStateGivesTheLastOutputAndCellState) {
  Tensor x = random_tensor({2, kT, kF}, -1, 1, 8);
  auto w = lstm_weights(30);
  KerasModel m = functional({{"x", {kT, kF}}}, {{"LSTM", lstm_config(false, false, true), w, {"x"}, "rnn"}}, {"rnn"});
  m.outputs = {{"rnn", 0, 0}, {"rnn", 0, 1}, {"rnn", 0, 2}};
  auto out = run_model(m, {{"x", x}});
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_EQ(out->size(), 3u);
  // Output 0 and the h state are the same tensor values; c differs.
  EXPECT_EQ(values(out->at("rnn")), values(out->at("rnn_1")));
  EXPECT_NE(values(out->at("rnn")), values(out->at("rnn_2")));
}

TEST(KerasRecurrent, MaskedStepsAreSkipped) {
  // Steps whose features are all 0 are masked: the result equals running only the unmasked prefix.
  std::vector<float> xv = values(random_tensor({1, kT, kF}, 0.1f, 1, 9));
  for (int64_t k = 0; k < kF; ++k) xv[static_cast<size_t>(3 * kF + k)] = 0;  // pad the last step
  Tensor x = tensor({1, kT, kF}, xv);
  Tensor prefix = tensor({1, 3, kF}, std::vector<float>(xv.begin(), xv.begin() + 3 * kF));
  auto w = lstm_weights(40);
  auto masked = run1(sequential({kT, kF}, {{"Masking", {{"mask_value", 0.0}}}, {"LSTM", lstm_config(false), w}}), x);
  auto plain = run1(sequential({3, kF}, {{"LSTM", lstm_config(false), w}}), prefix);
  ASSERT_TRUE(masked.ok() && plain.ok()) << masked.status() << plain.status();
  EXPECT_TRUE(close(*masked, {1, kU}, values(*plain)));

  // Embedding(mask_zero): id 0 is padding.
  Tensor emb = random_tensor({5, kF}, -1, 1, 11);
  Tensor ids = tensor({1, kT}, {3, 1, 4, 0});
  auto by_ids = run1(sequential({kT}, {{"Embedding", {{"input_dim", 5}, {"output_dim", kF}, {"mask_zero", true}}, {emb}},
                                       {"LSTM", lstm_config(false), w}}),
                     ids);
  const std::vector<float> table = values(emb);
  std::vector<float> rows;
  for (int id : {3, 1, 4}) {
    for (int64_t k = 0; k < kF; ++k) rows.push_back(table[static_cast<size_t>(id * kF + k)]);
  }
  auto direct = run1(sequential({3, kF}, {{"LSTM", lstm_config(false), w}}), tensor({1, 3, kF}, rows));
  ASSERT_TRUE(by_ids.ok() && direct.ok()) << by_ids.status() << direct.status();
  EXPECT_TRUE(close(*by_ids, {1, kU}, values(*direct)));
}

TEST(KerasRecurrent, GruBiasLayoutsPickResetAfter) {
  Tensor x = random_tensor({2, kT, kF}, -1, 1, 12);
  Tensor k = random_tensor({kF, 3 * kU}, -0.5f, 0.5f, 13), r = random_tensor({kU, 3 * kU}, -0.5f, 0.5f, 14);
  json cfg = {{"units", kU}, {"activation", "tanh"}, {"recurrent_activation", "sigmoid"}};
  // Both layouts load: a [2, 3u] bias means reset_after (input and recurrent rows), a [3u] one
  // the original GRU; the two compute different functions of the same kernels.
  json after = cfg;
  after["reset_after"] = true;
  json before = cfg;
  before["reset_after"] = false;
  Tensor b2 = random_tensor({2, 3 * kU}, -0.2f, 0.2f, 15);
  const std::vector<float> b2v = values(b2);
  std::vector<float> first_row(b2v.begin(), b2v.begin() + 3 * kU);
  auto y_after = run1(sequential({kT, kF}, {{"GRU", after, {k, r, b2}}}), x);
  auto y_before = run1(sequential({kT, kF}, {{"GRU", before, {k, r, tensor({3 * kU}, first_row)}}}), x);
  ASSERT_TRUE(y_after.ok() && y_before.ok()) << y_after.status() << y_before.status();
  EXPECT_EQ(y_after->shape(), (Shape{2, kU}));
  EXPECT_NE(values(*y_after), values(*y_before));
}

}  // namespace
}  // namespace tfport::graph::keras_testing
