// Shape layers: Flatten, Reshape, Permute, RepeatVector, UpSampling1D/2D, ZeroPadding1D/2D/3D,
// Cropping1D/2D/3D.
#include "graph/keras/layer.h"

namespace tfport::graph::keras {
namespace {

StatusOr<std::vector<Value>> lower_flatten(LayerCall& call) {
  TFPORT_ASSIGN_OR_RETURN(Value x, call.input());
  TFPORT_ASSIGN_OR_RETURN(bool last, call.channels_last());
  Emitter& e = call.emit;
  if (!last && x.rank() > 2) {
    std::vector<int64_t> perm{0};
    for (int i = 2; i < x.rank(); ++i) perm.push_back(i);
    perm.push_back(1);
    TFPORT_ASSIGN_OR_RETURN(x, e.transpose(x, perm));
  }
  if (x.rank() == 1) {
    TFPORT_ASSIGN_OR_RETURN(Value y, e.expand_dims(x, 1));
    return one(y);
  }
  Value y;
  if (x.inner_known()) {
    int64_t n = 1;
    for (int i = 1; i < x.rank(); ++i) n *= x.dim(i);
    TFPORT_ASSIGN_OR_RETURN(y, e.reshape(x, {-1, n}));
  } else {
    TFPORT_ASSIGN_OR_RETURN(y, e.reshape(x, {Emitter::kKeepDim, -1}));
  }
  y.shape[0] = x.dim(0);
  return one(y);
}

StatusOr<std::vector<Value>> lower_reshape(LayerCall& call) {
  TFPORT_ASSIGN_OR_RETURN(Value x, call.input());
  TFPORT_ASSIGN_OR_RETURN(std::vector<int64_t> target, call.get_int_list("target_shape"));
  int unknown = 0;
  int64_t known = 1;
  for (int64_t d : target) {
    if (d == -1) ++unknown;
    else if (d < 0) return call.field_error("target_shape", "negative dim " + std::to_string(d));
    else known *= d;
  }
  if (unknown > 1) return call.field_error("target_shape", "more than one -1");
  if (unknown == 1 && x.inner_known()) {
    int64_t total = 1;
    for (int i = 1; i < x.rank(); ++i) total *= x.dim(i);
    if (known == 0 || total % known != 0) {
      return call.field_error("target_shape", "cannot reshape " + shape_text(x.shape) + " to " + shape_text(target));
    }
    for (int64_t& d : target) d = d == -1 ? total / known : d;
    unknown = 0;
  }
  std::vector<int64_t> dims{unknown ? Emitter::kKeepDim : -1};
  dims.insert(dims.end(), target.begin(), target.end());
  TFPORT_ASSIGN_OR_RETURN(Value y, call.emit.reshape(x, dims));
  y.shape[0] = x.dim(0);
  return one(y);
}

StatusOr<std::vector<Value>> lower_permute(LayerCall& call) {
  TFPORT_ASSIGN_OR_RETURN(Value x, call.input());
  TFPORT_ASSIGN_OR_RETURN(std::vector<int64_t> dims, call.get_int_list("dims"));
  if (static_cast<int>(dims.size()) != x.rank() - 1) {
    return call.field_error("dims", "has " + std::to_string(dims.size()) + " entries for an input " + shape_text(x.shape));
  }
  std::vector<int64_t> perm{0};
  std::vector<bool> seen(dims.size() + 1, false);
  for (int64_t d : dims) {
    if (d < 1 || d > static_cast<int64_t>(dims.size()) || seen[static_cast<size_t>(d)]) {
      return call.field_error("dims", "is not a permutation of 1.." + std::to_string(dims.size()));
    }
    seen[static_cast<size_t>(d)] = true;
    perm.push_back(d);
  }
  TFPORT_ASSIGN_OR_RETURN(Value y, call.emit.transpose(x, perm));
  return one(y);
}

StatusOr<Value> tile(Emitter& e, const Value& x, const std::vector<int64_t>& multiples) {
  std::vector<int64_t> shape = x.shape;
  for (size_t i = 0; i < shape.size(); ++i) shape[i] = shape[i] < 0 ? -1 : shape[i] * multiples[i];
  TFPORT_ASSIGN_OR_RETURN(Endpoint m, e.int32s("multiples", multiples));
  return e.op("Tile", {x.ep, m}, {{"T", attr_type(x.dtype)}, {"Tmultiples", attr_type(DType::kInt32)}}, x.dtype,
              std::move(shape));
}

StatusOr<std::vector<Value>> lower_repeat_vector(LayerCall& call) {
  TFPORT_ASSIGN_OR_RETURN(Value x, call.input());
  if (x.rank() != 2) return call.error("expects a rank-2 input, got " + shape_text(x.shape));
  TFPORT_ASSIGN_OR_RETURN(int64_t n, call.get_int("n"));
  if (n <= 0) return call.field_error("n", "must be positive");
  TFPORT_ASSIGN_OR_RETURN(Value e1, call.emit.expand_dims(x, 1));
  TFPORT_ASSIGN_OR_RETURN(Value y, tile(call.emit, e1, {1, n, 1}));
  return one(y);
}

// Nearest-neighbour upsampling by integer factors along axes 1..n of a channels_last input:
// each axis gets a new unit axis after it, tiled, then folded back.
StatusOr<Value> repeat_axes(Emitter& e, const Value& x, const std::vector<int64_t>& size) {
  const size_t n = size.size();
  std::vector<int64_t> split{-1}, mult{1}, folded{-1};
  for (size_t i = 0; i < n; ++i) {
    const int64_t d = x.dim(static_cast<int>(i) + 1);
    split.push_back(d);
    split.push_back(1);
    mult.push_back(1);
    mult.push_back(size[i]);
    folded.push_back(d * size[i]);
  }
  for (int i = static_cast<int>(n) + 1; i < x.rank(); ++i) {
    split.push_back(x.dim(i));
    mult.push_back(1);
    folded.push_back(x.dim(i));
  }
  TFPORT_ASSIGN_OR_RETURN(Value s, e.reshape(x, split));
  TFPORT_ASSIGN_OR_RETURN(Value t, tile(e, s, mult));
  TFPORT_ASSIGN_OR_RETURN(Value y, e.reshape(t, folded));
  y.shape[0] = x.dim(0);
  return y;
}

bool half_pixel_centers(const LayerCall& call) {
  // Keras before 2.3 (TensorFlow 1 image ops) resized without half-pixel centers.
  if (call.keras_major < 2) return false;
  if (call.keras_major > 2) return true;
  const std::string& v = call.keras_version;
  if (v.size() >= 3 && v[0] == '2' && v[1] == '.') {
    int minor = 0;
    for (size_t i = 2; i < v.size() && v[i] >= '0' && v[i] <= '9'; ++i) minor = minor * 10 + (v[i] - '0');
    return minor >= 3;
  }
  return true;
}

StatusOr<std::vector<Value>> lower_upsampling1d(LayerCall& call) {
  TFPORT_ASSIGN_OR_RETURN(Value x, call.input());
  if (x.rank() != 3) return call.error("expects a rank-3 input, got " + shape_text(x.shape));
  TFPORT_ASSIGN_OR_RETURN(int64_t n, call.get_int("size", 2));
  if (n <= 0) return call.field_error("size", "must be positive");
  if (x.dim(-1) < 0) return call.error("the channel dim of the input is unknown");
  TFPORT_ASSIGN_OR_RETURN(Value y, repeat_axes(call.emit, x, {n}));
  return one(y);
}

StatusOr<std::vector<Value>> lower_upsampling2d(LayerCall& call) {
  TFPORT_ASSIGN_OR_RETURN(Value x, call.input());
  if (x.rank() != 4) return call.error("expects a rank-4 input, got " + shape_text(x.shape));
  TFPORT_ASSIGN_OR_RETURN(std::vector<int64_t> size, call.get_ints("size", 2, 2));
  for (int64_t s : size) {
    if (s <= 0) return call.field_error("size", "must be positive");
  }
  TFPORT_ASSIGN_OR_RETURN(std::string method, call.get_string("interpolation", "nearest"));
  TFPORT_ASSIGN_OR_RETURN(bool last, call.channels_last());
  Emitter& e = call.emit;
  if (!last) {
    TFPORT_ASSIGN_OR_RETURN(x, e.transpose(x, {0, 2, 3, 1}));
  }
  Value y;
  if (method == "nearest" && x.inner_known()) {
    TFPORT_ASSIGN_OR_RETURN(y, repeat_axes(e, x, size));
  } else {
    TFPORT_ASSIGN_OR_RETURN(y, resize_images(call, x, size, {}, method, half_pixel_centers(call)));
  }
  if (!last) {
    TFPORT_ASSIGN_OR_RETURN(y, e.transpose(y, {0, 3, 1, 2}));
  }
  return one(y);
}

// Padding/cropping amounts: an int (all sides), a list of ints (symmetric per dim; for one
// dim: before, after), or a list of pairs.
StatusOr<std::vector<std::pair<int64_t, int64_t>>> read_pairs(LayerCall& call, const char* key, size_t nd,
                                                               int64_t fallback) {
  std::vector<std::pair<int64_t, int64_t>> out(nd, {fallback, fallback});
  const json* v = call.get(key);
  if (!v) return out;
  auto as_int = [](const json& j) -> std::optional<int64_t> {
    if (j.is_number_integer()) return j.get<int64_t>();
    return std::nullopt;
  };
  if (auto i = as_int(*v)) {
    out.assign(nd, {*i, *i});
    return out;
  }
  if (!v->is_array()) return call.field_error(key, "expected an int or a list, got " + v->dump());
  if (nd == 1 && v->size() == 2 && as_int((*v)[0]) && as_int((*v)[1])) {
    out[0] = {*as_int((*v)[0]), *as_int((*v)[1])};
    return out;
  }
  if (v->size() != nd) return call.field_error(key, "expected " + std::to_string(nd) + " entries, got " + v->dump());
  for (size_t i = 0; i < nd; ++i) {
    const json& e = (*v)[i];
    if (auto k = as_int(e)) {
      out[i] = {*k, *k};
    } else if (e.is_array() && e.size() == 2 && as_int(e[0]) && as_int(e[1])) {
      out[i] = {*as_int(e[0]), *as_int(e[1])};
    } else {
      return call.field_error(key, "cannot read entry " + e.dump());
    }
    if (out[i].first < 0 || out[i].second < 0) return call.field_error(key, "negative amount");
  }
  return out;
}

template <int ND, bool kPad>
StatusOr<std::vector<Value>> lower_pad_or_crop(LayerCall& call) {
  TFPORT_ASSIGN_OR_RETURN(Value x, call.input());
  if (x.rank() != ND + 2) {
    return call.error("expects an input of rank " + std::to_string(ND + 2) + ", got " + shape_text(x.shape));
  }
  TFPORT_ASSIGN_OR_RETURN(auto amounts, read_pairs(call, kPad ? "padding" : "cropping", ND, ND == 1 || kPad ? 1 : 0));
  bool last = true;
  if (ND > 1) {
    TFPORT_ASSIGN_OR_RETURN(last, call.channels_last());
  }
  std::vector<std::pair<int64_t, int64_t>> all(static_cast<size_t>(x.rank()), {0, 0});
  for (int i = 0; i < ND; ++i) all[static_cast<size_t>(last ? i + 1 : i + 2)] = amounts[static_cast<size_t>(i)];
  auto y = kPad ? call.emit.pad(x, all) : call.emit.crop(x, all);
  if (!y.ok()) return call.field_error(kPad ? "padding" : "cropping", y.status().message());
  return one(*y);
}

}  // namespace

StatusOr<Value> resize_images(LayerCall& call, const Value& x, const std::vector<int64_t>& factors,
                              const std::vector<int64_t>& target, const std::string& method, bool half_pixel) {
  Emitter& e = call.emit;
  Endpoint size;
  std::vector<int64_t> shape = x.shape;
  if (!target.empty()) {
    TFPORT_ASSIGN_OR_RETURN(size, e.int32s("size", target));
    shape[1] = target[0];
    shape[2] = target[1];
  } else if (x.dim(1) >= 0 && x.dim(2) >= 0) {
    TFPORT_ASSIGN_OR_RETURN(size, e.int32s("size", {x.dim(1) * factors[0], x.dim(2) * factors[1]}));
    shape[1] = x.dim(1) * factors[0];
    shape[2] = x.dim(2) * factors[1];
  } else {
    TFPORT_ASSIGN_OR_RETURN(Endpoint hw, e.shape_dims(x, 1, 3));
    TFPORT_ASSIGN_OR_RETURN(Endpoint f, e.int32s("factors", factors));
    TFPORT_ASSIGN_OR_RETURN(size, e.add("Mul", "Mul", {hw, f}, {{"T", attr_type(DType::kInt32)}}));
    shape[1] = shape[2] = -1;
  }
  const char* op = nullptr;
  if (method == "nearest") op = "ResizeNearestNeighbor";
  else if (method == "bilinear") op = "ResizeBilinear";
  else return call.field_error("interpolation", "unsupported interpolation '" + method + "'");
  TFPORT_ASSIGN_OR_RETURN(Value xf, e.cast(x, DType::kFloat));
  return e.op(op, {xf.ep, size},
              {{"T", attr_type(DType::kFloat)},
               {"align_corners", attr_bool(false)},
               {"half_pixel_centers", attr_bool(half_pixel)}},
              DType::kFloat, shape);
}

void add_reshaping_layers(LayerTable& t) {
  t.lower["Flatten"] = &lower_flatten;
  t.lower["Reshape"] = &lower_reshape;
  t.lower["Permute"] = &lower_permute;
  t.lower["RepeatVector"] = &lower_repeat_vector;
  t.lower["UpSampling1D"] = &lower_upsampling1d;
  t.lower["UpSampling2D"] = &lower_upsampling2d;
  t.lower["ZeroPadding1D"] = &lower_pad_or_crop<1, true>;
  t.lower["ZeroPadding2D"] = &lower_pad_or_crop<2, true>;
  t.lower["ZeroPadding3D"] = &lower_pad_or_crop<3, true>;
  t.lower["Cropping1D"] = &lower_pad_or_crop<1, false>;
  t.lower["Cropping2D"] = &lower_pad_or_crop<2, false>;
  t.lower["Cropping3D"] = &lower_pad_or_crop<3, false>;
}

}  // namespace tfport::graph::keras
