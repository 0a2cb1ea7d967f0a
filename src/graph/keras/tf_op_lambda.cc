// TF-op layers of tf.keras 2.x: TFOpLambda ("x + y", tf.concat, tf.reduce_mean ... applied to
// Keras tensors) and SlicingOpLambda (x[:, 0]). The config names the TF function; this file
// has the arithmetic and math functions, the table of supported names and the registration
// (argument reading: tf_op_call.h; array-shaping functions: tf_op_shape.cc).
#include <algorithm>
#include <map>

#include "graph/keras/tf_op_call.h"

namespace tfport::graph::keras {
namespace tf_op {
namespace {

// x <op> y with TF's broadcasting; constants take the tensor operand's dtype.
TfOp binary(std::string op, bool to_bool = false, const char* other = "y") {
  return [op, to_bool, other](TfCall& c) -> StatusOr<Value> {
    const Arg& x = c.first();
    Arg y = c.kwarg(other);
    std::optional<DType> dtype = c.dtype_of({&x, &y});
    if (!dtype) return c.call().error("neither operand is a tensor");
    TFPORT_ASSIGN_OR_RETURN(Value a, c.tensor(x, "x", *dtype));
    TFPORT_ASSIGN_OR_RETURN(Value b, c.tensor(y, other, *dtype));
    if (a.dtype != b.dtype) {
      return c.call().error(std::string("operands of different types: ") + std::string(dtype_python_name(a.dtype)) + " and " +
                            std::string(dtype_python_name(b.dtype)));
    }
    if (op == "RealDiv" && a.dtype != DType::kFloat && a.dtype != DType::kDouble && a.dtype != DType::kHalf) return c.call().unimplemented("true division of integers");
    TFPORT_ASSIGN_OR_RETURN(std::vector<int64_t> shape, broadcast_shapes(a.shape, b.shape));
    if (op.rfind("Logical", 0) == 0) {  // bool only: these ops have no type attribute
      if (a.dtype != DType::kBool) return c.call().error(op + " needs bool operands");
      return c.emit().op(op, {a.ep, b.ep}, {}, DType::kBool, shape);
    }
    if (!to_bool) return c.emit().binary(op, a, b);
    return c.emit().op(op, {a.ep, b.ep}, {{"T", attr_type(a.dtype)}}, DType::kBool, shape);
  };
}

TfOp unary(std::string op) {
  return [op](TfCall& c) -> StatusOr<Value> {
    TFPORT_ASSIGN_OR_RETURN(Value x, x_of(c));
    if (op == "LogicalNot") {  // bool only, no type attribute
      if (x.dtype != DType::kBool) return c.call().error("LogicalNot needs a bool operand");
      return c.emit().op(op, {x.ep}, {}, DType::kBool, x.shape);
    }
    return c.emit().unary(op, x);
  };
}

// The "axis" argument as distinct non-negative axes of x; every axis when absent.
StatusOr<std::vector<int64_t>> axes_arg(TfCall& c, const Value& x) {
  TFPORT_ASSIGN_OR_RETURN(auto axes, c.ints_arg("axis"));
  std::vector<int64_t> list;
  if (!axes) {
    for (int i = 0; i < x.rank(); ++i) list.push_back(i);
    return list;
  }
  for (int64_t a : *axes) {
    TFPORT_ASSIGN_OR_RETURN(int64_t n, normalize_axis(c, a, x.rank(), "axis"));
    if (std::find(list.begin(), list.end(), n) == list.end()) list.push_back(n);
  }
  return list;
}

// reduce_sum / mean / max / min / prod / any / all over `axis` (all axes when absent).
TfOp reduction(std::string op) {
  return [op](TfCall& c) -> StatusOr<Value> {
    TFPORT_ASSIGN_OR_RETURN(Value x, x_of(c));
    TFPORT_ASSIGN_OR_RETURN(std::vector<int64_t> axes, axes_arg(c, x));
    TFPORT_ASSIGN_OR_RETURN(bool keep, c.bool_arg("keepdims", false));
    TFPORT_ASSIGN_OR_RETURN(keep, c.bool_arg("keep_dims", keep));
    auto y = c.emit().reduce(op, x, axes, keep);
    if (!y.ok()) return c.call().error(y.status().message());
    return *y;
  };
}

StatusOr<Value> softmax_fn(TfCall& c, bool log) {
  TFPORT_ASSIGN_OR_RETURN(Value x, x_of(c));
  TFPORT_ASSIGN_OR_RETURN(std::optional<int64_t> axis, c.int_arg("axis"));
  if (!axis) {
    TFPORT_ASSIGN_OR_RETURN(axis, c.int_arg("dim"));
  }
  return softmax_along(c.emit(), x, axis.value_or(-1), log);
}

StatusOr<Value> matmul_fn(TfCall& c) {
  TFPORT_ASSIGN_OR_RETURN(Value a, x_of(c));
  Arg b_arg = c.kwarg("b");
  TFPORT_ASSIGN_OR_RETURN(Value b, c.tensor(b_arg, "b", a.dtype));
  TFPORT_ASSIGN_OR_RETURN(bool ta, c.bool_arg("transpose_a", false));
  TFPORT_ASSIGN_OR_RETURN(bool tb, c.bool_arg("transpose_b", false));
  TFPORT_ASSIGN_OR_RETURN(bool adj_a, c.bool_arg("adjoint_a", false));
  TFPORT_ASSIGN_OR_RETURN(bool adj_b, c.bool_arg("adjoint_b", false));
  ta = ta || adj_a;  // real tensors: the adjoint is the transpose
  tb = tb || adj_b;
  if (a.rank() < 2 || b.rank() < 2) return c.call().error("matmul needs tensors of rank 2 or more");
  const int64_t m = a.dim(ta ? -1 : -2), n = b.dim(tb ? -2 : -1);
  if (a.rank() == 2 && b.rank() == 2) {
    return c.emit().op("MatMul", {a.ep, b.ep}, {{"T", attr_type(a.dtype)}, {"transpose_a", attr_bool(ta)},
                                                {"transpose_b", attr_bool(tb)}},
                       a.dtype, {m, n});
  }
  std::vector<int64_t> batch_a(a.shape.begin(), a.shape.end() - 2), batch_b(b.shape.begin(), b.shape.end() - 2);
  TFPORT_ASSIGN_OR_RETURN(std::vector<int64_t> shape, broadcast_shapes(batch_a, batch_b));
  shape.push_back(m);
  shape.push_back(n);
  return c.emit().op("BatchMatMulV2", {a.ep, b.ep}, {{"T", attr_type(a.dtype)}, {"adj_x", attr_bool(ta)},
                                                     {"adj_y", attr_bool(tb)}},
                     a.dtype, shape);
}

StatusOr<Value> clip_fn(TfCall& c) {
  TFPORT_ASSIGN_OR_RETURN(Value x, x_of(c));
  TFPORT_ASSIGN_OR_RETURN(Value hi, c.tensor(c.kwarg("clip_value_max"), "clip_value_max", x.dtype));
  TFPORT_ASSIGN_OR_RETURN(Value lo, c.tensor(c.kwarg("clip_value_min"), "clip_value_min", x.dtype));
  TFPORT_ASSIGN_OR_RETURN(Value upper, c.emit().binary("Minimum", x, hi));
  return c.emit().binary("Maximum", upper, lo);
}

// x / sqrt(max(sum(x^2, axis), epsilon)), as x * rsqrt(...) the way TF computes it.
StatusOr<Value> l2_normalize_fn(TfCall& c) {
  TFPORT_ASSIGN_OR_RETURN(Value x, x_of(c));
  TFPORT_ASSIGN_OR_RETURN(std::vector<int64_t> axes, axes_arg(c, x));
  TFPORT_ASSIGN_OR_RETURN(double eps, c.float_arg("epsilon", 1e-12));
  return c.emit().l2_normalize(x, axes, static_cast<float>(eps));
}

// Keras 3's keras.ops.einsum(subscripts, a[, b]); the subscripts arrive as "equation".
StatusOr<Value> einsum_fn(TfCall& c) {
  Arg eq = c.kwarg("equation");
  if (!eq.constant || !eq.constant->is_string()) return c.arg_error("subscripts", "expected the einsum equation");
  const std::string equation = eq.constant->get<std::string>();
  TFPORT_ASSIGN_OR_RETURN(Value a, x_of(c));
  std::vector<Value> operands{a};
  Arg b = c.kwarg("y");
  if (b.present()) {
    TFPORT_ASSIGN_OR_RETURN(Value bv, c.tensor(b, "y", a.dtype));
    operands.push_back(bv);
  }
  std::vector<std::vector<int64_t>> shapes;
  std::vector<Endpoint> inputs;
  for (const Value& v : operands) {
    if (v.dtype != a.dtype) return c.call().error("einsum operands of different types");
    shapes.push_back(v.shape);
    inputs.push_back(v.ep);
  }
  auto shape = einsum_shape(equation, shapes);
  if (!shape.ok()) return c.call().error(shape.status().message());
  return c.emit().op("Einsum", inputs, {{"equation", attr_string(equation)},
                                        {"N", attr_int(static_cast<int64_t>(inputs.size()))},
                                        {"T", attr_type(a.dtype)}},
                     a.dtype, *shape);
}

StatusOr<Value> leaky_relu_fn(TfCall& c) {
  TFPORT_ASSIGN_OR_RETURN(Value x, x_of(c));
  TFPORT_ASSIGN_OR_RETURN(double alpha, c.float_arg("alpha", 0.2));
  return c.emit().op("LeakyRelu", {x.ep}, {{"T", attr_type(x.dtype)}, {"alpha", attr_float(static_cast<float>(alpha))}},
                     x.dtype, x.shape);
}

// x * sigmoid(beta * x)
StatusOr<Value> silu_fn(TfCall& c) {
  TFPORT_ASSIGN_OR_RETURN(Value x, x_of(c));
  TFPORT_ASSIGN_OR_RETURN(double beta, c.float_arg("beta", 1.0));
  Value z = x;
  if (beta != 1.0) {
    TFPORT_ASSIGN_OR_RETURN(z, c.emit().binary_scalar("Mul", x, static_cast<float>(beta)));
  }
  TFPORT_ASSIGN_OR_RETURN(Value s, c.emit().unary("Sigmoid", z));
  return c.emit().binary("Mul", x, s);
}

StatusOr<Value> gelu_fn(TfCall& c) {
  TFPORT_ASSIGN_OR_RETURN(Value x, x_of(c));
  TFPORT_ASSIGN_OR_RETURN(bool approximate, c.bool_arg("approximate", false));
  return gelu(c.emit(), x, approximate);
}

}  // namespace
}  // namespace tf_op

namespace {

// The lowering functions of tf_op_call.h and those above.
using namespace tf_op;  // NOLINT(google-build-using-namespace)

const std::map<std::string, TfOp, std::less<>>& functions() {
  static const auto* table = [] {
    auto* t = new std::map<std::string, TfOp, std::less<>>();
    auto alias = [t](std::initializer_list<const char*> names, TfOp op) {
      for (const char* n : names) (*t)[n] = op;
    };
    alias({"__operators__.add", "math.add", "add"}, binary("AddV2"));
    alias({"math.subtract", "subtract"}, binary("Sub"));
    alias({"math.multiply", "multiply"}, binary("Mul"));
    alias({"math.truediv", "math.divide", "divide", "truediv"}, binary("RealDiv"));
    alias({"math.floordiv", "floordiv"}, binary("FloorDiv"));
    alias({"math.floormod", "math.mod", "floormod"}, binary("FloorMod"));
    alias({"math.maximum", "maximum"}, binary("Maximum"));
    alias({"math.minimum", "minimum"}, binary("Minimum"));
    alias({"math.pow", "pow"}, binary("Pow"));
    alias({"math.squared_difference"}, binary("SquaredDifference"));
    alias({"math.greater", "greater"}, binary("Greater", true));
    alias({"math.greater_equal", "greater_equal"}, binary("GreaterEqual", true));
    alias({"math.less", "less"}, binary("Less", true));
    alias({"math.less_equal", "less_equal"}, binary("LessEqual", true));
    alias({"math.equal", "equal"}, binary("Equal", true));
    alias({"math.not_equal", "not_equal"}, binary("NotEqual", true));
    alias({"math.logical_and", "logical_and"}, binary("LogicalAnd"));
    alias({"math.logical_or", "logical_or"}, binary("LogicalOr"));
    alias({"math.negative", "negative"}, unary("Neg"));
    alias({"math.abs", "abs"}, unary("Abs"));
    alias({"math.exp", "exp"}, unary("Exp"));
    alias({"math.expm1"}, unary("Expm1"));
    alias({"math.log", "log"}, unary("Log"));
    alias({"math.log1p"}, unary("Log1p"));
    alias({"math.sqrt", "sqrt"}, unary("Sqrt"));
    alias({"math.rsqrt"}, unary("Rsqrt"));
    alias({"math.square", "square"}, unary("Square"));
    alias({"math.reciprocal"}, unary("Reciprocal"));
    alias({"math.sigmoid", "nn.sigmoid", "sigmoid"}, unary("Sigmoid"));
    alias({"math.tanh", "nn.tanh", "tanh"}, unary("Tanh"));
    alias({"nn.relu"}, unary("Relu"));
    alias({"nn.relu6"}, unary("Relu6"));
    alias({"nn.elu"}, unary("Elu"));
    alias({"nn.selu"}, unary("Selu"));
    alias({"math.softplus", "nn.softplus"}, unary("Softplus"));
    alias({"math.softsign", "nn.softsign"}, unary("Softsign"));
    alias({"math.erf"}, unary("Erf"));
    alias({"math.floor", "floor"}, unary("Floor"));
    alias({"math.ceil"}, unary("Ceil"));
    alias({"math.round", "round"}, unary("Round"));
    alias({"math.sign", "sign"}, unary("Sign"));
    alias({"math.sin", "sin"}, unary("Sin"));
    alias({"math.cos", "cos"}, unary("Cos"));
    alias({"math.logical_not", "logical_not"}, unary("LogicalNot"));
    alias({"identity", "stop_gradient"}, unary("Identity"));
    alias({"math.reduce_sum", "reduce_sum"}, reduction("Sum"));
    alias({"math.reduce_mean", "reduce_mean"}, reduction("Mean"));
    alias({"math.reduce_max", "reduce_max"}, reduction("Max"));
    alias({"math.reduce_min", "reduce_min"}, reduction("Min"));
    alias({"math.reduce_prod", "reduce_prod"}, reduction("Prod"));
    alias({"math.reduce_any", "reduce_any"}, reduction("Any"));
    alias({"math.reduce_all", "reduce_all"}, reduction("All"));
    alias({"nn.softmax", "math.softmax"}, [](TfCall& c) { return softmax_fn(c, false); });
    alias({"nn.log_softmax", "math.log_softmax"}, [](TfCall& c) { return softmax_fn(c, true); });
    alias({"nn.leaky_relu"}, leaky_relu_fn);
    alias({"nn.silu", "nn.swish"}, silu_fn);
    alias({"nn.gelu"}, gelu_fn);
    alias({"concat"}, concat_fn);
    alias({"stack"}, stack_fn);
    alias({"math.add_n", "add_n"}, add_n_fn);
    alias({"reshape"}, reshape_fn);
    alias({"expand_dims"}, expand_dims_fn);
    alias({"squeeze"}, squeeze_fn);
    alias({"transpose", "compat.v1.transpose"}, transpose_fn);
    alias({"tile"}, tile_fn);
    alias({"cast", "dtypes.cast"}, cast_fn);
    alias({"linalg.matmul", "matmul"}, matmul_fn);
    alias({"clip_by_value"}, clip_fn);
    alias({"math.l2_normalize", "nn.l2_normalize", "linalg.l2_normalize"}, l2_normalize_fn);
    alias({"__operators__.getitem"}, getitem_fn);
    alias({"keras.ops.einsum"}, einsum_fn);  // not a TF name: tf.einsum's arguments differ
    return t;
  }();
  return *table;
}

StatusOr<std::vector<Value>> lower_tf_op(LayerCall& call) {
  TFPORT_ASSIGN_OR_RETURN(std::string function, call.get_string("function", ""));
  auto it = functions().find(function);
  if (it == functions().end()) {
    return call.unimplemented("TF function 'tf." + function + "' is not supported");
  }
  TfCall c(call);
  TFPORT_RETURN_IF_ERROR(c.parse());
  TFPORT_ASSIGN_OR_RETURN(Value y, it->second(c));
  return one(y);
}

// Keras 3 ops in functional models (keras.ops.add(x, y), x[:, 0], ...): the TF function that
// computes the same, the names its arguments after the first take, and the op's own parameters
// (its config) renamed to that function's.
struct Keras3Op {
  const char* function;
  std::vector<std::string> positional;
  std::vector<std::pair<const char*, const char*>> renames;
};

const std::map<std::string, Keras3Op, std::less<>>& keras3_ops() {
  static const auto* table = new std::map<std::string, Keras3Op, std::less<>>{
      {"Add", {"math.add", {"y"}, {}}},
      {"Subtract", {"math.subtract", {"y"}, {}}},
      {"Multiply", {"math.multiply", {"y"}, {}}},
      {"Divide", {"math.truediv", {"y"}, {}}},
      {"TrueDivide", {"math.truediv", {"y"}, {}}},
      {"FloorDivide", {"math.floordiv", {"y"}, {}}},
      {"Mod", {"math.floormod", {"y"}, {}}},
      {"Power", {"math.pow", {"y"}, {}}},
      {"Maximum", {"math.maximum", {"y"}, {}}},
      {"Minimum", {"math.minimum", {"y"}, {}}},
      {"Greater", {"math.greater", {"y"}, {}}},
      {"GreaterEqual", {"math.greater_equal", {"y"}, {}}},
      {"Less", {"math.less", {"y"}, {}}},
      {"LessEqual", {"math.less_equal", {"y"}, {}}},
      {"Equal", {"math.equal", {"y"}, {}}},
      {"NotEqual", {"math.not_equal", {"y"}, {}}},
      {"LogicalAnd", {"math.logical_and", {"y"}, {}}},
      {"LogicalOr", {"math.logical_or", {"y"}, {}}},
      {"Matmul", {"linalg.matmul", {"b"}, {}}},
      {"Absolute", {"math.abs", {}, {}}},
      {"Abs", {"math.abs", {}, {}}},
      {"Negative", {"math.negative", {}, {}}},
      {"Exp", {"math.exp", {}, {}}},
      {"Expm1", {"math.expm1", {}, {}}},
      {"Log", {"math.log", {}, {}}},
      {"Log1p", {"math.log1p", {}, {}}},
      {"Sqrt", {"math.sqrt", {}, {}}},
      {"Rsqrt", {"math.rsqrt", {}, {}}},
      {"Square", {"math.square", {}, {}}},
      {"Reciprocal", {"math.reciprocal", {}, {}}},
      {"Sign", {"math.sign", {}, {}}},
      {"Floor", {"math.floor", {}, {}}},
      {"Ceil", {"math.ceil", {}, {}}},
      {"Round", {"math.round", {}, {}}},
      {"Sin", {"math.sin", {}, {}}},
      {"Cos", {"math.cos", {}, {}}},
      {"Tanh", {"math.tanh", {}, {}}},
      {"Erf", {"math.erf", {}, {}}},
      {"LogicalNot", {"math.logical_not", {}, {}}},
      {"Relu", {"nn.relu", {}, {}}},
      {"Relu6", {"nn.relu6", {}, {}}},
      {"Sigmoid", {"math.sigmoid", {}, {}}},
      {"Softplus", {"nn.softplus", {}, {}}},
      {"Softsign", {"nn.softsign", {}, {}}},
      {"Silu", {"nn.silu", {}, {}}},
      {"Elu", {"nn.elu", {}, {}}},
      {"Selu", {"nn.selu", {}, {}}},
      {"Gelu", {"nn.gelu", {}, {}}},
      {"LeakyRelu", {"nn.leaky_relu", {}, {{"negative_slope", "alpha"}}}},
      {"Softmax", {"nn.softmax", {}, {}}},
      {"LogSoftmax", {"nn.log_softmax", {}, {}}},
      {"Mean", {"math.reduce_mean", {}, {}}},
      {"Sum", {"math.reduce_sum", {}, {}}},
      {"Max", {"math.reduce_max", {}, {}}},
      {"Min", {"math.reduce_min", {}, {}}},
      {"Prod", {"math.reduce_prod", {}, {}}},
      {"Any", {"math.reduce_any", {}, {}}},
      {"All", {"math.reduce_all", {}, {}}},
      {"Reshape", {"reshape", {}, {{"newshape", "shape"}}}},
      {"Transpose", {"transpose", {}, {{"axes", "perm"}}}},
      {"ExpandDims", {"expand_dims", {}, {}}},
      {"Squeeze", {"squeeze", {}, {}}},
      {"Concatenate", {"concat", {}, {}}},
      {"Stack", {"stack", {}, {}}},
      {"Clip", {"clip_by_value", {}, {{"x_min", "clip_value_min"}, {"x_max", "clip_value_max"}}}},
      {"Cast", {"cast", {}, {}}},
      {"GetItem", {"__operators__.getitem", {"slice_spec"}, {}}},
      {"Einsum", {"keras.ops.einsum", {"y"}, {{"subscripts", "equation"}}}},
  };
  return *table;
}

StatusOr<std::vector<Value>> lower_keras3_op(LayerCall& call) {
  const std::string_view op = std::string_view(call.class_name).substr(4);  // after "ops:"
  auto found = keras3_ops().find(op);
  if (found == keras3_ops().end()) return call.unimplemented("this Keras op is not supported");
  const Keras3Op& spec = found->second;
  TfCall c(call);
  TFPORT_RETURN_IF_ERROR(c.parse());
  c.name_positional(spec.positional);
  json config = call.config != nullptr && call.config->is_object() ? *call.config : json::object();
  for (const auto& [from, to] : spec.renames) {
    if (config.contains(from)) config[to] = config[from];
  }
  if (op == "Gelu" && !config.contains("approximate")) config["approximate"] = true;  // keras.ops.gelu's default
  c.set_config(std::move(config));
  auto fn = functions().find(spec.function);
  if (fn == functions().end()) return internal_error(std::string("no TF function ") + spec.function);
  TFPORT_ASSIGN_OR_RETURN(Value y, fn->second(c));
  return one(y);
}

}  // namespace

bool tf_op_supported(std::string_view function) { return functions().count(function) > 0; }

void add_tf_op_layers(LayerTable& t) {
  t.lower["TFOpLambda"] = &lower_tf_op;
  t.lower["SlicingOpLambda"] = &lower_tf_op;
  for (const auto& [name, spec] : keras3_ops()) t.lower["ops:" + name] = &lower_keras3_op;
}

}  // namespace tfport::graph::keras

