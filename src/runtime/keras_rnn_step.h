// One time step of a Keras recurrent cell written into a While body, op for op as tf.keras'
// LSTMCell/GRUCell/SimpleRNNCell (implementation 2) compute it: the input and recurrent
// products, one bias add, a Split into gates, the gate activations and the state update.
#pragma once

#include <functional>
#include <string>

#include "runtime/function_def_builder.h"
#include "tfport/status.h"

namespace tfport::runtime {

struct RnnStepSpec {
  std::string cell;  // "lstm", "gru", "simple_rnn"
  std::string activation, recurrent_activation;
  bool reset_after = true;  // GRU
};

struct RnnStepResult {
  std::string h;  // the new hidden state, also the step's output
  std::string c;  // the new cell state (LSTM)
};

// `x` [batch, features], `h` and `c` (LSTM) [batch, units] are body references; `weight`
// names the body argument holding each weight: "kernel", "bias", "recurrent_kernel" (LSTM,
// SimpleRNN, GRU reset_after), "input_bias" and "recurrent_bias" (GRU reset_after),
// "recurrent_kernel_zr" and "recurrent_kernel_h" (GRU reset_after=False: the z/r and candidate
// columns, since the candidate's product uses r * h). UNIMPLEMENTED for an activation with no
// op form here.
StatusOr<RnnStepResult> add_cell_step(FunctionDefBuilder& b, const RnnStepSpec& spec, const std::string& x,
                                      const std::string& h, const std::string& c,
                                      const std::function<std::string(const char*)>& weight);

// `act` applied to `x` (a Keras activation name as the fused kernel spells it; hard_sigmoid is
// Keras 2's clip(0.2 x + 0.5, 0, 1), hard_sigmoid_v3 Keras 3's relu6(x + 3) / 6).
StatusOr<std::string> add_activation(FunctionDefBuilder& b, const std::string& act, const std::string& x,
                                     const std::string& name);

}  // namespace tfport::runtime
