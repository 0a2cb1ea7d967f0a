// For the commands that run models (run, bench, serve): re-executes the process once with a
// short OpenMP spin (GOMP_SPINCOUNT=20000) unless the user set OMP_WAIT_POLICY or
// GOMP_SPINCOUNT; see openmp_defaults.cc for the measurements.
#pragma once

namespace tfport::cli {

// True for the subcommands that re-execute (the others never start an OpenMP team, and a
// second process start costs them about half of their run time).
bool runs_models(int argc, char** argv);
void apply_openmp_defaults(int argc, char** argv);

}  // namespace tfport::cli
