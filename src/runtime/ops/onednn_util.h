// oneDNN plumbing shared by the GEMM/convolution kernels: one CPU engine, a stream per
// thread, user-managed scratchpads (so concurrent runs of one primitive never share one), and
// conversion of oneDNN's exceptions into Status at the kernel boundary.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <string>
#include <vector>

#include <oneapi/dnnl/dnnl.hpp>

#include "runtime/kernel.h"

namespace tfport::runtime::ops {

dnnl::engine& cpu_engine();
dnnl::stream& thread_stream();

// Limits oneDNN's OpenMP team for primitives created and run from the calling thread to `n`
// threads (the plan's intra-op thread count), so `--threads 1` really runs on one core.
// A no-op when oneDNN does not use OpenMP.
void set_onednn_threads(int n);

// Executes `prim` on the calling thread's stream with a fresh scratchpad and waits.
void execute_primitive(const dnnl::primitive& prim, const dnnl::memory::desc& scratchpad_desc,
                       std::unordered_map<int, dnnl::memory> args);

// Runs fn(); a dnnl::error becomes INTERNAL "node 'x' (Op): oneDNN: <what>".
template <typename F>
Status onednn_guard(const KernelContext& ctx, std::string_view op, F&& fn) {
  try {
    return fn();
  } catch (const dnnl::error& e) {
    return Status(StatusCode::kInternal, ctx.error(op, std::string("oneDNN: ") + e.what()).message());
  } catch (const std::bad_alloc&) {
    return Status(StatusCode::kResourceExhausted, ctx.error(op, "out of memory").message());
  }
}

// A cheap fingerprint of a filter's identity and contents (pointer, size, and a sample of
// values) used to key cached reordered weights. It catches the filter being a different
// tensor, but not in-place edits of unsampled values of the same buffer — kernels document
// that filters are assumed constant per buffer.
uint64_t filter_fingerprint(const void* data, std::size_t bytes);

}  // namespace tfport::runtime::ops
