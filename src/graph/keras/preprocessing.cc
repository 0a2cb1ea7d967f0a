// Preprocessing layers that are plain arithmetic at inference: Rescaling, Normalization
// (adapted mean and variance), Resizing, CenterCrop; the random augmentation layers pass
// images through.
#include <algorithm>
#include <cmath>

#include "graph/keras/layer.h"

namespace tfport::graph::keras {
namespace {

// A number or a list of numbers from the config, as a constant broadcasting on the last axis.
StatusOr<Value> number_or_list(LayerCall& call, const char* key, double fallback) {
  const json* v = call.get(key);
  std::vector<float> values;
  if (!v) {
    values.push_back(static_cast<float>(fallback));
  } else if (v->is_number()) {
    values.push_back(v->get<float>());
  } else if (v->is_array()) {
    for (const json& e : *v) {
      if (!e.is_number()) return call.field_error(key, "expected numbers, got " + v->dump());
      values.push_back(e.get<float>());
    }
  } else {
    return call.field_error(key, "expected a number or a list, got " + v->dump());
  }
  std::vector<int64_t> shape;
  if (v && v->is_array()) shape.push_back(static_cast<int64_t>(values.size()));
  TFPORT_ASSIGN_OR_RETURN(Endpoint c, call.emit.floats(key, values, shape));
  return Value{c, DType::kFloat, shape};
}

StatusOr<std::vector<Value>> lower_rescaling(LayerCall& call) {
  TFPORT_ASSIGN_OR_RETURN(Value x, call.input());
  Emitter& e = call.emit;
  TFPORT_ASSIGN_OR_RETURN(x, e.cast(x, DType::kFloat));
  TFPORT_ASSIGN_OR_RETURN(Value scale, number_or_list(call, "scale", 1.0));
  TFPORT_ASSIGN_OR_RETURN(Value offset, number_or_list(call, "offset", 0.0));
  TFPORT_ASSIGN_OR_RETURN(Value y, e.binary("Mul", x, scale));
  TFPORT_ASSIGN_OR_RETURN(y, e.binary("AddV2", y, offset));
  return one(y);
}

// Keras: (x - mean) / maximum(sqrt(variance), epsilon); `invert` maps back.
StatusOr<std::vector<Value>> lower_normalization(LayerCall& call) {
  TFPORT_ASSIGN_OR_RETURN(Value x, call.input());
  Emitter& e = call.emit;
  TFPORT_ASSIGN_OR_RETURN(x, e.cast(x, DType::kFloat));
  std::vector<int64_t> axes{-1};
  if (call.has("axis")) {
    TFPORT_ASSIGN_OR_RETURN(axes, call.get_int_list("axis"));
  }
  const int r = x.rank();
  std::vector<int64_t> bshape(static_cast<size_t>(r), 1);
  for (int64_t& a : axes) {
    if (a < 0) a += r;
    if (a <= 0 || a >= r) return call.field_error("axis", "out of range for an input of rank " + std::to_string(r));
    bshape[static_cast<size_t>(a)] = x.dim(static_cast<int>(a));
    // An input declared (None, None) still has one size per adapted mean (tf.keras' own
    // SavedModels of such models run because their graph knows it from the weights).
    if (bshape[static_cast<size_t>(a)] < 0 && axes.size() == 1 && call.num_weights() >= 2) {
      TFPORT_ASSIGN_OR_RETURN(Tensor m, call.weight(0));
      bshape[static_cast<size_t>(a)] = m.num_elements();
    }
    if (bshape[static_cast<size_t>(a)] < 0) return call.error("the normalized dims of " + shape_text(x.shape) + " are unknown");
  }
  int64_t n = Shape(bshape).num_elements();
  std::vector<float> mean, var;
  if (call.num_weights() >= 2) {
    TFPORT_ASSIGN_OR_RETURN(Tensor m, call.weight(0));
    TFPORT_ASSIGN_OR_RETURN(Tensor v, call.weight(1));
    if (m.num_elements() != n || v.num_elements() != n) {
      return call.error("mean/variance weights " + m.description() + ", " + v.description() +
                        " do not match the normalized dims " + shape_text(bshape));
    }
    mean.assign(m.data<float>(), m.data<float>() + n);
    var.assign(v.data<float>(), v.data<float>() + n);
  } else {
    // Mean and variance given in the config instead of adapted.
    for (const char* key : {"mean", "variance"}) {
      const json* j = call.get(key);
      std::vector<float>& out = std::string(key) == "mean" ? mean : var;
      if (!j) return call.field_error(key, "missing (and the layer stores no weights)");
      if (j->is_number()) out.assign(static_cast<size_t>(n), j->get<float>());
      else if (j->is_array()) {
        for (const json& v : j->flatten()) {
          if (!v.is_number()) return call.field_error(key, "expected numbers");
          out.push_back(v.get<float>());
        }
        if (out.size() == 1) out.assign(static_cast<size_t>(n), out[0]);
      }
      if (static_cast<int64_t>(out.size()) != n) return call.field_error(key, "does not match the normalized dims");
    }
  }
  TFPORT_ASSIGN_OR_RETURN(bool invert, call.get_bool("invert", false));
  std::vector<float> stddev(var.size());
  for (size_t i = 0; i < var.size(); ++i) stddev[i] = std::max(std::sqrt(var[i]), 1e-7f);
  // Broadcast against the input without the leading batch one.
  std::vector<int64_t> pshape(bshape.begin() + 1, bshape.end());
  TFPORT_ASSIGN_OR_RETURN(Endpoint me, e.floats("mean", mean, pshape));
  Value mv{me, DType::kFloat, pshape};
  Value y;
  if (invert) {
    std::vector<float> sd(var.size());
    for (size_t i = 0; i < var.size(); ++i) sd[i] = std::sqrt(var[i]);
    TFPORT_ASSIGN_OR_RETURN(Endpoint se, e.floats("stddev", sd, pshape));
    TFPORT_ASSIGN_OR_RETURN(y, e.binary("Mul", x, Value{se, DType::kFloat, pshape}));
    TFPORT_ASSIGN_OR_RETURN(y, e.binary("AddV2", y, mv));
  } else {
    TFPORT_ASSIGN_OR_RETURN(Endpoint se, e.floats("stddev", stddev, pshape));
    TFPORT_ASSIGN_OR_RETURN(y, e.binary("Sub", x, mv));
    TFPORT_ASSIGN_OR_RETURN(y, e.binary("RealDiv", y, Value{se, DType::kFloat, pshape}));
  }
  y.shape = x.shape;
  return one(y);
}

// The centered window of [B, H, W, C] (static H and W) with the target's aspect ratio, as
// Keras' smart_resize and crop_to_aspect_ratio cut it before resizing.
StatusOr<Value> crop_to_aspect(LayerCall& call, const Value& x, int64_t target_h, int64_t target_w) {
  const int64_t h = x.dim(1), w = x.dim(2);
  if (h < 0 || w < 0) return call.unimplemented("cropping to the aspect ratio of images of sizes unknown at load");
  const int64_t crop_h = std::max<int64_t>(1, std::min(h, static_cast<int64_t>(static_cast<double>(w) * target_h / target_w)));
  const int64_t crop_w = std::max<int64_t>(1, std::min(w, static_cast<int64_t>(static_cast<double>(h) * target_w / target_h)));
  const int64_t top = (h - crop_h) / 2, left = (w - crop_w) / 2;
  return call.emit.crop(x, {{0, 0}, {top, h - crop_h - top}, {left, w - crop_w - left}, {0, 0}});
}

StatusOr<std::vector<Value>> lower_resizing(LayerCall& call) {
  TFPORT_ASSIGN_OR_RETURN(Value x, call.input());
  if (x.rank() != 4) return call.error("expects a rank-4 image batch, got " + shape_text(x.shape));
  TFPORT_ASSIGN_OR_RETURN(int64_t h, call.get_int("height"));
  TFPORT_ASSIGN_OR_RETURN(int64_t w, call.get_int("width"));
  if (h <= 0 || w <= 0) return call.field_error("height", "height and width must be positive");
  TFPORT_ASSIGN_OR_RETURN(std::string method, call.get_string("interpolation", "bilinear"));
  TFPORT_ASSIGN_OR_RETURN(bool crop, call.get_bool("crop_to_aspect_ratio", false));
  TFPORT_ASSIGN_OR_RETURN(bool pad, call.get_bool("pad_to_aspect_ratio", false));
  if (pad) return call.unimplemented("pad_to_aspect_ratio is not supported yet");
  TFPORT_ASSIGN_OR_RETURN(bool last, call.channels_last());
  Emitter& e = call.emit;
  if (!last) {
    TFPORT_ASSIGN_OR_RETURN(x, e.transpose(x, {0, 2, 3, 1}));
  }
  if (crop) {
    TFPORT_ASSIGN_OR_RETURN(x, crop_to_aspect(call, x, h, w));
  }
  TFPORT_ASSIGN_OR_RETURN(Value y, resize_images(call, x, {}, {h, w}, method, true));
  if (!last) {
    TFPORT_ASSIGN_OR_RETURN(y, e.transpose(y, {0, 3, 1, 2}));
  }
  return one(y);
}

// CenterCrop: the centered height x width window; an image smaller than that in either dim is
// cropped to the target's aspect ratio and resized instead (bilinear), as Keras does.
StatusOr<std::vector<Value>> lower_center_crop(LayerCall& call) {
  TFPORT_ASSIGN_OR_RETURN(Value x, call.input());
  if (x.rank() != 4) return call.error("expects a rank-4 image batch, got " + shape_text(x.shape));
  TFPORT_ASSIGN_OR_RETURN(int64_t th, call.get_int("height"));
  TFPORT_ASSIGN_OR_RETURN(int64_t tw, call.get_int("width"));
  if (th <= 0 || tw <= 0) return call.field_error("height", "height and width must be positive");
  TFPORT_ASSIGN_OR_RETURN(bool last, call.channels_last());
  Emitter& e = call.emit;
  if (!last) {
    TFPORT_ASSIGN_OR_RETURN(x, e.transpose(x, {0, 2, 3, 1}));
  }
  const int64_t h = x.dim(1), w = x.dim(2);
  if (h < 0 || w < 0) return call.unimplemented("CenterCrop of images of sizes unknown at load");
  Value y;
  if (h >= th && w >= tw) {
    const int64_t top = (h - th) / 2, left = (w - tw) / 2;
    TFPORT_ASSIGN_OR_RETURN(y, e.crop(x, {{0, 0}, {top, h - th - top}, {left, w - tw - left}, {0, 0}}));
  } else {
    TFPORT_ASSIGN_OR_RETURN(Value cropped, crop_to_aspect(call, x, th, tw));
    TFPORT_ASSIGN_OR_RETURN(y, resize_images(call, cropped, {}, {th, tw}, "bilinear", true));
  }
  if (!last) {
    TFPORT_ASSIGN_OR_RETURN(y, e.transpose(y, {0, 3, 1, 2}));
  }
  return one(y);
}

}  // namespace

void add_preprocessing_layers(LayerTable& t) {
  t.lower["CenterCrop"] = &lower_center_crop;
  t.lower["Rescaling"] = &lower_rescaling;
  t.lower["Normalization"] = &lower_normalization;
  t.lower["Resizing"] = &lower_resizing;
  // Data augmentation inside a model (the image classification tutorials' RandomFlip,
  // RandomRotation, RandomZoom) is the identity when not training. RandomCrop is not: at
  // inference it resizes to its output size.
  for (const char* name : {"RandomFlip", "RandomRotation", "RandomZoom", "RandomTranslation", "RandomContrast",
                           "RandomBrightness", "RandomHeight", "RandomWidth", "RandomSaturation", "RandomHue",
                           "RandomGrayscale", "RandomColorDegeneration", "RandomColorJitter", "RandomSharpness",
                           "RandomShear", "RandomPosterization", "RandomInvert", "RandomErasing",
                           "RandomGaussianBlur", "RandomPerspective", "RandomElasticTransform"}) {
    t.lower[name] = &lower_pass_through;
  }
}

}  // namespace tfport::graph::keras
