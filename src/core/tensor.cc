#include "tfport/tensor.h"

#include <cstdlib>
#include <cstring>

namespace tfport {
namespace {

constexpr std::size_t kAlignment = 64;  // cache line / AVX-512 friendly

std::shared_ptr<void> aligned_zeroed(std::size_t bytes) {
  std::size_t rounded = (bytes + kAlignment - 1) / kAlignment * kAlignment;
  if (rounded == 0) rounded = kAlignment;
  void* p = std::aligned_alloc(kAlignment, rounded);
  if (p == nullptr) return nullptr;
  std::memset(p, 0, rounded);
  return std::shared_ptr<void>(p, [](void* q) { std::free(q); });
}

}  // namespace

StatusOr<Tensor> Tensor::allocate(DType dtype, Shape shape, std::size_t max_bytes) {
  TFPORT_ASSIGN_OR_RETURN(Shape checked, Shape::make(shape.dims()));
  Tensor t;
  t.dtype_ = dtype;
  t.shape_ = std::move(checked);
  const auto n = static_cast<uint64_t>(t.shape_.num_elements());
  if (dtype == DType::kString) {
    // Each std::string costs ~32 bytes even when empty.
    if (n > max_bytes / 32) {
      return resource_exhausted_error("string tensor " + t.description() + " exceeds the size limit");
    }
    t.strings_ = std::make_shared<std::vector<std::string>>(static_cast<std::size_t>(n));
    return t;
  }
  std::size_t elem = element_storage_size(dtype);
  if (elem == 0) {
    return unimplemented_error("cannot allocate a tensor of type " + std::string(dtype_name(dtype)));
  }
  if (n > max_bytes / elem) {
    return resource_exhausted_error("tensor " + t.description() + " needs " + std::to_string(n * elem) +
                                    " bytes, above the limit of " + std::to_string(max_bytes));
  }
  auto buffer = aligned_zeroed(static_cast<std::size_t>(n) * elem);
  if (!buffer) return resource_exhausted_error("out of memory allocating " + t.description());
  t.data_ = buffer.get();
  t.holder_ = std::move(buffer);
  return t;
}

Tensor Tensor::wrap(DType dtype, Shape shape, const void* data, std::shared_ptr<const void> keepalive) {
  Tensor t;
  t.dtype_ = dtype;
  t.shape_ = std::move(shape);
  t.data_ = data;
  t.holder_ = std::move(keepalive);
  return t;
}

StatusOr<Tensor> Tensor::from_strings(Shape shape, std::vector<std::string> values) {
  if (static_cast<int64_t>(values.size()) != shape.num_elements()) {
    return invalid_argument_error("string tensor of shape " + shape.to_string() + " needs " +
                                  std::to_string(shape.num_elements()) + " values, got " +
                                  std::to_string(values.size()));
  }
  Tensor t;
  t.dtype_ = DType::kString;
  t.shape_ = std::move(shape);
  t.strings_ = std::make_shared<std::vector<std::string>>(std::move(values));
  return t;
}

Tensor Tensor::resource_handle(std::string key) {
  Tensor t;
  t.dtype_ = DType::kResource;
  t.strings_ = std::make_shared<std::vector<std::string>>(1, std::move(key));
  return t;
}

std::size_t Tensor::byte_size() const {
  if (dtype_ == DType::kString || dtype_ == DType::kResource || !valid()) return 0;
  return static_cast<std::size_t>(num_elements()) * element_storage_size(dtype_);
}

Tensor Tensor::clone() const {
  if (!valid()) return Tensor();
  if (dtype_ == DType::kString || dtype_ == DType::kResource) {
    Tensor t;
    t.dtype_ = dtype_;
    t.shape_ = shape_;
    t.strings_ = std::make_shared<std::vector<std::string>>(*strings_);
    return t;
  }
  std::size_t bytes = byte_size();
  auto buffer = aligned_zeroed(bytes);
  if (bytes) std::memcpy(buffer.get(), data_, bytes);
  Tensor t;
  t.dtype_ = dtype_;
  t.shape_ = shape_;
  t.data_ = buffer.get();
  t.holder_ = std::move(buffer);
  return t;
}

bool Tensor::equals(const Tensor& other) const {
  if (dtype_ != other.dtype_ || shape_ != other.shape_) return false;
  if (dtype_ == DType::kString || dtype_ == DType::kResource) return *strings_ == *other.strings_;
  std::size_t bytes = byte_size();
  return bytes == 0 || std::memcmp(data_, other.data_, bytes) == 0;
}

std::string Tensor::description() const {
  return std::string(dtype_python_name(dtype_)) + shape_.to_string();
}

}  // namespace tfport
