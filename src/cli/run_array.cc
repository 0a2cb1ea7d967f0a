// np.asarray and astype for `tfport run` inputs: Python values to tensors, and the dtype
// conversion TensorFlow's session applies to fed values (np.asarray(value, dtype=...)).
#include <Eigen/Core>

#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include "cli/run_literal.h"

namespace tfport::cli {
namespace {

// Calls f(T{}) with the C++ type of a numeric dtype; false for other dtypes.
template <typename F>
bool visit_numeric(DType dtype, F&& f) {
  switch (dtype) {
    case DType::kBool: f(bool{}); return true;
    case DType::kInt8: f(int8_t{}); return true;
    case DType::kInt16: f(int16_t{}); return true;
    case DType::kInt32: f(int32_t{}); return true;
    case DType::kInt64: f(int64_t{}); return true;
    case DType::kUInt8: f(uint8_t{}); return true;
    case DType::kUInt16: f(uint16_t{}); return true;
    case DType::kUInt32: f(uint32_t{}); return true;
    case DType::kUInt64: f(uint64_t{}); return true;
    case DType::kHalf: f(Eigen::half{}); return true;
    case DType::kBFloat16: f(Eigen::bfloat16{}); return true;
    case DType::kFloat: f(float{}); return true;
    case DType::kDouble: f(double{}); return true;
    default: return false;
  }
}

template <typename T>
constexpr bool is_floating_v = std::is_floating_point_v<T> || std::is_same_v<T, Eigen::half> ||
                               std::is_same_v<T, Eigen::bfloat16>;

// One element, widened without loss: integers exactly, floats as double.
struct Wide {
  bool is_float = false;
  bool is_unsigned = false;
  double f = 0;
  int64_t i = 0;
  uint64_t u = 0;
};

template <typename T>
Wide widen(T v) {
  Wide w;
  if constexpr (is_floating_v<T>) {
    w.is_float = true;
    if constexpr (std::is_same_v<T, double>) {
      w.f = v;
    } else {
      w.f = static_cast<double>(static_cast<float>(v));
    }
  } else if constexpr (std::is_same_v<T, bool>) {
    w.i = v ? 1 : 0;
  } else if constexpr (std::is_unsigned_v<T>) {
    w.is_unsigned = true;
    w.u = v;
  } else {
    w.i = v;
  }
  return w;
}

// C-style conversion without undefined behaviour: out-of-range floats become the integer
// minimum (what x86 produces), integers wrap, huge doubles overflow to inf.
template <typename T>
T narrow(const Wide& w) {
  if constexpr (std::is_same_v<T, bool>) {
    if (w.is_float) return w.f != 0;  // NaN is True, as in NumPy
    return w.is_unsigned ? w.u != 0 : w.i != 0;
  } else if constexpr (is_floating_v<T>) {
    double d = w.is_float ? w.f : w.is_unsigned ? static_cast<double>(w.u) : static_cast<double>(w.i);
    if constexpr (std::is_same_v<T, double>) {
      return d;
    } else {
      float f;
      if (std::isfinite(d) && std::fabs(d) > std::numeric_limits<float>::max()) {
        f = d > 0 ? std::numeric_limits<float>::infinity() : -std::numeric_limits<float>::infinity();
      } else {
        f = static_cast<float>(d);
      }
      if constexpr (std::is_same_v<T, float>) {
        return f;
      } else {
        return T(f);
      }
    }
  } else {
    uint64_t bits;
    if (w.is_float) {
      double t = std::trunc(w.f);
      if (!(t >= -9223372036854775808.0 && t < 9223372036854775808.0)) {
        bits = static_cast<uint64_t>(std::numeric_limits<int64_t>::min());
      } else {
        bits = static_cast<uint64_t>(static_cast<int64_t>(t));
      }
    } else {
      bits = w.is_unsigned ? w.u : static_cast<uint64_t>(w.i);
    }
    return static_cast<T>(bits);
  }
}

struct Cell {
  enum class Kind { kBool, kInt, kFloat, kString } kind = Kind::kBool;
  Wide value;
  std::string s;
};

Status shape_of(const PyValue& v, int depth, std::vector<int64_t>* dims) {
  if (depth > 64) return invalid_argument_error("value nested too deeply");
  switch (v.kind) {
    case PyValue::Kind::kList:
    case PyValue::Kind::kTuple: {
      dims->push_back(static_cast<int64_t>(v.items.size()));
      if (v.items.empty()) return Status::OK();
      std::vector<int64_t> first;
      TFPORT_RETURN_IF_ERROR(shape_of(v.items[0], depth + 1, &first));
      for (size_t k = 1; k < v.items.size(); ++k) {
        std::vector<int64_t> other;
        TFPORT_RETURN_IF_ERROR(shape_of(v.items[k], depth + 1, &other));
        if (other != first) {
          return invalid_argument_error(
              "setting an array element with a sequence. The requested array has an inhomogeneous shape after " +
              std::to_string(depth + 1) + " dimensions");
        }
      }
      dims->insert(dims->end(), first.begin(), first.end());
      return Status::OK();
    }
    case PyValue::Kind::kArray:
      dims->insert(dims->end(), v.array.shape().dims().begin(), v.array.shape().dims().end());
      return Status::OK();
    case PyValue::Kind::kNone:
    case PyValue::Kind::kDict:
      return invalid_argument_error("cannot make a tensor element of " + py_type_repr(v) + " " + py_repr(v));
    default:
      return Status::OK();
  }
}

Status collect(const PyValue& v, std::vector<Cell>* cells, size_t max_cells) {
  if (cells->size() > max_cells) return resource_exhausted_error("value has too many elements");
  Cell c;
  switch (v.kind) {
    case PyValue::Kind::kList:
    case PyValue::Kind::kTuple:
      for (const PyValue& item : v.items) TFPORT_RETURN_IF_ERROR(collect(item, cells, max_cells));
      return Status::OK();
    case PyValue::Kind::kArray: {
      const Tensor& t = v.array;
      if (static_cast<size_t>(t.num_elements()) > max_cells) return resource_exhausted_error("value has too many elements");
      if (t.dtype() == DType::kString) {
        for (const std::string& s : t.strings()) {
          c.kind = Cell::Kind::kString;
          c.s = s;
          cells->push_back(c);
        }
        return Status::OK();
      }
      bool ok = visit_numeric(t.dtype(), [&](auto tag) {
        using T = decltype(tag);
        c.kind = std::is_same_v<T, bool> ? Cell::Kind::kBool : is_floating_v<T> ? Cell::Kind::kFloat : Cell::Kind::kInt;
        const T* p = t.data<T>();
        for (int64_t k = 0; k < t.num_elements(); ++k) {
          c.value = widen(p[k]);
          cells->push_back(c);
        }
      });
      if (!ok) return unimplemented_error("arrays of " + std::string(dtype_python_name(t.dtype())));
      return Status::OK();
    }
    case PyValue::Kind::kBool: c.kind = Cell::Kind::kBool; c.value.i = v.b; break;
    case PyValue::Kind::kInt: c.kind = Cell::Kind::kInt; c.value.i = v.i; break;
    case PyValue::Kind::kFloat:
      c.kind = Cell::Kind::kFloat;
      c.value.is_float = true;
      c.value.f = v.f;
      break;
    case PyValue::Kind::kStr:
    case PyValue::Kind::kBytes: c.kind = Cell::Kind::kString; c.s = v.s; break;
    default: return invalid_argument_error("cannot make a tensor element of " + py_type_repr(v));
  }
  cells->push_back(std::move(c));
  return Status::OK();
}

}  // namespace

StatusOr<Tensor> cast_array(const Tensor& t, DType dtype) {
  if (t.dtype() == dtype) return t;
  if (t.dtype() == DType::kString || dtype == DType::kString) {
    return invalid_argument_error("cannot convert " + std::string(dtype_python_name(t.dtype())) + " values to " +
                                  std::string(dtype_python_name(dtype)));
  }
  TFPORT_ASSIGN_OR_RETURN(Tensor out, Tensor::allocate(dtype, t.shape()));
  bool ok = visit_numeric(t.dtype(), [&](auto src_tag) {
    using S = decltype(src_tag);
    visit_numeric(dtype, [&](auto dst_tag) {
      using D = decltype(dst_tag);
      const S* src = t.data<S>();
      D* dst = out.mutable_data<D>();
      for (int64_t k = 0; k < t.num_elements(); ++k) dst[k] = narrow<D>(widen(src[k]));
    });
  });
  bool dst_ok = visit_numeric(dtype, [](auto) {});
  if (!ok || !dst_ok) {
    return unimplemented_error("cannot convert " + std::string(dtype_python_name(t.dtype())) + " values to " +
                               std::string(dtype_python_name(dtype)));
  }
  return out;
}

StatusOr<Tensor> py_to_array(const PyValue& value, DType dtype, std::size_t max_bytes) {
  if (value.kind == PyValue::Kind::kArray) {
    return dtype == DType::kInvalid ? value.array : cast_array(value.array, dtype);
  }
  std::vector<int64_t> dims;
  TFPORT_RETURN_IF_ERROR(shape_of(value, 0, &dims));
  TFPORT_ASSIGN_OR_RETURN(Shape shape, Shape::make(dims));
  std::vector<Cell> cells;
  TFPORT_RETURN_IF_ERROR(collect(value, &cells, max_bytes / 8));
  if (static_cast<int64_t>(cells.size()) != shape.num_elements()) return internal_error("element count mismatch");

  bool any_string = false, any_number = false, any_float = false, any_int = false;
  for (const Cell& c : cells) {
    any_string |= c.kind == Cell::Kind::kString;
    any_number |= c.kind != Cell::Kind::kString;
    any_float |= c.kind == Cell::Kind::kFloat;
    any_int |= c.kind == Cell::Kind::kInt;
  }
  if (any_string && any_number) {
    return invalid_argument_error("value mixes strings and numbers: " + py_repr(value));
  }
  if (any_string || (dtype == DType::kString && cells.empty())) {
    if (dtype != DType::kInvalid && dtype != DType::kString) {
      return invalid_argument_error("cannot convert string values to " + std::string(dtype_python_name(dtype)));
    }
    std::vector<std::string> strings;
    strings.reserve(cells.size());
    for (Cell& c : cells) strings.push_back(std::move(c.s));
    return Tensor::from_strings(shape, std::move(strings));
  }
  DType natural = any_float ? DType::kDouble : any_int ? DType::kInt64 : cells.empty() ? DType::kDouble : DType::kBool;
  DType target = dtype == DType::kInvalid ? natural : dtype;
  if (target == DType::kString) {
    return invalid_argument_error("cannot convert numbers to string: " + py_repr(value));
  }
  TFPORT_ASSIGN_OR_RETURN(Tensor out, Tensor::allocate(target, shape, max_bytes));
  bool ok = visit_numeric(target, [&](auto tag) {
    using T = decltype(tag);
    T* dst = out.mutable_data<T>();
    for (size_t k = 0; k < cells.size(); ++k) dst[k] = narrow<T>(cells[k].value);
  });
  if (!ok) return unimplemented_error("cannot make a " + std::string(dtype_python_name(target)) + " tensor from a literal");
  return out;
}

}  // namespace tfport::cli
