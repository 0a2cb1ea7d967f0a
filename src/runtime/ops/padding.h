// TensorFlow's window arithmetic for convolutions and pooling (SAME / VALID / EXPLICIT).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tfport/status.h"

namespace tfport::runtime::ops {

enum class Padding { kValid, kSame, kExplicit };

// "SAME" / "VALID" / "EXPLICIT" (the latter only where `allow_explicit`).
StatusOr<Padding> parse_padding(std::string_view text, bool allow_explicit);

struct WindowDim {
  int64_t out = 0;
  int64_t pad_before = 0;
  int64_t pad_after = 0;
};

// For input size `in`, window `k`, `stride`, `dilation`:
//   VALID:    out = (in - K + stride) / stride (C++ division, as TF), no padding;
//             K = (k - 1) * dilation + 1
//   SAME:     out = ceil(in / stride), total = max((out - 1) * stride + K - in, 0),
//             before = total / 2, after = total - before
//   EXPLICIT: out = (in + before + after - K + stride) / stride
// Errors (message without node context) when the output would be negative or sizes are bad.
StatusOr<WindowDim> window_dim(int64_t in, int64_t k, int64_t stride, int64_t dilation, Padding padding,
                               int64_t explicit_before = 0, int64_t explicit_after = 0);

}  // namespace tfport::runtime::ops
