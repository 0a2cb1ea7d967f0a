// A "serving_default" signature with one input, "x", of a given dtype: what the JSON decoder
// tests decode requests for.
#pragma once

#include "tfport/model.h"

namespace tfport::serving::testing {

inline Signature one_input(DType dtype) {
  Signature sig;
  sig.key = "serving_default";
  TensorSpec spec;
  spec.key = "x";
  spec.dtype = dtype;
  sig.inputs.push_back(spec);
  return sig;
}

}  // namespace tfport::serving::testing
