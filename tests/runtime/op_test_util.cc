#define EIGEN_USE_THREADS
#include "op_test_util.h"

#include <cmath>
#include <cstring>

#include <unsupported/Eigen/CXX11/Tensor>

#include "graph/attr_values.h"

namespace tfport::runtime::testing {

tensorflow::AttrValue int_attr(int64_t v) { return graph::attr_int(v); }
tensorflow::AttrValue float_attr(float v) { return graph::attr_float(v); }
tensorflow::AttrValue bool_attr(bool v) { return graph::attr_bool(v); }
tensorflow::AttrValue string_attr(const std::string& v) { return graph::attr_string(v); }
tensorflow::AttrValue type_attr(DType v) { return graph::attr_type(v); }
tensorflow::AttrValue ints_attr(std::vector<int64_t> v) {
  tensorflow::AttrValue a;
  auto* list = a.mutable_list();
  for (int64_t x : v) list->add_i(x);
  return a;
}
tensorflow::AttrValue types_attr(std::vector<DType> v) {
  tensorflow::AttrValue a;
  auto* list = a.mutable_list();
  for (DType x : v) list->add_type(static_cast<tensorflow::DataType>(x));
  return a;
}

const Eigen::ThreadPoolDevice* test_device() {
  static Eigen::ThreadPool* pool = new Eigen::ThreadPool(2);
  static Eigen::ThreadPoolDevice* device = new Eigen::ThreadPoolDevice(pool, 2);
  return device;
}

Status OpTest::create() {
  const OpRegistration* reg = OpRegistry::global().find(op_);
  if (reg == nullptr) return not_found_error("no kernel for " + op_);
  Attrs attrs(attrs_, node_, op_);
  TFPORT_ASSIGN_OR_RETURN(kernel_, reg->create(attrs));
  return Status::OK();
}

StatusOr<std::vector<Tensor>> OpTest::run(const std::vector<Tensor>& inputs) {
  if (!kernel_) TFPORT_RETURN_IF_ERROR(create());
  std::vector<Tensor> outputs;
  KernelContext ctx{std::span<const Tensor>(inputs), &outputs, test_device(), node_};
  TFPORT_RETURN_IF_ERROR(kernel_->compute(ctx));
  return outputs;
}

StatusOr<Tensor> OpTest::run1(const std::vector<Tensor>& inputs) {
  TFPORT_ASSIGN_OR_RETURN(auto outs, run(inputs));
  if (outs.size() != 1) return internal_error("expected 1 output, got " + std::to_string(outs.size()));
  return outs[0];
}

StatusOr<std::vector<PartialShape>> OpTest::shapes(const std::vector<PartialShape>& inputs) {
  const OpRegistration* reg = OpRegistry::global().find(op_);
  if (reg == nullptr) return not_found_error("no kernel for " + op_);
  if (reg->infer_shapes == nullptr) return not_found_error("no shape function for " + op_);
  Attrs attrs(attrs_, node_, op_);
  return reg->infer_shapes(std::span<const PartialShape>(inputs), attrs);
}

std::mt19937& rng() {
  static std::mt19937 gen(1234);
  return gen;
}

Tensor random_float(const Shape& shape, float lo, float hi) {
  Tensor t = Tensor::allocate(DType::kFloat, shape).value();
  std::uniform_real_distribution<float> dist(lo, hi);
  float* p = t.mutable_data<float>();
  for (int64_t i = 0; i < t.num_elements(); ++i) p[i] = dist(rng());
  return t;
}

Tensor random_int(DType dtype, const Shape& shape, int64_t lo, int64_t hi) {
  Tensor t = Tensor::allocate(dtype, shape).value();
  std::uniform_int_distribution<int64_t> dist(lo, hi);
  for (int64_t i = 0; i < t.num_elements(); ++i) {
    int64_t v = dist(rng());
    if (dtype == DType::kInt32) t.mutable_data<int32_t>()[i] = static_cast<int32_t>(v);
    else if (dtype == DType::kInt64) t.mutable_data<int64_t>()[i] = v;
    else if (dtype == DType::kUInt8) t.mutable_data<uint8_t>()[i] = static_cast<uint8_t>(v);
    else if (dtype == DType::kBool) t.mutable_data<bool>()[i] = v != 0;
    else if (dtype == DType::kFloat) t.mutable_data<float>()[i] = static_cast<float>(v);
  }
  return t;
}

Tensor scalar_i32(int32_t v) { return Tensor::from_vector<int32_t>(DType::kInt32, Shape{}, {v}); }
Tensor vec_i32(std::vector<int32_t> v) {
  return Tensor::from_vector<int32_t>(DType::kInt32, Shape{static_cast<int64_t>(v.size())}, v);
}
Tensor vec_i64(std::vector<int64_t> v) {
  return Tensor::from_vector<int64_t>(DType::kInt64, Shape{static_cast<int64_t>(v.size())}, v);
}
Tensor floats(Shape shape, std::vector<float> v) { return Tensor::from_vector<float>(DType::kFloat, std::move(shape), v); }
std::vector<float> to_vec(const Tensor& t) { return std::vector<float>(t.data<float>(), t.data<float>() + t.num_elements()); }

namespace {
template <typename T>
double as_double(const Tensor& t, int64_t i) {
  return static_cast<double>(t.data<T>()[i]);
}
double value_at(const Tensor& t, int64_t i) {
  switch (t.dtype()) {
    case DType::kFloat: return as_double<float>(t, i);
    case DType::kDouble: return as_double<double>(t, i);
    case DType::kInt32: return as_double<int32_t>(t, i);
    case DType::kInt64: return as_double<int64_t>(t, i);
    case DType::kUInt8: return as_double<uint8_t>(t, i);
    case DType::kInt8: return as_double<int8_t>(t, i);
    case DType::kInt16: return as_double<int16_t>(t, i);
    case DType::kBool: return t.data<bool>()[i] ? 1.0 : 0.0;
    default: return std::nan("");
  }
}
}  // namespace

::testing::AssertionResult all_close(const Tensor& actual, const Tensor& expected, double rtol, double atol) {
  if (actual.dtype() != expected.dtype()) {
    return ::testing::AssertionFailure() << "dtype " << dtype_python_name(actual.dtype()) << " vs "
                                         << dtype_python_name(expected.dtype());
  }
  if (actual.shape() != expected.shape()) {
    return ::testing::AssertionFailure() << "shape " << actual.shape().to_string() << " vs "
                                         << expected.shape().to_string();
  }
  int bad = 0;
  ::testing::AssertionResult r = ::testing::AssertionFailure();
  for (int64_t i = 0; i < actual.num_elements(); ++i) {
    const double a = value_at(actual, i), e = value_at(expected, i);
    if (std::isnan(a) && std::isnan(e)) continue;
    if (std::isinf(e) && a == e) continue;
    if (!(std::fabs(a - e) <= atol + rtol * std::fabs(e))) {
      if (bad < 5) r << "at " << i << ": " << a << " vs expected " << e << "; ";
      ++bad;
    }
  }
  if (bad == 0) return ::testing::AssertionSuccess();
  return r << bad << " of " << actual.num_elements() << " elements differ";
}

::testing::AssertionResult guard_ok(const Tensor& t) {
  const std::size_t bytes = t.byte_size();
  const std::size_t rounded = bytes == 0 ? 64 : (bytes + 63) / 64 * 64;
  const auto* p = static_cast<const unsigned char*>(t.raw_data());
  for (std::size_t i = bytes; i < rounded; ++i) {
    if (p[i] != 0) return ::testing::AssertionFailure() << "byte " << i << " after the data was written";
  }
  return ::testing::AssertionSuccess();
}

}  // namespace tfport::runtime::testing
