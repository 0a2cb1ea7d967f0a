// A fast path for the common large predict request: one float/double/int input given as plain
// nested numeric arrays. Parsed with simdjson; anything else (NaN/Infinity, b64, objects, ragged
// arrays, syntax errors, several inputs) returns "not handled" and the RapidJSON path runs,
// which produces TF Serving's exact error texts. Results are identical to that path.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "serving/json_codec.h"

namespace tfport::serving {

class FastPredictRequest {
 public:
  FastPredictRequest();
  ~FastPredictRequest();
  // False when the body is not a simple predict request (then use the RapidJSON path).
  bool parse(std::string_view body);
  const std::string& signature_name() const { return signature_name_; }
  // The input tensor, or std::nullopt when the value needs the RapidJSON path.
  std::optional<std::map<std::string, Tensor>> inputs(const std::vector<TensorSpec>& specs, std::size_t max_bytes,
                                                      JsonFormat* format) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string signature_name_;
};

}  // namespace tfport::serving
