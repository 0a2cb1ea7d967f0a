// libFuzzer target: arbitrary bytes as the contents of DecodeImage (JPEG through libjpeg-turbo,
// PNG through libpng, both under tfport's size caps and error handling), for every channel
// setting. Seeds: fuzz/seeds/image_decode/ (tiny images tfport's tests also make).
#define EIGEN_USE_THREADS
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <unsupported/Eigen/CXX11/Tensor>

#include "runtime/kernel.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tfport;
  static Eigen::ThreadPool* pool = new Eigen::ThreadPool(1);
  static Eigen::ThreadPoolDevice* device = new Eigen::ThreadPoolDevice(pool, 1);
  const runtime::OpRegistration* reg = runtime::OpRegistry::global().find("DecodeImage");
  if (reg == nullptr) return 0;
  auto contents = Tensor::from_strings(Shape{}, {std::string(reinterpret_cast<const char*>(data), size)});
  if (!contents.ok()) return 0;
  const std::vector<Tensor> inputs{*contents};
  for (int64_t channels : {0, 1, 3, 4}) {
    runtime::AttrMap attrs;
    attrs["channels"].set_i(channels);
    attrs["dtype"].set_type(tensorflow::DT_UINT8);
    auto kernel = reg->create(runtime::Attrs(attrs, "fuzz", "DecodeImage"));
    if (!kernel.ok()) continue;
    std::vector<Tensor> outputs;
    runtime::KernelContext ctx{std::span<const Tensor>(inputs), &outputs, device, "fuzz"};
    (void)(*kernel)->compute(ctx);
  }
  return 0;
}
