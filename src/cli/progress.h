// A one-line progress display for long writes on stderr ("writing variables  42%  120.0 of
// 286.1 MB"), redrawn at most ten times a second and only when stderr is a terminal, so logs
// and pipes stay clean.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "tfport/checkpoint_writer.h"

namespace tfport::cli {

class Progress {
 public:
  // `enabled` defaults to isatty(stderr).
  explicit Progress(std::string label);
  Progress(std::string label, bool enabled);
  ~Progress();  // ends the line when something was drawn

  // A callback for writers; the Progress must outlive its use.
  ProgressCallback callback();
  void update(uint64_t done, uint64_t total);

 private:
  std::string label_;
  bool enabled_;
  bool drawn_ = false;
  int64_t last_draw_ms_ = -1;
};

}  // namespace tfport::cli
