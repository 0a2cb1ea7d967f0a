// The array-shaping TF functions of TF-op layers: concat, stack, add_n, reshape, expand_dims,
// squeeze, transpose, tile, cast and Python indexing (SlicingOpLambda).
#include <algorithm>
#include <climits>
#include <map>

#include "graph/keras/tf_op_call.h"

namespace tfport::graph::keras::tf_op {
namespace {

// Static dims from a config can be anything: sums and products that overflow are unknown (-1).
int64_t dim_sum(int64_t a, int64_t b) {
  int64_t r;
  return a < 0 || b < 0 || __builtin_add_overflow(a, b, &r) ? -1 : r;
}
int64_t dim_product(int64_t a, int64_t b) {
  int64_t r;
  return a < 0 || b < 0 || __builtin_mul_overflow(a, b, &r) ? -1 : r;
}

}  // namespace

StatusOr<Value> concat_fn(TfCall& c) {
  TFPORT_ASSIGN_OR_RETURN(std::vector<Value> values, list_of(c, c.first(), "values"));
  TFPORT_ASSIGN_OR_RETURN(std::optional<int64_t> axis_arg, c.int_arg("axis"));
  if (!axis_arg) return c.arg_error("axis", "missing");
  const int rank = values[0].rank();
  TFPORT_ASSIGN_OR_RETURN(int64_t axis, normalize_axis(c, *axis_arg, rank, "axis"));
  std::vector<int64_t> shape = values[0].shape;
  std::vector<Endpoint> inputs;
  for (size_t i = 0; i < values.size(); ++i) {
    if (values[i].rank() != rank) return c.arg_error("values", "tensors of different ranks");
    if (i > 0) {
      const int64_t d = values[i].shape[static_cast<size_t>(axis)];
      int64_t& s = shape[static_cast<size_t>(axis)];
      s = dim_sum(s, d);
    }
    inputs.push_back(values[i].ep);
  }
  TFPORT_ASSIGN_OR_RETURN(Endpoint a, c.emit().int32_scalar("axis", axis));
  inputs.push_back(a);
  return c.emit().op("ConcatV2", inputs, {{"T", attr_type(values[0].dtype)},
                                          {"N", attr_int(static_cast<int64_t>(values.size()))},
                                          {"Tidx", attr_type(DType::kInt32)}},
                     values[0].dtype, shape);
}

StatusOr<Value> stack_fn(TfCall& c) {
  TFPORT_ASSIGN_OR_RETURN(std::vector<Value> values, list_of(c, c.first(), "values"));
  TFPORT_ASSIGN_OR_RETURN(std::optional<int64_t> axis_arg, c.int_arg("axis"));
  const int rank = values[0].rank();
  TFPORT_ASSIGN_OR_RETURN(int64_t axis, normalize_axis(c, axis_arg.value_or(0), rank + 1, "axis"));
  std::vector<Endpoint> inputs;
  for (const Value& v : values) {
    if (v.rank() != rank) return c.arg_error("values", "tensors of different ranks");
    inputs.push_back(v.ep);
  }
  std::vector<int64_t> shape = values[0].shape;
  shape.insert(shape.begin() + axis, static_cast<int64_t>(values.size()));
  return c.emit().op("Pack", inputs, {{"T", attr_type(values[0].dtype)},
                                      {"N", attr_int(static_cast<int64_t>(values.size()))},
                                      {"axis", attr_int(axis)}},
                     values[0].dtype, shape);
}

StatusOr<Value> add_n_fn(TfCall& c) {
  TFPORT_ASSIGN_OR_RETURN(std::vector<Value> values, list_of(c, c.first(), "inputs"));
  std::vector<Endpoint> inputs;
  std::vector<int64_t> shape = values[0].shape;
  for (const Value& v : values) {
    TFPORT_ASSIGN_OR_RETURN(shape, broadcast_shapes(shape, v.shape));
    inputs.push_back(v.ep);
  }
  return c.emit().op("AddN", inputs, {{"T", attr_type(values[0].dtype)},
                                      {"N", attr_int(static_cast<int64_t>(values.size()))}},
                     values[0].dtype, shape);
}

StatusOr<Value> reshape_fn(TfCall& c) {
  TFPORT_ASSIGN_OR_RETURN(Value x, x_of(c));
  TFPORT_ASSIGN_OR_RETURN(auto dims, c.ints_arg("shape"));
  if (!dims) return c.arg_error("shape", "missing");
  int unknown = 0;
  for (int64_t d : *dims) {
    if (d < -1) return c.arg_error("shape", "dims must be -1 or more");
    unknown += d == -1;
  }
  if (unknown > 1) return c.arg_error("shape", "more than one -1");
  std::vector<int64_t> shape = *dims;
  if (unknown == 1) {
    int64_t total = 1, known = 1;
    for (int64_t d : x.shape) total = dim_product(total, d);
    for (int64_t d : shape) known = d < 0 ? known : dim_product(known, d);
    for (int64_t& d : shape) {
      if (d < 0) d = total >= 0 && known > 0 ? total / known : -1;
    }
  }
  TFPORT_ASSIGN_OR_RETURN(Endpoint s, c.emit().int32s("shape", *dims));
  return c.emit().op("Reshape", {x.ep, s}, {{"T", attr_type(x.dtype)}, {"Tshape", attr_type(DType::kInt32)}},
                     x.dtype, shape);
}

StatusOr<Value> expand_dims_fn(TfCall& c) {
  TFPORT_ASSIGN_OR_RETURN(Value x, x_of(c));
  TFPORT_ASSIGN_OR_RETURN(std::optional<int64_t> axis, c.int_arg("axis"));
  if (!axis) return c.arg_error("axis", "missing");
  TFPORT_ASSIGN_OR_RETURN(int64_t a, normalize_axis(c, *axis, x.rank() + 1, "axis"));
  return c.emit().expand_dims(x, static_cast<int>(a));
}

StatusOr<Value> squeeze_fn(TfCall& c) {
  TFPORT_ASSIGN_OR_RETURN(Value x, x_of(c));
  TFPORT_ASSIGN_OR_RETURN(auto axes, c.ints_arg("axis"));
  if (!axes) {
    TFPORT_ASSIGN_OR_RETURN(axes, c.ints_arg("squeeze_dims"));
  }
  std::vector<int64_t> list;
  if (axes) {
    for (int64_t a : *axes) {
      TFPORT_ASSIGN_OR_RETURN(int64_t n, normalize_axis(c, a, x.rank(), "axis"));
      if (x.shape[static_cast<size_t>(n)] > 1) return c.arg_error("axis", "dim " + std::to_string(n) + " is not 1");
      list.push_back(n);
    }
  } else {
    for (int i = 0; i < x.rank(); ++i) {
      if (x.shape[static_cast<size_t>(i)] < 0) return c.call().unimplemented("squeeze of all dims with unknown sizes");
      if (x.shape[static_cast<size_t>(i)] == 1) list.push_back(i);
    }
  }
  return c.emit().squeeze(x, list);
}

StatusOr<Value> transpose_fn(TfCall& c) {
  TFPORT_ASSIGN_OR_RETURN(Value x, x_of(c));
  TFPORT_ASSIGN_OR_RETURN(auto perm, c.ints_arg("perm"));
  std::vector<int64_t> p;
  if (perm) {
    if (static_cast<int>(perm->size()) != x.rank()) return c.arg_error("perm", "length differs from the rank");
    std::vector<bool> used(static_cast<size_t>(x.rank()), false);
    for (int64_t v : *perm) {
      TFPORT_ASSIGN_OR_RETURN(int64_t n, normalize_axis(c, v, x.rank(), "perm"));
      if (used[static_cast<size_t>(n)]) return c.arg_error("perm", "is not a permutation");
      used[static_cast<size_t>(n)] = true;
      p.push_back(n);
    }
  } else {
    for (int i = x.rank() - 1; i >= 0; --i) p.push_back(i);
  }
  return c.emit().transpose(x, p);
}

StatusOr<Value> tile_fn(TfCall& c) {
  TFPORT_ASSIGN_OR_RETURN(Value x, x_of(c));
  TFPORT_ASSIGN_OR_RETURN(auto multiples, c.ints_arg("multiples"));
  if (!multiples || static_cast<int>(multiples->size()) != x.rank()) {
    return c.arg_error("multiples", "needs one entry per dim");
  }
  std::vector<int64_t> shape;
  for (size_t i = 0; i < multiples->size(); ++i) {
    if ((*multiples)[i] < 0) return c.arg_error("multiples", "must not be negative");
    shape.push_back(dim_product(x.shape[i], (*multiples)[i]));
  }
  TFPORT_ASSIGN_OR_RETURN(Endpoint m, c.emit().int32s("multiples", *multiples));
  return c.emit().op("Tile", {x.ep, m}, {{"T", attr_type(x.dtype)}, {"Tmultiples", attr_type(DType::kInt32)}},
                     x.dtype, shape);
}

StatusOr<Value> cast_fn(TfCall& c) {
  TFPORT_ASSIGN_OR_RETURN(Value x, x_of(c));
  Arg d = c.kwarg("dtype");
  if (!d.constant || !d.constant->is_string()) return c.arg_error("dtype", "expected a dtype name");
  static const std::map<std::string, DType, std::less<>> kTypes = {
      {"float32", DType::kFloat}, {"float64", DType::kDouble}, {"float16", DType::kHalf},
      {"int32", DType::kInt32},   {"int64", DType::kInt64},    {"bool", DType::kBool},
      {"uint8", DType::kUInt8},   {"int8", DType::kInt8}};
  auto it = kTypes.find(d.constant->get<std::string>());
  if (it == kTypes.end()) return c.arg_error("dtype", "unsupported dtype " + d.constant->dump());
  return c.emit().cast(x, it->second);
}

// x[spec] with Python's indexing: slices ({"start", "stop", "step"}), integers, Ellipsis
// ({"class_name": "__ellipsis__"}) and tf.newaxis (null), as one StridedSlice.
StatusOr<Value> getitem_fn(TfCall& c) {
  TFPORT_ASSIGN_OR_RETURN(Value x, x_of(c));
  Arg spec_arg = c.kwarg("slice_spec");
  if (!spec_arg.constant && !spec_arg.is_list) {
    if (spec_arg.tensor) return c.call().unimplemented("indexing with a tensor");
    // tf.newaxis alone is x[None]: a JSON null, which kwarg() reads as absent.
    if (c.call().kwargs == nullptr || !c.call().kwargs->contains("slice_spec")) return c.arg_error("slice_spec", "missing");
  }
  if (spec_arg.is_list) return c.call().unimplemented("indexing with tensors");
  static const json kNull = nullptr;
  const json& spec = spec_arg.constant ? *spec_arg.constant : kNull;
  // tf.keras writes a slice as {"start", "stop", "step"}; Keras 3 wraps those in
  // {"class_name": "__slice__", "config": ...}.
  auto fields_of = [](const json& s) -> const json& {
    if (s.is_object() && s.contains("class_name") && s["class_name"] == "__slice__" && s.contains("config")) {
      return s["config"];
    }
    return s;
  };
  std::vector<const json*> items;
  if (spec.is_array()) {
    for (const json& s : spec) items.push_back(&fields_of(s));
  } else {
    items.push_back(&fields_of(spec));
  }
  auto is_ellipsis = [](const json& s) {
    return s.is_object() && s.contains("class_name") && s["class_name"] == "__ellipsis__";
  };
  auto is_slice = [](const json& s) { return s.is_object() && s.contains("start") && s.contains("stop"); };
  int consumed = 0, ellipses = 0;
  for (const json* s : items) {
    if (is_ellipsis(*s)) ++ellipses;
    else if (!s->is_null()) ++consumed;
  }
  if (ellipses > 1) return c.arg_error("slice_spec", "more than one Ellipsis");
  if (consumed > x.rank()) return c.arg_error("slice_spec", "indexes more dims than the tensor has");
  std::vector<int64_t> begin, end, strides, shape;
  int64_t begin_mask = 0, end_mask = 0, ellipsis_mask = 0, new_axis_mask = 0, shrink_mask = 0;
  int dim = 0;  // the input dim the next item applies to
  for (size_t i = 0; i < items.size(); ++i) {
    if (i >= 60) return c.arg_error("slice_spec", "too many items");
    const json& s = *items[i];
    const int64_t bit = int64_t{1} << i;
    if (is_ellipsis(s)) {
      ellipsis_mask |= bit;
      begin.push_back(0), end.push_back(0), strides.push_back(1);
      const int covered = x.rank() - consumed;
      for (int k = 0; k < covered; ++k) shape.push_back(x.shape[static_cast<size_t>(dim++)]);
    } else if (s.is_null()) {
      new_axis_mask |= bit;
      begin.push_back(0), end.push_back(0), strides.push_back(1);
      shape.push_back(1);
    } else if (s.is_number_integer()) {
      const int64_t n = x.shape[static_cast<size_t>(dim)];
      const int64_t k = s.get<int64_t>();
      if (k < INT32_MIN || k >= INT32_MAX) return c.arg_error("slice_spec", "index out of the int32 range");
      if (n >= 0 && (k >= n || k < -n)) return c.arg_error("slice_spec", "index " + std::to_string(k) + " is out of range");
      shrink_mask |= bit;
      begin.push_back(k), end.push_back(k + 1), strides.push_back(1);
      ++dim;
    } else if (is_slice(s)) {
      const json* fields[3] = {&s["start"], &s["stop"], s.contains("step") ? &s["step"] : &kNull};
      for (const json* f : fields) {
        if (!f->is_null() && !f->is_number_integer()) return c.call().unimplemented("slice bounds that are not integers");
        if (!f->is_null() && (f->get<int64_t>() < INT32_MIN || f->get<int64_t>() > INT32_MAX)) {
          return c.arg_error("slice_spec", "slice bound out of the int32 range");
        }
      }
      const int64_t step = fields[2]->is_null() ? 1 : fields[2]->get<int64_t>();
      if (step == 0) return c.arg_error("slice_spec", "slice step 0");
      if (fields[0]->is_null()) begin_mask |= bit;
      if (fields[1]->is_null()) end_mask |= bit;
      begin.push_back(fields[0]->is_null() ? 0 : fields[0]->get<int64_t>());
      end.push_back(fields[1]->is_null() ? 0 : fields[1]->get<int64_t>());
      strides.push_back(step);
      const int64_t n = x.shape[static_cast<size_t>(dim)];
      int64_t length = -1;
      if (n >= 0) {  // Python's slice.indices, then the element count
        auto clamp = [&](const json* f, int64_t fallback) {
          if (f->is_null()) return fallback;
          int64_t v = f->get<int64_t>();
          if (v < 0) v += n;
          return step > 0 ? std::clamp<int64_t>(v, 0, n) : std::clamp<int64_t>(v, -1, n - 1);
        };
        const int64_t b = clamp(fields[0], step > 0 ? 0 : n - 1), e = clamp(fields[1], step > 0 ? n : -1);
        length = step > 0 ? std::max<int64_t>(0, (e - b + step - 1) / step) : std::max<int64_t>(0, (b - e - step - 1) / -step);
      }
      shape.push_back(length);
      ++dim;
    } else {
      return c.arg_error("slice_spec", "unsupported index " + s.dump());
    }
  }
  for (; dim < x.rank(); ++dim) shape.push_back(x.shape[static_cast<size_t>(dim)]);
  Emitter& e = c.emit();
  TFPORT_ASSIGN_OR_RETURN(Endpoint b, e.int32s("begin", begin));
  TFPORT_ASSIGN_OR_RETURN(Endpoint en, e.int32s("end", end));
  TFPORT_ASSIGN_OR_RETURN(Endpoint st, e.int32s("strides", strides));
  return e.op("StridedSlice", {x.ep, b, en, st},
              {{"T", attr_type(x.dtype)},
               {"Index", attr_type(DType::kInt32)},
               {"begin_mask", attr_int(begin_mask)},
               {"end_mask", attr_int(end_mask)},
               {"ellipsis_mask", attr_int(ellipsis_mask)},
               {"new_axis_mask", attr_int(new_axis_mask)},
               {"shrink_axis_mask", attr_int(shrink_mask)}},
              x.dtype, shape);
}

}  // namespace tfport::graph::keras::tf_op
