// The matrix product the MatMul, BatchMatMul and Einsum kernels share.
#pragma once

#include <cstdint>

#include "runtime/ops/op_util.h"

namespace tfport::runtime::ops {

constexpr uint32_t kMatMulTypes = kF32 | kF64 | kI32 | kI64;

// C[m, n] = op(A) * op(B) for row-major blocks (op = transpose when ta / tb), leading dims as
// stored: float32 through oneDNN's sgemm (small products through Eigen, single-threaded), the
// other kMatMulTypes through Eigen.
template <typename T>
Status gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const T* a, const T* b, T* c);

}  // namespace tfport::runtime::ops
