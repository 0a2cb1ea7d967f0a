// Large activation buffers reused across runs. Fresh memory costs a page fault per 4 KiB on
// first touch, and glibc returns blocks above 32 MiB (and often smaller ones) to the kernel
// when freed, so without reuse every run of a plan pays those faults again — at batch 8 more
// than the convolutions themselves. Buffers are kept per size class (at most 1/8 slack) up to
// a bounded total; the pool is process-wide and thread-safe.
#pragma once

#include <cstddef>
#include <memory>

namespace tfport::runtime {

// 64-byte aligned, uninitialized memory of at least `bytes`; null when out of memory. Freeing
// the last reference returns it to the pool.
std::shared_ptr<void> pooled_buffer(std::size_t bytes);

// False in AddressSanitizer builds, where every buffer is freshly allocated and freed.
bool buffer_pool_enabled();

// Bytes currently cached (free) in the pool, for tests.
std::size_t pooled_bytes_cached();

}  // namespace tfport::runtime
