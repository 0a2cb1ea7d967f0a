// ResizeBilinear and ResizeNearestNeighbor (NHWC) with TF's coordinate rules:
//   scale = align_corners && out > 1 ? (in - 1) / (out - 1) : in / out
//   half_pixel_centers: source = (dst + 0.5) * scale - 0.5 (bilinear) / (dst + 0.5) * scale (nearest)
//   legacy:             source = dst * scale
// Bilinear clamps the two neighbours to the image and interpolates x then y; the output is
// float32 for every input type, as in TF. Also CropAndResize (detection models' box crops).
#include <algorithm>
#include <cmath>

#include "runtime/ops/op_util.h"

namespace tfport::runtime::ops {
namespace {

constexpr uint32_t kResizeTypes = kF32 | kF64 | kI32 | kI64 | kU8 | kI8 | kI16 | kU16 | kF16 | kBF16;

float resize_scale(int64_t in, int64_t out, bool align_corners) {
  return (align_corners && out > 1) ? static_cast<float>(in - 1) / static_cast<float>(out - 1)
                                    : static_cast<float>(in) / static_cast<float>(out);
}

class ResizeKernel final : public Kernel {
 public:
  ResizeKernel(std::string op, bool bilinear, bool align, bool half)
      : op_(std::move(op)), bilinear_(bilinear), align_(align), half_(half) {}

  Status compute(KernelContext& ctx) const override {
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, op_, 2));
    const Tensor& x = ctx.inputs[0];
    if (x.shape().rank() != 4) return ctx.error(op_, "images must have rank 4, got " + x.shape().to_string());
    TFPORT_ASSIGN_OR_RETURN(auto size, read_int_values(ctx, op_, ctx.inputs[1], "size"));
    if (size.size() != 2 || size[0] <= 0 || size[1] <= 0) return ctx.error(op_, "size must be 2 positive values");
    const int64_t n = x.shape().dim(0), ih = x.shape().dim(1), iw = x.shape().dim(2), c = x.shape().dim(3);
    const int64_t oh = size[0], ow = size[1];
    if (ih <= 0 || iw <= 0) return ctx.error(op_, "input image must be non-empty");
    const DType out_type = bilinear_ ? DType::kFloat : x.dtype();
    TFPORT_ASSIGN_OR_RETURN(Tensor * out, add_output(ctx, op_, out_type, Shape{n, oh, ow, c}));
    const float sy = resize_scale(ih, oh, align_), sx = resize_scale(iw, ow, align_);
    Tensor* o = out;
    const bool handled = visit_dtype<kResizeTypes>(x.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* in = x.data<T>();
      if (bilinear_) {
        struct W { int64_t lo, hi; float lerp; };
        auto weights = [&](int64_t out_size, int64_t in_size, float scale) {
          std::vector<W> w(static_cast<std::size_t>(out_size));
          for (int64_t i = 0; i < out_size; ++i) {
            const float src = half_ ? (static_cast<float>(i) + 0.5f) * scale - 0.5f : static_cast<float>(i) * scale;
            const float fl = std::floor(src);
            w[static_cast<std::size_t>(i)] = {std::max<int64_t>(static_cast<int64_t>(fl), 0),
                                              std::min<int64_t>(static_cast<int64_t>(std::ceil(src)), in_size - 1), src - fl};
          }
          return w;
        };
        const auto wy = weights(oh, ih, sy), wx = weights(ow, iw, sx);
        float* dst = o->mutable_data<float>();
        parallel_for(ctx.device, n * oh, static_cast<double>(ow * c * 8), [&](int64_t r0, int64_t r1) {
          for (int64_t r = r0; r < r1; ++r) {
            const int64_t b = r / oh, y = r % oh;
            const W& yw = wy[static_cast<std::size_t>(y)];
            const T* top = in + (b * ih + yw.lo) * iw * c;
            const T* bot = in + (b * ih + yw.hi) * iw * c;
            for (int64_t xo = 0; xo < ow; ++xo) {
              const W& xw = wx[static_cast<std::size_t>(xo)];
              float* d = dst + (r * ow + xo) * c;
              for (int64_t k = 0; k < c; ++k) {
                const float tl = static_cast<float>(top[xw.lo * c + k]), tr = static_cast<float>(top[xw.hi * c + k]);
                const float bl = static_cast<float>(bot[xw.lo * c + k]), br = static_cast<float>(bot[xw.hi * c + k]);
                const float t = tl + (tr - tl) * xw.lerp;
                const float bb = bl + (br - bl) * xw.lerp;
                d[k] = t + (bb - t) * yw.lerp;
              }
            }
          }
        });
      } else {
        auto nearest = [&](int64_t i, int64_t in_size, float scale) {
          const float src = half_ ? (static_cast<float>(i) + 0.5f) * scale : static_cast<float>(i) * scale;
          int64_t v = align_ ? static_cast<int64_t>(std::round(src)) : static_cast<int64_t>(std::floor(src));
          v = std::min(v, in_size - 1);
          return half_ ? std::max<int64_t>(v, 0) : v;
        };
        T* dst = o->mutable_data<T>();
        for (int64_t b = 0; b < n; ++b)
          for (int64_t y = 0; y < oh; ++y) {
            const int64_t iy = nearest(y, ih, sy);
            for (int64_t xo = 0; xo < ow; ++xo) {
              const int64_t ix = nearest(xo, iw, sx);
              std::copy(in + ((b * ih + iy) * iw + ix) * c, in + ((b * ih + iy) * iw + ix + 1) * c,
                        dst + ((b * oh + y) * ow + xo) * c);
            }
          }
      }
    });
    if (!handled) return unsupported_dtype(ctx, op_, x.dtype(), kResizeTypes);
    return Status::OK();
  }

 private:
  std::string op_;
  bool bilinear_, align_, half_;
};

template <bool kBilinear>
StatusOr<std::unique_ptr<Kernel>> make_resize(const Attrs& attrs) {
  TFPORT_ASSIGN_OR_RETURN(bool align, attrs.get_bool_or("align_corners", false));
  TFPORT_ASSIGN_OR_RETURN(bool half, attrs.get_bool_or("half_pixel_centers", false));
  if (align && half) return attrs.error("align_corners and half_pixel_centers cannot both be true");
  return std::unique_ptr<Kernel>(new ResizeKernel(std::string(attrs.op()), kBilinear, align, half));
}
TFPORT_REGISTER_OP({"ResizeBilinear", &make_resize<true>});
TFPORT_REGISTER_OP({"ResizeNearestNeighbor", &make_resize<false>});

// CropAndResize: for each box (y1, x1, y2, x2 in [0, 1] of image box_ind[i]) a crop_height x
// crop_width float sample of the image, bilinear or nearest, with sample points spread from
// corner to corner (one point: the box's center); points outside the image take
// extrapolation_value.
class CropAndResizeKernel final : public Kernel {
 public:
  CropAndResizeKernel(bool bilinear, float extrapolation) : bilinear_(bilinear), extrapolation_(extrapolation) {}
  Status compute(KernelContext& ctx) const override {
    static constexpr std::string_view kOp = "CropAndResize";
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, kOp, 4));
    const Tensor& image = ctx.inputs[0];
    const Tensor& boxes = ctx.inputs[1];
    const Tensor& box_ind = ctx.inputs[2];
    if (image.shape().rank() != 4) return ctx.error(kOp, "image must be [batch, height, width, depth]");
    if (boxes.dtype() != DType::kFloat || boxes.shape().rank() != 2 || boxes.shape().dim(1) != 4) {
      return ctx.error(kOp, "boxes must be float [num_boxes, 4]");
    }
    const int64_t n = boxes.shape().dim(0);
    TFPORT_ASSIGN_OR_RETURN(auto index, read_int_values(ctx, kOp, box_ind, "box_ind"));
    TFPORT_ASSIGN_OR_RETURN(auto size, read_int_values(ctx, kOp, ctx.inputs[3], "crop_size"));
    if (static_cast<int64_t>(index.size()) != n) return ctx.error(kOp, "box_ind must have one entry per box");
    if (size.size() != 2 || size[0] <= 0 || size[1] <= 0) return ctx.error(kOp, "crop_size must be two positive sizes");
    const int64_t batch = image.shape().dim(0), h = image.shape().dim(1), w = image.shape().dim(2), d = image.shape().dim(3);
    const int64_t ch = size[0], cw = size[1];
    for (int64_t b : index) {
      if (b < 0 || b >= batch) return ctx.error(kOp, "box_ind " + std::to_string(b) + " is not an image of the batch");
    }
    Status status;
    const bool handled = visit_dtype<kRealTypes>(image.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      auto out = add_output_uninitialized(ctx, kOp, DType::kFloat, Shape{n, ch, cw, d});
      if (!out.ok()) {
        status = out.status();
        return;
      }
      const T* img = image.data<T>();
      float* o = (*out)->template mutable_data<float>();
      auto at = [&](int64_t b, int64_t y, int64_t x, int64_t c) { return static_cast<float>(img[((b * h + y) * w + x) * d + c]); };
      for (int64_t i = 0; i < n; ++i) {
        const float* box = boxes.data<float>() + i * 4;
        const float y1 = box[0], x1 = box[1], y2 = box[2], x2 = box[3];
        const int64_t b = index[static_cast<size_t>(i)];
        const float hs = ch > 1 ? (y2 - y1) * static_cast<float>(h - 1) / static_cast<float>(ch - 1) : 0;
        const float ws = cw > 1 ? (x2 - x1) * static_cast<float>(w - 1) / static_cast<float>(cw - 1) : 0;
        for (int64_t y = 0; y < ch; ++y) {
          const float in_y = ch > 1 ? y1 * static_cast<float>(h - 1) + static_cast<float>(y) * hs
                                    : 0.5f * (y1 + y2) * static_cast<float>(h - 1);
          float* row = o + ((i * ch + y) * cw) * d;
          if (in_y < 0 || in_y > static_cast<float>(h - 1)) {
            std::fill(row, row + cw * d, extrapolation_);
            continue;
          }
          for (int64_t x = 0; x < cw; ++x) {
            const float in_x = cw > 1 ? x1 * static_cast<float>(w - 1) + static_cast<float>(x) * ws
                                      : 0.5f * (x1 + x2) * static_cast<float>(w - 1);
            float* px = row + x * d;
            if (in_x < 0 || in_x > static_cast<float>(w - 1)) {
              std::fill(px, px + d, extrapolation_);
              continue;
            }
            if (!bilinear_) {
              const auto ny = static_cast<int64_t>(std::round(in_y)), nx = static_cast<int64_t>(std::round(in_x));
              for (int64_t c = 0; c < d; ++c) px[c] = at(b, ny, nx, c);
              continue;
            }
            const auto top = static_cast<int64_t>(std::floor(in_y)), bottom = static_cast<int64_t>(std::ceil(in_y));
            const auto left = static_cast<int64_t>(std::floor(in_x)), right = static_cast<int64_t>(std::ceil(in_x));
            const float ly = in_y - static_cast<float>(top), lx = in_x - static_cast<float>(left);
            for (int64_t c = 0; c < d; ++c) {
              const float tl = at(b, top, left, c), tr = at(b, top, right, c);
              const float bl = at(b, bottom, left, c), br = at(b, bottom, right, c);
              const float t = tl + (tr - tl) * lx, u = bl + (br - bl) * lx;
              px[c] = t + (u - t) * ly;
            }
          }
        }
      }
    });
    if (!handled) return unsupported_dtype(ctx, kOp, image.dtype(), kRealTypes);
    return status;
  }

 private:
  bool bilinear_;
  float extrapolation_;
};

StatusOr<std::unique_ptr<Kernel>> make_crop_and_resize(const Attrs& attrs) {
  TFPORT_ASSIGN_OR_RETURN(std::string method, attrs.get_string_or("method", "bilinear"));
  if (method != "bilinear" && method != "nearest") return attrs.error("method must be 'bilinear' or 'nearest'");
  TFPORT_ASSIGN_OR_RETURN(float extrapolation, attrs.get_float_or("extrapolation_value", 0.f));
  return std::unique_ptr<Kernel>(new CropAndResizeKernel(method == "bilinear", extrapolation));
}
TFPORT_REGISTER_OP({"CropAndResize", &make_crop_and_resize});

}  // namespace
}  // namespace tfport::runtime::ops
