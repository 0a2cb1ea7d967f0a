// One loaded model version: the runtime Model, its signatures, and the SignatureDefMap the
// metadata API prints. Files that are not SavedModels (Keras .h5/.keras, frozen GraphDefs)
// are served through a `serving_default` signature.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "serving/run_executor.h"
#include "serving/serving_apis_fwd.h"
#include "tfport/model.h"

namespace tfport::serving {

struct Servable {
  std::string name;
  int64_t version = 0;
  std::string path;  // what was loaded (the version directory or the model file in it)
  std::shared_ptr<Model> model;
  tensorflow::serving::SignatureDefMap signature_defs;

  // How long runs of each signature take, to keep tiny runs on the caller's thread.
  RunTimeEstimate& run_time(const std::string& signature_key) const;

 private:
  mutable std::mutex run_times_mu_;
  mutable std::map<std::string, RunTimeEstimate, std::less<>> run_times_;
};

// Loads `dir` (a version directory, or a model file) as version `version` of `name`.
StatusOr<std::shared_ptr<const Servable>> load_servable(const std::string& name, int64_t version,
                                                        const std::string& dir, const LoadOptions& options);

// Runs a signature as TF Serving's session run does (on the run executor unless the
// signature's runs are tiny): inputs fed to the signature's tensors by
// name (dtypes checked, shapes not: the graph decides what it accepts), every output fetched.
StatusOr<std::map<std::string, Tensor>> run_signature(const Servable& servable, const Signature& signature,
                                                      const std::map<std::string, Tensor>& inputs);

}  // namespace tfport::serving
