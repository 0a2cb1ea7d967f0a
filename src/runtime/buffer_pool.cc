#include "runtime/buffer_pool.h"

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace tfport::runtime {
namespace {

constexpr std::size_t kAlign = 64;
constexpr std::size_t kMinPooled = std::size_t{256} << 10;  // below this malloc reuses memory well
constexpr std::size_t kMaxCached = std::size_t{512} << 20;  // free bytes kept at most

// Rounds up to a multiple of 1/8 of the power of two below `bytes`: at most 12.5 % slack, and
// nearby sizes (batch sizes, odd spatial dims) share classes.
std::size_t size_class(std::size_t bytes) {
  const std::size_t step = std::max<std::size_t>(kAlign, std::bit_floor(bytes) / 8);
  return (bytes + step - 1) / step * step;
}

class Pool {
 public:
  void* take(std::size_t size) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = free_.find(size);
    if (it == free_.end() || it->second.empty()) return nullptr;
    void* p = it->second.back();
    it->second.pop_back();
    cached_ -= size;
    return p;
  }
  void give(void* p, std::size_t size) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (cached_ + size <= kMaxCached) {
        free_[size].push_back(p);
        cached_ += size;
        return;
      }
    }
    std::free(p);
  }
  std::size_t cached() {
    std::lock_guard<std::mutex> lock(mu_);
    return cached_;
  }

 private:
  std::mutex mu_;
  std::unordered_map<std::size_t, std::vector<void*>> free_;
  std::size_t cached_ = 0;
};

Pool& pool() {
  static Pool* p = new Pool();  // never destroyed: tensors may be freed during exit
  return *p;
}

}  // namespace

#if defined(__SANITIZE_ADDRESS__)
#define TFPORT_POOL_ENABLED 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TFPORT_POOL_ENABLED 0
#endif
#endif
#ifndef TFPORT_POOL_ENABLED
#define TFPORT_POOL_ENABLED 1
#endif

// Under AddressSanitizer every buffer is a fresh allocation, so use-after-free stays visible.
bool buffer_pool_enabled() { return TFPORT_POOL_ENABLED != 0; }

std::shared_ptr<void> pooled_buffer(std::size_t bytes) {
  if (bytes < kMinPooled || !buffer_pool_enabled()) {
    void* p = std::aligned_alloc(kAlign, std::max(kAlign, (bytes + kAlign - 1) / kAlign * kAlign));
    if (p == nullptr) return nullptr;
    return std::shared_ptr<void>(p, [](void* q) { std::free(q); });
  }
  const std::size_t size = size_class(bytes);
  void* p = pool().take(size);
  if (p == nullptr) p = std::aligned_alloc(kAlign, size);
  if (p == nullptr) return nullptr;
  return std::shared_ptr<void>(p, [size](void* q) { pool().give(q, size); });
}

std::size_t pooled_bytes_cached() { return pool().cached(); }

}  // namespace tfport::runtime
