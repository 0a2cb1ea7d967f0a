// Per-op micro-benchmarks at MobileNetV2/InceptionV3-like shapes, batch 1, through the kernel
// registry exactly as the executor calls kernels. Reports GFLOP/s (the machine's sgemm
// ceiling is in ../shared/bench/README.md).
//
//   build/bench/ops_bench --benchmark_filter=Conv2D
#define EIGEN_USE_THREADS
#include <benchmark/benchmark.h>

#include <random>
#include <thread>

#include <unsupported/Eigen/CXX11/Tensor>

#include "graph/attr_values.h"
#include "runtime/kernel.h"

namespace {

using tfport::DType;
using tfport::Shape;
using tfport::Tensor;
using tfport::runtime::AttrMap;
using tfport::runtime::Attrs;
using tfport::runtime::Kernel;
using tfport::runtime::KernelContext;
using tfport::runtime::OpRegistry;

const Eigen::ThreadPoolDevice* device() {
  static int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  static Eigen::ThreadPool* pool = new Eigen::ThreadPool(threads);
  static Eigen::ThreadPoolDevice* dev = new Eigen::ThreadPoolDevice(pool, threads);
  return dev;
}

Tensor random_tensor(const Shape& s) {
  Tensor t = Tensor::allocate(DType::kFloat, s).value();
  std::mt19937 gen(42);
  std::uniform_real_distribution<float> d(-1, 1);
  for (int64_t i = 0; i < t.num_elements(); ++i) t.mutable_data<float>()[i] = d(gen);
  return t;
}

tensorflow::AttrValue ints(std::vector<int64_t> v) { return tfport::graph::attr_ints(v); }
tensorflow::AttrValue str(const char* s) { return tfport::graph::attr_string(s); }
tensorflow::AttrValue boolean(bool b) { return tfport::graph::attr_bool(b); }

void run_op(benchmark::State& state, const char* op, const AttrMap& attrs, std::vector<Tensor> inputs, double flops) {
  Attrs a(attrs, "bench", op);
  auto kernel = OpRegistry::global().find(op)->create(a);
  if (!kernel.ok()) {
    state.SkipWithError(kernel.status().to_string().c_str());
    return;
  }
  for (auto _ : state) {
    std::vector<Tensor> outputs;
    KernelContext ctx{std::span<const Tensor>(inputs), &outputs, device(), "bench"};
    auto st = (*kernel)->compute(ctx);
    if (!st.ok()) {
      state.SkipWithError(st.to_string().c_str());
      return;
    }
    benchmark::DoNotOptimize(outputs[0].raw_data());
  }
  state.counters["GFLOP/s"] = benchmark::Counter(flops * 1e-9 * static_cast<double>(state.iterations()),
                                                 benchmark::Counter::kIsRate);
}

// Args: H (=W), Cin, Cout, k, stride.
void BM_Conv2D(benchmark::State& state) {
  const int64_t h = state.range(0), ci = state.range(1), co = state.range(2), k = state.range(3), s = state.range(4);
  AttrMap attrs;
  attrs["strides"] = ints({1, s, s, 1});
  attrs["padding"] = str("SAME");
  const int64_t oh = (h + s - 1) / s;
  run_op(state, "Conv2D", attrs, {random_tensor(Shape{1, h, h, ci}), random_tensor(Shape{k, k, ci, co})},
         2.0 * static_cast<double>(oh * oh * co * k * k * ci));
}
BENCHMARK(BM_Conv2D)
    ->Args({224, 3, 32, 3, 2})     // MobileNetV2 stem
    ->Args({112, 16, 96, 1, 1})    // expand 1x1
    ->Args({56, 24, 144, 1, 1})
    ->Args({28, 32, 192, 1, 1})
    ->Args({14, 384, 64, 1, 1})    // project 1x1
    ->Args({7, 320, 1280, 1, 1})   // head
    ->Args({35, 192, 64, 1, 1})    // InceptionV3 mixed
    ->Args({35, 64, 96, 3, 1})
    ->Args({17, 192, 192, 3, 1})
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

// Args: H (=W), C, stride.
void BM_DepthwiseConv2dNative(benchmark::State& state) {
  const int64_t h = state.range(0), c = state.range(1), s = state.range(2);
  AttrMap attrs;
  attrs["strides"] = ints({1, s, s, 1});
  attrs["padding"] = str("SAME");
  const int64_t oh = (h + s - 1) / s;
  run_op(state, "DepthwiseConv2dNative", attrs, {random_tensor(Shape{1, h, h, c}), random_tensor(Shape{3, 3, c, 1})},
         2.0 * static_cast<double>(oh * oh * c * 9));
}
BENCHMARK(BM_DepthwiseConv2dNative)
    ->Args({112, 32, 1})
    ->Args({112, 96, 2})
    ->Args({56, 144, 1})
    ->Args({28, 192, 1})
    ->Args({14, 576, 1})
    ->Args({7, 960, 1})
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

// Args: M, K, N.
void BM_MatMul(benchmark::State& state) {
  const int64_t m = state.range(0), k = state.range(1), n = state.range(2);
  AttrMap attrs;
  attrs["transpose_a"] = boolean(false);
  attrs["transpose_b"] = boolean(false);
  run_op(state, "MatMul", attrs, {random_tensor(Shape{m, k}), random_tensor(Shape{k, n})},
         2.0 * static_cast<double>(m * k * n));
}
BENCHMARK(BM_MatMul)
    ->Args({1, 1280, 1000})  // MobileNetV2 classifier
    ->Args({1, 2048, 1000})  // InceptionV3 classifier
    ->Args({64, 784, 128})   // MNIST dense, batch 64
    ->Args({1536, 1536, 1536})
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
