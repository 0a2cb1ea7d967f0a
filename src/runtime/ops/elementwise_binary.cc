// Elementwise binary ops with NumPy/TF broadcasting: arithmetic, comparisons, logical.
// Integer arithmetic wraps (as TF's does, without C++ signed-overflow UB); integer division
// and modulo by zero are errors, as in TF.
#include <cmath>
#include <limits>
#include <type_traits>

#include "runtime/ops/broadcast.h"
#include "runtime/ops/string_compare.h"
#include "runtime/ops/op_util.h"

namespace tfport::runtime::ops {
namespace {

template <typename T>
constexpr bool kIsInt = std::is_integral_v<T> && !std::is_same_v<T, bool>;

template <typename T>
T wrap_add(T a, T b) {
  if constexpr (kIsInt<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(static_cast<U>(a) + static_cast<U>(b)));
  } else {
    return a + b;
  }
}
template <typename T>
T wrap_sub(T a, T b) {
  if constexpr (kIsInt<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(static_cast<U>(a) - static_cast<U>(b)));
  } else {
    return a - b;
  }
}
template <typename T>
T wrap_mul(T a, T b) {
  if constexpr (kIsInt<T>) {
    // Promote to at least unsigned int so uint16*uint16 does not overflow int.
    using U = std::conditional_t<(sizeof(T) < sizeof(unsigned)), unsigned, std::make_unsigned_t<T>>;
    return static_cast<T>(static_cast<U>(static_cast<U>(a) * static_cast<U>(b)));
  } else {
    return a * b;
  }
}

// Each op: a name, the dtypes it takes, its output type, and the scalar function. `kDivides`
// ops check for integer zero divisors first.
struct AddOp {
  static constexpr uint32_t kTypes = kRealTypes;
  template <typename T> T operator()(T a, T b) const { return wrap_add(a, b); }
};
struct SubOp {
  static constexpr uint32_t kTypes = kRealTypes;
  template <typename T> T operator()(T a, T b) const { return wrap_sub(a, b); }
};
struct MulOp {
  static constexpr uint32_t kTypes = kRealTypes;
  template <typename T> T operator()(T a, T b) const { return wrap_mul(a, b); }
};
struct RealDivOp {
  static constexpr uint32_t kTypes = kFloatTypes;
  template <typename T> T operator()(T a, T b) const { return a / b; }
};
struct DivOp {  // truncating for integers
  static constexpr uint32_t kTypes = kRealTypes;
  static constexpr bool kDivides = true;
  template <typename T> T operator()(T a, T b) const {
    if constexpr (kIsInt<T> && std::is_signed_v<T>) {
      if (b == -1) return wrap_sub(T(0), a);  // avoids MIN / -1 overflow
    }
    return static_cast<T>(a / b);
  }
};
struct FloorDivOp {
  static constexpr uint32_t kTypes = kRealTypes;
  static constexpr bool kDivides = true;
  template <typename T> T operator()(T a, T b) const {
    if constexpr (kIsInt<T>) {
      if constexpr (std::is_signed_v<T>) {
        if (b == -1) return wrap_sub(T(0), a);
        T q = static_cast<T>(a / b);
        if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
        return q;
      } else {
        return static_cast<T>(a / b);
      }
    } else {
      return std::floor(a / b);
    }
  }
};
struct TruncateModOp {  // C's remainder: the sign of the dividend (TF's Mod and TruncateMod)
  static constexpr uint32_t kTypes = kRealTypes;
  static constexpr bool kDivides = true;
  template <typename T> T operator()(T a, T b) const {
    if constexpr (kIsInt<T>) {
      if constexpr (std::is_signed_v<T>) {
        if (b == -1) return T(0);
      }
      return static_cast<T>(a % b);
    } else {
      return std::fmod(a, b);
    }
  }
};
struct FloorModOp {  // the remainder with the sign of the divisor
  static constexpr uint32_t kTypes = kRealTypes;
  static constexpr bool kDivides = true;
  template <typename T> T operator()(T a, T b) const {
    T r = TruncateModOp()(a, b);
    if constexpr (std::is_signed_v<T> || !kIsInt<T>) {
      if (r != 0 && ((r < 0) != (b < 0))) r = static_cast<T>(r + b);
    }
    return r;
  }
};
struct MaximumOp {  // NaN-propagating, as TF's
  static constexpr uint32_t kTypes = kRealTypes;
  template <typename T> T operator()(T a, T b) const {
    if constexpr (!kIsInt<T>) {
      if (std::isnan(a)) return a;
      if (std::isnan(b)) return b;
    }
    return a < b ? b : a;
  }
};
struct MinimumOp {
  static constexpr uint32_t kTypes = kRealTypes;
  template <typename T> T operator()(T a, T b) const {
    if constexpr (!kIsInt<T>) {
      if (std::isnan(a)) return a;
      if (std::isnan(b)) return b;
    }
    return b < a ? b : a;
  }
};
struct PowOp {
  static constexpr uint32_t kTypes = kFloatTypes | kI32 | kI64;
  static constexpr bool kIntPow = true;
  template <typename T> T operator()(T a, T b) const {
    if constexpr (kIsInt<T>) {
      T result = 1;
      T base = a;
      auto e = b;  // checked non-negative before
      while (e > 0) {
        if (e & 1) result = wrap_mul(result, base);
        e = static_cast<T>(e >> 1);
        if (e > 0) base = wrap_mul(base, base);
      }
      return result;
    } else {
      return std::pow(a, b);
    }
  }
};
struct SquaredDifferenceOp {
  static constexpr uint32_t kTypes = kFloatTypes | kI32 | kI64;
  template <typename T> T operator()(T a, T b) const {
    T d = wrap_sub(a, b);
    return wrap_mul(d, d);
  }
};
struct Atan2Op {
  static constexpr uint32_t kTypes = kFloatTypes;
  template <typename T> T operator()(T a, T b) const { return std::atan2(a, b); }
};
struct DivNoNanOp {  // 0 where the divisor is 0
  static constexpr uint32_t kTypes = kFloatTypes;
  template <typename T> T operator()(T a, T b) const { return b == T(0) ? T(0) : a / b; }
};
struct MulNoNanOp {  // 0 where the second factor is 0, even against inf or NaN
  static constexpr uint32_t kTypes = kFloatTypes;
  template <typename T> T operator()(T a, T b) const { return b == T(0) ? T(0) : a * b; }
};
struct BitwiseAndOp {
  static constexpr uint32_t kTypes = kIntTypes;
  template <typename T> T operator()(T a, T b) const {
    if constexpr (kIsInt<T>) return static_cast<T>(a & b);
    else return a;
  }
};
struct BitwiseOrOp {
  static constexpr uint32_t kTypes = kIntTypes;
  template <typename T> T operator()(T a, T b) const {
    if constexpr (kIsInt<T>) return static_cast<T>(a | b);
    else return a;
  }
};
struct BitwiseXorOp {
  static constexpr uint32_t kTypes = kIntTypes;
  template <typename T> T operator()(T a, T b) const {
    if constexpr (kIsInt<T>) return static_cast<T>(a ^ b);
    else return a;
  }
};

struct LessOp {
  static constexpr uint32_t kTypes = kRealTypes;
  static constexpr bool kCompare = true;
  template <typename T> bool operator()(T a, T b) const { return a < b; }
};
struct LessEqualOp {
  static constexpr uint32_t kTypes = kRealTypes;
  static constexpr bool kCompare = true;
  template <typename T> bool operator()(T a, T b) const { return a <= b; }
};
struct GreaterOp {
  static constexpr uint32_t kTypes = kRealTypes;
  static constexpr bool kCompare = true;
  template <typename T> bool operator()(T a, T b) const { return a > b; }
};
struct GreaterEqualOp {
  static constexpr uint32_t kTypes = kRealTypes;
  static constexpr bool kCompare = true;
  template <typename T> bool operator()(T a, T b) const { return a >= b; }
};
struct EqualOp {
  static constexpr uint32_t kTypes = kRealTypes | kBoolBit;
  static constexpr bool kCompare = true;
  template <typename T> bool operator()(T a, T b) const { return a == b; }
};
struct NotEqualOp {
  static constexpr uint32_t kTypes = kRealTypes | kBoolBit;
  static constexpr bool kCompare = true;
  template <typename T> bool operator()(T a, T b) const { return a != b; }
};
struct LogicalAndOp {
  static constexpr uint32_t kTypes = kBoolBit;
  template <typename T> T operator()(T a, T b) const { return a && b; }
};
struct LogicalOrOp {
  static constexpr uint32_t kTypes = kBoolBit;
  template <typename T> T operator()(T a, T b) const { return a || b; }
};

template <typename Op, typename = void>
struct Traits {
  static constexpr bool kDivides = false;
};
template <typename Op>
struct Traits<Op, std::void_t<decltype(Op::kDivides)>> {
  static constexpr bool kDivides = Op::kDivides;
};
template <typename Op, typename = void>
struct IsCompare : std::false_type {};
template <typename Op>
struct IsCompare<Op, std::void_t<decltype(Op::kCompare)>> : std::true_type {};
template <typename Op, typename = void>
struct IsIntPow : std::false_type {};
template <typename Op>
struct IsIntPow<Op, std::void_t<decltype(Op::kIntPow)>> : std::true_type {};

template <bool kStrideA, bool kStrideB, typename T, typename R, typename Op>
inline void binary_run(const T* a, const T* b, R* out, int64_t n, const Op& op) {
  for (int64_t i = 0; i < n; ++i) out[i] = static_cast<R>(op(a[kStrideA ? i : 0], b[kStrideB ? i : 0]));
}

template <typename T, typename R, typename Op>
void run_binary(const Eigen::ThreadPoolDevice* device, const Tensor& a, const Tensor& b, Tensor& out, const Op& op) {
  const T* pa = a.data<T>();
  const T* pb = b.data<T>();
  R* po = out.mutable_data<R>();
  const int64_t n = out.num_elements();
  constexpr double kCost = std::is_floating_point_v<T> ? 2.0 : 1.0;
  if (a.shape() == b.shape()) {
    parallel_for(device, n, kCost, [&](int64_t begin, int64_t end) {
      binary_run<true, true>(pa + begin, pb + begin, po + begin, end - begin, op);
    });
    return;
  }
  if (a.num_elements() == 1 || b.num_elements() == 1) {
    const bool sa = a.num_elements() != 1, sb = b.num_elements() != 1;
    parallel_for(device, n, kCost, [&](int64_t begin, int64_t end) {
      if (sa) binary_run<true, false>(pa + begin, pb, po + begin, end - begin, op);
      else if (sb) binary_run<false, true>(pa, pb + begin, po + begin, end - begin, op);
      else binary_run<false, false>(pa, pb, po + begin, end - begin, op);
    });
    return;
  }
  BroadcastWalk<2> walk(out.shape(), {&a.shape(), &b.shape()});
  const bool sa = walk.inner_stride(0) != 0, sb = walk.inner_stride(1) != 0;
  parallel_for(device, n, kCost, [&](int64_t begin, int64_t end) {
    walk.for_each_run(begin, end, [&](int64_t o, const std::array<int64_t, 2>& off, int64_t len) {
      if (sa && sb) binary_run<true, true>(pa + off[0], pb + off[1], po + o, len, op);
      else if (sa) binary_run<true, false>(pa + off[0], pb + off[1], po + o, len, op);
      else if (sb) binary_run<false, true>(pa + off[0], pb + off[1], po + o, len, op);
      else binary_run<false, false>(pa + off[0], pb + off[1], po + o, len, op);
    });
  });
}

template <typename Op>
class BinaryKernel final : public Kernel {
 public:
  explicit BinaryKernel(std::string_view op) : op_(op) {}

  Status compute(KernelContext& ctx) const override {
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, op_, 2));
    const Tensor& a = ctx.inputs[0];
    const Tensor& b = ctx.inputs[1];
    if (a.dtype() != b.dtype()) {
      return ctx.error(op_, "inputs have different types " + std::string(dtype_python_name(a.dtype())) + " and " +
                                std::string(dtype_python_name(b.dtype())));
    }
    auto out_shape = broadcast_shapes(a.shape(), b.shape());
    if (!out_shape) {
      return ctx.error(op_, "incompatible shapes for broadcasting: " + a.shape().to_string() + " and " +
                                b.shape().to_string());
    }
    Status status;
    const bool handled = visit_dtype<Op::kTypes>(a.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      using R = std::conditional_t<IsCompare<Op>::value, bool, T>;
      if constexpr (Traits<Op>::kDivides && kIsInt<T>) {
        for (T v : b.values<T>()) {
          if (v == 0) {
            status = ctx.error(op_, "integer division by zero");
            return;
          }
        }
      }
      if constexpr (IsIntPow<Op>::value && kIsInt<T>) {
        for (T v : b.values<T>()) {
          if (v < 0) {
            status = ctx.error(op_, "integers to negative integer powers are not allowed");
            return;
          }
        }
      }
      auto out = add_output_uninitialized(ctx, op_, dtype_of<R>(), *out_shape);
      if (!out.ok()) {
        status = out.status();
        return;
      }
      run_binary<T, R>(ctx.device, a, b, **out, Op{});
    });
    if (!handled) return unsupported_dtype(ctx, op_, a.dtype(), Op::kTypes);
    return status;
  }

 private:
  std::string op_;
};

template <typename Op>
StatusOr<std::unique_ptr<Kernel>> make_binary(const Attrs& attrs) {
  if constexpr (std::is_same_v<Op, EqualOp> || std::is_same_v<Op, NotEqualOp>) {
    auto t = attrs.get_type("T");
    if (t.ok() && *t == DType::kString) return make_string_equality(attrs, std::is_same_v<Op, EqualOp>);
  }
  TFPORT_RETURN_IF_ERROR(check_type_attr(attrs, "T", Op::kTypes));
  return std::unique_ptr<Kernel>(new BinaryKernel<Op>(attrs.op()));
}

StatusOr<std::vector<PartialShape>> binary_shapes(std::span<const PartialShape> in, const Attrs& attrs) {
  if (in.size() != 2) return attrs.error("expected 2 inputs");
  auto s = broadcast_partial_shapes(in[0], in[1]);
  if (!s) return attrs.error("incompatible shapes for broadcasting: " + in[0].to_string() + " and " + in[1].to_string());
  return std::vector<PartialShape>{*s};
}

TFPORT_REGISTER_OP({"Add", &make_binary<AddOp>, &binary_shapes});
TFPORT_REGISTER_OP({"AddV2", &make_binary<AddOp>, &binary_shapes});
TFPORT_REGISTER_OP({"Sub", &make_binary<SubOp>, &binary_shapes});
TFPORT_REGISTER_OP({"Mul", &make_binary<MulOp>, &binary_shapes});
TFPORT_REGISTER_OP({"RealDiv", &make_binary<RealDivOp>, &binary_shapes});
TFPORT_REGISTER_OP({"Div", &make_binary<DivOp>, &binary_shapes});
TFPORT_REGISTER_OP({"FloorDiv", &make_binary<FloorDivOp>, &binary_shapes});
TFPORT_REGISTER_OP({"FloorMod", &make_binary<FloorModOp>, &binary_shapes});
TFPORT_REGISTER_OP({"Maximum", &make_binary<MaximumOp>, &binary_shapes});
TFPORT_REGISTER_OP({"Minimum", &make_binary<MinimumOp>, &binary_shapes});
TFPORT_REGISTER_OP({"Pow", &make_binary<PowOp>, &binary_shapes});
TFPORT_REGISTER_OP({"SquaredDifference", &make_binary<SquaredDifferenceOp>, &binary_shapes});
TFPORT_REGISTER_OP({"Less", &make_binary<LessOp>, &binary_shapes});
TFPORT_REGISTER_OP({"LessEqual", &make_binary<LessEqualOp>, &binary_shapes});
TFPORT_REGISTER_OP({"Greater", &make_binary<GreaterOp>, &binary_shapes});
TFPORT_REGISTER_OP({"GreaterEqual", &make_binary<GreaterEqualOp>, &binary_shapes});
TFPORT_REGISTER_OP({"Equal", &make_binary<EqualOp>, &binary_shapes});
TFPORT_REGISTER_OP({"NotEqual", &make_binary<NotEqualOp>, &binary_shapes});
TFPORT_REGISTER_OP({"LogicalAnd", &make_binary<LogicalAndOp>, &binary_shapes});
TFPORT_REGISTER_OP({"LogicalOr", &make_binary<LogicalOrOp>, &binary_shapes});
TFPORT_REGISTER_OP({"TruncateDiv", &make_binary<DivOp>, &binary_shapes});
TFPORT_REGISTER_OP({"TruncateMod", &make_binary<TruncateModOp>, &binary_shapes});
TFPORT_REGISTER_OP({"Mod", &make_binary<TruncateModOp>, &binary_shapes});
TFPORT_REGISTER_OP({"Atan2", &make_binary<Atan2Op>, &binary_shapes});
TFPORT_REGISTER_OP({"DivNoNan", &make_binary<DivNoNanOp>, &binary_shapes});
TFPORT_REGISTER_OP({"MulNoNan", &make_binary<MulNoNanOp>, &binary_shapes});
TFPORT_REGISTER_OP({"BitwiseAnd", &make_binary<BitwiseAndOp>, &binary_shapes});
TFPORT_REGISTER_OP({"BitwiseOr", &make_binary<BitwiseOrOp>, &binary_shapes});
TFPORT_REGISTER_OP({"BitwiseXor", &make_binary<BitwiseXorOp>, &binary_shapes});

}  // namespace
}  // namespace tfport::runtime::ops
