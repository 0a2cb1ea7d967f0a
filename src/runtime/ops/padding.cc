#include "runtime/ops/padding.h"

namespace tfport::runtime::ops {

StatusOr<Padding> parse_padding(std::string_view text, bool allow_explicit) {
  if (text == "SAME") return Padding::kSame;
  if (text == "VALID") return Padding::kValid;
  if (text == "EXPLICIT" && allow_explicit) return Padding::kExplicit;
  return invalid_argument_error("unsupported padding '" + std::string(text) + "'");
}

StatusOr<WindowDim> window_dim(int64_t in, int64_t k, int64_t stride, int64_t dilation, Padding padding,
                               int64_t explicit_before, int64_t explicit_after) {
  if (stride <= 0 || dilation <= 0 || k <= 0 || in < 0) {
    return invalid_argument_error("bad window: input " + std::to_string(in) + ", window " + std::to_string(k) +
                                  ", stride " + std::to_string(stride) + ", dilation " + std::to_string(dilation));
  }
  if (k > (int64_t{1} << 31) || dilation > (int64_t{1} << 31)) return invalid_argument_error("window too large");
  const int64_t eff = (k - 1) * dilation + 1;
  WindowDim w;
  switch (padding) {
    case Padding::kValid:
      w.out = (in - eff + stride) / stride;
      break;
    case Padding::kSame: {
      w.out = (in + stride - 1) / stride;
      const int64_t total = std::max<int64_t>((w.out - 1) * stride + eff - in, 0);
      w.pad_before = total / 2;
      w.pad_after = total - w.pad_before;
      break;
    }
    case Padding::kExplicit:
      if (explicit_before < 0 || explicit_after < 0) return invalid_argument_error("negative explicit padding");
      w.pad_before = explicit_before;
      w.pad_after = explicit_after;
      w.out = (in + explicit_before + explicit_after - eff + stride) / stride;
      break;
  }
  if (w.out < 0) {
    return invalid_argument_error("computed output size would be negative (input " + std::to_string(in) +
                                  ", effective window " + std::to_string(eff) + ")");
  }
  return w;
}

}  // namespace tfport::runtime::ops
