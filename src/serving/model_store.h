// The servables the server knows: for each configured model, the numbered version directories
// under its base path, loaded per the version policy, re-scanned every poll interval.
//
// A new version is loaded first and only then takes traffic; versions that leave the policy
// are dropped from the table, and the Servable (held by shared_ptr) is destroyed when the last
// in-flight request using it finishes. A version that fails to load keeps its error in the
// status table and never takes traffic (the previous version keeps serving); it is retried
// only when its files change. After startup, a new version directory is loaded only once its
// files are unchanged across two scans, so a half-written export is never loaded.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "serving/servable.h"

namespace tfport::serving {

struct VersionPolicy {
  enum class Kind { kLatest, kAll, kSpecific };
  Kind kind = Kind::kLatest;
  uint32_t num_versions = 1;
  std::vector<int64_t> versions;
};

struct ModelEntry {
  std::string name;
  std::string base_path;
  VersionPolicy policy;
  std::map<std::string, int64_t> labels;
};

// TF Serving's ModelVersionStatus.State values.
enum class VersionState { kStart = 10, kLoading = 20, kAvailable = 30, kUnloading = 40, kEnd = 50 };

struct VersionStatus {
  int64_t version = 0;
  VersionState state = VersionState::kStart;
  Status status;
};

struct StoreOptions {
  LoadOptions load;
  double poll_seconds = 1.0;  // 0: scan once at startup
  bool allow_labels_for_unavailable = false;
  std::function<void(const std::string& model, bool ok)> on_load;  // metrics hook
  // Runs on each freshly loaded version before it takes traffic (model warm-up); an error fails
  // the load.
  std::function<Status(const Servable& servable)> warmup;
  std::function<void(const std::string& line)> log;
};

class ModelStore {
 public:
  explicit ModelStore(StoreOptions options);
  ~ModelStore();
  ModelStore(const ModelStore&) = delete;
  ModelStore& operator=(const ModelStore&) = delete;

  // Replaces the configured models and scans (loading what the policies ask for) before
  // returning. Models no longer configured are unloaded.
  Status set_config(std::vector<ModelEntry> models);
  // Starts the background re-scan (no-op when poll_seconds is 0).
  void start_polling();
  void stop();
  // One scan of every model now (tests and the poll thread).
  void scan_now();

  // The servable for a request: the highest available version, a specific one, or a label's.
  StatusOr<std::shared_ptr<const Servable>> find(const std::string& name, std::optional<int64_t> version,
                                                 const std::optional<std::string>& label) const;
  // Every known version of a model (descending), or one version.
  StatusOr<std::vector<VersionStatus>> status(const std::string& name, std::optional<int64_t> version) const;
  std::vector<std::string> model_names() const;
  // True when every configured model has at least one available version.
  bool all_ready() const;

 private:
  struct Known {
    VersionStatus status;
    std::string fingerprint;  // of the files when last seen
    std::string failed_fingerprint;
  };
  struct ModelState {
    ModelEntry entry;
    std::map<int64_t, std::shared_ptr<const Servable>, std::greater<>> loaded;
    std::map<int64_t, Known, std::greater<>> known;
  };

  void scan_model(const std::string& name, bool initial);
  void log(const std::string& line) const;

  StoreOptions options_;
  mutable std::shared_mutex mu_;  // guards models_
  std::map<std::string, ModelState> models_;
  std::mutex scan_mu_;  // one scan at a time
  bool initial_done_ = false;

  std::mutex poll_mu_;
  std::condition_variable poll_cv_;
  bool stopping_ = false;
  std::thread poller_;
};

// Parses a version directory name as TF Serving does (absl::SimpleAtoi on int64).
std::optional<int64_t> parse_version_name(const std::string& name);

}  // namespace tfport::serving
