#include "serving/model_store.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <set>

namespace tfport::serving {
namespace {

namespace fs = std::filesystem;

// Names, sizes and modification times of every file under `path`: changes while a version is
// still being written.
std::string file_stamp(const fs::path& p) {
  std::error_code ec;
  std::string stamp = std::to_string(fs::file_size(p, ec));
  stamp += '@';
  stamp += std::to_string(fs::last_write_time(p, ec).time_since_epoch().count());
  return stamp;
}

std::string fingerprint(const std::string& path) {
  std::error_code ec;
  if (fs::is_regular_file(path, ec)) return file_stamp(path);
  std::vector<std::string> items;
  for (auto it = fs::recursive_directory_iterator(path, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code e2;
    std::string item = it->path().string();
    if (it->is_regular_file(e2)) {
      item += ':';
      item += file_stamp(it->path());
    }
    items.push_back(std::move(item));
  }
  std::sort(items.begin(), items.end());
  std::string fp;
  for (const auto& i : items) {
    fp += i;
    fp += '\n';
  }
  return fp;
}

std::vector<int64_t> apply_policy(const VersionPolicy& policy, const std::vector<int64_t>& candidates /*desc*/) {
  std::vector<int64_t> out;
  switch (policy.kind) {
    case VersionPolicy::Kind::kLatest: {
      const std::size_t n = std::max<uint32_t>(policy.num_versions, 1);
      for (std::size_t i = 0; i < candidates.size() && i < n; ++i) out.push_back(candidates[i]);
      break;
    }
    case VersionPolicy::Kind::kAll:
      out = candidates;
      break;
    case VersionPolicy::Kind::kSpecific:
      for (int64_t v : candidates) {
        if (std::find(policy.versions.begin(), policy.versions.end(), v) != policy.versions.end()) out.push_back(v);
      }
      break;
  }
  return out;
}

}  // namespace

std::optional<int64_t> parse_version_name(const std::string& name) {
  std::size_t b = 0, e = name.size();
  while (b < e && std::isspace(static_cast<unsigned char>(name[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(name[e - 1]))) --e;
  if (b == e) return std::nullopt;
  bool neg = false;
  if (name[b] == '+' || name[b] == '-') {
    neg = name[b] == '-';
    ++b;
  }
  if (b == e) return std::nullopt;
  uint64_t v = 0;
  for (std::size_t i = b; i < e; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(name[i]))) return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(name[i] - '0');
    if (v > (uint64_t{1} << 63)) return std::nullopt;
  }
  if (!neg && v > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
  return neg ? static_cast<int64_t>(0 - v) : static_cast<int64_t>(v);
}

ModelStore::ModelStore(StoreOptions options) : options_(std::move(options)) {}

ModelStore::~ModelStore() { stop(); }

void ModelStore::log(const std::string& line) const {
  if (options_.log) {
    options_.log(line);
  } else {
    std::cerr << line << "\n";
  }
}

Status ModelStore::set_config(std::vector<ModelEntry> models) {
  std::set<std::string> names;
  for (const auto& m : models) {
    if (m.name.empty()) return invalid_argument_error("ModelConfig has an empty name");
    if (!names.insert(m.name).second) return invalid_argument_error("Illegal to list model " + m.name + " multiple times in config list");
    if (m.base_path.empty()) return invalid_argument_error("ModelConfig for " + m.name + " has an empty base_path");
  }
  std::lock_guard scan_lock(scan_mu_);
  {
    std::unique_lock lock(mu_);
    for (auto it = models_.begin(); it != models_.end();) {
      if (!names.count(it->first)) {
        log("Unloading every version of model " + it->first + " (no longer configured)");
        it = models_.erase(it);
      } else {
        ++it;
      }
    }
    for (auto& m : models) {
      auto& state = models_[m.name];
      state.entry = std::move(m);
    }
  }
  const bool initial = !initial_done_;
  for (const auto& name : names) scan_model(name, initial);
  initial_done_ = true;
  // Labels must name available versions unless the server allows otherwise.
  std::shared_lock lock(mu_);
  for (const auto& [name, state] : models_) {
    for (const auto& [label, v] : state.entry.labels) {
      if (!options_.allow_labels_for_unavailable && !state.loaded.count(v)) {
        return failed_precondition_error("Request to assign label to version " + std::to_string(v) + " of model " +
                                         name + ", which is not currently available for inference.");
      }
      (void)label;
    }
  }
  return Status::OK();
}

void ModelStore::scan_now() {
  std::lock_guard scan_lock(scan_mu_);
  std::vector<std::string> names = model_names();
  for (const auto& name : names) scan_model(name, false);
}

void ModelStore::scan_model(const std::string& name, bool initial) {
  ModelEntry entry;
  {
    std::shared_lock lock(mu_);
    auto it = models_.find(name);
    if (it == models_.end()) return;
    entry = it->second.entry;
  }
  // Versions on disk.
  std::map<int64_t, std::string, std::greater<>> on_disk;
  std::error_code ec;
  if (!fs::exists(entry.base_path, ec)) {
    log("Could not find base path " + entry.base_path + " for servable " + name);
  } else if (fs::is_regular_file(entry.base_path, ec)) {
    on_disk[1] = entry.base_path;  // a single model file serves as version 1
  } else {
    for (const auto& child : fs::directory_iterator(entry.base_path, ec)) {
      auto v = parse_version_name(child.path().filename().string());
      if (!v) continue;
      if (on_disk.count(*v)) log("Two version directories of servable " + name + " name version " + std::to_string(*v));
      on_disk[*v] = child.path().string();
    }
    if (on_disk.empty()) log("No versions of servable " + name + " found under base path " + entry.base_path);
  }

  std::vector<int64_t> candidates;
  std::map<int64_t, std::string> prints;
  {
    std::unique_lock lock(mu_);
    auto it = models_.find(name);
    if (it == models_.end()) return;
    ModelState& state = it->second;
    for (const auto& [v, path] : on_disk) {
      std::string fp = fingerprint(path);
      prints[v] = fp;
      auto known = state.known.find(v);
      if (state.loaded.count(v)) {
        candidates.push_back(v);
        continue;
      }
      bool stable = initial;
      if (known != state.known.end()) {
        stable = stable || known->second.fingerprint == fp;
        known->second.fingerprint = fp;
        if (!known->second.failed_fingerprint.empty() && known->second.failed_fingerprint == fp) continue;
      } else {
        Known k;
        k.status.version = v;
        k.status.state = VersionState::kStart;
        k.fingerprint = fp;
        if (!initial) {
          state.known.emplace(v, std::move(k));
          continue;  // seen for the first time: wait for one more scan
        }
        state.known.emplace(v, std::move(k));
      }
      if (stable) candidates.push_back(v);
    }
  }
  std::vector<int64_t> aspired = apply_policy(entry.policy, candidates);
  if (entry.policy.kind == VersionPolicy::Kind::kSpecific) {
    for (int64_t v : entry.policy.versions) {
      if (!on_disk.count(v)) log("Version " + std::to_string(v) + " of servable " + name + " not found under " + entry.base_path);
    }
  }

  // Load what is aspired and not loaded, newest first.
  for (int64_t v : aspired) {
    {
      std::unique_lock lock(mu_);
      auto it = models_.find(name);
      if (it == models_.end()) return;
      if (it->second.loaded.count(v)) continue;
      auto& k = it->second.known[v];
      k.status.version = v;
      k.status.state = VersionState::kLoading;
      k.status = {v, VersionState::kLoading, Status::OK()};
    }
    log("Loading servable: {name: " + name + " version: " + std::to_string(v) + "}");
    auto loaded = load_servable(name, v, on_disk[v], options_.load);
    if (loaded.ok() && options_.warmup) {
      Status warm = options_.warmup(**loaded);
      if (!warm.ok()) loaded = warm;
    }
    if (options_.on_load) options_.on_load(name, loaded.ok());
    std::unique_lock lock(mu_);
    auto it = models_.find(name);
    if (it == models_.end()) return;
    auto& k = it->second.known[v];
    if (loaded.ok()) {
      it->second.loaded[v] = *loaded;
      k.status = {v, VersionState::kAvailable, Status::OK()};
      k.failed_fingerprint.clear();
      log("Successfully loaded servable version {name: " + name + " version: " + std::to_string(v) + "}");
    } else {
      k.status = {v, VersionState::kEnd, loaded.status()};
      k.failed_fingerprint = prints[v];
      log("Failed to load servable version {name: " + name + " version: " + std::to_string(v) +
          "}: " + loaded.status().message());
    }
  }

  // Unload versions the policy no longer wants, but never the last available one while the
  // aspired versions failed (availability first).
  std::unique_lock lock(mu_);
  auto it = models_.find(name);
  if (it == models_.end()) return;
  ModelState& state = it->second;
  bool aspired_available = false;
  for (int64_t v : aspired) aspired_available = aspired_available || state.loaded.count(v) > 0;
  for (auto l = state.loaded.begin(); l != state.loaded.end();) {
    const int64_t v = l->first;
    const bool wanted = std::find(aspired.begin(), aspired.end(), v) != aspired.end();
    const bool gone = !on_disk.count(v);
    if (!wanted && (aspired_available || aspired.empty() || gone)) {
      log("Unloading servable version {name: " + name + " version: " + std::to_string(v) + "}");
      state.known[v].status = {v, VersionState::kEnd, Status::OK()};
      l = state.loaded.erase(l);  // in-flight requests keep their shared_ptr until they finish
    } else {
      ++l;
    }
  }
}

void ModelStore::start_polling() {
  if (options_.poll_seconds <= 0 || poller_.joinable()) return;
  poller_ = std::thread([this] {
    std::unique_lock lock(poll_mu_);
    while (!stopping_) {
      poll_cv_.wait_for(lock, std::chrono::duration<double>(options_.poll_seconds), [this] { return stopping_; });
      if (stopping_) break;
      lock.unlock();
      scan_now();
      lock.lock();
    }
  });
}

void ModelStore::stop() {
  {
    std::lock_guard lock(poll_mu_);
    stopping_ = true;
  }
  poll_cv_.notify_all();
  if (poller_.joinable()) poller_.join();
}

StatusOr<std::shared_ptr<const Servable>> ModelStore::find(const std::string& name, std::optional<int64_t> version,
                                                           const std::optional<std::string>& label) const {
  std::shared_lock lock(mu_);
  auto it = models_.find(name);
  if (label) {
    if (it == models_.end()) return invalid_argument_error("Unrecognized servable version label: " + *label);
    auto l = it->second.entry.labels.find(*label);
    if (l == it->second.entry.labels.end()) return invalid_argument_error("Unrecognized servable version label: " + *label);
    version = l->second;
  }
  if (version) {
    if (it != models_.end()) {
      auto v = it->second.loaded.find(*version);
      if (v != it->second.loaded.end()) return v->second;
    }
    return not_found_error("Servable not found for request: Specific(" + name + ", " + std::to_string(*version) + ")");
  }
  if (it == models_.end() || it->second.loaded.empty()) {
    return not_found_error("Servable not found for request: Latest(" + name + ")");
  }
  return it->second.loaded.begin()->second;
}

StatusOr<std::vector<VersionStatus>> ModelStore::status(const std::string& name, std::optional<int64_t> version) const {
  std::shared_lock lock(mu_);
  auto it = models_.find(name);
  std::vector<VersionStatus> out;
  if (it != models_.end()) {
    for (const auto& [v, k] : it->second.known) {
      if (k.status.state == VersionState::kStart) continue;  // not yet picked up
      if (!version || *version == v) out.push_back(k.status);
    }
  }
  if (out.empty()) {
    if (version) {
      return not_found_error("Could not find version " + std::to_string(*version) + " of model " + name);
    }
    return not_found_error("Could not find any versions of model " + name);
  }
  return out;
}

std::vector<std::string> ModelStore::model_names() const {
  std::shared_lock lock(mu_);
  std::vector<std::string> names;
  for (const auto& [name, state] : models_) names.push_back(name);
  return names;
}

bool ModelStore::all_ready() const {
  std::shared_lock lock(mu_);
  for (const auto& [name, state] : models_) {
    if (state.loaded.empty()) return false;
  }
  return true;
}

}  // namespace tfport::serving
