// A fast path for the common large predict request: one float/double/int input given as plain
// nested numeric arrays, scanned straight into the input tensor's buffer (no DOM, no
// intermediate copy of the numbers; large bodies in two halves on two threads). Anything else
// (NaN/Infinity, b64, objects, ragged or empty arrays, syntax errors, escapes, several inputs,
// unknown keys) returns "not handled" and the RapidJSON path runs, which produces TF Serving's
// exact error texts. Results are identical to that path.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "serving/json_codec.h"
#include "tfport/model.h"

namespace tfport::serving {

class FastPredictRequest {
 public:
  // Maps the request's signature name ("" when absent) to the signature, or nullptr when the
  // request should take the RapidJSON path (unknown model or signature: that path reports it).
  using SignatureLookup = std::function<const Signature*(const std::string& name)>;

  // True when `body` is a simple predict request and its input tensor was built. Reads no byte
  // outside `body`.
  bool parse(std::string_view body, const SignatureLookup& lookup, std::size_t max_tensor_bytes);

  const Signature* signature() const { return signature_; }
  JsonFormat format() const { return format_; }
  std::map<std::string, Tensor>& inputs() { return inputs_; }

 private:
  const Signature* signature_ = nullptr;
  JsonFormat format_ = JsonFormat::kRow;
  std::map<std::string, Tensor> inputs_;
};

}  // namespace tfport::serving
