#include "reference.h"

namespace tfport::runtime::testing {

std::vector<int64_t> unravel(int64_t index, const Shape& shape) {
  std::vector<int64_t> c(static_cast<size_t>(shape.rank()));
  for (int d = shape.rank() - 1; d >= 0; --d) {
    c[static_cast<size_t>(d)] = index % shape.dim(d);
    index /= shape.dim(d);
  }
  return c;
}

int64_t ravel(const std::vector<int64_t>& coord, const Shape& shape) {
  int64_t idx = 0;
  for (int d = 0; d < shape.rank(); ++d) idx = idx * shape.dim(d) + coord[static_cast<size_t>(d)];
  return idx;
}

int64_t broadcast_index(const std::vector<int64_t>& coord, const Shape& in) {
  const int off = static_cast<int>(coord.size()) - in.rank();
  int64_t idx = 0;
  for (int d = 0; d < in.rank(); ++d) {
    const int64_t c = in.dim(d) == 1 ? 0 : coord[static_cast<size_t>(d + off)];
    idx = idx * in.dim(d) + c;
  }
  return idx;
}

Tensor ref_binary_float(const Tensor& a, const Tensor& b, const std::function<double(double, double)>& f) {
  const int rank = std::max(a.shape().rank(), b.shape().rank());
  std::vector<int64_t> dims(static_cast<size_t>(rank));
  for (int i = 0; i < rank; ++i) {
    const int ia = a.shape().rank() - rank + i, ib = b.shape().rank() - rank + i;
    const int64_t da = ia >= 0 ? a.shape().dim(ia) : 1, db = ib >= 0 ? b.shape().dim(ib) : 1;
    dims[static_cast<size_t>(i)] = da == 1 ? db : da;
  }
  Tensor out = Tensor::allocate(DType::kFloat, Shape(dims)).value();
  for (int64_t i = 0; i < out.num_elements(); ++i) {
    auto c = unravel(i, out.shape());
    out.mutable_data<float>()[i] = static_cast<float>(
        f(a.data<float>()[broadcast_index(c, a.shape())], b.data<float>()[broadcast_index(c, b.shape())]));
  }
  return out;
}

Tensor ref_conv2d(const Tensor& x, const Tensor& w, int sh, int sw, int dh, int dw, int pad_top, int pad_left,
                  int64_t out_h, int64_t out_w) {
  const int64_t n = x.shape().dim(0), h = x.shape().dim(1), wd = x.shape().dim(2), ci = x.shape().dim(3);
  const int64_t kh = w.shape().dim(0), kw = w.shape().dim(1), co = w.shape().dim(3);
  Tensor out = Tensor::allocate(DType::kFloat, Shape{n, out_h, out_w, co}).value();
  const float* px = x.data<float>();
  const float* pw = w.data<float>();
  float* po = out.mutable_data<float>();
  for (int64_t b = 0; b < n; ++b)
    for (int64_t oy = 0; oy < out_h; ++oy)
      for (int64_t ox = 0; ox < out_w; ++ox)
        for (int64_t o = 0; o < co; ++o) {
          double acc = 0;
          for (int64_t ky = 0; ky < kh; ++ky)
            for (int64_t kx = 0; kx < kw; ++kx) {
              const int64_t iy = oy * sh + ky * dh - pad_top, ix = ox * sw + kx * dw - pad_left;
              if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
              for (int64_t c = 0; c < ci; ++c)
                acc += static_cast<double>(px[((b * h + iy) * wd + ix) * ci + c]) * pw[((ky * kw + kx) * ci + c) * co + o];
            }
          po[((b * out_h + oy) * out_w + ox) * co + o] = static_cast<float>(acc);
        }
  return out;
}

Tensor ref_depthwise(const Tensor& x, const Tensor& w, int sh, int sw, int dh, int dw, int pad_top, int pad_left,
                     int64_t out_h, int64_t out_w) {
  const int64_t n = x.shape().dim(0), h = x.shape().dim(1), wd = x.shape().dim(2), ci = x.shape().dim(3);
  const int64_t kh = w.shape().dim(0), kw = w.shape().dim(1), m = w.shape().dim(3);
  Tensor out = Tensor::allocate(DType::kFloat, Shape{n, out_h, out_w, ci * m}).value();
  const float* px = x.data<float>();
  const float* pw = w.data<float>();
  float* po = out.mutable_data<float>();
  for (int64_t b = 0; b < n; ++b)
    for (int64_t oy = 0; oy < out_h; ++oy)
      for (int64_t ox = 0; ox < out_w; ++ox)
        for (int64_t c = 0; c < ci; ++c)
          for (int64_t q = 0; q < m; ++q) {
            double acc = 0;
            for (int64_t ky = 0; ky < kh; ++ky)
              for (int64_t kx = 0; kx < kw; ++kx) {
                const int64_t iy = oy * sh + ky * dh - pad_top, ix = ox * sw + kx * dw - pad_left;
                if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
                acc += static_cast<double>(px[((b * h + iy) * wd + ix) * ci + c]) * pw[((ky * kw + kx) * ci + c) * m + q];
              }
            po[((b * out_h + oy) * out_w + ox) * ci * m + c * m + q] = static_cast<float>(acc);
          }
  return out;
}

Tensor ref_matmul(const Tensor& a, const Tensor& b, bool ta, bool tb) {
  const int64_t m = ta ? a.shape().dim(1) : a.shape().dim(0), k = ta ? a.shape().dim(0) : a.shape().dim(1);
  const int64_t n = tb ? b.shape().dim(0) : b.shape().dim(1);
  Tensor out = Tensor::allocate(DType::kFloat, Shape{m, n}).value();
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double acc = 0;
      for (int64_t p = 0; p < k; ++p) {
        const float av = ta ? a.data<float>()[p * m + i] : a.data<float>()[i * k + p];
        const float bv = tb ? b.data<float>()[j * k + p] : b.data<float>()[p * n + j];
        acc += static_cast<double>(av) * bv;
      }
      out.mutable_data<float>()[i * n + j] = static_cast<float>(acc);
    }
  return out;
}

}  // namespace tfport::runtime::testing
