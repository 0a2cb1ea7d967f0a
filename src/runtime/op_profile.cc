#include "runtime/op_profile.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace tfport::runtime {
namespace {

std::atomic<bool>& enabled_flag() {
  // Read once from the environment so library users can profile without code changes.
  static std::atomic<bool> flag{std::getenv("TFPORT_PROFILE") != nullptr};
  return flag;
}

}  // namespace

OpProfile& OpProfile::global() {
  static OpProfile* profile = new OpProfile();  // never destroyed: plans may run during exit
  return *profile;
}

void OpProfile::enable() { enabled_flag().store(true, std::memory_order_relaxed); }

OpProfile* OpProfile::active() {
  return enabled_flag().load(std::memory_order_relaxed) ? &global() : nullptr;
}

void OpProfile::add(std::string_view op, double ms) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(op);
  if (it == entries_.end()) it = entries_.emplace(std::string(op), Entry{}).first;
  it->second.calls += 1;
  it->second.ms += ms;
}

void OpProfile::reset() {
  std::lock_guard<std::mutex> lock(mu_);
  entries_.clear();
}

std::string OpProfile::report() const {
  std::vector<std::pair<std::string, Entry>> rows;
  {
    std::lock_guard<std::mutex> lock(mu_);
    rows.assign(entries_.begin(), entries_.end());
  }
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.second.ms > b.second.ms; });
  double total = 0;
  for (const auto& r : rows) total += r.second.ms;
  std::string out = "op\tcalls\ttotal_ms\tshare\n";
  char line[256];
  for (const auto& [op, e] : rows) {
    std::snprintf(line, sizeof line, "%s\t%lld\t%.3f\t%.1f%%\n", op.c_str(), static_cast<long long>(e.calls), e.ms,
                  total > 0 ? 100.0 * e.ms / total : 0.0);
    out += line;
  }
  return out;
}

}  // namespace tfport::runtime
