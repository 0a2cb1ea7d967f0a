#include "runtime/ops/onednn_util.h"

#include <cstring>
#include <memory>

#include "runtime/openmp_team.h"

// Debian's oneDNN runs on libgomp; a weak reference keeps us free of a link-time dependency on
// any particular OpenMP runtime (null when none is loaded).
extern "C" void omp_set_num_threads(int) __attribute__((weak));

namespace tfport::runtime::ops {

void set_onednn_threads(int n) {
  if (openmp_kept_on_this_thread()) n = 1;
  // The OpenMP setting is per thread; set it once per thread and thread count.
  thread_local int current = 0;
  if (n <= 0 || n == current || omp_set_num_threads == nullptr) return;
  omp_set_num_threads(n);
  current = n;
}

dnnl::engine& cpu_engine() {
  static dnnl::engine* engine = new dnnl::engine(dnnl::engine::kind::cpu, 0);
  return *engine;
}

dnnl::stream& thread_stream() {
  thread_local dnnl::stream stream(cpu_engine());
  return stream;
}

void execute_primitive(const dnnl::primitive& prim, const dnnl::memory::desc& scratchpad_desc,
                       std::unordered_map<int, dnnl::memory> args) {
  // One scratch buffer per thread, grown as needed; a primitive runs to completion before
  // the thread can start another, so reuse is safe.
  thread_local std::unique_ptr<unsigned char[]> buffer;
  thread_local std::size_t capacity = 0;
  const std::size_t need = scratchpad_desc.get_size();
  if (need > 0) {
    if (need > capacity) {
      buffer.reset(new unsigned char[need + 64]);
      capacity = need;
    }
    auto* aligned = reinterpret_cast<unsigned char*>((reinterpret_cast<uintptr_t>(buffer.get()) + 63) & ~uintptr_t{63});
    args.emplace(DNNL_ARG_SCRATCHPAD, dnnl::memory(scratchpad_desc, cpu_engine(), aligned));
  }
  dnnl::stream& s = thread_stream();
  prim.execute(s, args);
  s.wait();
}

uint64_t filter_fingerprint(const void* data, std::size_t bytes) {
  uint64_t h = 1469598103934665603ull ^ reinterpret_cast<uintptr_t>(data) ^ (bytes << 1);
  const auto* p = static_cast<const unsigned char*>(data);
  const std::size_t words = bytes / 8;
  const std::size_t samples = words < 64 ? words : 64;
  for (std::size_t i = 0; i < samples; ++i) {
    uint64_t w;
    std::memcpy(&w, p + (words * i / samples) * 8, 8);
    h = (h ^ w) * 1099511628211ull;
  }
  for (std::size_t i = words * 8; i < bytes; ++i) h = (h ^ p[i]) * 1099511628211ull;
  return h;
}

}  // namespace tfport::runtime::ops
