// A typed n-dimensional array. Copies share the buffer (like TensorFlow's Tensor); a tensor
// can own its memory, or wrap memory it does not own (a caller's buffer, a mapped checkpoint)
// while a keep-alive handle holds that memory valid.
//
//   TFPORT_ASSIGN_OR_RETURN(Tensor t, Tensor::allocate(DType::kFloat, Shape{2, 3}));
//   float* p = t.data<float>();
//   Tensor view = Tensor::wrap(DType::kFloat, Shape{4}, caller_ptr, nullptr);  // no copy
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "tfport/dtype.h"
#include "tfport/shape.h"
#include "tfport/status.h"

namespace tfport {

class Tensor {
 public:
  Tensor() = default;  // an empty, invalid tensor (dtype kInvalid)

  // Zero-filled (empty strings for kString). Fails for unsupported dtypes, invalid shapes and
  // byte sizes above `max_bytes`, so untrusted sizes never reach the allocator unchecked.
  static StatusOr<Tensor> allocate(DType dtype, Shape shape,
                                   std::size_t max_bytes = kDefaultMaxBytes);

  // Wraps `data` (not copied, not freed). `keepalive` is held as long as any copy of the
  // tensor lives; pass nullptr when the caller guarantees the memory outlives the tensor.
  static Tensor wrap(DType dtype, Shape shape, const void* data, std::shared_ptr<const void> keepalive);

  // A string tensor; values.size() must equal shape.num_elements().
  static StatusOr<Tensor> from_strings(Shape shape, std::vector<std::string> values);

  // A scalar DT_RESOURCE tensor naming a resource (a variable, a table) in the runtime's
  // resource store; `strings()[0]` is the key.
  static Tensor resource_handle(std::string key);

  template <typename T>
  static Tensor from_vector(DType dtype, Shape shape, const std::vector<T>& values);

  bool valid() const { return dtype_ != DType::kInvalid; }
  DType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  int64_t num_elements() const { return shape_.num_elements(); }
  // Bytes of element data (0 for strings).
  std::size_t byte_size() const;

  const void* raw_data() const { return data_; }
  // Writable access; wrapped memory the tensor was given as const must not be written.
  void* mutable_raw_data() { return const_cast<void*>(data_); }

  template <typename T>
  const T* data() const { return static_cast<const T*>(data_); }
  template <typename T>
  T* mutable_data() { return static_cast<T*>(mutable_raw_data()); }
  template <typename T>
  std::span<const T> values() const {
    return {data<T>(), static_cast<std::size_t>(num_elements())};
  }

  // Elements of a DT_STRING tensor (or the key of a DT_RESOURCE handle).
  const std::vector<std::string>& strings() const { return *strings_; }
  std::vector<std::string>& mutable_strings() { return *strings_; }

  // A deep copy that owns its memory.
  Tensor clone() const;

  // Same dtype, shape and element bytes/strings.
  bool equals(const Tensor& other) const;

  // "float32[2, 3]"
  std::string description() const;

  static constexpr std::size_t kDefaultMaxBytes = std::size_t{16} << 30;  // 16 GiB

 private:
  DType dtype_ = DType::kInvalid;
  Shape shape_;
  const void* data_ = nullptr;
  std::shared_ptr<const void> holder_;
  std::shared_ptr<std::vector<std::string>> strings_;
};

template <typename T>
Tensor Tensor::from_vector(DType dtype, Shape shape, const std::vector<T>& values) {
  auto owned = std::make_shared<std::vector<T>>(values);
  const void* p = owned->data();
  return wrap(dtype, std::move(shape), p, std::shared_ptr<const void>(owned, p));
}

}  // namespace tfport
