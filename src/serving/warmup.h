// TF Serving's model warm-up: before a SavedModel version takes traffic, the requests logged in
// its assets.extra/tf_serving_warmup_requests (a TFRecord file of PredictionLog protos) are
// replayed on it, so first calls do not pay for lazy initialization. Predict, classify, regress
// and multi-inference logs are run (streamed-predict logs skipped, session-run logs refused, as
// TF Serving does); a damaged file, an unparsable record, more than 1000 records or a failing
// request fails the version's load, and the status API reports why.
#pragma once

#include "serving/inference.h"
#include "serving/servable.h"

namespace tfport::serving {

inline constexpr char kWarmupRequestsFile[] = "assets.extra/tf_serving_warmup_requests";
inline constexpr int kMaxWarmupRecords = 1000;

// OK when the servable has no warm-up file (or is not a SavedModel directory).
Status run_warmup(const Inference& inference, const Servable& servable);

}  // namespace tfport::serving
