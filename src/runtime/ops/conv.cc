// Convolutions through oneDNN: Conv2D (incl. grouped), DepthwiseConv2dNative, Conv3D,
// Conv2DBackpropInput (the Conv2DTranspose op), and the fused forms TF's grappler emits
// (_FusedConv2D, _FusedDepthwiseConv2dNative with BiasAdd and an activation), which the planner
// can also produce. Layout NHWC / NDHWC with TF's HWIO / DHWIO filters, padding per
// runtime/ops/padding.h.
//
// Caching: each kernel keeps a primitive per input shape (a small map behind a mutex). The
// filter is reordered once into oneDNN's preferred blocked layout and cached keyed by
// filter_fingerprint (buffer address, size and sampled values): filters are assumed constant
// for a given buffer, which holds for weights (Const/variables). A filter computed at run time
// in a reused buffer whose sampled values do not change would reuse a stale reorder.
#include <map>
#include <mutex>

#include "runtime/ops/onednn_util.h"
#include "runtime/ops/op_util.h"
#include "runtime/ops/padding.h"

namespace tfport::runtime::ops {
namespace {

using dnnl::memory;
using Dims = memory::dims;

enum class ConvKind { kConv, kDepthwise, kBackpropInput };

enum class Activation { kNone, kRelu, kRelu6, kElu, kLeakyRelu, kSigmoid, kTanh };

struct ConvConfig {
  ConvKind kind = ConvKind::kConv;
  int spatial = 2;  // 2 or 3
  std::vector<int64_t> strides, dilations;  // per spatial dim
  Padding padding = Padding::kValid;
  std::vector<int64_t> explicit_pads;  // before/after per spatial dim
  bool has_bias = false;
  Activation activation = Activation::kNone;
  float leaky_alpha = 0.2f;
  // Per-output-channel factors the filter is multiplied by before use (attribute
  // _tfport_filter_scale, set when the planner folds a BatchNorm into the conv). Applied while
  // the filter is reordered for oneDNN, so no scaled copy is made at load.
  std::vector<float> filter_scale;
};

struct Geometry {
  int64_t n = 0, c = 0, o = 0, groups = 1;
  std::vector<int64_t> in, k, out, pad_l, pad_r;
};

struct CachedPrimitive {
  dnnl::primitive prim;
  memory::desc src_md, weights_md, user_weights_md, dst_md, bias_md, scratch_md;
  bool reorder_weights = false;
  std::mutex mu;  // guards the two fields below
  uint64_t weights_key = 0;
  std::shared_ptr<memory> weights;
};

memory::desc activation_md(const std::vector<int64_t>& nc_spatial, int spatial) {
  return memory::desc(Dims(nc_spatial.begin(), nc_spatial.end()), memory::data_type::f32,
                      spatial == 2 ? memory::format_tag::nhwc : memory::format_tag::ndhwc);
}

class ConvKernel final : public Kernel {
 public:
  ConvKernel(std::string op, ConvConfig config) : op_(std::move(op)), cfg_(std::move(config)) {}

  Status compute(KernelContext& ctx) const override {
    return onednn_guard(ctx, op_, [&]() -> Status { return compute_impl(ctx); });
  }

 private:
  // Input positions: data/filter/(bias), or sizes/filter/out_backprop for backprop.
  Status compute_impl(KernelContext& ctx) const {
    const std::size_t expected = cfg_.kind == ConvKind::kBackpropInput ? 3 : (cfg_.has_bias ? 3 : 2);
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, op_, expected));
    const bool bp = cfg_.kind == ConvKind::kBackpropInput;
    const Tensor& filter = ctx.inputs[1];
    const Tensor& data = bp ? ctx.inputs[2] : ctx.inputs[0];
    for (const Tensor* t : {&data, &filter}) {
      if (t->dtype() != DType::kFloat) return unsupported_dtype(ctx, op_, t->dtype(), kF32);
    }
    const int rank = cfg_.spatial + 2;
    Shape in_shape = data.shape();
    if (bp) {
      TFPORT_ASSIGN_OR_RETURN(auto sizes, read_int_values(ctx, op_, ctx.inputs[0], "input_sizes"));
      if (static_cast<int>(sizes.size()) != rank) {
        return ctx.error(op_, "input_sizes must have " + std::to_string(rank) + " values");
      }
      auto s = Shape::make(sizes);
      if (!s.ok()) return ctx.error(op_, "input_sizes: " + s.status().message());
      in_shape = *s;
    }
    if (in_shape.rank() != rank) {
      return ctx.error(op_, "input must have rank " + std::to_string(rank) + ", got shape " + in_shape.to_string());
    }
    if (filter.shape().rank() != rank) {
      return ctx.error(op_, "filter must have rank " + std::to_string(rank) + ", got shape " +
                                filter.shape().to_string());
    }
    TFPORT_ASSIGN_OR_RETURN(Geometry g, geometry(ctx, in_shape, filter.shape()));
    std::vector<int64_t> out_dims{g.n};
    out_dims.insert(out_dims.end(), g.out.begin(), g.out.end());
    out_dims.push_back(g.o);
    if (bp) {
      if (data.shape() != Shape(out_dims)) {
        return ctx.error(op_, "out_backprop has shape " + data.shape().to_string() + ", expected " +
                                  Shape(out_dims).to_string() + " for input_sizes " + in_shape.to_string());
      }
    }
    if (cfg_.has_bias) {
      const Tensor& bias = ctx.inputs[2];
      if (bias.dtype() != DType::kFloat) return unsupported_dtype(ctx, op_, bias.dtype(), kF32, "bias");
      if (bias.shape().rank() != 1 || bias.shape().dim(0) != g.o) {
        return ctx.error(op_, "bias must have shape [" + std::to_string(g.o) + "], got " + bias.shape().to_string());
      }
    }
    if (!cfg_.filter_scale.empty() && static_cast<int64_t>(cfg_.filter_scale.size()) != g.o) {
      return ctx.error(op_, "the filter has " + std::to_string(g.o) + " output channels but " +
                                std::to_string(cfg_.filter_scale.size()) + " folded scales");
    }
    const Shape result_shape = bp ? in_shape : Shape(out_dims);
    if (result_shape.num_elements() == 0 || data.num_elements() == 0 || filter.num_elements() == 0) {
      return add_output(ctx, op_, DType::kFloat, result_shape).status();  // zeros
    }
    // oneDNN writes every element.
    TFPORT_ASSIGN_OR_RETURN(Tensor * out, add_output_uninitialized(ctx, op_, DType::kFloat, result_shape));

    TFPORT_ASSIGN_OR_RETURN(std::shared_ptr<CachedPrimitive> p, primitive_for(g, in_shape, filter.shape()));
    // Weights: reorder into the primitive's layout once per filter buffer.
    memory user_weights(p->user_weights_md, cpu_engine(), const_cast<float*>(filter.data<float>()));
    memory weights = user_weights;
    if (p->reorder_weights || !cfg_.filter_scale.empty()) {
      const uint64_t key = filter_fingerprint(filter.raw_data(), filter.byte_size());
      std::lock_guard<std::mutex> lock(p->mu);
      if (!p->weights || p->weights_key != key) {
        TFPORT_ASSIGN_OR_RETURN(p->weights, prepared_weights(filter, *p, user_weights));
        p->weights_key = key;
      }
      weights = *p->weights;
    }
    memory data_mem(bp ? p->dst_md : p->src_md, cpu_engine(),
                    const_cast<float*>(data.data<float>()));
    memory out_mem(bp ? p->src_md : p->dst_md, cpu_engine(), out->mutable_data<float>());
    std::unordered_map<int, memory> args;
    if (bp) {
      args = {{DNNL_ARG_DIFF_DST, data_mem}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DIFF_SRC, out_mem}};
    } else {
      args = {{DNNL_ARG_SRC, data_mem}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DST, out_mem}};
      if (cfg_.has_bias) {
        args.emplace(DNNL_ARG_BIAS, memory(p->bias_md, cpu_engine(), const_cast<float*>(ctx.inputs[2].data<float>())));
      }
    }
    execute_primitive(p->prim, p->scratch_md, std::move(args));
    return Status::OK();
  }

  // The filter in the primitive's layout, scaled per output channel first when asked to.
  StatusOr<std::shared_ptr<memory>> prepared_weights(const Tensor& filter,
                                                     const CachedPrimitive& p, memory user_weights) const {
    Tensor scaled;
    if (!cfg_.filter_scale.empty()) {
      const auto channels = cfg_.filter_scale.size();  // == output channels, checked by the caller
      const auto total = static_cast<size_t>(filter.num_elements());
      TFPORT_ASSIGN_OR_RETURN(scaled, allocate_uninitialized(DType::kFloat, filter.shape()));
      const float* src = filter.data<float>();
      float* dst = scaled.mutable_data<float>();
      // TF filters keep the output channel innermost (HWIO, and HWCM for depthwise).
      for (size_t r = 0; r < total / channels; ++r) {
        for (size_t c = 0; c < channels; ++c) dst[r * channels + c] = src[r * channels + c] * cfg_.filter_scale[c];
      }
      user_weights = memory(p.user_weights_md, cpu_engine(), scaled.mutable_data<float>());
    }
    auto out = std::make_shared<memory>(p.weights_md, cpu_engine());
    dnnl::reorder r(user_weights, *out);
    dnnl::stream& s = thread_stream();
    r.execute(s, user_weights, *out);
    s.wait();
    return out;
  }

  StatusOr<Geometry> geometry(const KernelContext& ctx, const Shape& in, const Shape& f) const {
    Geometry g;
    const int sp = cfg_.spatial;
    g.n = in.dim(0);
    g.c = in.dim(sp + 1);
    const int64_t fi = f.dim(sp), fo = f.dim(sp + 1);
    switch (cfg_.kind) {
      case ConvKind::kConv:
        if (fi <= 0 || g.c % fi != 0) {
          return ctx.error(op_, "input depth " + std::to_string(g.c) + " is not a multiple of the filter's in depth " +
                                    std::to_string(fi));
        }
        g.groups = g.c / fi;
        g.o = fo;
        if (fo % g.groups != 0) {
          return ctx.error(op_, "filter out depth " + std::to_string(fo) + " is not a multiple of the group count " +
                                    std::to_string(g.groups));
        }
        break;
      case ConvKind::kDepthwise:
        if (fi != g.c) {
          return ctx.error(op_, "input depth " + std::to_string(g.c) + " does not match the filter's " +
                                    std::to_string(fi));
        }
        g.groups = g.c;
        g.o = g.c * fo;
        break;
      case ConvKind::kBackpropInput:
        if (fi != g.c) {
          return ctx.error(op_, "input_sizes depth " + std::to_string(g.c) + " does not match the filter's in depth " +
                                    std::to_string(fi));
        }
        g.o = fo;
        break;
    }
    for (int i = 0; i < sp; ++i) {
      const int64_t in_dim = in.dim(i + 1), k = f.dim(i);
      g.in.push_back(in_dim);
      g.k.push_back(k);
      auto w = window_dim(in_dim, k, cfg_.strides[static_cast<std::size_t>(i)], cfg_.dilations[static_cast<std::size_t>(i)],
                          cfg_.padding, cfg_.padding == Padding::kExplicit ? cfg_.explicit_pads[2 * static_cast<std::size_t>(i)] : 0,
                          cfg_.padding == Padding::kExplicit ? cfg_.explicit_pads[2 * static_cast<std::size_t>(i) + 1] : 0);
      if (!w.ok()) return ctx.error(op_, "spatial dim " + std::to_string(i) + ": " + w.status().message());
      g.out.push_back(w->out);
      g.pad_l.push_back(w->pad_before);
      g.pad_r.push_back(w->pad_after);
    }
    return g;
  }

  StatusOr<std::shared_ptr<CachedPrimitive>> primitive_for(const Geometry& g, const Shape& in, const Shape& f) const {
    std::vector<int64_t> key = in.dims();
    key.insert(key.end(), f.dims().begin(), f.dims().end());
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = cache_.find(key);
      if (it != cache_.end()) return it->second;
    }
    auto p = std::make_shared<CachedPrimitive>();
    const int sp = cfg_.spatial;
    std::vector<int64_t> src{g.n, g.c}, dst{g.n, g.o};
    src.insert(src.end(), g.in.begin(), g.in.end());
    dst.insert(dst.end(), g.out.begin(), g.out.end());
    p->src_md = activation_md(src, sp);
    p->dst_md = activation_md(dst, sp);
    // User filter layout (TF: spatial..., in, out), described by strides on oneDNN's logical
    // (g,) o, i, spatial... order.
    const int64_t fi = f.dim(sp), fo = f.dim(sp + 1);
    std::vector<int64_t> spatial_strides(static_cast<std::size_t>(sp));
    int64_t acc = fi * fo;
    for (int i = sp - 1; i >= 0; --i) {
      spatial_strides[static_cast<std::size_t>(i)] = acc;
      acc *= f.dim(i);
    }
    Dims wdims, wstrides;
    if (g.groups > 1) {
      const int64_t og = cfg_.kind == ConvKind::kDepthwise ? fo : fo / g.groups;
      wdims = {g.groups, og, cfg_.kind == ConvKind::kDepthwise ? 1 : fi};
      // depthwise: TF [.., C, M]: g stride M, o stride 1. grouped: [.., I/G, O]: g stride O/G.
      wstrides = {og, 1, cfg_.kind == ConvKind::kDepthwise ? fi * fo : fo};
    } else {
      wdims = {fo, fi};
      wstrides = {1, fo};
    }
    for (int i = 0; i < sp; ++i) {
      wdims.push_back(g.k[static_cast<std::size_t>(i)]);
      wstrides.push_back(spatial_strides[static_cast<std::size_t>(i)]);
    }
    p->user_weights_md = memory::desc(wdims, memory::data_type::f32, wstrides);
    const memory::desc any_weights(wdims, memory::data_type::f32, memory::format_tag::any);
    Dims strides(cfg_.strides.begin(), cfg_.strides.end()), dil, pl(g.pad_l.begin(), g.pad_l.end()),
        pr(g.pad_r.begin(), g.pad_r.end());
    for (int64_t d : cfg_.dilations) dil.push_back(d - 1);
    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    if (cfg_.activation != Activation::kNone) {
      dnnl::post_ops ops;
      switch (cfg_.activation) {
        case Activation::kRelu: ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f); break;
        case Activation::kRelu6: ops.append_eltwise(1.f, dnnl::algorithm::eltwise_clip, 0.f, 6.f); break;
        case Activation::kElu: ops.append_eltwise(1.f, dnnl::algorithm::eltwise_elu, 1.f, 0.f); break;
        case Activation::kLeakyRelu:
          ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, cfg_.leaky_alpha, 0.f);
          break;
        case Activation::kSigmoid: ops.append_eltwise(1.f, dnnl::algorithm::eltwise_logistic, 0.f, 0.f); break;
        case Activation::kTanh: ops.append_eltwise(1.f, dnnl::algorithm::eltwise_tanh, 0.f, 0.f); break;
        case Activation::kNone: break;
      }
      attr.set_post_ops(ops);
    }
    if (cfg_.kind == ConvKind::kBackpropInput) {
      const memory::desc any_src(src, memory::data_type::f32, memory::format_tag::any);
      dnnl::convolution_forward::desc fwd(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct,
                                          p->src_md, any_weights, p->dst_md, strides, dil, pl, pr);
      dnnl::convolution_forward::primitive_desc fwd_pd(fwd, cpu_engine());
      dnnl::convolution_backward_data::desc bwd(dnnl::algorithm::convolution_direct, p->src_md, any_weights,
                                                p->dst_md, strides, dil, pl, pr);
      dnnl::convolution_backward_data::primitive_desc pd(bwd, attr, cpu_engine(), fwd_pd);
      p->weights_md = pd.weights_desc();
      p->scratch_md = pd.scratchpad_desc();
      p->prim = dnnl::convolution_backward_data(pd);
    } else {
      if (cfg_.has_bias) p->bias_md = memory::desc({g.o}, memory::data_type::f32, memory::format_tag::x);
      auto fwd = cfg_.has_bias
                     ? dnnl::convolution_forward::desc(dnnl::prop_kind::forward_inference,
                                                       dnnl::algorithm::convolution_direct, p->src_md, any_weights,
                                                       p->bias_md, p->dst_md, strides, dil, pl, pr)
                     : dnnl::convolution_forward::desc(dnnl::prop_kind::forward_inference,
                                                       dnnl::algorithm::convolution_direct, p->src_md, any_weights,
                                                       p->dst_md, strides, dil, pl, pr);
      dnnl::convolution_forward::primitive_desc pd(fwd, attr, cpu_engine());
      p->weights_md = pd.weights_desc();
      p->scratch_md = pd.scratchpad_desc();
      p->prim = dnnl::convolution_forward(pd);
    }
    p->reorder_weights = p->weights_md != p->user_weights_md;
    std::lock_guard<std::mutex> lock(mu_);
    if (cache_.size() >= kMaxCached) cache_.clear();
    auto [it, inserted] = cache_.emplace(key, p);
    return it->second;
  }

  static constexpr std::size_t kMaxCached = 16;

  std::string op_;
  ConvConfig cfg_;
  mutable std::mutex mu_;
  mutable std::map<std::vector<int64_t>, std::shared_ptr<CachedPrimitive>> cache_;
};

// Reads strides/dilations/padding/data_format (+ fused_ops) into a ConvConfig.
StatusOr<ConvConfig> read_config(const Attrs& attrs, ConvKind kind, int spatial, bool fused) {
  ConvConfig cfg;
  cfg.kind = kind;
  cfg.spatial = spatial;
  const int rank = spatial + 2;
  TFPORT_RETURN_IF_ERROR(check_type_attr(attrs, "T", kF32));
  TFPORT_ASSIGN_OR_RETURN(std::string fmt, attrs.get_string_or("data_format", spatial == 2 ? "NHWC" : "NDHWC"));
  if (fmt != (spatial == 2 ? "NHWC" : "NDHWC")) {
    return Status(StatusCode::kUnimplemented, attrs.error("data_format " + fmt + " is not supported (only " +
                                                          std::string(spatial == 2 ? "NHWC" : "NDHWC") + ")")
                                                  .message());
  }
  TFPORT_ASSIGN_OR_RETURN(auto strides, attrs.get_int_list("strides"));
  std::vector<int64_t> dilations(static_cast<std::size_t>(rank), 1);
  if (attrs.has("dilations")) {
    TFPORT_ASSIGN_OR_RETURN(dilations, attrs.get_int_list("dilations"));
  }
  if (static_cast<int>(strides.size()) != rank || static_cast<int>(dilations.size()) != rank) {
    return attrs.error("strides and dilations must have " + std::to_string(rank) + " values");
  }
  if (strides[0] != 1 || strides[static_cast<std::size_t>(rank - 1)] != 1 || dilations[0] != 1 ||
      dilations[static_cast<std::size_t>(rank - 1)] != 1) {
    return attrs.error("strides and dilations in the batch and depth dimensions must be 1");
  }
  for (int i = 1; i <= spatial; ++i) {
    const int64_t s = strides[static_cast<std::size_t>(i)], d = dilations[static_cast<std::size_t>(i)];
    if (s <= 0 || d <= 0 || s > (1 << 20) || d > (1 << 20)) return attrs.error("strides and dilations must be positive");
    cfg.strides.push_back(s);
    cfg.dilations.push_back(d);
  }
  TFPORT_ASSIGN_OR_RETURN(std::string padding, attrs.get_string("padding"));
  auto p = parse_padding(padding, spatial == 2);
  if (!p.ok()) return attrs.error(p.status().message());
  cfg.padding = *p;
  if (cfg.padding == Padding::kExplicit) {
    TFPORT_ASSIGN_OR_RETURN(auto pads, attrs.get_int_list("explicit_paddings"));
    if (static_cast<int>(pads.size()) != 2 * rank) {
      return attrs.error("explicit_paddings must have " + std::to_string(2 * rank) + " values");
    }
    if (pads[0] != 0 || pads[1] != 0 || pads[static_cast<std::size_t>(2 * rank - 2)] != 0 ||
        pads[static_cast<std::size_t>(2 * rank - 1)] != 0) {
      return attrs.error("explicit padding in the batch and depth dimensions must be 0");
    }
    for (int i = 2; i < 2 * rank - 2; ++i) {
      if (pads[static_cast<std::size_t>(i)] < 0 || pads[static_cast<std::size_t>(i)] > (1 << 20)) {
        return attrs.error("explicit_paddings out of range");
      }
      cfg.explicit_pads.push_back(pads[static_cast<std::size_t>(i)]);
    }
  }
  if (const tensorflow::AttrValue* scale = attrs.find("_tfport_filter_scale")) {
    cfg.filter_scale.assign(scale->list().f().begin(), scale->list().f().end());
    if (cfg.filter_scale.empty() || kind == ConvKind::kBackpropInput) {
      return attrs.error("_tfport_filter_scale must list one factor per output channel of a forward conv");
    }
  }
  if (fused) {
    const tensorflow::AttrValue* ops = attrs.find("fused_ops");
    if (ops == nullptr) return attrs.error("missing attribute 'fused_ops'");
    std::vector<std::string> names(ops->list().s().begin(), ops->list().s().end());
    TFPORT_ASSIGN_OR_RETURN(int64_t num_args, attrs.get_int_or("num_args", 1));
    if (names.empty() || names[0] != "BiasAdd" || names.size() > 2 || num_args != 1) {
      std::string joined;
      for (const auto& n : names) joined += (joined.empty() ? "" : ",") + n;
      return Status(StatusCode::kUnimplemented,
                    attrs.error("fused_ops [" + joined + "] not supported (BiasAdd[,activation] only)").message());
    }
    cfg.has_bias = true;
    if (names.size() == 2) {
      const std::string& a = names[1];
      if (a == "Relu") cfg.activation = Activation::kRelu;
      else if (a == "Relu6") cfg.activation = Activation::kRelu6;
      else if (a == "Elu") cfg.activation = Activation::kElu;
      else if (a == "Sigmoid") cfg.activation = Activation::kSigmoid;
      else if (a == "Tanh") cfg.activation = Activation::kTanh;
      else if (a == "LeakyRelu") {
        cfg.activation = Activation::kLeakyRelu;
        TFPORT_ASSIGN_OR_RETURN(cfg.leaky_alpha, attrs.get_float_or("leakyrelu_alpha", 0.2f));
      } else {
        return Status(StatusCode::kUnimplemented, attrs.error("fused activation " + a + " not supported").message());
      }
    }
  }
  return cfg;
}

template <ConvKind kKind, int kSpatial, bool kFused>
StatusOr<std::unique_ptr<Kernel>> make_conv(const Attrs& attrs) {
  TFPORT_ASSIGN_OR_RETURN(ConvConfig cfg, read_config(attrs, kKind, kSpatial, kFused));
  return std::unique_ptr<Kernel>(new ConvKernel(std::string(attrs.op()), std::move(cfg)));
}

// Static shapes for the forward convolutions.
template <ConvKind kKind, int kSpatial>
StatusOr<std::vector<PartialShape>> conv_shapes(std::span<const PartialShape> in, const Attrs& attrs) {
  if (in.size() < 2) return attrs.error("expected at least 2 inputs");
  TFPORT_ASSIGN_OR_RETURN(ConvConfig cfg, read_config(attrs, kKind, kSpatial, false));
  const int rank = kSpatial + 2;
  const PartialShape& x = in[0];
  const PartialShape& f = in[1];
  if (x.unknown_rank() || f.unknown_rank()) return std::vector<PartialShape>{PartialShape::unknown()};
  if (x.rank() != rank || f.rank() != rank) return attrs.error("input and filter must have rank " + std::to_string(rank));
  std::vector<int64_t> out{x.dims()[0]};
  for (int i = 0; i < kSpatial; ++i) {
    const int64_t n = x.dims()[static_cast<std::size_t>(i + 1)], k = f.dims()[static_cast<std::size_t>(i)];
    if (n < 0 || k < 0) {
      out.push_back(-1);
      continue;
    }
    auto w = window_dim(n, k, cfg.strides[static_cast<std::size_t>(i)], cfg.dilations[static_cast<std::size_t>(i)], cfg.padding,
                        cfg.padding == Padding::kExplicit ? cfg.explicit_pads[2 * static_cast<std::size_t>(i)] : 0,
                        cfg.padding == Padding::kExplicit ? cfg.explicit_pads[2 * static_cast<std::size_t>(i) + 1] : 0);
    if (!w.ok()) return attrs.error(w.status().message());
    out.push_back(w->out);
  }
  const int64_t fi = f.dims()[static_cast<std::size_t>(kSpatial)], fo = f.dims()[static_cast<std::size_t>(kSpatial + 1)];
  if (kKind == ConvKind::kDepthwise) out.push_back(fi < 0 || fo < 0 ? -1 : fi * fo);
  else out.push_back(fo);
  return std::vector<PartialShape>{PartialShape(out)};
}

TFPORT_REGISTER_OP({"Conv2D", &make_conv<ConvKind::kConv, 2, false>, &conv_shapes<ConvKind::kConv, 2>});
TFPORT_REGISTER_OP({"Conv3D", &make_conv<ConvKind::kConv, 3, false>, &conv_shapes<ConvKind::kConv, 3>});
TFPORT_REGISTER_OP({"DepthwiseConv2dNative", &make_conv<ConvKind::kDepthwise, 2, false>,
                    &conv_shapes<ConvKind::kDepthwise, 2>});
TFPORT_REGISTER_OP({"Conv2DBackpropInput", &make_conv<ConvKind::kBackpropInput, 2, false>});
TFPORT_REGISTER_OP({"_FusedConv2D", &make_conv<ConvKind::kConv, 2, true>, &conv_shapes<ConvKind::kConv, 2>});
TFPORT_REGISTER_OP({"_FusedDepthwiseConv2dNative", &make_conv<ConvKind::kDepthwise, 2, true>,
                    &conv_shapes<ConvKind::kDepthwise, 2>});

}  // namespace
}  // namespace tfport::runtime::ops
