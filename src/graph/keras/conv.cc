// Convolutions: Conv1D/2D/3D, Conv1DTranspose/Conv2DTranspose, DepthwiseConv1D/2D,
// SeparableConv1D/2D. 1-D convolutions run as 2-D ones on a height-1 image, as TensorFlow's
// conv1d does; channels_first inputs are transposed to channels_last and back.
#include "graph/keras/layer.h"

namespace tfport::graph::keras {
namespace {

struct ConvConfig {
  int nd = 2;
  std::vector<int64_t> kernel_size, strides, dilation;
  std::string padding;
  bool channels_last = true;
};

StatusOr<ConvConfig> read_conv_config(LayerCall& call, int nd) {
  ConvConfig c;
  c.nd = nd;
  TFPORT_ASSIGN_OR_RETURN(c.kernel_size, call.get_ints("kernel_size", static_cast<size_t>(nd)));
  TFPORT_ASSIGN_OR_RETURN(c.strides, call.get_ints("strides", static_cast<size_t>(nd), 1));
  TFPORT_ASSIGN_OR_RETURN(c.dilation, call.get_ints("dilation_rate", static_cast<size_t>(nd), 1));
  TFPORT_ASSIGN_OR_RETURN(c.padding, call.get_string("padding", "valid"));
  TFPORT_ASSIGN_OR_RETURN(c.channels_last, call.channels_last());
  for (size_t i = 0; i < c.strides.size(); ++i) {
    if (c.strides[i] <= 0) return call.field_error("strides", "must be positive");
    if (c.dilation[i] <= 0) return call.field_error("dilation_rate", "must be positive");
    if (c.kernel_size[i] <= 0) return call.field_error("kernel_size", "must be positive");
  }
  if (c.padding != "valid" && c.padding != "same" && !(c.padding == "causal" && nd == 1)) {
    return call.field_error("padding", "unsupported padding '" + c.padding + "'");
  }
  return c;
}

// The input in channels_last layout with the expected rank.
StatusOr<Value> conv_input(LayerCall& call, const ConvConfig& c) {
  TFPORT_ASSIGN_OR_RETURN(Value x, call.input());
  if (x.rank() != c.nd + 2) {
    return call.error("expects an input of rank " + std::to_string(c.nd + 2) + ", got " + shape_text(x.shape));
  }
  TFPORT_ASSIGN_OR_RETURN(x, call.emit.cast(x, DType::kFloat));
  if (!c.channels_last) {
    TFPORT_ASSIGN_OR_RETURN(x, call.emit.transpose(x, to_last_perm(c.nd)));
  }
  return x;
}

StatusOr<Value> conv_output(LayerCall& call, const ConvConfig& c, Value y, bool use_bias, size_t bias_index) {
  Emitter& e = call.emit;
  if (use_bias) {
    const int64_t ch = y.dim(-1);
    TFPORT_ASSIGN_OR_RETURN(Tensor bias, call.weight(bias_index, {ch}));
    TFPORT_ASSIGN_OR_RETURN(Value b, e.const_value("bias", bias, {ch}));
    TFPORT_ASSIGN_OR_RETURN(y, e.op("BiasAdd", {y.ep, b.ep},
                                    {{"T", attr_type(DType::kFloat)}, {"data_format", attr_string("NHWC")}},
                                    DType::kFloat, y.shape));
  }
  TFPORT_ASSIGN_OR_RETURN(y, apply_layer_activation(call, y));
  if (!c.channels_last) {
    TFPORT_ASSIGN_OR_RETURN(y, e.transpose(y, to_first_perm(c.nd)));
  }
  return y;
}

std::string tf_padding(const std::string& p) { return p == "same" ? "SAME" : "VALID"; }

// Conv2D / DepthwiseConv2dNative / Conv3D on channels_last x; 1-D inputs go through a
// height-1 2-D convolution. `kernel_shape` is the kernel as the op wants it (2-D or 3-D).
StatusOr<Value> run_conv(LayerCall& call, const ConvConfig& c, Value x, const Tensor& kernel, const char* op,
                         int64_t out_channels, std::string padding) {
  Emitter& e = call.emit;
  if (padding == "causal") {
    const int64_t front = (c.kernel_size[0] - 1) * c.dilation[0];
    TFPORT_ASSIGN_OR_RETURN(x, e.pad(x, {{0, 0}, {front, 0}, {0, 0}}));
    padding = "valid";
  }
  std::vector<int64_t> out_shape{x.dim(0)};
  for (int i = 0; i < c.nd; ++i) {
    out_shape.push_back(conv_output_length(x.dim(i + 1), c.kernel_size[static_cast<size_t>(i)],
                                           c.strides[static_cast<size_t>(i)], c.dilation[static_cast<size_t>(i)],
                                           padding));
  }
  out_shape.push_back(out_channels);
  std::vector<int64_t> strides{1}, dilations{1};
  std::vector<int64_t> kdims = kernel.shape().dims();
  const bool one_d = c.nd == 1;
  if (one_d) {
    TFPORT_ASSIGN_OR_RETURN(x, e.expand_dims(x, 1));
    strides.push_back(1);
    dilations.push_back(1);
    kdims.insert(kdims.begin(), 1);
  }
  for (int i = 0; i < c.nd; ++i) {
    strides.push_back(c.strides[static_cast<size_t>(i)]);
    dilations.push_back(c.dilation[static_cast<size_t>(i)]);
  }
  strides.push_back(1);
  dilations.push_back(1);
  TFPORT_ASSIGN_OR_RETURN(Value k, e.const_value("kernel", kernel, kdims));
  std::vector<int64_t> conv_shape = out_shape;
  if (one_d) conv_shape.insert(conv_shape.begin() + 1, 1);
  TFPORT_ASSIGN_OR_RETURN(Value y, e.op(op, {x.ep, k.ep},
                                        {{"T", attr_type(DType::kFloat)},
                                         {"strides", attr_ints(strides)},
                                         {"dilations", attr_ints(dilations)},
                                         {"padding", attr_string(tf_padding(padding))},
                                         {"data_format", attr_string(c.nd == 3 ? "NDHWC" : "NHWC")},
                                         {"explicit_paddings", attr_ints({})},
                                         {"use_cudnn_on_gpu", attr_bool(true)}},
                                        DType::kFloat, conv_shape));
  if (one_d) {
    TFPORT_ASSIGN_OR_RETURN(y, e.squeeze(y, {1}));
  }
  return y;
}

template <int ND>
StatusOr<std::vector<Value>> lower_conv(LayerCall& call) {
  TFPORT_ASSIGN_OR_RETURN(ConvConfig c, read_conv_config(call, ND));
  TFPORT_ASSIGN_OR_RETURN(Value x, conv_input(call, c));
  TFPORT_ASSIGN_OR_RETURN(int64_t filters, call.get_int("filters"));
  TFPORT_ASSIGN_OR_RETURN(int64_t groups, call.get_int("groups", 1));
  TFPORT_ASSIGN_OR_RETURN(bool use_bias, call.get_bool("use_bias", true));
  const int64_t in = x.dim(-1);
  if (groups <= 0 || (in >= 0 && in % groups != 0)) return call.field_error("groups", "does not divide the input channels");
  std::vector<int64_t> expected = c.kernel_size;
  expected.push_back(in < 0 ? -1 : in / groups);
  expected.push_back(filters);
  TFPORT_ASSIGN_OR_RETURN(Tensor kernel, call.weight(0, expected));
  const char* op = ND == 3 ? "Conv3D" : "Conv2D";
  TFPORT_ASSIGN_OR_RETURN(Value y, run_conv(call, c, x, kernel, op, filters, c.padding));
  TFPORT_ASSIGN_OR_RETURN(y, conv_output(call, c, y, use_bias, 1));
  return one(y);
}

template <int ND>
StatusOr<std::vector<Value>> lower_depthwise(LayerCall& call) {
  TFPORT_ASSIGN_OR_RETURN(ConvConfig c, read_conv_config(call, ND));
  TFPORT_ASSIGN_OR_RETURN(Value x, conv_input(call, c));
  TFPORT_ASSIGN_OR_RETURN(int64_t dm, call.get_int("depth_multiplier", 1));
  TFPORT_ASSIGN_OR_RETURN(bool use_bias, call.get_bool("use_bias", true));
  const int64_t in = x.dim(-1);
  if (in < 0) return call.error("the input's channel dim is unknown");
  std::vector<int64_t> expected = c.kernel_size;
  expected.push_back(in);
  expected.push_back(dm);
  TFPORT_ASSIGN_OR_RETURN(Tensor kernel, call.weight(0, expected));
  TFPORT_ASSIGN_OR_RETURN(Value y, run_conv(call, c, x, kernel, "DepthwiseConv2dNative", in * dm, c.padding));
  TFPORT_ASSIGN_OR_RETURN(y, conv_output(call, c, y, use_bias, 1));
  return one(y);
}

template <int ND>
StatusOr<std::vector<Value>> lower_separable(LayerCall& call) {
  TFPORT_ASSIGN_OR_RETURN(ConvConfig c, read_conv_config(call, ND));
  TFPORT_ASSIGN_OR_RETURN(Value x, conv_input(call, c));
  TFPORT_ASSIGN_OR_RETURN(int64_t dm, call.get_int("depth_multiplier", 1));
  TFPORT_ASSIGN_OR_RETURN(int64_t filters, call.get_int("filters"));
  TFPORT_ASSIGN_OR_RETURN(bool use_bias, call.get_bool("use_bias", true));
  const int64_t in = x.dim(-1);
  if (in < 0) return call.error("the input's channel dim is unknown");
  std::vector<int64_t> dw_shape = c.kernel_size;
  dw_shape.push_back(in);
  dw_shape.push_back(dm);
  TFPORT_ASSIGN_OR_RETURN(Tensor depthwise, call.weight(0, dw_shape));
  std::vector<int64_t> pw_shape(static_cast<size_t>(ND), 1);
  pw_shape.push_back(in * dm);
  pw_shape.push_back(filters);
  TFPORT_ASSIGN_OR_RETURN(Tensor pointwise, call.weight(1, pw_shape));
  TFPORT_ASSIGN_OR_RETURN(Value d, run_conv(call, c, x, depthwise, "DepthwiseConv2dNative", in * dm, c.padding));
  ConvConfig pc = c;
  pc.kernel_size.assign(static_cast<size_t>(ND), 1);
  pc.strides.assign(static_cast<size_t>(ND), 1);
  pc.dilation.assign(static_cast<size_t>(ND), 1);
  TFPORT_ASSIGN_OR_RETURN(Value y, run_conv(call, pc, d, pointwise, "Conv2D", filters, "valid"));
  TFPORT_ASSIGN_OR_RETURN(y, conv_output(call, c, y, use_bias, 2));
  return one(y);
}

// keras conv_utils.deconv_output_length.
int64_t deconv_length(int64_t n, int64_t k, const std::string& padding, std::optional<int64_t> output_padding,
                      int64_t stride, int64_t dilation) {
  if (n < 0) return -1;
  k = k + (k - 1) * (dilation - 1);
  if (!output_padding) {
    if (padding == "valid") return n * stride + std::max<int64_t>(k - stride, 0);
    return n * stride;
  }
  int64_t pad = padding == "same" ? k / 2 : 0;
  return (n - 1) * stride + k - 2 * pad + *output_padding;
}

template <int ND>
StatusOr<std::vector<Value>> lower_conv_transpose(LayerCall& call) {
  TFPORT_ASSIGN_OR_RETURN(ConvConfig c, read_conv_config(call, ND));
  if (c.padding == "causal") return call.field_error("padding", "causal is not valid for a transposed convolution");
  TFPORT_ASSIGN_OR_RETURN(Value x, conv_input(call, c));
  TFPORT_ASSIGN_OR_RETURN(int64_t filters, call.get_int("filters"));
  TFPORT_ASSIGN_OR_RETURN(bool use_bias, call.get_bool("use_bias", true));
  std::optional<std::vector<int64_t>> output_padding;
  if (call.has("output_padding")) {
    TFPORT_ASSIGN_OR_RETURN(std::vector<int64_t> op, call.get_ints("output_padding", static_cast<size_t>(ND)));
    output_padding = op;
  }
  const int64_t in = x.dim(-1);
  std::vector<int64_t> expected = c.kernel_size;
  expected.push_back(filters);
  expected.push_back(in);
  TFPORT_ASSIGN_OR_RETURN(Tensor kernel, call.weight(0, expected));
  Emitter& e = call.emit;
  std::vector<int64_t> out_spatial;
  for (int i = 0; i < ND; ++i) {
    auto idx = static_cast<size_t>(i);
    int64_t n = deconv_length(x.dim(i + 1), c.kernel_size[idx], c.padding,
                              output_padding ? std::optional<int64_t>((*output_padding)[idx]) : std::nullopt,
                              c.strides[idx], c.dilation[idx]);
    if (n < 0) return call.error("needs known spatial input dims, got " + shape_text(x.shape));
    out_spatial.push_back(n);
  }
  const bool one_d = ND == 1;
  std::vector<int64_t> sizes = out_spatial;
  std::vector<int64_t> strides{1}, dilations{1};
  std::vector<int64_t> kdims = kernel.shape().dims();
  if (one_d) {
    TFPORT_ASSIGN_OR_RETURN(x, e.expand_dims(x, 1));
    sizes.insert(sizes.begin(), 1);
    strides.push_back(1);
    dilations.push_back(1);
    kdims.insert(kdims.begin(), 1);
  }
  for (int i = 0; i < ND; ++i) {
    strides.push_back(c.strides[static_cast<size_t>(i)]);
    dilations.push_back(c.dilation[static_cast<size_t>(i)]);
  }
  strides.push_back(1);
  dilations.push_back(1);
  sizes.push_back(filters);
  // input_sizes = [batch (at run time), spatial..., filters].
  TFPORT_ASSIGN_OR_RETURN(Endpoint batch, e.shape_dims(x, 0, 1));
  TFPORT_ASSIGN_OR_RETURN(Endpoint rest, e.int32s("sizes", sizes));
  TFPORT_ASSIGN_OR_RETURN(Endpoint input_sizes, e.concat_int32(batch, rest));
  TFPORT_ASSIGN_OR_RETURN(Value k, e.const_value("kernel", kernel, kdims));
  std::vector<int64_t> y_shape{x.dim(0)};
  for (size_t i = 0; i + 1 < sizes.size(); ++i) y_shape.push_back(sizes[i]);
  y_shape.push_back(filters);
  TFPORT_ASSIGN_OR_RETURN(Value y, e.op("Conv2DBackpropInput", {input_sizes, k.ep, x.ep},
                                        {{"T", attr_type(DType::kFloat)},
                                         {"strides", attr_ints(strides)},
                                         {"dilations", attr_ints(dilations)},
                                         {"padding", attr_string(tf_padding(c.padding))},
                                         {"data_format", attr_string("NHWC")},
                                         {"explicit_paddings", attr_ints({})},
                                         {"use_cudnn_on_gpu", attr_bool(true)}},
                                        DType::kFloat, y_shape));
  if (one_d) {
    TFPORT_ASSIGN_OR_RETURN(y, e.squeeze(y, {1}));
  }
  TFPORT_ASSIGN_OR_RETURN(y, conv_output(call, c, y, use_bias, 1));
  return one(y);
}

}  // namespace

void add_conv_layers(LayerTable& t) {
  t.lower["Conv1D"] = &lower_conv<1>;
  t.lower["Conv2D"] = &lower_conv<2>;
  t.lower["Conv3D"] = &lower_conv<3>;
  t.lower["Convolution1D"] = &lower_conv<1>;
  t.lower["Convolution2D"] = &lower_conv<2>;
  t.lower["Convolution3D"] = &lower_conv<3>;
  t.lower["DepthwiseConv1D"] = &lower_depthwise<1>;
  t.lower["DepthwiseConv2D"] = &lower_depthwise<2>;
  t.lower["SeparableConv1D"] = &lower_separable<1>;
  t.lower["SeparableConv2D"] = &lower_separable<2>;
  t.lower["SeparableConvolution1D"] = &lower_separable<1>;
  t.lower["SeparableConvolution2D"] = &lower_separable<2>;
  t.lower["Conv1DTranspose"] = &lower_conv_transpose<1>;
  t.lower["Conv2DTranspose"] = &lower_conv_transpose<2>;
  t.lower["Convolution2DTranspose"] = &lower_conv_transpose<2>;
  t.unsupported["Conv3DTranspose"] = "Conv3DTranspose is not supported yet";
}

}  // namespace tfport::graph::keras
