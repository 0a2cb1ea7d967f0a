// TF Serving's REST JSON: predict requests in row ("instances") and columnar ("inputs") form to
// tensors, outputs back to JSON, classify/regress requests to tf.Examples and their results to
// JSON, and the error body. Parsing and printing use RapidJSON with TF Serving's flags and
// layout calls, so bodies and error texts are byte-identical to tensorflow_model_server's.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>


#include "serving/rapidjson.h"
#include "serving/serving_apis_fwd.h"
#include "tfport/model.h"
#include "tfport/status.h"
#include "tfport/tensor.h"

namespace tfport::serving {

enum class JsonFormat { kRow, kColumnar };

// Parses a request body (RapidJSON, NaN/Inf accepted, trailing bytes ignored); the root must
// be an object.
Status parse_json_body(std::string_view body, rapidjson::Document* doc);

// The optional "signature_name" member ("" when absent).
StatusOr<std::string> json_signature_name(const rapidjson::Document& doc);

// The signature's input tensors from "instances" or "inputs"; `format` says which was used.
StatusOr<std::map<std::string, Tensor>> json_predict_inputs(const rapidjson::Document& doc,
                                                            const std::vector<TensorSpec>& inputs,
                                                            std::size_t max_tensor_bytes, JsonFormat* format);

// {"predictions": ...} or {"outputs": ...}.
StatusOr<std::string> predict_response_json(const std::map<std::string, Tensor>& outputs, JsonFormat format);

// "examples" (and optional "context") of a classify/regress request as TF Serving's Input.
Status json_examples(const rapidjson::Document& doc, tensorflow::serving::Input* input);

StatusOr<std::string> classification_json(const tensorflow::serving::ClassificationResult& result);
StatusOr<std::string> regression_json(const tensorflow::serving::RegressionResult& result);

// {"error": "<message>"} in TF Serving's layout.
std::string error_json(std::string_view message);

// TF Serving's number text: %g, or %.9g/%.17g when %g does not round-trip; ".0" appended to
// integral values; NaN, Infinity, -Infinity.
std::string decimal_text(double value, bool is_float);

// Standard base64 with padding, and its inverse (padding optional); false on bad input.
std::string base64_encode(std::string_view bytes);
bool base64_decode(std::string_view text, std::string* out);

}  // namespace tfport::serving
