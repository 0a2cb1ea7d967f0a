#include "runtime/openmp_team.h"

// libgomp's entry points, as the compiler emits them for `#pragma omp parallel`: tfport is not
// built with -fopenmp, and weak references keep it free of a link-time dependency on an OpenMP
// runtime (Debian's oneDNN brings libgomp; null when nothing loaded one).
extern "C" {
void GOMP_parallel(void (*fn)(void*), void* data, unsigned num_threads, unsigned flags) __attribute__((weak));
int omp_get_thread_num() __attribute__((weak));
int omp_get_num_threads() __attribute__((weak));
int omp_in_parallel() __attribute__((weak));
void omp_set_num_threads(int) __attribute__((weak));
}

namespace tfport::runtime {
namespace {

struct Job {
  const std::function<void(int)>* fn;
  int n;
};

void team_body(void* data) {
  const Job& job = *static_cast<const Job*>(data);
  // The team may come out smaller than asked (OMP_THREAD_LIMIT, nesting limits).
  const int size = omp_get_num_threads();
  for (int i = omp_get_thread_num(); i < job.n; i += size) (*job.fn)(i);
}

}  // namespace

bool run_on_openmp_team(int n, const std::function<void(int index)>& fn) {
  if (n <= 0) return true;
  if (GOMP_parallel == nullptr || omp_get_thread_num == nullptr || omp_get_num_threads == nullptr ||
      omp_in_parallel == nullptr) {
    return false;
  }
  if (omp_in_parallel() != 0) return false;
  Job job{&fn, n};
  GOMP_parallel(team_body, &job, static_cast<unsigned>(n), 0);
  return true;
}

namespace {
thread_local bool t_kept = false;
}  // namespace

void keep_openmp_on_this_thread() {
  // nthreads-var is per thread (the thread's implicit task), so other threads keep theirs.
  if (t_kept) return;
  t_kept = true;
  if (omp_set_num_threads != nullptr) omp_set_num_threads(1);
}

bool openmp_kept_on_this_thread() { return t_kept; }

}  // namespace tfport::runtime
