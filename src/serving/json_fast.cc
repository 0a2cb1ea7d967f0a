#include "serving/json_fast.h"

#include <simdjson.h>

#include <cstring>

namespace tfport::serving {

struct FastPredictRequest::Impl {
  simdjson::dom::parser parser;
  simdjson::dom::element value;  // "instances" or "inputs"
  bool row = false;
};

FastPredictRequest::FastPredictRequest() : impl_(std::make_unique<Impl>()) {}
FastPredictRequest::~FastPredictRequest() = default;

bool FastPredictRequest::parse(std::string_view body) {
  if (body.empty()) return false;
  simdjson::dom::element root;
  if (impl_->parser.parse(body.data(), body.size()).get(root) != simdjson::SUCCESS) return false;
  simdjson::dom::object obj;
  if (root.get_object().get(obj) != simdjson::SUCCESS) return false;
  int found = 0;
  for (auto field : obj) {
    if (field.key == "signature_name") {
      std::string_view name;
      if (field.value.get_string().get(name) != simdjson::SUCCESS) return false;
      signature_name_ = std::string(name);
    } else if (field.key == "instances" || field.key == "inputs") {
      impl_->value = field.value;
      impl_->row = field.key == "instances";
      ++found;
    } else {
      return false;
    }
  }
  return found == 1;
}

namespace {

// Shape from the first-element chain, then every array checked against it; leaves must be
// numbers at full depth. False sends the request to the exact (RapidJSON) path.
bool infer_shape(simdjson::dom::element v, std::vector<int64_t>* dims) {
  while (v.is_array()) {
    simdjson::dom::array a = v.get_array().value_unsafe();
    dims->push_back(static_cast<int64_t>(a.size()));
    if (a.size() == 0) return false;
    v = *a.begin();
  }
  return v.is_number();
}

template <typename T>
bool fill(simdjson::dom::element v, std::size_t level, const std::vector<int64_t>& dims, T** out) {
  if (level == dims.size()) {
    if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
      double d;
      if (v.get_double().get(d) != simdjson::SUCCESS) return false;
      *(*out)++ = static_cast<T>(d);
    } else {
      int64_t i;
      if (!v.is_int64() || v.get_int64().get(i) != simdjson::SUCCESS) return false;
      if constexpr (std::is_same_v<T, int32_t>) {
        if (i < INT32_MIN || i > INT32_MAX) return false;
      }
      *(*out)++ = static_cast<T>(i);
    }
    return true;
  }
  simdjson::dom::array a;
  if (v.get_array().get(a) != simdjson::SUCCESS || static_cast<int64_t>(a.size()) != dims[level]) return false;
  for (auto item : a) {
    if (!fill(item, level + 1, dims, out)) return false;
  }
  return true;
}

template <typename T>
std::optional<Tensor> convert(simdjson::dom::element v, DType dtype, std::size_t max_bytes) {
  std::vector<int64_t> dims;
  if (!infer_shape(v, &dims)) return std::nullopt;
  auto t = Tensor::allocate(dtype, Shape(dims), max_bytes);
  if (!t.ok()) return std::nullopt;
  T* out = t->mutable_data<T>();
  if (!fill<T>(v, 0, dims, &out)) return std::nullopt;
  return std::move(*t);
}

}  // namespace

std::optional<std::map<std::string, Tensor>> FastPredictRequest::inputs(const std::vector<TensorSpec>& specs,
                                                                        std::size_t max_bytes,
                                                                        JsonFormat* format) const {
  if (specs.size() != 1) return std::nullopt;
  const TensorSpec& spec = specs.front();
  simdjson::dom::element v = impl_->value;
  if (!v.is_array() && !v.is_number()) return std::nullopt;
  if (impl_->row && !v.is_array()) return std::nullopt;
  std::optional<Tensor> t;
  switch (spec.dtype) {
    case DType::kFloat: t = convert<float>(v, spec.dtype, max_bytes); break;
    case DType::kDouble: t = convert<double>(v, spec.dtype, max_bytes); break;
    case DType::kInt32: t = convert<int32_t>(v, spec.dtype, max_bytes); break;
    case DType::kInt64: t = convert<int64_t>(v, spec.dtype, max_bytes); break;
    default: return std::nullopt;
  }
  if (!t) return std::nullopt;
  if (impl_->row && t->shape().rank() == 0) return std::nullopt;
  *format = impl_->row ? JsonFormat::kRow : JsonFormat::kColumnar;
  std::map<std::string, Tensor> out;
  out.emplace(spec.key, std::move(*t));
  return out;
}

}  // namespace tfport::serving
