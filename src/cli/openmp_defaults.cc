// oneDNN runs its kernels on libgomp threads. libgomp's default is to spin for a long time
// after each parallel region; on a small machine, or one shared with other work, spinning
// threads starve the thread that has the next op (measured on 2 cores: MobileNetV2 batch 1
// p50 9.7 ms spinning, 8.9 ms with passive waits, 5.5 ms with a short spin). libgomp reads its
// environment when it is loaded, before main, so setting the short spin takes one re-exec.
#include "cli/openmp_defaults.h"

#include <unistd.h>

#include <cstdlib>
#include <string_view>

namespace tfport::cli {

bool runs_models(int argc, char** argv) {
  if (argc < 2) return false;
  const std::string_view command = argv[1];
  return command == "run" || command == "bench" || command == "serve";
}

void apply_openmp_defaults(int argc, char** argv) {
  if (!runs_models(argc, argv)) return;
  if (std::getenv("OMP_WAIT_POLICY") || std::getenv("GOMP_SPINCOUNT")) return;  // the user chose
  if (setenv("GOMP_SPINCOUNT", "20000", 1) != 0) return;
  execv("/proc/self/exe", argv);
  // exec failed (no /proc): go on with libgomp's defaults; the variable set above only
  // reaches child processes.
}

}  // namespace tfport::cli
