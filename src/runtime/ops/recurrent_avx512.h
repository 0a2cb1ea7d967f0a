// AVX-512 kernels for the fused Keras recurrent layer (recurrent.cc): the small matrix products
// of every time step and the LSTM cell update. The build targets baseline x86-64, so these are
// compiled for AVX-512 function by function and used only when the CPU has it
// (recurrent_avx512_available()); recurrent.cc keeps its portable Eigen path for the rest.
#pragma once

#include <cstdint>

namespace tfport::runtime::ops::rnn {

// Keras activations of recurrent layers.
enum class Act { kTanh, kSigmoid, kHardSigmoid, kHardSigmoidV3, kRelu, kLinear, kSoftsign, kSoftplus, kElu, kSelu };

// The CPU supports AVX-512F (checked once) and the kernels are not turned off.
bool recurrent_avx512_available();

// Tests turn the AVX-512 kernels off to check the portable path on the same machine.
void set_recurrent_avx512_enabled(bool enabled);

// out[r, :] = init[r * init_stride, :] + a[r, :] x b for r < rows, with a [rows, k] and
// b [k, n] and out [rows, n] row-major (init_stride 0 repeats one row, e.g. a bias). `out` may
// alias `init` only when they are the same rows (init_stride == n).
void matmul_add_avx512(const float* a, int64_t rows, int64_t k, const float* b, int64_t n, const float* init,
                       int64_t init_stride, float* out);

// Whether lstm_cell_avx512 computes these activations.
bool lstm_cell_avx512_supports(Act act, Act recurrent_act);

// One LSTM cell update from the pre-activations `pre` [4 * units] (gates i, f, c, o, as
// Keras orders them): c_new = f * c + i * act(g), h_new = o * act(c_new), with the gates
// through `recurrent_act`.
void lstm_cell_avx512(const float* pre, const float* c, int64_t units, Act act, Act recurrent_act, float* c_new,
                      float* h_new);

}  // namespace tfport::runtime::ops::rnn
