// Only the functions marked kAvx512 use AVX-512 instructions; everything here has internal
// linkage or is a plain entry point, so no AVX-512 code can be picked by the linker for a
// function that baseline code also instantiates (as would happen with Eigen templates built
// with -mavx512f in one file only).
#include "runtime/ops/recurrent_avx512.h"

#include <atomic>

// GCC 12 reports the deliberately undefined pass-through operand of its own AVX-512 intrinsics
// (_mm512_undefined_ps) as maybe uninitialized when they are inlined into target("avx512f")
// functions.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#define TFPORT_AVX512 __attribute__((target("avx512f")))

namespace tfport::runtime::ops::rnn {
namespace {

std::atomic<bool> g_enabled{true};

TFPORT_AVX512 inline __mmask16 tail_mask(int64_t remaining) {
  if (remaining <= 0) return 0;
  return remaining >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << remaining) - 1u);
}

// R rows of `a` times the column block [col, col + 16 C) of b: R x C accumulators in registers,
// one pass over b's rows, each 16-wide piece of b loaded once for all R rows. Full blocks use
// plain loads; only the last block of a row masks off the columns past n.
template <int R, int C, bool kFull>
TFPORT_AVX512 void block(const float* a, int64_t k, const float* b, int64_t n, int64_t col, const float* init,
                         int64_t init_stride, float* out) {
  __mmask16 m[C];
#pragma GCC unroll 8
  for (int c = 0; c < C; ++c) m[c] = kFull ? static_cast<__mmask16>(0xFFFF) : tail_mask(n - col - 16 * c);
  __m512 acc[R][C];
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) {
#pragma GCC unroll 8
    for (int c = 0; c < C; ++c) {
      const float* src = init + r * init_stride + col + 16 * c;
      acc[r][c] = kFull ? _mm512_loadu_ps(src) : _mm512_maskz_loadu_ps(m[c], src);
    }
  }
  for (int64_t kk = 0; kk < k; ++kk) {
    const float* brow = b + kk * n + col;
    __m512 w[C];
#pragma GCC unroll 8
    for (int c = 0; c < C; ++c) w[c] = kFull ? _mm512_loadu_ps(brow + 16 * c) : _mm512_maskz_loadu_ps(m[c], brow + 16 * c);
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      const __m512 x = _mm512_set1_ps(a[r * k + kk]);
#pragma GCC unroll 8
      for (int c = 0; c < C; ++c) acc[r][c] = _mm512_fmadd_ps(x, w[c], acc[r][c]);
    }
  }
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) {
#pragma GCC unroll 8
    for (int c = 0; c < C; ++c) {
      float* dst = out + r * n + col + 16 * c;
      if (kFull) {
        _mm512_storeu_ps(dst, acc[r][c]);
      } else {
        _mm512_mask_storeu_ps(dst, m[c], acc[r][c]);
      }
    }
  }
}

// The last, partial column block with only as many vectors as columns remain (`vectors`),
// so no FMA works on columns that are all masked off.
template <int R, int C>
TFPORT_AVX512 void tail(int64_t vectors, const float* a, int64_t k, const float* b, int64_t n, int64_t col,
                        const float* init, int64_t init_stride, float* out) {
  if constexpr (C > 1) {
    if (vectors < C) return tail<R, C - 1>(vectors, a, k, b, n, col, init, init_stride, out);
  }
  block<R, C, false>(a, k, b, n, col, init, init_stride, out);
}

template <int R, int C>
TFPORT_AVX512 void rows(const float* a, int64_t k, const float* b, int64_t n, const float* init, int64_t init_stride,
                        float* out) {
  int64_t col = 0;
  for (; col + 16 * C <= n; col += 16 * C) block<R, C, true>(a, k, b, n, col, init, init_stride, out);
  if (col < n) tail<R, C>((n - col + 15) / 16, a, k, b, n, col, init, init_stride, out);
}

// e^x in float32: x = n ln2 + r with |r| <= ln2 / 2 (ln2 split in two so n ln2 is exact), e^r
// by its Taylor series to r^7 (truncation below 1e-8 relative), then scaled by 2^n.
TFPORT_AVX512 inline __m512 exp_ps(__m512 x) {
  x = _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(-87.0f)), _mm512_set1_ps(88.0f));
  const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)),
                                        _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693145751953125f), x);
  r = _mm512_fnmadd_ps(n, _mm512_set1_ps(1.428606765330187e-06f), r);
  __m512 p = _mm512_set1_ps(1.0f / 5040.0f);
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 720.0f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 120.0f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 24.0f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 6.0f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.5f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
  return _mm512_scalef_ps(p, n);
}

TFPORT_AVX512 inline __m512 sigmoid_ps(__m512 x) {
  const __m512 one = _mm512_set1_ps(1.0f);
  return _mm512_div_ps(one, _mm512_add_ps(one, exp_ps(_mm512_sub_ps(_mm512_setzero_ps(), x))));
}

// tanh |x| = (1 - e) / (1 + e) with e = e^(-2|x|), then x's sign: absolute error below 1e-7.
TFPORT_AVX512 inline __m512 tanh_ps(__m512 x) {
  const __m512 one = _mm512_set1_ps(1.0f);
  const __m512 e = exp_ps(_mm512_mul_ps(_mm512_abs_ps(x), _mm512_set1_ps(-2.0f)));
  const __m512 t = _mm512_div_ps(_mm512_sub_ps(one, e), _mm512_add_ps(one, e));
  const __m512i sign = _mm512_and_epi32(_mm512_castps_si512(x), _mm512_set1_epi32(static_cast<int>(0x80000000u)));
  return _mm512_castsi512_ps(_mm512_or_epi32(_mm512_castps_si512(t), sign));
}

TFPORT_AVX512 inline __m512 clamp01(__m512 x) {
  return _mm512_min_ps(_mm512_max_ps(x, _mm512_setzero_ps()), _mm512_set1_ps(1.0f));
}

TFPORT_AVX512 inline __m512 activate(Act a, __m512 x) {
  switch (a) {
    case Act::kTanh: return tanh_ps(x);
    case Act::kSigmoid: return sigmoid_ps(x);
    case Act::kHardSigmoid: return clamp01(_mm512_fmadd_ps(x, _mm512_set1_ps(0.2f), _mm512_set1_ps(0.5f)));
    case Act::kHardSigmoidV3:
      return clamp01(_mm512_add_ps(_mm512_div_ps(x, _mm512_set1_ps(6.0f)), _mm512_set1_ps(0.5f)));
    case Act::kRelu: return _mm512_max_ps(x, _mm512_setzero_ps());
    default: return x;  // kLinear; lstm_cell_avx512_supports keeps the others away
  }
}

bool supported(Act a) {
  return a == Act::kTanh || a == Act::kSigmoid || a == Act::kHardSigmoid || a == Act::kHardSigmoidV3 ||
         a == Act::kRelu || a == Act::kLinear;
}

}  // namespace

bool recurrent_avx512_available() {
  static const bool cpu = __builtin_cpu_supports("avx512f");
  return cpu && g_enabled.load(std::memory_order_relaxed);
}

void set_recurrent_avx512_enabled(bool enabled) { g_enabled.store(enabled, std::memory_order_relaxed); }

TFPORT_AVX512 void matmul_add_avx512(const float* a, int64_t rows_total, int64_t k, const float* b, int64_t n,
                                     const float* init, int64_t init_stride, float* out) {
  // Row groups sized so that accumulators and b's pieces fit the 32 vector registers; for one
  // row, eight independent accumulators hide the FMA latency.
  int64_t r = 0;
  for (; r + 8 <= rows_total; r += 8) rows<8, 2>(a + r * k, k, b, n, init + r * init_stride, init_stride, out + r * n);
  if (rows_total - r >= 4) {
    rows<4, 4>(a + r * k, k, b, n, init + r * init_stride, init_stride, out + r * n);
    r += 4;
  }
  if (rows_total - r >= 2) {
    rows<2, 8>(a + r * k, k, b, n, init + r * init_stride, init_stride, out + r * n);
    r += 2;
  }
  if (rows_total - r >= 1) rows<1, 8>(a + r * k, k, b, n, init + r * init_stride, init_stride, out + r * n);
}

bool lstm_cell_avx512_supports(Act act, Act recurrent_act) { return supported(act) && supported(recurrent_act); }

TFPORT_AVX512 void lstm_cell_avx512(const float* pre, const float* c, int64_t units, Act act, Act recurrent_act,
                                    float* c_new, float* h_new) {
  for (int64_t j = 0; j < units; j += 16) {
    const __mmask16 m = tail_mask(units - j);
    const __m512 i = activate(recurrent_act, _mm512_maskz_loadu_ps(m, pre + j));
    const __m512 f = activate(recurrent_act, _mm512_maskz_loadu_ps(m, pre + units + j));
    const __m512 g = activate(act, _mm512_maskz_loadu_ps(m, pre + 2 * units + j));
    const __m512 o = activate(recurrent_act, _mm512_maskz_loadu_ps(m, pre + 3 * units + j));
    const __m512 cn = _mm512_fmadd_ps(f, _mm512_maskz_loadu_ps(m, c + j), _mm512_mul_ps(i, g));
    _mm512_mask_storeu_ps(c_new + j, m, cn);
    _mm512_mask_storeu_ps(h_new + j, m, _mm512_mul_ps(o, activate(act, cn)));
  }
}

}  // namespace tfport::runtime::ops::rnn
