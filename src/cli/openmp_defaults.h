// Re-executes the process once with a short OpenMP spin (GOMP_SPINCOUNT=20000) unless the
// user set OMP_WAIT_POLICY or GOMP_SPINCOUNT; see openmp_defaults.cc for the measurements.
#pragma once

namespace tfport::cli {

void apply_openmp_defaults(char** argv);

}  // namespace tfport::cli
