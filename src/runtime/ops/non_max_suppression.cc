// Non-maximum suppression as detection models export it: NonMaxSuppression (V1 to V5, with
// score thresholds, padding and V5's soft-NMS) and CombinedNonMaxSuppression (per class, per
// batch, the best boxes overall). The selection rules are TF's: candidates above the score
// threshold in order of score (ties: lower index first); a candidate is dropped once its IoU
// with a selected box reaches the IoU threshold (CombinedNonMaxSuppression: exceeds it), and
// soft-NMS decays the score by exp(-iou^2 / (2 sigma)) and requeues it while it stays above the
// score threshold.
#include <algorithm>
#include <cmath>
#include <limits>
#include <queue>

#include "runtime/ops/op_util.h"

namespace tfport::runtime::ops {
namespace {

// Padded outputs are as large as the sizes the graph's inputs ask for: refuse absurd ones
// rather than allocate them.
constexpr int64_t kMaxPaddedOutputs = int64_t{1} << 24;

// IoU of boxes i and j of a [n, 4] row-major array of (y1, x1, y2, x2) in any corner order.
float iou(const float* boxes, int64_t i, int64_t j) {
  const float* a = boxes + 4 * i;
  const float* b = boxes + 4 * j;
  const float ay0 = std::min(a[0], a[2]), ax0 = std::min(a[1], a[3]), ay1 = std::max(a[0], a[2]), ax1 = std::max(a[1], a[3]);
  const float by0 = std::min(b[0], b[2]), bx0 = std::min(b[1], b[3]), by1 = std::max(b[0], b[2]), bx1 = std::max(b[1], b[3]);
  const float area_a = (ay1 - ay0) * (ax1 - ax0), area_b = (by1 - by0) * (bx1 - bx0);
  if (area_a <= 0 || area_b <= 0) return 0;
  const float ih = std::max(std::min(ay1, by1) - std::max(ay0, by0), 0.f);
  const float iw = std::max(std::min(ax1, bx1) - std::max(ax0, bx0), 0.f);
  const float inter = ih * iw;
  return inter / (area_a + area_b - inter);
}

struct Selection {
  std::vector<int32_t> indices;
  std::vector<float> scores;
};

Selection select_boxes(const float* boxes, const float* scores, int64_t n, int64_t max_out, float iou_threshold,
                       float score_threshold, float soft_sigma) {
  struct Candidate {
    int32_t index;
    float score;
    size_t checked;  // selected boxes already compared against this candidate
  };
  auto lower = [](const Candidate& a, const Candidate& b) {
    return a.score < b.score || (a.score == b.score && a.index > b.index);
  };
  std::priority_queue<Candidate, std::vector<Candidate>, decltype(lower)> queue(lower);
  for (int64_t i = 0; i < n; ++i) {
    if (scores[i] > score_threshold) queue.push({static_cast<int32_t>(i), scores[i], 0});
  }
  const float decay = soft_sigma > 0 ? -0.5f / soft_sigma : 0.f;
  Selection out;
  while (static_cast<int64_t>(out.indices.size()) < max_out && !queue.empty()) {
    Candidate c = queue.top();
    queue.pop();
    const float original = c.score;
    bool dropped = false;
    for (size_t k = out.indices.size(); k-- > c.checked;) {
      const float overlap = iou(boxes, c.index, out.indices[k]);
      if (overlap >= iou_threshold) {
        dropped = true;
        break;
      }
      c.score *= std::exp(decay * overlap * overlap);
      if (c.score <= score_threshold) break;
    }
    c.checked = out.indices.size();
    if (dropped) continue;
    if (c.score == original) {
      out.indices.push_back(c.index);
      out.scores.push_back(c.score);
    } else if (c.score > score_threshold) {
      queue.push(c);  // decayed but still a candidate: its turn comes by its new score
    }
  }
  return out;
}

// NonMaxSuppression (iou_threshold attribute), V2 (input), V3 (+ score_threshold), V4
// (+ pad_to_max_output_size, valid_outputs), V5 (+ soft_nms_sigma, selected_scores).
class NmsKernel final : public Kernel {
 public:
  NmsKernel(std::string op, int version, float iou_attr, bool pad)
      : op_(std::move(op)), version_(version), iou_attr_(iou_attr), pad_(pad) {}

  Status compute(KernelContext& ctx) const override {
    const size_t inputs = version_ == 1 ? 3 : version_ == 2 ? 4 : version_ == 5 ? 6 : 5;
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, op_, inputs));
    const Tensor& boxes = ctx.inputs[0];
    const Tensor& scores = ctx.inputs[1];
    if (boxes.dtype() != DType::kFloat || scores.dtype() != DType::kFloat) {
      return unsupported_dtype(ctx, op_, boxes.dtype() != DType::kFloat ? boxes.dtype() : scores.dtype(), kF32);
    }
    if (boxes.shape().rank() != 2 || boxes.shape().dim(1) != 4) return ctx.error(op_, "boxes must be [num_boxes, 4], got " + boxes.shape().to_string());
    const int64_t n = boxes.shape().dim(0);
    if (scores.shape().rank() != 1 || scores.shape().dim(0) != n) return ctx.error(op_, "scores must be [num_boxes]");
    TFPORT_ASSIGN_OR_RETURN(int64_t max_out, read_int_scalar(ctx, op_, ctx.inputs[2], "max_output_size"));
    if (max_out < 0) return ctx.error(op_, "max_output_size must be non-negative");
    auto scalar = [&](size_t i, const char* what) -> StatusOr<float> {
      const Tensor& t = ctx.inputs[i];
      if (t.dtype() != DType::kFloat || t.num_elements() != 1) return ctx.error(op_, std::string(what) + " must be a float scalar");
      return t.data<float>()[0];
    };
    float iou_threshold = iou_attr_, score_threshold = -std::numeric_limits<float>::infinity(), sigma = 0;
    if (version_ >= 2) {
      TFPORT_ASSIGN_OR_RETURN(iou_threshold, scalar(3, "iou_threshold"));
    }
    if (version_ >= 3) {
      TFPORT_ASSIGN_OR_RETURN(score_threshold, scalar(4, "score_threshold"));
    }
    if (version_ == 5) {
      TFPORT_ASSIGN_OR_RETURN(sigma, scalar(5, "soft_nms_sigma"));
      if (sigma < 0) return ctx.error(op_, "soft_nms_sigma must be non-negative");
    }
    if (iou_threshold < 0 || iou_threshold > 1) return ctx.error(op_, "iou_threshold must be in [0, 1]");
    Selection s = select_boxes(boxes.data<float>(), scores.data<float>(), n, max_out, iou_threshold, score_threshold, sigma);
    const auto valid = static_cast<int32_t>(s.indices.size());
    if (pad_ && max_out > kMaxPaddedOutputs) return ctx.error(op_, "max_output_size too large to pad to");
    if (pad_) {
      s.indices.resize(static_cast<size_t>(max_out), 0);
      s.scores.resize(static_cast<size_t>(max_out), 0.f);
    }
    const int64_t count = static_cast<int64_t>(s.indices.size());
    TFPORT_ASSIGN_OR_RETURN(Tensor * idx, add_output_uninitialized(ctx, op_, DType::kInt32, Shape{count}));
    std::copy(s.indices.begin(), s.indices.end(), idx->mutable_data<int32_t>());
    if (version_ == 5) {
      TFPORT_ASSIGN_OR_RETURN(Tensor * sc, add_output_uninitialized(ctx, op_, DType::kFloat, Shape{count}));
      std::copy(s.scores.begin(), s.scores.end(), sc->mutable_data<float>());
    }
    if (version_ >= 4) {
      TFPORT_ASSIGN_OR_RETURN(Tensor * v, add_output_uninitialized(ctx, op_, DType::kInt32, Shape{}));
      v->mutable_data<int32_t>()[0] = valid;
    }
    return Status::OK();
  }

 private:
  std::string op_;
  int version_;
  float iou_attr_;
  bool pad_;
};

template <int kVersion>
StatusOr<std::unique_ptr<Kernel>> make_nms(const Attrs& attrs) {
  float iou = 0.5f;
  if (kVersion == 1) {
    TFPORT_ASSIGN_OR_RETURN(iou, attrs.get_float_or("iou_threshold", 0.5f));
  }
  TFPORT_ASSIGN_OR_RETURN(bool pad, attrs.get_bool_or("pad_to_max_output_size", false));
  return std::unique_ptr<Kernel>(new NmsKernel(std::string(attrs.op()), kVersion, iou, pad && kVersion >= 4));
}

// CombinedNonMaxSuppression: boxes [batch, n, q, 4] (q = 1 or one box per class), scores
// [batch, n, classes]; per class the best max_output_size_per_class boxes whose IoU with a
// better one does not exceed the threshold, then per batch the max_total_size best overall.
class CombinedNmsKernel final : public Kernel {
 public:
  CombinedNmsKernel(bool pad_per_class, bool clip) : pad_per_class_(pad_per_class), clip_(clip) {}

  Status compute(KernelContext& ctx) const override {
    static constexpr std::string_view kOp = "CombinedNonMaxSuppression";
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, kOp, 6));
    const Tensor& boxes = ctx.inputs[0];
    const Tensor& scores = ctx.inputs[1];
    if (boxes.dtype() != DType::kFloat || scores.dtype() != DType::kFloat) return unsupported_dtype(ctx, kOp, boxes.dtype(), kF32);
    if (boxes.shape().rank() != 4 || boxes.shape().dim(3) != 4 || scores.shape().rank() != 3 ||
        scores.shape().dim(0) != boxes.shape().dim(0) || scores.shape().dim(1) != boxes.shape().dim(1)) {
      return ctx.error(kOp, "boxes must be [batch, boxes, q, 4] and scores [batch, boxes, classes], got " +
                                boxes.shape().to_string() + " and " + scores.shape().to_string());
    }
    const int64_t batches = boxes.shape().dim(0), n = boxes.shape().dim(1), q = boxes.shape().dim(2);
    const int64_t classes = scores.shape().dim(2);
    if (q != 1 && q != classes) return ctx.error(kOp, "q must be 1 or the number of classes");
    TFPORT_ASSIGN_OR_RETURN(int64_t per_class, read_int_scalar(ctx, kOp, ctx.inputs[2], "max_output_size_per_class"));
    TFPORT_ASSIGN_OR_RETURN(int64_t total, read_int_scalar(ctx, kOp, ctx.inputs[3], "max_total_size"));
    if (per_class < 0 || total < 0) return ctx.error(kOp, "output sizes must be non-negative");
    if (ctx.inputs[4].num_elements() != 1 || ctx.inputs[5].num_elements() != 1 ||
        ctx.inputs[4].dtype() != DType::kFloat || ctx.inputs[5].dtype() != DType::kFloat) {
      return ctx.error(kOp, "iou_threshold and score_threshold must be float scalars");
    }
    const float iou_threshold = ctx.inputs[4].data<float>()[0], score_threshold = ctx.inputs[5].data<float>()[0];
    if (iou_threshold < 0 || iou_threshold > 1) return ctx.error(kOp, "iou_threshold must be in [0, 1]");
    if (per_class > kMaxPaddedOutputs || total > kMaxPaddedOutputs) return ctx.error(kOp, "output sizes too large");
    const int64_t per_batch = pad_per_class_ ? std::min(total, per_class * classes) : total;
    if (per_batch * std::max<int64_t>(batches, 1) > kMaxPaddedOutputs) return ctx.error(kOp, "output sizes too large");
    struct Detection {
      float score;
      int64_t cls;
      float box[4];
    };
    std::vector<std::vector<Detection>> found(static_cast<size_t>(batches));
    std::vector<float> class_boxes(static_cast<size_t>(n * 4));
    std::vector<int64_t> order(static_cast<size_t>(n));
    for (int64_t b = 0; b < batches; ++b) {
      for (int64_t c = 0; c < classes; ++c) {
        const float* sc = scores.data<float>() + b * n * classes;
        for (int64_t i = 0; i < n; ++i) {
          const float* src = boxes.data<float>() + ((b * n + i) * q + (q > 1 ? c : 0)) * 4;
          std::copy(src, src + 4, class_boxes.begin() + i * 4);
        }
        order.clear();
        for (int64_t i = 0; i < n; ++i) {
          if (sc[i * classes + c] > score_threshold) order.push_back(i);
        }
        std::stable_sort(order.begin(), order.end(),
                         [&](int64_t x, int64_t y) { return sc[x * classes + c] > sc[y * classes + c]; });
        std::vector<int64_t> kept;
        for (int64_t i : order) {
          if (static_cast<int64_t>(kept.size()) >= std::min(per_class, n)) break;
          bool keep = true;
          for (size_t k = kept.size(); k-- > 0;) {
            if (iou(class_boxes.data(), i, kept[k]) > iou_threshold) {
              keep = false;
              break;
            }
          }
          if (!keep) continue;
          kept.push_back(i);
          Detection d{sc[i * classes + c], c, {}};
          std::copy(class_boxes.begin() + i * 4, class_boxes.begin() + i * 4 + 4, d.box);
          found[static_cast<size_t>(b)].push_back(d);
        }
      }
      std::stable_sort(found[static_cast<size_t>(b)].begin(), found[static_cast<size_t>(b)].end(),
                       [](const Detection& x, const Detection& y) { return x.score > y.score; });
    }
    std::vector<Tensor*> out(4);
    TFPORT_ASSIGN_OR_RETURN(out[0], add_output(ctx, kOp, DType::kFloat, Shape{batches, per_batch, 4}));
    TFPORT_ASSIGN_OR_RETURN(out[1], add_output(ctx, kOp, DType::kFloat, Shape{batches, per_batch}));
    TFPORT_ASSIGN_OR_RETURN(out[2], add_output(ctx, kOp, DType::kFloat, Shape{batches, per_batch}));
    TFPORT_ASSIGN_OR_RETURN(out[3], add_output(ctx, kOp, DType::kInt32, Shape{batches}));
    // Adding outputs may move earlier ones: take them by position now that all four exist.
    std::vector<Tensor>& outs = *ctx.outputs;
    const size_t base = outs.size() - 4;
    float* nb = outs[base].mutable_data<float>();
    float* ns = outs[base + 1].mutable_data<float>();
    float* nc = outs[base + 2].mutable_data<float>();
    int32_t* nv = outs[base + 3].mutable_data<int32_t>();
    for (int64_t b = 0; b < batches; ++b) {
      const auto& dets = found[static_cast<size_t>(b)];
      const int64_t count = std::min<int64_t>(static_cast<int64_t>(dets.size()), per_batch);
      nv[b] = static_cast<int32_t>(count);
      for (int64_t k = 0; k < count; ++k) {
        const Detection& d = dets[static_cast<size_t>(k)];
        for (int e = 0; e < 4; ++e) {
          nb[(b * per_batch + k) * 4 + e] = clip_ ? std::clamp(d.box[e], 0.f, 1.f) : d.box[e];
        }
        ns[b * per_batch + k] = d.score;
        nc[b * per_batch + k] = static_cast<float>(d.cls);
      }
    }
    return Status::OK();
  }

 private:
  bool pad_per_class_, clip_;
};

StatusOr<std::unique_ptr<Kernel>> make_combined_nms(const Attrs& attrs) {
  TFPORT_ASSIGN_OR_RETURN(bool pad_per_class, attrs.get_bool_or("pad_per_class", false));
  TFPORT_ASSIGN_OR_RETURN(bool clip, attrs.get_bool_or("clip_boxes", true));
  return std::unique_ptr<Kernel>(new CombinedNmsKernel(pad_per_class, clip));
}

TFPORT_REGISTER_OP({"NonMaxSuppression", &make_nms<1>});
TFPORT_REGISTER_OP({"NonMaxSuppressionV2", &make_nms<2>});
TFPORT_REGISTER_OP({"NonMaxSuppressionV3", &make_nms<3>});
TFPORT_REGISTER_OP({"NonMaxSuppressionV4", &make_nms<4>});
TFPORT_REGISTER_OP({"NonMaxSuppressionV5", &make_nms<5>});
TFPORT_REGISTER_OP({"CombinedNonMaxSuppression", &make_combined_nms});

}  // namespace
}  // namespace tfport::runtime::ops
