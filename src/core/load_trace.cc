#include "core/load_trace.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace tfport {

bool load_trace_enabled() {
  static const bool on = [] {
    const char* v = std::getenv("TFPORT_TRACE_LOAD");
    return v != nullptr && *v != '\0' && std::strcmp(v, "0") != 0;
  }();
  return on;
}

LoadTrace::LoadTrace(std::string scope) : scope_(std::move(scope)), on_(load_trace_enabled()) {
  if (on_) last_ = std::chrono::steady_clock::now();
}

void LoadTrace::mark(std::string_view phase) {
  if (!on_) return;
  auto now = std::chrono::steady_clock::now();
  double ms = std::chrono::duration<double, std::milli>(now - last_).count();
  std::fprintf(stderr, "tfport load [%.*s] %-28.*s %8.3f ms\n", static_cast<int>(scope_.size()), scope_.data(),
               static_cast<int>(phase.size()), phase.data(), ms);
  last_ = now;
}

}  // namespace tfport
