// Equal / NotEqual on string tensors (feature columns compare inputs with ""): the numeric
// comparison kernels hand string-typed nodes to this one.
#pragma once

#include <memory>

#include "runtime/kernel.h"

namespace tfport::runtime::ops {

StatusOr<std::unique_ptr<Kernel>> make_string_equality(const Attrs& attrs, bool equal);

}  // namespace tfport::runtime::ops
