#include "graph/keras/tf_op_call.h"

#include <algorithm>

namespace tfport::graph::keras::tf_op {
namespace {

constexpr const char* kConstant = "_CONSTANT_VALUE";
constexpr size_t kMaxConstantElements = 1 << 20;

// [name, node, tensor] or [name, node, tensor, kwargs], with "_CONSTANT_VALUE" as the name of
// constants (then item 2 is the value).
bool is_entry(const json& j) {
  return j.is_array() && (j.size() == 3 || j.size() == 4) && j[0].is_string() && j[1].is_number_integer() &&
         (j[2].is_number_integer() || j[0] == kConstant);
}

// A tensor reference: Keras 2 [name, node, tensor], Keras 3 {"class_name": "__keras_tensor__"}.
bool is_ref(const json& j) {
  if (j.is_object()) {
    auto cn = j.find("class_name");
    return cn != j.end() && *cn == "__keras_tensor__";
  }
  return j.is_array() && j.size() == 3 && j[0].is_string() && j[0] != kConstant && j[1].is_number_integer() &&
         j[2].is_number_integer();
}

// Keras 3 writes tuples as {"class_name": "__tuple__", "config": {"value": [...]}}.
const json& unwrap_tuple(const json& j) {
  if (j.is_object()) {
    auto cn = j.find("class_name");
    auto cfg = j.find("config");
    if (cn != j.end() && *cn == "__tuple__" && cfg != j.end() && cfg->is_object() && cfg->contains("value")) {
      return (*cfg)["value"];
    }
  }
  return j;
}

}  // namespace

Status TfCall::parse() {
  std::string text = call_.node != nullptr ? call_.node->call_json : std::string();
  if (text.empty()) {  // Sequential models, Keras 3 nodes: the first input is the argument
    TFPORT_ASSIGN_OR_RETURN(Value x, call_.input());
    first_.tensor = x;
    return Status::OK();
  }
  entry_ = json::parse(text, nullptr, false);
  size_t next_input = 0;
  if (entry_.is_object()) {  // Keras 3: {"args": [...], "kwargs": {...}}
    auto args = entry_.find("args");
    if (args == entry_.end() || !args->is_array() || args->empty()) return call_.error("its call has no arguments");
    for (size_t i = 0; i < args->size(); ++i) {
      TFPORT_ASSIGN_OR_RETURN(Arg a, from_value((*args)[i], &next_input, 0));
      if (i == 0) first_ = std::move(a);
      else positional_.push_back(std::move(a));
    }
    return Status::OK();
  }
  auto from_entry = [&](const json& e, Arg* out) -> Status {
    if (e[0] == kConstant) {
      out->constant = &e[2];
      return Status::OK();
    }
    if (next_input >= call_.inputs.size()) return call_.error("its call lists more tensors than it was given");
    out->tensor = call_.inputs[next_input++];
    return Status::OK();
  };
  if (is_entry(entry_)) {
    TFPORT_RETURN_IF_ERROR(from_entry(entry_, &first_));
  } else if (entry_.is_array()) {
    first_.is_list = true;
    for (const json& e : entry_) {
      if (!is_entry(e)) return call_.unimplemented("a first argument nested deeper than a list of tensors");
      TFPORT_RETURN_IF_ERROR(from_entry(e, &first_.items.emplace_back()));
    }
  } else {
    return call_.error("its call is neither a tensor nor a list of tensors");
  }
  return Status::OK();
}

StatusOr<Arg> TfCall::from_value(const json& v, size_t* next_input, int depth) {
  Arg a;
  if (depth > 4) return call_.unimplemented("arguments nested deeper than lists of tensors");
  if (is_ref(v)) {
    if (*next_input >= call_.inputs.size()) return call_.error("its call lists more tensors than it was given");
    a.tensor = call_.inputs[(*next_input)++];
    return a;
  }
  const json& u = unwrap_tuple(v);
  if (u.is_array() && std::any_of(u.begin(), u.end(), [](const json& e) { return is_ref(e); })) {
    a.is_list = true;
    for (const json& e : u) {
      TFPORT_ASSIGN_OR_RETURN(Arg item, from_value(e, next_input, depth + 1));
      a.items.push_back(std::move(item));
    }
    return a;
  }
  if (!u.is_null()) a.constant = &u;
  return a;
}

void TfCall::name_positional(const std::vector<std::string>& names) {
  for (size_t i = 0; i < names.size() && i < positional_.size(); ++i) named_[names[i]] = positional_[i];
}

Arg TfCall::kwarg(const char* key) {
  Arg a;
  if (auto n = named_.find(key); n != named_.end()) return n->second;
  const json* from = call_.kwargs;
  if (from == nullptr || !from->is_object() || !from->contains(key)) from = &config_;
  if (!from->is_object()) return a;
  auto it = from->find(key);
  if (it == from->end() || it->is_null()) return a;
  if (from == &config_) {  // op parameters: constants, tuples as lists
    a.constant = &unwrap_tuple(*it);
    return a;
  }
  size_t seen = 0;
  auto tensor_for = [&](Arg* out) {
    size_t k = 0;
    for (const auto& [name, value] : call_.kwarg_values) {
      if (name == key && k++ == seen) {
        out->tensor = value;
        break;
      }
    }
    ++seen;
  };
  if (is_ref(*it)) {
    tensor_for(&a);
  } else if (it->is_array() && std::any_of(it->begin(), it->end(), [](const json& e) { return is_ref(e); })) {
    a.is_list = true;
    for (const json& e : *it) {
      Arg& item = a.items.emplace_back();
      if (is_ref(e)) tensor_for(&item);
      else item.constant = &e;
    }
  } else {
    a.constant = &*it;
  }
  return a;
}

Status TfCall::arg_error(const char* key, std::string_view what) const {
  return call_.error("argument '" + std::string(key) + "': " + std::string(what));
}

StatusOr<Value> TfCall::tensor(const Arg& a, const char* key, DType dtype) {
  if (a.tensor) return *a.tensor;
  if (a.constant == nullptr) return arg_error(key, a.is_list ? "a list where a tensor is expected" : "missing");
  std::vector<double> values;
  std::vector<int64_t> dims;
  TFPORT_RETURN_IF_ERROR(flatten(*a.constant, key, 0, &values, &dims));
  TFPORT_ASSIGN_OR_RETURN(Shape shape, Shape::make(dims));
  TFPORT_ASSIGN_OR_RETURN(Tensor t, Tensor::allocate(dtype, shape));
  const bool integral = dtype == DType::kInt32 || dtype == DType::kInt64;
  for (size_t i = 0; i < values.size(); ++i) {
    const double v = values[i];
    const double limit = dtype == DType::kInt32 ? 2147483648.0 : 9223372036854775808.0;
    if (integral && !(v >= -limit && v < limit)) return arg_error(key, "constant out of the integer range");
    switch (dtype) {
      case DType::kFloat: t.mutable_data<float>()[i] = static_cast<float>(v); break;
      case DType::kDouble: t.mutable_data<double>()[i] = v; break;
      case DType::kInt32: t.mutable_data<int32_t>()[i] = static_cast<int32_t>(v); break;
      case DType::kInt64: t.mutable_data<int64_t>()[i] = static_cast<int64_t>(v); break;
      case DType::kBool: t.mutable_data<bool>()[i] = v != 0; break;
      default: return arg_error(key, "constants of type " + std::string(dtype_python_name(dtype)) + " are not supported");
    }
  }
  return emit().const_value(key, t, dims);
}

std::optional<DType> TfCall::dtype_of(std::initializer_list<const Arg*> args) const {
  for (const Arg* a : args) {
    if (a->tensor) return a->tensor->dtype;
    for (const Arg& item : a->items) {
      if (item.tensor) return item.tensor->dtype;
    }
  }
  return std::nullopt;
}

StatusOr<std::optional<int64_t>> TfCall::int_arg(const char* key) {
  Arg a = kwarg(key);
  if (!a.present()) return std::optional<int64_t>();
  if (!a.constant || !a.constant->is_number_integer()) return arg_error(key, "expected an integer");
  return std::optional<int64_t>(a.constant->get<int64_t>());
}

StatusOr<double> TfCall::float_arg(const char* key, double fallback) {
  Arg a = kwarg(key);
  if (!a.present()) return fallback;
  if (!a.constant || !a.constant->is_number()) return arg_error(key, "expected a number");
  return a.constant->get<double>();
}

StatusOr<bool> TfCall::bool_arg(const char* key, bool fallback) {
  Arg a = kwarg(key);
  if (!a.present()) return fallback;
  if (!a.constant || !a.constant->is_boolean()) return arg_error(key, "expected true or false");
  return a.constant->get<bool>();
}

StatusOr<std::optional<std::vector<int64_t>>> TfCall::ints_arg(const char* key) {
  Arg a = kwarg(key);
  if (!a.present()) return std::optional<std::vector<int64_t>>();
  if (!a.constant) return arg_error(key, "must be a constant (tensors are not supported here)");
  std::vector<int64_t> out;
  if (a.constant->is_number_integer()) {
    out.push_back(a.constant->get<int64_t>());
  } else if (a.constant->is_array()) {
    for (const json& v : *a.constant) {
      if (!v.is_number_integer()) return arg_error(key, "expected integers");
      out.push_back(v.get<int64_t>());
    }
  } else {
    return arg_error(key, "expected an integer or a list of integers");
  }
  return std::optional<std::vector<int64_t>>(std::move(out));
}

Status TfCall::flatten(const json& j, const char* key, size_t depth, std::vector<double>* out, std::vector<int64_t>* dims) {
  if (depth > 8) return arg_error(key, "constant nested too deeply");
  if (j.is_number() || j.is_boolean()) {
    if (depth < dims->size()) return arg_error(key, "ragged constant");
    out->push_back(j.is_boolean() ? (j.get<bool>() ? 1.0 : 0.0) : j.get<double>());
    return Status::OK();
  }
  if (!j.is_array()) return arg_error(key, "expected a number or a nested list of numbers, got " + j.dump());
  const auto n = static_cast<int64_t>(j.size());
  if (depth == dims->size()) {
    if (!out->empty()) return arg_error(key, "ragged constant");
    dims->push_back(n);
  } else if ((*dims)[depth] != n) {
    return arg_error(key, "ragged constant");
  }
  for (const json& item : j) {
    TFPORT_RETURN_IF_ERROR(flatten(item, key, depth + 1, out, dims));
    if (out->size() > kMaxConstantElements) return arg_error(key, "constant too large");
  }
  return Status::OK();
}

StatusOr<int64_t> normalize_axis(TfCall& c, int64_t axis, int rank, const char* key) {
  if (axis < -rank || axis >= rank) {
    return c.arg_error(key, "axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
  }
  return axis < 0 ? axis + rank : axis;
}

StatusOr<Value> x_of(TfCall& c) {
  if (!c.first().tensor) return c.call().error("the first argument must be a tensor");
  return *c.first().tensor;
}

StatusOr<std::vector<Value>> list_of(TfCall& c, const Arg& a, const char* key) {
  if (!a.is_list) {
    if (a.tensor) return std::vector<Value>{*a.tensor};
    return c.arg_error(key, "expected a list of tensors");
  }
  std::optional<DType> dtype = c.dtype_of({&a});
  if (!dtype) return c.arg_error(key, "holds no tensor");
  std::vector<Value> out;
  for (const Arg& item : a.items) {
    TFPORT_ASSIGN_OR_RETURN(Value v, c.tensor(item, key, *dtype));
    if (v.dtype != *dtype) return c.arg_error(key, "tensors of different types");
    out.push_back(v);
  }
  if (out.empty()) return c.arg_error(key, "is empty");
  return out;
}

}  // namespace tfport::graph::keras::tf_op
