// MaxPool / AvgPool (2-D, NHWC) and MaxPool3D / AvgPool3D (NDHWC), with TF's SAME/VALID
// windows. AvgPool divides by the number of in-bounds cells of each window (padding is
// excluded, as TF does). MaxPoolV2 takes ksize and strides as inputs. Float32 2-D pooling goes
// through oneDNN (vectorized, one primitive per input shape cached in the kernel); other
// types and ranks use the loop below.
#include <limits>
#include <map>
#include <mutex>

#include "runtime/ops/onednn_util.h"
#include "runtime/ops/op_util.h"
#include "runtime/ops/padding.h"

namespace tfport::runtime::ops {
namespace {

constexpr uint32_t kPoolTypes = kFloatTypes;

struct PoolConfig {
  int spatial = 2;
  bool max = true;
  std::vector<int64_t> ksize, strides;  // full rank, NHWC order
  Padding padding = Padding::kValid;
};

Status validate_windows(const Attrs* attrs, const KernelContext* ctx, std::string_view op, int rank,
                        const std::vector<int64_t>& ksize, const std::vector<int64_t>& strides) {
  std::string problem;
  if (static_cast<int>(ksize.size()) != rank || static_cast<int>(strides.size()) != rank) {
    problem = "ksize and strides must have " + std::to_string(rank) + " values";
  } else if (ksize[0] != 1 || strides[0] != 1 || ksize[static_cast<std::size_t>(rank - 1)] != 1 ||
             strides[static_cast<std::size_t>(rank - 1)] != 1) {
    problem = "pooling over the batch or depth dimension is not supported";
  } else {
    for (int i = 0; i < rank; ++i) {
      if (ksize[static_cast<std::size_t>(i)] <= 0 || strides[static_cast<std::size_t>(i)] <= 0 ||
          ksize[static_cast<std::size_t>(i)] > (1 << 20) || strides[static_cast<std::size_t>(i)] > (1 << 20)) {
        problem = "ksize and strides must be positive";
      }
    }
  }
  if (problem.empty()) return Status::OK();
  return attrs ? attrs->error(problem) : ctx->error(op, problem);
}

template <typename T>
void pool(const PoolConfig& cfg, const Eigen::ThreadPoolDevice* device, const T* in, T* out, int64_t n,
          const int64_t in_dims[3], const int64_t k[3], const int64_t s[3], const int64_t pad[3], const int64_t out_dims[3],
          int64_t c) {
  const int64_t rows = n * out_dims[0] * out_dims[1];
  const double cost = static_cast<double>(out_dims[2] * c * k[0] * k[1] * k[2]);
  parallel_for(device, rows, cost, [&](int64_t r0, int64_t r1) {
    std::vector<T> acc(static_cast<std::size_t>(c));
    for (int64_t r = r0; r < r1; ++r) {
      const int64_t od = (r / out_dims[1]) % out_dims[0], oh = r % out_dims[1], b = r / (out_dims[0] * out_dims[1]);
      const int64_t d0 = std::max<int64_t>(od * s[0] - pad[0], 0), d1 = std::min(od * s[0] - pad[0] + k[0], in_dims[0]);
      const int64_t h0 = std::max<int64_t>(oh * s[1] - pad[1], 0), h1 = std::min(oh * s[1] - pad[1] + k[1], in_dims[1]);
      for (int64_t ow = 0; ow < out_dims[2]; ++ow) {
        const int64_t w0 = std::max<int64_t>(ow * s[2] - pad[2], 0), w1 = std::min(ow * s[2] - pad[2] + k[2], in_dims[2]);
        std::fill(acc.begin(), acc.end(), cfg.max ? std::numeric_limits<T>::lowest() : T(0));
        for (int64_t d = d0; d < d1; ++d)
          for (int64_t h = h0; h < h1; ++h)
            for (int64_t w = w0; w < w1; ++w) {
              const T* src = in + (((b * in_dims[0] + d) * in_dims[1] + h) * in_dims[2] + w) * c;
              if (cfg.max) {
                for (int64_t j = 0; j < c; ++j) acc[static_cast<std::size_t>(j)] = std::max(acc[static_cast<std::size_t>(j)], src[j]);
              } else {
                for (int64_t j = 0; j < c; ++j) acc[static_cast<std::size_t>(j)] += src[j];
              }
            }
        T* dst = out + (((b * out_dims[0] + od) * out_dims[1] + oh) * out_dims[2] + ow) * c;
        if (cfg.max) {
          std::copy(acc.begin(), acc.end(), dst);
        } else {
          const int64_t count = (d1 - d0) * (h1 - h0) * (w1 - w0);
          const T inv = count > 0 ? T(1) / static_cast<T>(count) : T(0);
          for (int64_t j = 0; j < c; ++j) dst[j] = count > 0 ? acc[static_cast<std::size_t>(j)] * inv : T(0);
        }
      }
    }
  });
}

// oneDNN pooling for float32 NHWC: max ignores padding, average excludes it — TF's rules.
class OneDnnPool {
 public:
  // False (nothing written) when oneDNN cannot express the window; the caller then loops.
  bool run(bool max, const Tensor& x, Tensor& out, const int64_t k[2], const int64_t s[2], const int64_t pad[2]) const {
    const int64_t n = x.shape().dim(0), c = x.shape().dim(3);
    const int64_t in[2] = {x.shape().dim(1), x.shape().dim(2)}, o[2] = {out.shape().dim(1), out.shape().dim(2)};
    dnnl::memory::dims pad_r(2);
    for (int i = 0; i < 2; ++i) {
      pad_r[static_cast<std::size_t>(i)] = std::max<int64_t>(0, (o[i] - 1) * s[i] + k[i] - in[i] - pad[i]);
      if ((in[i] + pad[i] + pad_r[static_cast<std::size_t>(i)] - k[i]) / s[i] + 1 != o[i]) return false;
    }
    std::vector<int64_t> key{n, in[0], in[1], c};
    std::shared_ptr<Entry> e;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = cache_.find(key);
      if (it != cache_.end()) e = it->second;
    }
    if (!e) {
      e = std::make_shared<Entry>();
      using tag = dnnl::memory::format_tag;
      e->src = dnnl::memory::desc({n, c, in[0], in[1]}, dnnl::memory::data_type::f32, tag::nhwc);
      e->dst = dnnl::memory::desc({n, c, o[0], o[1]}, dnnl::memory::data_type::f32, tag::nhwc);
      dnnl::pooling_forward::desc d(dnnl::prop_kind::forward_inference,
                                    max ? dnnl::algorithm::pooling_max : dnnl::algorithm::pooling_avg_exclude_padding,
                                    e->src, e->dst, {s[0], s[1]}, {k[0], k[1]}, {pad[0], pad[1]}, pad_r);
      dnnl::primitive_attr attr;
      attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
      dnnl::pooling_forward::primitive_desc pd(d, attr, cpu_engine());
      e->scratch = pd.scratchpad_desc();
      e->prim = dnnl::pooling_forward(pd);
      std::lock_guard<std::mutex> lock(mu_);
      if (cache_.size() >= 16) cache_.clear();
      cache_.emplace(key, e);
    }
    dnnl::memory src(e->src, cpu_engine(), const_cast<float*>(x.data<float>()));
    dnnl::memory dst(e->dst, cpu_engine(), out.mutable_data<float>());
    execute_primitive(e->prim, e->scratch, {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}});
    return true;
  }

 private:
  struct Entry {
    dnnl::primitive prim;
    dnnl::memory::desc src, dst, scratch;
  };
  mutable std::mutex mu_;
  mutable std::map<std::vector<int64_t>, std::shared_ptr<Entry>> cache_;
};

class PoolKernel final : public Kernel {
 public:
  PoolKernel(std::string op, PoolConfig cfg, bool window_inputs)
      : op_(std::move(op)), cfg_(std::move(cfg)), window_inputs_(window_inputs) {}

  Status compute(KernelContext& ctx) const override {
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, op_, window_inputs_ ? 3 : 1));
    const Tensor& x = ctx.inputs[0];
    const int rank = cfg_.spatial + 2;
    std::vector<int64_t> ksize = cfg_.ksize, strides = cfg_.strides;
    if (window_inputs_) {
      TFPORT_ASSIGN_OR_RETURN(ksize, read_int_values(ctx, op_, ctx.inputs[1], "ksize"));
      TFPORT_ASSIGN_OR_RETURN(strides, read_int_values(ctx, op_, ctx.inputs[2], "strides"));
      TFPORT_RETURN_IF_ERROR(validate_windows(nullptr, &ctx, op_, rank, ksize, strides));
    }
    if (x.shape().rank() != rank) {
      return ctx.error(op_, "input must have rank " + std::to_string(rank) + ", got shape " + x.shape().to_string());
    }
    int64_t in_dims[3] = {1, 1, 1}, k[3] = {1, 1, 1}, s[3] = {1, 1, 1}, pad[3] = {0, 0, 0}, out_dims[3] = {1, 1, 1};
    const int off = 3 - cfg_.spatial;
    std::vector<int64_t> out_shape{x.shape().dim(0)};
    for (int i = 0; i < cfg_.spatial; ++i) {
      in_dims[off + i] = x.shape().dim(i + 1);
      k[off + i] = ksize[static_cast<std::size_t>(i + 1)];
      s[off + i] = strides[static_cast<std::size_t>(i + 1)];
      auto w = window_dim(in_dims[off + i], k[off + i], s[off + i], 1, cfg_.padding);
      if (!w.ok()) return ctx.error(op_, w.status().message());
      out_dims[off + i] = w->out;
      pad[off + i] = w->pad_before;
      out_shape.push_back(w->out);
    }
    const int64_t c = x.shape().dim(rank - 1);
    out_shape.push_back(c);
    if (cfg_.spatial == 2 && x.dtype() == DType::kFloat && x.num_elements() > 0) {
      return onednn_guard(ctx, op_, [&]() -> Status {
        TFPORT_ASSIGN_OR_RETURN(Tensor * out, add_output_uninitialized(ctx, op_, DType::kFloat, Shape(out_shape)));
        if (out->num_elements() == 0) return Status::OK();
        if (onednn_.run(cfg_.max, x, *out, k + 1, s + 1, pad + 1)) return Status::OK();
        pool<float>(cfg_, ctx.device, x.data<float>(), out->mutable_data<float>(), x.shape().dim(0), in_dims, k, s, pad,
                    out_dims, c);
        return Status::OK();
      });
    }
    Status status;
    const bool handled = visit_dtype<kPoolTypes>(x.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      auto out = add_output(ctx, op_, x.dtype(), Shape(out_shape));
      if (!out.ok()) {
        status = out.status();
        return;
      }
      if ((*out)->num_elements() == 0) return;
      pool<T>(cfg_, ctx.device, x.data<T>(), (*out)->template mutable_data<T>(), x.shape().dim(0), in_dims, k, s, pad,
              out_dims, c);
    });
    if (!handled) return unsupported_dtype(ctx, op_, x.dtype(), kPoolTypes);
    return status;
  }

 private:
  std::string op_;
  PoolConfig cfg_;
  bool window_inputs_;
  OneDnnPool onednn_;
};

template <int kSpatial, bool kMax, bool kWindowInputs>
StatusOr<std::unique_ptr<Kernel>> make_pool(const Attrs& attrs) {
  PoolConfig cfg;
  cfg.spatial = kSpatial;
  cfg.max = kMax;
  TFPORT_RETURN_IF_ERROR(check_type_attr(attrs, "T", kPoolTypes));
  const std::string want = kSpatial == 2 ? "NHWC" : "NDHWC";
  TFPORT_ASSIGN_OR_RETURN(std::string fmt, attrs.get_string_or("data_format", want));
  if (fmt != want) {
    return Status(StatusCode::kUnimplemented, attrs.error("data_format " + fmt + " is not supported").message());
  }
  TFPORT_ASSIGN_OR_RETURN(std::string padding, attrs.get_string("padding"));
  auto p = parse_padding(padding, false);
  if (!p.ok()) return attrs.error(p.status().message());
  cfg.padding = *p;
  if (!kWindowInputs) {
    TFPORT_ASSIGN_OR_RETURN(cfg.ksize, attrs.get_int_list("ksize"));
    TFPORT_ASSIGN_OR_RETURN(cfg.strides, attrs.get_int_list("strides"));
    TFPORT_RETURN_IF_ERROR(validate_windows(&attrs, nullptr, attrs.op(), kSpatial + 2, cfg.ksize, cfg.strides));
  }
  return std::unique_ptr<Kernel>(new PoolKernel(std::string(attrs.op()), std::move(cfg), kWindowInputs));
}

template <int kSpatial>
StatusOr<std::vector<PartialShape>> pool_shapes(std::span<const PartialShape> in, const Attrs& attrs) {
  if (in.empty()) return attrs.error("expected an input");
  if (in[0].unknown_rank()) return std::vector<PartialShape>{PartialShape::unknown()};
  TFPORT_ASSIGN_OR_RETURN(auto ksize, attrs.get_int_list("ksize"));
  TFPORT_ASSIGN_OR_RETURN(auto strides, attrs.get_int_list("strides"));
  TFPORT_RETURN_IF_ERROR(validate_windows(&attrs, nullptr, attrs.op(), kSpatial + 2, ksize, strides));
  TFPORT_ASSIGN_OR_RETURN(std::string padding, attrs.get_string("padding"));
  auto p = parse_padding(padding, false);
  if (!p.ok()) return attrs.error(p.status().message());
  if (in[0].rank() != kSpatial + 2) return attrs.error("input must have rank " + std::to_string(kSpatial + 2));
  std::vector<int64_t> out = in[0].dims();
  for (int i = 1; i <= kSpatial; ++i) {
    const int64_t n = out[static_cast<std::size_t>(i)];
    if (n < 0) continue;
    auto w = window_dim(n, ksize[static_cast<std::size_t>(i)], strides[static_cast<std::size_t>(i)], 1, *p);
    if (!w.ok()) return attrs.error(w.status().message());
    out[static_cast<std::size_t>(i)] = w->out;
  }
  return std::vector<PartialShape>{PartialShape(out)};
}

TFPORT_REGISTER_OP({"MaxPool", &make_pool<2, true, false>, &pool_shapes<2>});
TFPORT_REGISTER_OP({"MaxPoolV2", &make_pool<2, true, true>});
TFPORT_REGISTER_OP({"AvgPool", &make_pool<2, false, false>, &pool_shapes<2>});
TFPORT_REGISTER_OP({"MaxPool3D", &make_pool<3, true, false>, &pool_shapes<3>});
TFPORT_REGISTER_OP({"AvgPool3D", &make_pool<3, false, false>, &pool_shapes<3>});

}  // namespace
}  // namespace tfport::runtime::ops
