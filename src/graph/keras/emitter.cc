#include "graph/keras/emitter.h"

#include <cmath>
#include <cstring>
#include <map>

namespace tfport::graph::keras {

int64_t Value::dim(int i) const {
  if (i < 0) i += rank();
  if (i < 0 || i >= rank()) return -1;
  return shape[static_cast<size_t>(i)];
}

bool Value::inner_known() const {
  for (size_t i = 1; i < shape.size(); ++i) {
    if (shape[i] < 0) return false;
  }
  return true;
}

namespace {

float half_to_float(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const int exp = (h >> 10) & 0x1f;
  const uint32_t mant = h & 0x3ffu;
  float f;
  if (exp == 0) {
    f = std::ldexp(static_cast<float>(mant), -24);
  } else if (exp == 31) {
    f = mant ? std::nanf("") : INFINITY;
  } else {
    f = std::ldexp(static_cast<float>(mant | 0x400u), exp - 25);
  }
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  bits |= sign;
  std::memcpy(&f, &bits, 4);
  return f;
}

// An op whose only attribute is T, named under `scope`.
StatusOr<Endpoint> add_t_op(Graph& graph, const std::string& scope, std::string_view op, std::vector<Endpoint> inputs,
                            DType dtype) {
  Node n;
  n.name.reserve(scope.size() + 1 + op.size());
  if (!scope.empty()) n.name.append(scope).append("/");
  n.name.append(op);
  n.op = std::string(op);
  n.inputs = std::move(inputs);
  n.attrs = t_node_attrs(dtype);
  TFPORT_ASSIGN_OR_RETURN(int id, graph.add_node_unique(std::move(n)));
  return Endpoint{id, 0};
}

}  // namespace

StatusOr<Tensor> to_float32(const Tensor& t) {
  if (t.dtype() == DType::kFloat) return t;
  TFPORT_ASSIGN_OR_RETURN(Tensor out, Tensor::allocate(DType::kFloat, t.shape()));
  float* o = out.mutable_data<float>();
  const auto n = static_cast<size_t>(t.num_elements());
  switch (t.dtype()) {
    case DType::kDouble:
      for (size_t i = 0; i < n; ++i) o[i] = static_cast<float>(t.data<double>()[i]);
      return out;
    case DType::kHalf:
      for (size_t i = 0; i < n; ++i) o[i] = half_to_float(t.data<uint16_t>()[i]);
      return out;
    case DType::kBFloat16:
      for (size_t i = 0; i < n; ++i) {
        uint32_t bits = static_cast<uint32_t>(t.data<uint16_t>()[i]) << 16;
        std::memcpy(&o[i], &bits, 4);
      }
      return out;
    default:
      return invalid_argument_error("expected a floating-point weight, got " + t.description());
  }
}

Emitter Emitter::child(std::string_view name) const {
  return Emitter(graph_, scope_.empty() ? std::string(name) : scope_ + "/" + std::string(name));
}

StatusOr<Endpoint> Emitter::add_named(const std::string& name, std::string_view op, std::vector<Endpoint> inputs,
                                      AttrList attrs) {
  Node n;
  n.name = name;
  n.op = std::string(op);
  n.inputs = std::move(inputs);
  if (attrs.size() != 0) {
    AttrMap& map = n.attrs.mutable_map();
    for (const auto& [k, v] : attrs) map[k] = v;
  }
  TFPORT_ASSIGN_OR_RETURN(int id, graph_->add_node_unique(std::move(n)));
  return Endpoint{id, 0};
}

StatusOr<Endpoint> Emitter::add(std::string_view base, std::string_view op, std::vector<Endpoint> inputs,
                                AttrList attrs) {
  std::string name;
  name.reserve(scope_.size() + 1 + base.size());
  if (!scope_.empty()) name.append(scope_).append("/");
  name.append(base);
  return add_named(name, op, std::move(inputs), attrs);
}

StatusOr<Endpoint> Emitter::constant(std::string_view base, const Tensor& t, const std::vector<int64_t>* shape) {
  // The weights' tensor itself becomes the value (Node::value): no TensorProto copy to make at
  // load and none to decode when the plan is built.
  if (!t.valid() || !is_fixed_size(t.dtype())) {
    return invalid_argument_error("cannot store a " + t.description() + " tensor as a constant");
  }
  Node n;
  if (scope_.empty()) {
    n.name = base;
  } else {
    n.name.reserve(scope_.size() + 1 + base.size());
    n.name.append(scope_).append("/").append(base);
  }
  n.op = "Const";
  n.attrs = const_node_attrs(t.dtype());
  if (shape == nullptr) {
    n.value = t;
  } else {
    auto s = Shape::make(*shape);
    if (!s.ok() || s->num_elements() != t.num_elements()) {
      return invalid_argument_error("cannot view " + t.description() + " as shape " + shape_text(*shape));
    }
    n.value = Tensor::wrap(t.dtype(), *s, t.raw_data(), std::make_shared<const Tensor>(t));
  }
  TFPORT_ASSIGN_OR_RETURN(int id, graph_->add_node_unique(std::move(n)));
  return Endpoint{id, 0};
}

StatusOr<Endpoint> Emitter::floats(std::string_view base, std::vector<float> v, std::vector<int64_t> shape) {
  TFPORT_ASSIGN_OR_RETURN(Shape s, Shape::make(std::move(shape)));
  if (s.num_elements() != static_cast<int64_t>(v.size())) return internal_error("constant size mismatch");
  return constant(base, Tensor::from_vector<float>(DType::kFloat, s, v));
}

StatusOr<Endpoint> Emitter::scalar(std::string_view base, float v) {
  return constant(base, Tensor::from_vector<float>(DType::kFloat, Shape{}, {v}));
}

StatusOr<Endpoint> Emitter::int32s(std::string_view base, const std::vector<int64_t>& v) {
  std::vector<int32_t> values;
  for (int64_t x : v) {
    if (x < INT32_MIN || x > INT32_MAX) return invalid_argument_error("value " + std::to_string(x) + " overflows int32");
    values.push_back(static_cast<int32_t>(x));
  }
  auto n = static_cast<int64_t>(values.size());
  return constant(base, Tensor::from_vector<int32_t>(DType::kInt32, Shape{n}, values));
}

StatusOr<Endpoint> Emitter::int32s(std::string_view base, const std::vector<int64_t>& v, std::vector<int64_t> dims) {
  std::vector<int32_t> values;
  for (int64_t x : v) {
    if (x < INT32_MIN || x > INT32_MAX) return invalid_argument_error("value " + std::to_string(x) + " overflows int32");
    values.push_back(static_cast<int32_t>(x));
  }
  TFPORT_ASSIGN_OR_RETURN(Shape s, Shape::make(std::move(dims)));
  if (s.num_elements() != static_cast<int64_t>(values.size())) return internal_error("constant size mismatch");
  return constant(base, Tensor::from_vector<int32_t>(DType::kInt32, s, values));
}

StatusOr<Endpoint> Emitter::int32_scalar(std::string_view base, int64_t v) {
  if (v < INT32_MIN || v > INT32_MAX) return invalid_argument_error("value " + std::to_string(v) + " overflows int32");
  return constant(base, Tensor::from_vector<int32_t>(DType::kInt32, Shape{}, {static_cast<int32_t>(v)}));
}

StatusOr<Value> Emitter::op(std::string_view op_name, std::vector<Endpoint> inputs, AttrList attrs, DType dtype,
                            std::vector<int64_t> shape) {
  TFPORT_ASSIGN_OR_RETURN(Endpoint e, add(op_name, op_name, std::move(inputs), attrs));
  return Value{e, dtype, std::move(shape)};
}

StatusOr<Value> Emitter::unary(std::string_view op_name, const Value& x) {
  TFPORT_ASSIGN_OR_RETURN(Endpoint e, add_t_op(*graph_, scope_, op_name, {x.ep}, x.dtype));
  return Value{e, x.dtype, x.shape};
}

StatusOr<Value> Emitter::binary(std::string_view op_name, const Value& x, const Value& y) {
  TFPORT_ASSIGN_OR_RETURN(std::vector<int64_t> shape, broadcast_shapes(x.shape, y.shape));
  TFPORT_ASSIGN_OR_RETURN(Endpoint e, add_t_op(*graph_, scope_, op_name, {x.ep, y.ep}, x.dtype));
  return Value{e, x.dtype, std::move(shape)};
}

StatusOr<Value> Emitter::binary_scalar(std::string_view op_name, const Value& x, float c) {
  TFPORT_ASSIGN_OR_RETURN(Endpoint k, scalar("Const", c));
  TFPORT_ASSIGN_OR_RETURN(Endpoint e, add_t_op(*graph_, scope_, op_name, {x.ep, k}, x.dtype));
  return Value{e, x.dtype, x.shape};
}

StatusOr<Value> Emitter::const_value(std::string_view base, const Tensor& t, std::vector<int64_t> shape) {
  TFPORT_ASSIGN_OR_RETURN(Endpoint e, constant(base, t, &shape));
  return Value{e, t.dtype(), std::move(shape)};
}

StatusOr<Endpoint> Emitter::shape_of(const Value& x) {
  return add("Shape", "Shape", {x.ep}, {{"T", attr_type(x.dtype)}, {"out_type", attr_type(DType::kInt32)}});
}

StatusOr<Endpoint> Emitter::shape_dims(const Value& x, int64_t begin, int64_t end) {
  TFPORT_ASSIGN_OR_RETURN(Endpoint xs, shape_of(x));
  TFPORT_ASSIGN_OR_RETURN(Endpoint b, int32s("begin", {begin}));
  TFPORT_ASSIGN_OR_RETURN(Endpoint en, int32s("end", {end}));
  TFPORT_ASSIGN_OR_RETURN(Endpoint st, int32s("strides", {1}));
  return add("StridedSlice", "StridedSlice", {xs, b, en, st},
             {{"T", attr_type(DType::kInt32)},
              {"Index", attr_type(DType::kInt32)},
              {"begin_mask", attr_int(0)},
              {"end_mask", attr_int(0)},
              {"ellipsis_mask", attr_int(0)},
              {"new_axis_mask", attr_int(0)},
              {"shrink_axis_mask", attr_int(0)}});
}

StatusOr<Endpoint> Emitter::concat_int32(Endpoint a, Endpoint b) {
  TFPORT_ASSIGN_OR_RETURN(Endpoint axis, int32_scalar("axis", 0));
  return add("ConcatV2", "ConcatV2", {a, b, axis},
             {{"T", attr_type(DType::kInt32)}, {"N", attr_int(2)}, {"Tidx", attr_type(DType::kInt32)}});
}

StatusOr<Value> Emitter::reshape(const Value& x, const std::vector<int64_t>& dims) {
  std::vector<int64_t> target = dims;
  int unknown = 0;
  for (size_t i = 0; i < target.size(); ++i) {
    if (target[i] == kKeepDim) target[i] = i < x.shape.size() ? x.shape[i] : -1;
    if (target[i] < 0) ++unknown;
  }
  // The static result: fill a single unknown from the element count when it is known.
  std::vector<int64_t> result = target;
  if (unknown == 1 && x.inner_known() && x.dim(0) >= 0) {
    int64_t total = 1, known = 1;
    for (int64_t d : x.shape) total *= d;
    for (int64_t d : target) known *= d < 0 ? 1 : d;
    for (int64_t& d : result) {
      if (d < 0 && known > 0) d = total / known;
    }
  }
  Endpoint shape_ep;
  if (unknown <= 1) {
    TFPORT_ASSIGN_OR_RETURN(shape_ep, int32s("shape", target));
  } else {
    // Several unknown dims: copy the unknown ones from x's runtime shape, one slice each.
    TFPORT_ASSIGN_OR_RETURN(Endpoint xs, shape_of(x));
    std::vector<Endpoint> parts;
    for (size_t i = 0; i < dims.size(); ++i) {
      if (target[i] >= 0) {
        TFPORT_ASSIGN_OR_RETURN(Endpoint c, int32s("dim", {target[i]}));
        parts.push_back(c);
        continue;
      }
      if (dims[i] != kKeepDim && !(i == 0 && dims[i] == -1)) {
        TFPORT_ASSIGN_OR_RETURN(Endpoint c, int32s("dim", {-1}));
        parts.push_back(c);
        continue;
      }
      TFPORT_ASSIGN_OR_RETURN(Endpoint b, int32s("begin", {static_cast<int64_t>(i)}));
      TFPORT_ASSIGN_OR_RETURN(Endpoint e, int32s("end", {static_cast<int64_t>(i) + 1}));
      TFPORT_ASSIGN_OR_RETURN(Endpoint s, int32s("strides", {1}));
      TFPORT_ASSIGN_OR_RETURN(Endpoint slice,
                              add("StridedSlice", "StridedSlice", {xs, b, e, s},
                                  {{"T", attr_type(DType::kInt32)},
                                   {"Index", attr_type(DType::kInt32)},
                                   {"begin_mask", attr_int(0)},
                                   {"end_mask", attr_int(0)},
                                   {"ellipsis_mask", attr_int(0)},
                                   {"new_axis_mask", attr_int(0)},
                                   {"shrink_axis_mask", attr_int(0)}}));
      parts.push_back(slice);
    }
    TFPORT_ASSIGN_OR_RETURN(Endpoint axis, int32_scalar("axis", 0));
    std::vector<Endpoint> inputs = parts;
    inputs.push_back(axis);
    TFPORT_ASSIGN_OR_RETURN(shape_ep, add("ConcatV2", "ConcatV2", inputs,
                                          {{"T", attr_type(DType::kInt32)},
                                           {"N", attr_int(static_cast<int64_t>(parts.size()))},
                                           {"Tidx", attr_type(DType::kInt32)}}));
  }
  return op("Reshape", {x.ep, shape_ep}, {{"T", attr_type(x.dtype)}, {"Tshape", attr_type(DType::kInt32)}}, x.dtype,
            std::move(result));
}

StatusOr<Value> Emitter::transpose(const Value& x, const std::vector<int64_t>& perm) {
  std::vector<int64_t> shape;
  for (int64_t p : perm) shape.push_back(x.dim(static_cast<int>(p)));
  TFPORT_ASSIGN_OR_RETURN(Endpoint p, int32s("perm", perm));
  return op("Transpose", {x.ep, p}, {{"T", attr_type(x.dtype)}, {"Tperm", attr_type(DType::kInt32)}}, x.dtype,
            std::move(shape));
}

StatusOr<Value> Emitter::expand_dims(const Value& x, int axis) {
  if (axis < 0) axis += x.rank() + 1;
  std::vector<int64_t> shape = x.shape;
  shape.insert(shape.begin() + axis, 1);
  TFPORT_ASSIGN_OR_RETURN(Endpoint a, int32_scalar("dim", axis));
  return op("ExpandDims", {x.ep, a}, {{"T", attr_type(x.dtype)}, {"Tdim", attr_type(DType::kInt32)}}, x.dtype,
            std::move(shape));
}

StatusOr<Value> Emitter::squeeze(const Value& x, const std::vector<int64_t>& axes) {
  std::vector<int64_t> shape;
  for (int i = 0; i < x.rank(); ++i) {
    bool drop = false;
    for (int64_t a : axes) drop = drop || a == i || a + x.rank() == i;
    if (!drop) shape.push_back(x.dim(i));
  }
  return op("Squeeze", {x.ep}, {{"T", attr_type(x.dtype)}, {"squeeze_dims", attr_ints(axes)}}, x.dtype,
            std::move(shape));
}

StatusOr<Value> Emitter::pad(const Value& x, const std::vector<std::pair<int64_t, int64_t>>& pads) {
  std::vector<int64_t> flat;
  std::vector<int64_t> shape = x.shape;
  for (size_t i = 0; i < pads.size(); ++i) {
    if (pads[i].first < 0 || pads[i].second < 0) return invalid_argument_error("negative padding");
    flat.push_back(pads[i].first);
    flat.push_back(pads[i].second);
    if (i < shape.size() && shape[i] >= 0) shape[i] += pads[i].first + pads[i].second;
  }
  TFPORT_ASSIGN_OR_RETURN(Endpoint p, int32s("paddings", flat, {static_cast<int64_t>(pads.size()), 2}));
  return op("Pad", {x.ep, p}, {{"T", attr_type(x.dtype)}, {"Tpaddings", attr_type(DType::kInt32)}}, x.dtype,
            std::move(shape));
}

StatusOr<Value> Emitter::crop(const Value& x, const std::vector<std::pair<int64_t, int64_t>>& crops) {
  std::vector<int64_t> begin, end, strides;
  int64_t end_mask = 0;
  std::vector<int64_t> shape = x.shape;
  for (size_t i = 0; i < crops.size(); ++i) {
    if (crops[i].first < 0 || crops[i].second < 0) return invalid_argument_error("negative cropping");
    begin.push_back(crops[i].first);
    strides.push_back(1);
    if (crops[i].second == 0) {
      end.push_back(0);
      end_mask |= int64_t{1} << i;
    } else {
      end.push_back(-crops[i].second);
    }
    if (i < shape.size() && shape[i] >= 0) {
      shape[i] = shape[i] - crops[i].first - crops[i].second;
      if (shape[i] <= 0) return invalid_argument_error("cropping removes every element of dim " + std::to_string(i));
    }
  }
  TFPORT_ASSIGN_OR_RETURN(Endpoint b, int32s("begin", begin));
  TFPORT_ASSIGN_OR_RETURN(Endpoint e, int32s("end", end));
  TFPORT_ASSIGN_OR_RETURN(Endpoint s, int32s("strides", strides));
  return op("StridedSlice", {x.ep, b, e, s},
            {{"T", attr_type(x.dtype)},
             {"Index", attr_type(DType::kInt32)},
             {"begin_mask", attr_int(0)},
             {"end_mask", attr_int(end_mask)},
             {"ellipsis_mask", attr_int(0)},
             {"new_axis_mask", attr_int(0)},
             {"shrink_axis_mask", attr_int(0)}},
            x.dtype, std::move(shape));
}

StatusOr<Value> Emitter::identity(const Value& x) { return unary("Identity", x); }

StatusOr<Value> Emitter::cast(const Value& x, DType to) {
  if (x.dtype == to) return x;
  return op("Cast", {x.ep}, {{"SrcT", attr_type(x.dtype)}, {"DstT", attr_type(to)}, {"Truncate", attr_bool(false)}},
            to, x.shape);
}

StatusOr<Value> Emitter::reduce(std::string_view op_name, const Value& x, const std::vector<int64_t>& axes,
                                bool keep_dims) {
  std::vector<bool> reduced(static_cast<size_t>(x.rank()), false);
  for (int64_t a : axes) {
    if (a < 0 || a >= x.rank()) return invalid_argument_error("reduction axis " + std::to_string(a) + " out of range");
    reduced[static_cast<size_t>(a)] = true;
  }
  std::vector<int64_t> shape;
  for (int i = 0; i < x.rank(); ++i) {
    if (!reduced[static_cast<size_t>(i)]) shape.push_back(x.shape[static_cast<size_t>(i)]);
    else if (keep_dims) shape.push_back(1);
  }
  TFPORT_ASSIGN_OR_RETURN(Endpoint idx, int32s("reduction_indices", axes));
  if (op_name == "Any" || op_name == "All") {  // bool only: no type attribute
    if (x.dtype != DType::kBool) return invalid_argument_error(std::string(op_name) + " needs a bool operand");
    return op(op_name, {x.ep, idx}, {{"Tidx", attr_type(DType::kInt32)}, {"keep_dims", attr_bool(keep_dims)}},
              DType::kBool, std::move(shape));
  }
  return op(op_name, {x.ep, idx},
            {{"T", attr_type(x.dtype)}, {"Tidx", attr_type(DType::kInt32)}, {"keep_dims", attr_bool(keep_dims)}}, x.dtype,
            std::move(shape));
}

StatusOr<Value> Emitter::l2_normalize(const Value& x, const std::vector<int64_t>& axes, float epsilon) {
  TFPORT_ASSIGN_OR_RETURN(Value sq, unary("Square", x));
  TFPORT_ASSIGN_OR_RETURN(Value sum, reduce("Sum", sq, axes, true));
  TFPORT_ASSIGN_OR_RETURN(Value clamped, binary_scalar("Maximum", sum, epsilon));
  TFPORT_ASSIGN_OR_RETURN(Value inv, unary("Rsqrt", clamped));
  return binary("Mul", x, inv);
}

StatusOr<std::vector<int64_t>> broadcast_shapes(const std::vector<int64_t>& a, const std::vector<int64_t>& b) {
  size_t r = std::max(a.size(), b.size());
  std::vector<int64_t> out(r, -1);
  for (size_t i = 0; i < r; ++i) {
    int64_t x = i < r - a.size() ? 1 : a[i - (r - a.size())];
    int64_t y = i < r - b.size() ? 1 : b[i - (r - b.size())];
    if (x == 1) out[i] = y;
    else if (y == 1) out[i] = x;
    else if (x < 0) out[i] = y;
    else if (y < 0 || x == y) out[i] = x;
    else return invalid_argument_error("shapes " + shape_text(a) + " and " + shape_text(b) + " do not broadcast");
  }
  return out;
}

std::string shape_text(const std::vector<int64_t>& dims) {
  std::string s = "(";
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i) s += ", ";
    s += dims[i] < 0 ? "None" : std::to_string(dims[i]);
  }
  if (dims.size() == 1) s += ",";
  return s + ")";
}

StatusOr<std::vector<int64_t>> einsum_shape(const std::string& equation,
                                            const std::vector<std::vector<int64_t>>& operands) {
  const size_t arrow = equation.find("->");
  if (arrow == std::string::npos) return invalid_argument_error("einsum '" + equation + "' has no '->'");
  std::vector<std::string> specs;
  for (size_t start = 0;;) {
    const size_t comma = equation.find(',', start);
    const size_t stop = std::min(comma, arrow);
    specs.push_back(equation.substr(start, stop - start));
    if (comma == std::string::npos || comma > arrow) break;
    start = comma + 1;
  }
  if (specs.size() != operands.size()) {
    return invalid_argument_error("einsum '" + equation + "' has " + std::to_string(specs.size()) + " operands, got " +
                                  std::to_string(operands.size()));
  }
  std::map<char, int64_t> size;
  std::vector<int64_t> ellipsis;
  for (size_t k = 0; k < specs.size(); ++k) {
    const std::string& spec = specs[k];
    const std::vector<int64_t>& dims = operands[k];
    const size_t e = spec.find("...");
    const size_t letters = spec.size() - (e == std::string::npos ? 0 : 3);
    if (e == std::string::npos ? dims.size() != letters : dims.size() < letters) {
      return invalid_argument_error("einsum term '" + spec + "' does not fit shape " + shape_text(dims));
    }
    const size_t n_ell = dims.size() - letters;
    size_t d = 0;
    for (size_t i = 0; i < spec.size(); ++i) {
      if (e != std::string::npos && i == e) {
        if (n_ell > ellipsis.size()) ellipsis.resize(n_ell, 1);
        // Right-aligned broadcasting of the ellipsis dims.
        for (size_t j = 0; j < n_ell; ++j) {
          int64_t& slot = ellipsis[ellipsis.size() - n_ell + j];
          const int64_t v = dims[d + j];
          slot = slot == 1 ? v : (v == 1 ? slot : (slot == v ? v : -1));
        }
        d += n_ell;
        i += 2;
        continue;
      }
      auto [it, inserted] = size.emplace(spec[i], dims[d]);
      if (!inserted && it->second < 0) it->second = dims[d];
      ++d;
    }
  }
  const std::string out = equation.substr(arrow + 2);
  std::vector<int64_t> shape;
  for (size_t i = 0; i < out.size(); ++i) {
    if (out.compare(i, 3, "...") == 0) {
      shape.insert(shape.end(), ellipsis.begin(), ellipsis.end());
      i += 2;
      continue;
    }
    auto it = size.find(out[i]);
    if (it == size.end()) return invalid_argument_error(std::string("einsum output label '") + out[i] + "' is in no operand");
    shape.push_back(it->second);
  }
  return shape;
}

}  // namespace tfport::graph::keras
