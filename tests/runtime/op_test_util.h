// Test helpers for kernels: build a node's attributes, create its kernel through the registry,
// run it on a real thread pool, make random inputs, and compare with a reference.
//
//   OpTest t("Relu");
//   t.attr("T", type_attr(DType::kFloat));
//   auto out = t.run({x});           // StatusOr<std::vector<Tensor>>
#pragma once

#include <cstdint>
#include <initializer_list>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "runtime/kernel.h"

namespace Eigen {
class ThreadPoolDevice;
}

namespace tfport::runtime::testing {

tensorflow::AttrValue int_attr(int64_t v);
tensorflow::AttrValue float_attr(float v);
tensorflow::AttrValue bool_attr(bool v);
tensorflow::AttrValue string_attr(const std::string& v);
tensorflow::AttrValue type_attr(DType v);
tensorflow::AttrValue ints_attr(std::vector<int64_t> v);
tensorflow::AttrValue types_attr(std::vector<DType> v);

// A thread pool device with 2 threads shared by the tests.
const Eigen::ThreadPoolDevice* test_device();

class OpTest {
 public:
  explicit OpTest(std::string op, std::string node = "test_node") : op_(std::move(op)), node_(std::move(node)) {}
  OpTest& attr(const std::string& name, tensorflow::AttrValue v) {
    attrs_[name] = std::move(v);
    return *this;
  }
  // Creates the kernel (fails as the factory does on bad attributes).
  Status create();
  StatusOr<std::vector<Tensor>> run(const std::vector<Tensor>& inputs);
  // run() expecting exactly one output.
  StatusOr<Tensor> run1(const std::vector<Tensor>& inputs);
  StatusOr<std::vector<PartialShape>> shapes(const std::vector<PartialShape>& inputs);

 private:
  std::string op_, node_;
  AttrMap attrs_;
  std::unique_ptr<Kernel> kernel_;
};

std::mt19937& rng();
Tensor random_float(const Shape& shape, float lo = -2.f, float hi = 2.f);
Tensor random_int(DType dtype, const Shape& shape, int64_t lo, int64_t hi);
Tensor scalar_i32(int32_t v);
Tensor vec_i32(std::vector<int32_t> v);
Tensor vec_i64(std::vector<int64_t> v);
Tensor floats(Shape shape, std::vector<float> v);
std::vector<float> to_vec(const Tensor& t);

// Expects equal shapes and |a - b| <= atol + rtol * |b| elementwise; NaNs must match.
::testing::AssertionResult all_close(const Tensor& actual, const Tensor& expected, double rtol = 1e-5,
                                     double atol = 1e-6);
// True if the bytes after the tensor's data up to its 64-byte-rounded allocation are zero.
::testing::AssertionResult guard_ok(const Tensor& t);

}  // namespace tfport::runtime::testing
