// Max/average pooling (1-D through a width-1 2-D pool, as Keras does) and global pooling.
#include "graph/keras/layer.h"

namespace tfport::graph::keras {
namespace {

template <int ND, bool kMax>
StatusOr<std::vector<Value>> lower_pool(LayerCall& call) {
  TFPORT_ASSIGN_OR_RETURN(Value x, call.input());
  if (x.rank() != ND + 2) {
    return call.error("expects an input of rank " + std::to_string(ND + 2) + ", got " + shape_text(x.shape));
  }
  const auto nd = static_cast<size_t>(ND);
  TFPORT_ASSIGN_OR_RETURN(std::vector<int64_t> pool, call.get_ints("pool_size", nd, 2));
  TFPORT_ASSIGN_OR_RETURN(std::vector<int64_t> strides, call.get_ints("strides", nd, 0));
  for (size_t i = 0; i < nd; ++i) {
    if (pool[i] <= 0) return call.field_error("pool_size", "must be positive");
    if (strides[i] == 0) strides[i] = pool[i];  // strides default to the pool size
    if (strides[i] < 0) return call.field_error("strides", "must be positive");
  }
  TFPORT_ASSIGN_OR_RETURN(std::string padding, call.get_string("padding", "valid"));
  if (padding != "valid" && padding != "same") return call.field_error("padding", "unsupported padding '" + padding + "'");
  TFPORT_ASSIGN_OR_RETURN(bool last, call.channels_last());
  Emitter& e = call.emit;
  if (!last) {
    TFPORT_ASSIGN_OR_RETURN(x, e.transpose(x, to_last_perm(ND)));
  }

  std::vector<int64_t> out_shape{x.dim(0)};
  for (int i = 0; i < ND; ++i) {
    auto idx = static_cast<size_t>(i);
    out_shape.push_back(conv_output_length(x.dim(i + 1), pool[idx], strides[idx], 1, padding));
  }
  out_shape.push_back(x.dim(-1));
  std::vector<int64_t> ksize{1}, st{1};
  for (size_t i = 0; i < nd; ++i) {
    ksize.push_back(pool[i]);
    st.push_back(strides[i]);
  }
  std::vector<int64_t> op_shape = out_shape;
  if (ND == 1) {
    TFPORT_ASSIGN_OR_RETURN(x, e.expand_dims(x, 2));
    ksize.push_back(1);
    st.push_back(1);
    op_shape.insert(op_shape.begin() + 2, 1);
  }
  ksize.push_back(1);
  st.push_back(1);
  const char* op = ND == 3 ? (kMax ? "MaxPool3D" : "AvgPool3D") : (kMax ? "MaxPool" : "AvgPool");
  TFPORT_ASSIGN_OR_RETURN(Value y, e.op(op, {x.ep},
                                        {{"T", attr_type(x.dtype)},
                                         {"ksize", attr_ints(ksize)},
                                         {"strides", attr_ints(st)},
                                         {"padding", attr_string(padding == "same" ? "SAME" : "VALID")},
                                         {"data_format", attr_string(ND == 3 ? "NDHWC" : "NHWC")}},
                                        x.dtype, op_shape));
  if (ND == 1) {
    TFPORT_ASSIGN_OR_RETURN(y, e.squeeze(y, {2}));
  }
  if (!last) {
    TFPORT_ASSIGN_OR_RETURN(y, e.transpose(y, to_first_perm(ND)));
  }
  return one(y);
}

template <int ND, bool kMax>
StatusOr<std::vector<Value>> lower_global_pool(LayerCall& call) {
  TFPORT_ASSIGN_OR_RETURN(Value x, call.input());
  if (x.rank() != ND + 2) {
    return call.error("expects an input of rank " + std::to_string(ND + 2) + ", got " + shape_text(x.shape));
  }
  TFPORT_ASSIGN_OR_RETURN(bool last, call.channels_last());
  TFPORT_ASSIGN_OR_RETURN(bool keepdims, call.get_bool("keepdims", false));
  std::vector<int64_t> axes;
  for (int i = 0; i < ND; ++i) axes.push_back(last ? i + 1 : i + 2);
  std::vector<int64_t> shape;
  for (int i = 0; i < x.rank(); ++i) {
    bool reduced = std::find(axes.begin(), axes.end(), i) != axes.end();
    if (!reduced) shape.push_back(x.dim(i));
    else if (keepdims) shape.push_back(1);
  }
  Emitter& e = call.emit;
  TFPORT_ASSIGN_OR_RETURN(Endpoint a, e.int32s("axes", axes));
  TFPORT_ASSIGN_OR_RETURN(Value y, e.op(kMax ? "Max" : "Mean", {x.ep, a},
                                        {{"T", attr_type(x.dtype)},
                                         {"Tidx", attr_type(DType::kInt32)},
                                         {"keep_dims", attr_bool(keepdims)}},
                                        x.dtype, shape));
  return one(y);
}

}  // namespace

void add_pooling_layers(LayerTable& t) {
  t.lower["MaxPooling1D"] = t.lower["MaxPool1D"] = &lower_pool<1, true>;
  t.lower["MaxPooling2D"] = t.lower["MaxPool2D"] = &lower_pool<2, true>;
  t.lower["MaxPooling3D"] = t.lower["MaxPool3D"] = &lower_pool<3, true>;
  t.lower["AveragePooling1D"] = t.lower["AvgPool1D"] = &lower_pool<1, false>;
  t.lower["AveragePooling2D"] = t.lower["AvgPool2D"] = &lower_pool<2, false>;
  t.lower["AveragePooling3D"] = t.lower["AvgPool3D"] = &lower_pool<3, false>;
  t.lower["GlobalMaxPooling1D"] = t.lower["GlobalMaxPool1D"] = &lower_global_pool<1, true>;
  t.lower["GlobalMaxPooling2D"] = t.lower["GlobalMaxPool2D"] = &lower_global_pool<2, true>;
  t.lower["GlobalMaxPooling3D"] = t.lower["GlobalMaxPool3D"] = &lower_global_pool<3, true>;
  t.lower["GlobalAveragePooling1D"] = t.lower["GlobalAvgPool1D"] = &lower_global_pool<1, false>;
  t.lower["GlobalAveragePooling2D"] = t.lower["GlobalAvgPool2D"] = &lower_global_pool<2, false>;
  t.lower["GlobalAveragePooling3D"] = t.lower["GlobalAvgPool3D"] = &lower_global_pool<3, false>;
}

}  // namespace tfport::graph::keras
