#include "cli/progress.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>

namespace tfport::cli {
namespace {

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

}  // namespace

Progress::Progress(std::string label) : Progress(std::move(label), ::isatty(STDERR_FILENO) == 1) {}
Progress::Progress(std::string label, bool enabled) : label_(std::move(label)), enabled_(enabled) {}

Progress::~Progress() {
  if (drawn_) std::fputc('\n', stderr);
}

ProgressCallback Progress::callback() {
  return [this](uint64_t done, uint64_t total) { update(done, total); };
}

void Progress::update(uint64_t done, uint64_t total) {
  if (!enabled_) return;
  const int64_t t = now_ms();
  const bool finished = total > 0 && done >= total;
  if (!finished && last_draw_ms_ >= 0 && t - last_draw_ms_ < 100) return;
  last_draw_ms_ = t;
  const double mb = 1024.0 * 1024.0;
  if (total > 0) {
    std::fprintf(stderr, "\r%s %3d%%  %.1f of %.1f MB", label_.c_str(), static_cast<int>(100.0 * done / total),
                 done / mb, total / mb);
  } else {
    std::fprintf(stderr, "\r%s  %.1f MB", label_.c_str(), done / mb);
  }
  std::fflush(stderr);
  drawn_ = true;
}

}  // namespace tfport::cli
