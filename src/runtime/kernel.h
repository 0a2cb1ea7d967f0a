// The op interface: an op is created once per node when a model is planned (attributes are
// read and validated then, so a bad model fails at load, not mid-run) and then computes many
// times, possibly from several threads at once — compute() must not mutate the kernel.
//
// Adding an op: docs/adding-an-op.md. In short, in src/runtime/ops/<family>.cc:
//   class ReluKernel final : public Kernel { ... };
//   TFPORT_REGISTER_OP({"Relu", &make_relu, &relu_shapes});
#pragma once

#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "runtime/attrs.h"
#include "tfport/shape.h"
#include "tfport/status.h"
#include "tfport/tensor.h"

namespace Eigen {
class ThreadPoolDevice;
}

namespace tfport::runtime {

class ResourceStore;

struct KernelContext {
  std::span<const Tensor> inputs;
  std::vector<Tensor>* outputs;             // the kernel appends one Tensor per op output
  const Eigen::ThreadPoolDevice* device;    // intra-op parallelism; never null
  std::string_view node_name;
  // Variables and tables of the loaded model (shared by every run of it); stateless kernels
  // ignore it.
  ResourceStore* resources = nullptr;

  // "node 'conv1' (Conv2D): <message>" as INVALID_ARGUMENT.
  Status error(std::string_view op, std::string_view message) const;
};

class Kernel {
 public:
  virtual ~Kernel() = default;
  virtual Status compute(KernelContext& ctx) const = 0;
};

// Output shapes from input shapes (unknown dims -1) for planning and early error reports.
// Optional: an op without one gets unknown output shapes.
using ShapeFunction = StatusOr<std::vector<PartialShape>> (*)(std::span<const PartialShape> inputs,
                                                              const Attrs& attrs);
using KernelFactory = StatusOr<std::unique_ptr<Kernel>> (*)(const Attrs& attrs);

struct OpRegistration {
  std::string_view op;
  KernelFactory create;
  ShapeFunction infer_shapes = nullptr;
};

class OpRegistry {
 public:
  static OpRegistry& global();
  // Returns false if `op` was already registered (a duplicate is a programming error the
  // registry tests catch).
  bool add(const OpRegistration& registration);
  const OpRegistration* find(std::string_view op) const;
  std::vector<std::string_view> op_names() const;  // sorted
};

}  // namespace tfport::runtime

#define TFPORT_KERNEL_CONCAT_INNER(a, b) a##b
#define TFPORT_KERNEL_CONCAT(a, b) TFPORT_KERNEL_CONCAT_INNER(a, b)
// Registers at static-initialisation time; the runtime library is linked whole-archive so
// registrations in otherwise unreferenced files are kept. Usage (note the braces):
//   TFPORT_REGISTER_OP({"Relu", &make_relu, &relu_shapes});
#define TFPORT_REGISTER_OP(...)                                                      \
  [[maybe_unused]] static const bool TFPORT_KERNEL_CONCAT(tfport_registered_op_, __LINE__) = \
      ::tfport::runtime::OpRegistry::global().add(::tfport::runtime::OpRegistration __VA_ARGS__)
