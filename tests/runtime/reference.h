// Plain-loop reference implementations: the oracles the kernels are checked against.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "tfport/tensor.h"

namespace tfport::runtime::testing {

// Coordinates <-> flat index helpers.
std::vector<int64_t> unravel(int64_t index, const Shape& shape);
int64_t ravel(const std::vector<int64_t>& coord, const Shape& shape);
// Index into `in` for output coordinate `coord` under broadcasting (in aligned to the right).
int64_t broadcast_index(const std::vector<int64_t>& coord, const Shape& in);

// out[i] = f(a[bi], b[bi]) over the broadcast shape, all as double, output float.
Tensor ref_binary_float(const Tensor& a, const Tensor& b, const std::function<double(double, double)>& f);

// NHWC conv, HWIO filter; pads given explicitly.
Tensor ref_conv2d(const Tensor& x, const Tensor& w, int sh, int sw, int dh, int dw, int pad_top, int pad_left,
                  int64_t out_h, int64_t out_w);
// NHWC depthwise conv, filter [kh, kw, C, M].
Tensor ref_depthwise(const Tensor& x, const Tensor& w, int sh, int sw, int dh, int dw, int pad_top, int pad_left,
                     int64_t out_h, int64_t out_w);
// Row-major [M,K] x [K,N].
Tensor ref_matmul(const Tensor& a, const Tensor& b, bool ta, bool tb);

}  // namespace tfport::runtime::testing
