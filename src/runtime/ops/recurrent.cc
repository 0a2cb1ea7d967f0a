// _TfportKerasRNN: a whole Keras recurrent layer (LSTM, GRU, SimpleRNN) as one kernel. Keras
// lowering emits it instead of a While loop because the loop's per-step overhead dominates
// small recurrent models: here the input projection of every time step is one GEMM up front
// and each step is one [batch, units] x [units, gates*units] product plus the gate math. On
// CPUs with AVX-512 both products (and the LSTM cell) run in recurrent_avx512.cc: Eigen's
// general product repacks the recurrent kernel at every step once batch > 1.
//
// Inputs: x [batch, time, features], kernel [features, G*units], recurrent_kernel
// [units, G*units], input_bias [G*units], recurrent_bias [G*units], then the mask [batch, time]
// when has_mask, then num_initial_states states [batch, units] (h, and c for LSTM).
// Outputs: the sequence [batch, time, units] (or the last output [batch, units]), then the
// final states (h, then c for LSTM).
//
// Keras semantics kept: gate order i, f, c, o (LSTM) and z, r, h (GRU, both reset_after
// settings); go_backwards reads time reversed and emits outputs in processing order; a masked
// step keeps the previous states and repeats the previous output (zeros with
// zero_output_for_mask, as Bidirectional sets for return_sequences).
#define EIGEN_USE_THREADS
#include <algorithm>
#include <cmath>
#include <cstring>

#include <Eigen/Core>
#include <unsupported/Eigen/CXX11/Tensor>

#include "runtime/ops/op_util.h"
#include "runtime/ops/recurrent_avx512.h"

namespace tfport::runtime::ops {
namespace {

constexpr std::string_view kOp = "_TfportKerasRNN";

enum class Cell { kLstm, kGru, kSimple };
using rnn::Act;

StatusOr<Act> parse_activation(const Attrs& attrs, const std::string& name) {
  static const std::pair<const char*, Act> kNames[] = {
      {"tanh", Act::kTanh},         {"sigmoid", Act::kSigmoid}, {"hard_sigmoid", Act::kHardSigmoid},
      {"hard_sigmoid_v3", Act::kHardSigmoidV3}, {"relu", Act::kRelu}, {"linear", Act::kLinear},
      {"softsign", Act::kSoftsign}, {"softplus", Act::kSoftplus}, {"elu", Act::kElu}, {"selu", Act::kSelu}};
  for (const auto& [n, a] : kNames) {
    if (name == n) return a;
  }
  return attrs.error("unsupported recurrent activation '" + name + "'");
}

// Activations with an Eigen array form (vectorized); the others go element by element.
bool has_array_form(Act a) {
  return a == Act::kTanh || a == Act::kSigmoid || a == Act::kHardSigmoid || a == Act::kHardSigmoidV3 ||
         a == Act::kRelu || a == Act::kLinear;
}

void apply_array(Act a, Eigen::Map<Eigen::ArrayXf> x) {
  switch (a) {
    case Act::kTanh: x = x.tanh(); break;
    case Act::kSigmoid: x = x.logistic(); break;
    case Act::kHardSigmoid: x = (0.2f * x + 0.5f).max(0.0f).min(1.0f); break;
    case Act::kHardSigmoidV3: x = (x / 6.0f + 0.5f).max(0.0f).min(1.0f); break;
    case Act::kRelu: x = x.max(0.0f); break;
    default: break;  // kLinear; has_array_form() keeps the others away
  }
}

inline float apply(Act a, float x) {
  switch (a) {
    case Act::kTanh: return std::tanh(x);
    case Act::kSigmoid: return 1.0f / (1.0f + std::exp(-x));
    // Keras 1/2 (and TF.js): clip(0.2 x + 0.5); Keras 3: relu6(x + 3) / 6.
    case Act::kHardSigmoid: return std::clamp(0.2f * x + 0.5f, 0.0f, 1.0f);
    case Act::kHardSigmoidV3: return std::clamp(x / 6.0f + 0.5f, 0.0f, 1.0f);
    case Act::kRelu: return std::max(x, 0.0f);
    case Act::kLinear: return x;
    case Act::kSoftsign: return x / (1.0f + std::abs(x));
    case Act::kSoftplus: return std::log1p(std::exp(-std::abs(x))) + std::max(x, 0.0f);
    case Act::kElu: return x > 0 ? x : std::expm1(x);
    case Act::kSelu: {
      constexpr float kAlpha = 1.6732632423543772f, kScale = 1.0507009873554805f;
      return x > 0 ? kScale * x : kScale * kAlpha * std::expm1(x);
    }
  }
  return x;
}

using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MapC = Eigen::Map<const RowMajor>;
using Map = Eigen::Map<RowMajor>;

class KerasRnnKernel final : public Kernel {
 public:
  Cell cell = Cell::kLstm;
  int64_t units = 0;
  Act act = Act::kTanh;
  Act rec_act = Act::kSigmoid;
  bool reset_after = true;
  bool go_backwards = false;
  bool return_sequences = false;
  bool reverse_output = false;
  bool zero_output_for_mask = false;
  bool has_mask = false;
  int num_initial_states = 0;

  int gates() const { return cell == Cell::kLstm ? 4 : cell == Cell::kGru ? 3 : 1; }
  int num_states() const { return cell == Cell::kLstm ? 2 : 1; }

  Status compute(KernelContext& ctx) const override {
    const size_t fixed = 5 + (has_mask ? 1 : 0);
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, kOp, fixed + static_cast<size_t>(num_initial_states)));
    const Tensor& x = ctx.inputs[0];
    const Tensor& w = ctx.inputs[1];
    const Tensor& u = ctx.inputs[2];
    const Tensor& bi = ctx.inputs[3];
    const Tensor& br = ctx.inputs[4];
    for (size_t i = 0; i < 5; ++i) {
      if (ctx.inputs[i].dtype() != DType::kFloat) return unsupported_dtype(ctx, kOp, ctx.inputs[i].dtype(), kF32);
    }
    if (x.shape().rank() != 3) return ctx.error(kOp, "expects a [batch, time, features] input, got " + x.description());
    const int64_t batch = x.shape().dim(0), steps = x.shape().dim(1), feat = x.shape().dim(2);
    const int64_t n = gates() * units;
    if (w.shape() != Shape{feat, n} || u.shape() != Shape{units, n} || bi.num_elements() != n ||
        br.num_elements() != n) {
      return ctx.error(kOp, "weights do not fit input " + x.description() + ": kernel " + w.description() +
                                ", recurrent kernel " + u.description() + ", biases " + bi.description() + " and " +
                                br.description());
    }
    const Tensor* mask = has_mask ? &ctx.inputs[5] : nullptr;
    if (mask && (mask->shape() != Shape{batch, steps} || element_storage_size(mask->dtype()) == 0)) {
      return ctx.error(kOp, "mask " + mask->description() + " does not match input " + x.description());
    }
    std::vector<float> state(static_cast<size_t>(num_states() * batch * units), 0.0f);
    for (int s = 0; s < num_initial_states && s < num_states(); ++s) {
      const Tensor& init = ctx.inputs[fixed + static_cast<size_t>(s)];
      if (init.dtype() != DType::kFloat || init.shape() != Shape{batch, units}) {
        return ctx.error(kOp, "initial state " + std::to_string(s) + " is " + init.description() + ", expected float32[" +
                                  std::to_string(batch) + ", " + std::to_string(units) + "]");
      }
      std::memcpy(state.data() + s * batch * units, init.data<float>(), sizeof(float) * static_cast<size_t>(batch * units));
    }

    Shape out_shape = return_sequences ? Shape{batch, steps, units} : Shape{batch, units};
    TFPORT_ASSIGN_OR_RETURN(Tensor * out_t, add_output(ctx, kOp, DType::kFloat, out_shape));
    float* out = out_t->mutable_data<float>();

    TFPORT_ASSIGN_OR_RETURN(Tensor xw_t, Tensor::allocate(DType::kFloat, Shape{batch * steps, n}));
    std::vector<float> prev_out(static_cast<size_t>(batch * units), 0.0f);
    Rows rows{x.data<float>(), w.data<float>(), u.data<float>(), bi.data<float>(), br.data<float>(), mask,
              xw_t.mutable_data<float>(), state.data(), cell == Cell::kLstm ? state.data() + batch * units : nullptr,
              prev_out.data(), out, steps, feat};
    // Batch rows are independent sequences: each thread runs whole sequences of its share, so
    // threads meet once per layer rather than once per time step. The cost is in cycles per
    // chunk, roughly (multiply-adds / 8), for parallel_for's worth-a-thread test.
    const int64_t chunks = std::min<int64_t>(batch, std::max(1, ctx.device->numThreads()));
    const double cost = static_cast<double>(steps * n * (units + feat)) * static_cast<double>(batch) /
                        static_cast<double>(chunks) / 8.0;
    parallel_for(ctx.device, chunks, cost, [&](int64_t c0, int64_t c1) {
      run_rows(rows, c0 * batch / chunks, c1 * batch / chunks);
    });
    if (!return_sequences) std::memcpy(out, prev_out.data(), sizeof(float) * prev_out.size());
    for (int s = 0; s < num_states(); ++s) {
      TFPORT_ASSIGN_OR_RETURN(Tensor * st, add_output(ctx, kOp, DType::kFloat, Shape{batch, units}));
      std::memcpy(st->mutable_data<float>(), state.data() + s * batch * units, sizeof(float) * static_cast<size_t>(batch * units));
    }
    return Status::OK();
  }

  // The inputs of one layer run, shared by the threads that each run some batch rows.
  struct Rows {
    const float* x;
    const float* w;
    const float* u;
    const float* bi;
    const float* br;
    const Tensor* mask;
    float* xw;        // [batch * steps, n]: each step's input projection
    float* h;         // [batch, units] states, updated in place
    float* c;         // LSTM only
    float* prev_out;  // [batch, units]: the last output of each row
    float* out;       // the layer's first output
    int64_t steps, feat;
  };

  // Runs the whole sequence of batch rows [b0, b1).
  void run_rows(const Rows& r, int64_t b0, int64_t b1) const {
    const int64_t batch = b1 - b0, steps = r.steps, feat = r.feat, n = gates() * units;
    if (batch <= 0) return;
    const float* x_data = r.x + b0 * steps * feat;
    const float* w_data = r.w;
    const float* u_data = r.u;
    const float* bi_data = r.bi;
    const float* br_data = r.br;
    const Tensor* mask = r.mask;
    float* xw_data = r.xw + b0 * steps * n;
    float* h = r.h + b0 * units;
    float* c = r.c ? r.c + b0 * units : nullptr;
    float* prev_out = r.prev_out + b0 * units;
    float* out = r.out + b0 * (return_sequences ? steps : 1) * units;
    // Every step's input projection at once: [batch*time, features] x [features, n] + bias.
    Map xw(xw_data, batch * steps, n);
    const bool avx512 = rnn::recurrent_avx512_available();
    // LSTM on AVX-512: the recurrent bias joins the input bias here, and each step's product
    // starts from the step's projection, leaving the pre-activations in `rec`.
    const bool fast_lstm = avx512 && cell == Cell::kLstm && rnn::lstm_cell_avx512_supports(act, rec_act);
    if (avx512) {
      std::vector<float> bias(bi_data, bi_data + n);
      if (fast_lstm) {
        for (int64_t j = 0; j < n; ++j) bias[static_cast<size_t>(j)] += br_data[j];
      }
      rnn::matmul_add_avx512(x_data, batch * steps, feat, w_data, n, bias.data(), 0, xw_data);
    } else {
      xw.noalias() = MapC(x_data, batch * steps, feat) * MapC(w_data, feat, n);
      xw.rowwise() += Eigen::Map<const Eigen::RowVectorXf>(bi_data, n);
    }

    MapC uk(u_data, units, n);
    Eigen::Map<const Eigen::RowVectorXf> rb(br_data, n);
    RowMajor rec(batch, n);
    RowMajor hr;  // GRU without reset_after: (r * h) for the candidate's recurrent product
    if (cell == Cell::kGru && !reset_after) hr.resize(batch, units);
    std::vector<float> new_h(static_cast<size_t>(batch * units));
    std::vector<float> new_c(cell == Cell::kLstm ? static_cast<size_t>(batch * units) : 0);
    const bool vector_lstm = cell == Cell::kLstm && has_array_form(rec_act) && has_array_form(act);
    std::vector<float> gates(vector_lstm ? static_cast<size_t>(4 * units) : 0);

    for (int64_t s = 0; s < steps; ++s) {
      const int64_t t = go_backwards ? steps - 1 - s : s;
      Map hm(h, batch, units);
      if (fast_lstm) {
        rnn::matmul_add_avx512(h, batch, units, u_data, n, xw_data + t * n, steps * n, rec.data());
        // Without a mask every step keeps its states: they are updated in place (the product
        // has already read h) and only the sequence output is copied.
        for (int64_t b = 0; b < batch; ++b) {
          rnn::lstm_cell_avx512(rec.data() + b * n, c + b * units, units, act, rec_act,
                                mask ? new_c.data() + b * units : c + b * units,
                                mask ? new_h.data() + b * units : h + b * units);
          if (!mask && return_sequences) {
            const int64_t slot = reverse_output ? t : s;
            std::memcpy(out + (b * steps + slot) * units, h + b * units, sizeof(float) * static_cast<size_t>(units));
          }
        }
        if (!mask) continue;
      } else if (cell == Cell::kGru && !reset_after) {
        // Only the z and r parts use h directly; the candidate part is recomputed from r * h.
        rec.leftCols(2 * units).noalias() = hm * uk.leftCols(2 * units);
        rec.rowwise() += rb;
      } else if (avx512) {
        rnn::matmul_add_avx512(h, batch, units, u_data, n, br_data, 0, rec.data());
      } else {
        rec.noalias() = hm * uk;
        rec.rowwise() += rb;
      }
      for (int64_t b = 0; b < batch && !fast_lstm; ++b) {
        const float* xr = xw_data + (b * steps + t) * n;
        const float* rr = rec.data() + b * n;
        float* hb = h + b * units;
        float* nh = new_h.data() + b * units;
        switch (cell) {
          case Cell::kLstm: {
            float* cb = c + b * units;
            if (vector_lstm) {
              // Gate math with Eigen's vectorized functions: element by element it costs as
              // much as the small recurrent product.
              using Arr = Eigen::Map<Eigen::ArrayXf>;
              Arr pre(gates.data(), 4 * units);
              pre = Eigen::Map<const Eigen::ArrayXf>(xr, 4 * units) + Eigen::Map<const Eigen::ArrayXf>(rr, 4 * units);
              Arr ig(gates.data(), units), fg(gates.data() + units, units), gg(gates.data() + 2 * units, units),
                  og(gates.data() + 3 * units, units);
              apply_array(rec_act, ig);
              apply_array(rec_act, fg);
              apply_array(act, gg);
              apply_array(rec_act, og);
              Arr cn(new_c.data() + b * units, units);
              cn = fg * Eigen::Map<const Eigen::ArrayXf>(cb, units) + ig * gg;
              Arr hn(nh, units);
              hn = cn;
              apply_array(act, hn);
              hn *= og;
              break;
            }
            for (int64_t k = 0; k < units; ++k) {
              float i = apply(rec_act, xr[k] + rr[k]);
              float f = apply(rec_act, xr[units + k] + rr[units + k]);
              float g = apply(act, xr[2 * units + k] + rr[2 * units + k]);
              float o = apply(rec_act, xr[3 * units + k] + rr[3 * units + k]);
              float cn = f * cb[k] + i * g;
              nh[k] = o * apply(act, cn);
              new_c[static_cast<size_t>(b * units + k)] = cn;
            }
            break;
          }
          case Cell::kGru: {
            if (reset_after) {
              for (int64_t k = 0; k < units; ++k) {
                float z = apply(rec_act, xr[k] + rr[k]);
                float r = apply(rec_act, xr[units + k] + rr[units + k]);
                float hh = apply(act, xr[2 * units + k] + r * rr[2 * units + k]);
                nh[k] = z * hb[k] + (1.0f - z) * hh;
              }
            } else {
              for (int64_t k = 0; k < units; ++k) {
                float r = apply(rec_act, xr[units + k] + rr[units + k]);
                hr(b, k) = r * hb[k];
              }
            }
            break;
          }
          case Cell::kSimple:
            for (int64_t k = 0; k < units; ++k) nh[k] = apply(act, xr[k] + rr[k]);
            break;
        }
      }
      if (cell == Cell::kGru && !reset_after) {
        RowMajor cand = hr * uk.rightCols(units);
        for (int64_t b = 0; b < batch; ++b) {
          const float* xr = xw_data + (b * steps + t) * n;
          const float* rr = rec.data() + b * n;
          const float* hb = h + b * units;
          float* nh = new_h.data() + b * units;
          for (int64_t k = 0; k < units; ++k) {
            float z = apply(rec_act, xr[k] + rr[k]);
            float hh = apply(act, xr[2 * units + k] + cand(b, k) + rb[2 * units + k]);
            nh[k] = z * hb[k] + (1.0f - z) * hh;
          }
        }
      }
      const int64_t slot = reverse_output ? t : s;
      for (int64_t b = 0; b < batch; ++b) {
        const bool keep = !mask || mask_at(*mask, (b0 + b) * steps + t);
        float* hb = h + b * units;
        float* pb = prev_out + b * units;
        const float* nh = new_h.data() + b * units;
        if (keep) {
          std::memcpy(hb, nh, sizeof(float) * static_cast<size_t>(units));
          if (cell == Cell::kLstm) {
            std::memcpy(c + b * units, new_c.data() + b * units, sizeof(float) * static_cast<size_t>(units));
          }
          std::memcpy(pb, nh, sizeof(float) * static_cast<size_t>(units));
        } else if (zero_output_for_mask) {
          std::fill(pb, pb + units, 0.0f);
        }
        if (return_sequences) {
          std::memcpy(out + (b * steps + slot) * units, pb, sizeof(float) * static_cast<size_t>(units));
        }
      }
    }
    if (fast_lstm && !mask && steps > 0) std::memcpy(prev_out, h, sizeof(float) * static_cast<size_t>(batch * units));
  }

 private:
  static bool mask_at(const Tensor& m, int64_t i) {
    bool on = false;
    visit_dtype<kAllPlainTypes>(m.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      on = m.data<T>()[i] != T(0);
    });
    return on;
  }
};

StatusOr<std::unique_ptr<Kernel>> make_keras_rnn(const Attrs& attrs) {
  auto k = std::make_unique<KerasRnnKernel>();
  TFPORT_ASSIGN_OR_RETURN(std::string cell, attrs.get_string("cell"));
  if (cell == "lstm") k->cell = Cell::kLstm;
  else if (cell == "gru") k->cell = Cell::kGru;
  else if (cell == "simple_rnn") k->cell = Cell::kSimple;
  else return attrs.error("unknown cell '" + cell + "'");
  TFPORT_ASSIGN_OR_RETURN(k->units, attrs.get_int("units"));
  if (k->units <= 0) return attrs.error("units must be positive");
  TFPORT_ASSIGN_OR_RETURN(std::string act, attrs.get_string_or("activation", "tanh"));
  TFPORT_ASSIGN_OR_RETURN(k->act, parse_activation(attrs, act));
  TFPORT_ASSIGN_OR_RETURN(std::string rec, attrs.get_string_or("recurrent_activation", "sigmoid"));
  TFPORT_ASSIGN_OR_RETURN(k->rec_act, parse_activation(attrs, rec));
  TFPORT_ASSIGN_OR_RETURN(k->reset_after, attrs.get_bool_or("reset_after", true));
  TFPORT_ASSIGN_OR_RETURN(k->go_backwards, attrs.get_bool_or("go_backwards", false));
  TFPORT_ASSIGN_OR_RETURN(k->return_sequences, attrs.get_bool_or("return_sequences", false));
  TFPORT_ASSIGN_OR_RETURN(k->reverse_output, attrs.get_bool_or("reverse_output", false));
  TFPORT_ASSIGN_OR_RETURN(k->zero_output_for_mask, attrs.get_bool_or("zero_output_for_mask", false));
  TFPORT_ASSIGN_OR_RETURN(k->has_mask, attrs.get_bool_or("has_mask", false));
  TFPORT_ASSIGN_OR_RETURN(int64_t states, attrs.get_int_or("num_initial_states", 0));
  if (states < 0 || states > k->num_states()) return attrs.error("bad num_initial_states " + std::to_string(states));
  k->num_initial_states = static_cast<int>(states);
  return std::unique_ptr<Kernel>(std::move(k));
}

StatusOr<std::vector<PartialShape>> keras_rnn_shapes(std::span<const PartialShape> in, const Attrs& attrs) {
  TFPORT_ASSIGN_OR_RETURN(int64_t units, attrs.get_int("units"));
  TFPORT_ASSIGN_OR_RETURN(bool seq, attrs.get_bool_or("return_sequences", false));
  TFPORT_ASSIGN_OR_RETURN(std::string cell, attrs.get_string("cell"));
  int64_t batch = -1, steps = -1;
  if (!in.empty() && !in[0].unknown_rank() && in[0].rank() == 3) {
    batch = in[0].dims()[0];
    steps = in[0].dims()[1];
  }
  std::vector<PartialShape> out;
  out.push_back(seq ? PartialShape(std::vector<int64_t>{batch, steps, units}) : PartialShape(std::vector<int64_t>{batch, units}));
  out.push_back(PartialShape(std::vector<int64_t>{batch, units}));
  if (cell == "lstm") out.push_back(PartialShape(std::vector<int64_t>{batch, units}));
  return out;
}

// CudnnRNN / CudnnRNNV2 / CudnnRNNV3 on the CPU, for graphs that keep Keras' GPU branch
// reachable: one layer, one direction. The opaque params buffer holds, in cuDNN's canonical
// order, every gate's input matrix [units, features] and recurrent matrix [units, units]
// (gates i, f, c, o for LSTM; r, z, h for GRU), then their input and recurrent biases. They are
// rearranged into the Keras layout and run by the Keras kernel; sequence_lengths (V3) become a
// mask with zeroed outputs past each sequence's end, as cuDNN produces.
class CudnnRnnKernel final : public Kernel {
 public:
  CudnnRnnKernel(std::string op, Cell cell, Act act, bool time_major, bool has_lengths)
      : op_(std::move(op)), cell_(cell), time_major_(time_major), has_lengths_(has_lengths) {
    inner_.cell = cell;
    inner_.act = act;
    inner_.rec_act = Act::kSigmoid;
    inner_.reset_after = true;
    inner_.return_sequences = true;
    inner_.zero_output_for_mask = true;
    inner_.num_initial_states = cell == Cell::kLstm ? 2 : 1;
  }

  Status compute(KernelContext& ctx) const override {
    TFPORT_RETURN_IF_ERROR(expect_min_inputs(ctx, op_, has_lengths_ ? 5 : 4));
    const Tensor& x = ctx.inputs[0];
    const Tensor& h0 = ctx.inputs[1];
    const Tensor& c0 = ctx.inputs[2];
    const Tensor& params = ctx.inputs[3];
    for (size_t i = 0; i < 4; ++i) {
      if (ctx.inputs[i].dtype() != DType::kFloat) return unsupported_dtype(ctx, op_, ctx.inputs[i].dtype(), kF32);
    }
    if (x.shape().rank() != 3 || h0.shape().rank() != 3) return ctx.error(op_, "expects rank-3 input and input_h");
    if (h0.shape().dim(0) != 1) return ctx.error(op_, "only one unidirectional layer is supported on the CPU");
    const int64_t steps = x.shape().dim(time_major_ ? 0 : 1), batch = x.shape().dim(time_major_ ? 1 : 0);
    const int64_t feat = x.shape().dim(2), units = h0.shape().dim(2);
    const int64_t g = cell_ == Cell::kLstm ? 4 : cell_ == Cell::kGru ? 3 : 1, n = g * units;
    if (h0.shape().dim(1) != batch || params.num_elements() != n * (feat + units + 2)) {
      return ctx.error(op_, "params " + params.description() + " and input_h " + h0.description() +
                                " do not fit input " + x.description());
    }
    if (cell_ == Cell::kLstm && c0.shape() != h0.shape()) return ctx.error(op_, "input_c must match input_h");
    // Keras layout: kernel [feat, n], recurrent [units, n]; gate blocks in Keras order.
    const int kGruToKeras[3] = {1, 0, 2};  // cuDNN r, z, h -> Keras z, r, h
    TFPORT_ASSIGN_OR_RETURN(Tensor w, Tensor::allocate(DType::kFloat, Shape{feat, n}));
    TFPORT_ASSIGN_OR_RETURN(Tensor u, Tensor::allocate(DType::kFloat, Shape{units, n}));
    TFPORT_ASSIGN_OR_RETURN(Tensor bi, Tensor::allocate(DType::kFloat, Shape{n}));
    TFPORT_ASSIGN_OR_RETURN(Tensor br, Tensor::allocate(DType::kFloat, Shape{n}));
    const float* p = params.data<float>();
    for (int64_t gate = 0; gate < g; ++gate) {
      const int64_t col = (cell_ == Cell::kGru ? kGruToKeras[gate] : gate) * units;
      const float* wg = p + gate * units * feat;
      const float* rg = p + g * units * feat + gate * units * units;
      const float* bw = p + g * units * (feat + units) + gate * units;
      const float* bR = p + g * units * (feat + units) + n + gate * units;
      for (int64_t k = 0; k < units; ++k) {
        for (int64_t f = 0; f < feat; ++f) w.mutable_data<float>()[f * n + col + k] = wg[k * feat + f];
        for (int64_t j = 0; j < units; ++j) u.mutable_data<float>()[j * n + col + k] = rg[k * units + j];
        bi.mutable_data<float>()[col + k] = bw[k];
        br.mutable_data<float>()[col + k] = bR[k];
      }
    }
    TFPORT_ASSIGN_OR_RETURN(Tensor xb, to_batch_major(x, time_major_));
    std::vector<Tensor> inputs{xb, w, u, bi, br};
    KerasRnnKernel inner = inner_;
    inner.units = units;
    if (has_lengths_) {
      TFPORT_ASSIGN_OR_RETURN(std::vector<int64_t> lengths, read_int_values(ctx, op_, ctx.inputs[4], "sequence_lengths"));
      if (static_cast<int64_t>(lengths.size()) != batch) return ctx.error(op_, "one sequence length per batch entry expected");
      TFPORT_ASSIGN_OR_RETURN(Tensor mask, Tensor::allocate(DType::kBool, Shape{batch, steps}));
      for (int64_t b = 0; b < batch; ++b) {
        for (int64_t t = 0; t < steps; ++t) mask.mutable_data<bool>()[b * steps + t] = t < lengths[static_cast<size_t>(b)];
      }
      inputs.push_back(mask);
      inner.has_mask = true;
    }
    inputs.push_back(reshaped_view(h0, Shape{batch, units}));
    if (cell_ == Cell::kLstm) inputs.push_back(reshaped_view(c0, Shape{batch, units}));
    std::vector<Tensor> outs;
    KernelContext sub{inputs, &outs, ctx.device, ctx.node_name, ctx.resources};
    TFPORT_RETURN_IF_ERROR(inner.compute(sub));
    TFPORT_ASSIGN_OR_RETURN(Tensor y, to_batch_major(outs[0], time_major_));  // the swap is its own inverse
    ctx.outputs->push_back(std::move(y));
    ctx.outputs->push_back(reshaped_view(outs[1], Shape{1, batch, units}));
    if (cell_ == Cell::kLstm) {
      ctx.outputs->push_back(reshaped_view(outs[2], Shape{1, batch, units}));
    } else {
      TFPORT_ASSIGN_OR_RETURN(Tensor * c, add_output(ctx, op_, DType::kFloat, c0.shape()));
      (void)c;
    }
    TFPORT_RETURN_IF_ERROR(add_output(ctx, op_, DType::kFloat, Shape{0}).status());  // reserve_space
    if (op_ != "CudnnRNN") TFPORT_RETURN_IF_ERROR(add_output(ctx, op_, DType::kInt8, Shape{0}).status());
    return Status::OK();
  }

 private:
  // [a, b, f] -> [b, a, f] when `swap`, else the tensor itself.
  static StatusOr<Tensor> to_batch_major(const Tensor& x, bool swap) {
    if (!swap) return x;
    const int64_t a = x.shape().dim(0), b = x.shape().dim(1), f = x.shape().dim(2);
    TFPORT_ASSIGN_OR_RETURN(Tensor out, Tensor::allocate(DType::kFloat, Shape{b, a, f}));
    for (int64_t i = 0; i < a; ++i) {
      for (int64_t j = 0; j < b; ++j) {
        std::memcpy(out.mutable_data<float>() + (j * a + i) * f, x.data<float>() + (i * b + j) * f,
                    sizeof(float) * static_cast<size_t>(f));
      }
    }
    return out;
  }

  std::string op_;
  Cell cell_;
  bool time_major_;
  bool has_lengths_;
  KerasRnnKernel inner_;
};

StatusOr<std::unique_ptr<Kernel>> make_cudnn_rnn(const Attrs& attrs) {
  TFPORT_ASSIGN_OR_RETURN(std::string mode, attrs.get_string_or("rnn_mode", "lstm"));
  TFPORT_ASSIGN_OR_RETURN(std::string input_mode, attrs.get_string_or("input_mode", "linear_input"));
  TFPORT_ASSIGN_OR_RETURN(std::string direction, attrs.get_string_or("direction", "unidirectional"));
  TFPORT_ASSIGN_OR_RETURN(bool time_major, attrs.get_bool_or("time_major", true));
  TFPORT_ASSIGN_OR_RETURN(int64_t num_proj, attrs.get_int_or("num_proj", 0));
  if (input_mode != "linear_input" || direction != "unidirectional" || num_proj != 0) {
    return Status(StatusCode::kUnimplemented,
                  attrs.error("only linear_input, unidirectional, unprojected cuDNN RNNs run on the CPU").message());
  }
  Cell cell = Cell::kSimple;
  Act act = Act::kTanh;
  if (mode == "lstm") cell = Cell::kLstm;
  else if (mode == "gru") cell = Cell::kGru;
  else if (mode == "rnn_relu") act = Act::kRelu;
  else if (mode != "rnn_tanh") return attrs.error("unknown rnn_mode '" + mode + "'");
  TFPORT_RETURN_IF_ERROR(check_type_attr(attrs, "T", kF32));
  return std::unique_ptr<Kernel>(
      std::make_unique<CudnnRnnKernel>(std::string(attrs.op()), cell, act, time_major, attrs.op() == "CudnnRNNV3"));
}

}  // namespace

TFPORT_REGISTER_OP({"_TfportKerasRNN", &make_keras_rnn, &keras_rnn_shapes});
TFPORT_REGISTER_OP({"CudnnRNN", &make_cudnn_rnn});
TFPORT_REGISTER_OP({"CudnnRNNV2", &make_cudnn_rnn});
TFPORT_REGISTER_OP({"CudnnRNNV3", &make_cudnn_rnn});

}  // namespace tfport::runtime::ops
