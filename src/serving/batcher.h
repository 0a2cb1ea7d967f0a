// Server-side batching as TF Serving's BasicBatchScheduler: concurrent predict requests on the
// same servable and signature are concatenated along dimension 0, run once, and the outputs
// are split back. Invisible to clients: each gets exactly its own rows.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "serving/servable.h"

namespace tfport::serving {

struct BatchingOptions {
  int64_t max_batch_size = 1000;
  int64_t batch_timeout_micros = 0;
  int64_t max_enqueued_batches = 100;
  int64_t num_batch_threads = 2;
  std::vector<int64_t> allowed_batch_sizes;  // ascending; the last must equal max_batch_size
  bool pad_variable_length_inputs = false;
};

// Checks TF Serving's constraints on the options.
Status validate_batching_options(const BatchingOptions& options);

class Batcher {
 public:
  explicit Batcher(BatchingOptions options);
  ~Batcher();
  Batcher(const Batcher&) = delete;
  Batcher& operator=(const Batcher&) = delete;

  // Blocks until the request's rows have been run (possibly together with others).
  StatusOr<std::map<std::string, Tensor>> run(const Servable& servable, const Signature& signature,
                                              const std::map<std::string, Tensor>& inputs);

  // Number of model runs and of requests merged into them (for tests and metrics).
  int64_t runs() const;
  int64_t batched_requests() const;

 private:
  struct Task {
    const Servable* servable;
    const Signature* signature;
    std::map<std::string, Tensor> inputs;
    int64_t size;
    std::promise<StatusOr<std::map<std::string, Tensor>>> done;
  };
  struct Queue {
    std::deque<std::shared_ptr<Task>> tasks;
    int64_t rows = 0;
  };
  void worker();
  void run_batch(std::vector<std::shared_ptr<Task>> batch);

  BatchingOptions options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::pair<const Servable*, std::string>, Queue> queues_;
  std::deque<std::pair<const Servable*, std::string>> ready_order_;
  bool stopping_ = false;
  int64_t runs_ = 0;
  int64_t batched_ = 0;
  std::vector<std::thread> threads_;
};

}  // namespace tfport::serving
