#include "serving/batcher.h"

#include <algorithm>
#include <chrono>
#include <cstring>

#include "runtime/run_deadline.h"

namespace tfport::serving {
namespace {

// Rows [begin, end) of t along dimension 0.
Tensor slice_rows(const Tensor& t, int64_t begin, int64_t end) {
  std::vector<int64_t> dims = t.shape().dims();
  const int64_t rows = dims[0];
  const int64_t per = rows == 0 ? 0 : t.num_elements() / rows;
  dims[0] = end - begin;
  if (t.dtype() == DType::kString) {
    std::vector<std::string> values(t.strings().begin() + begin * per, t.strings().begin() + end * per);
    return *Tensor::from_strings(Shape(dims), std::move(values));
  }
  const std::size_t esize = dtype_size(t.dtype());
  const char* base = static_cast<const char*>(t.raw_data()) + static_cast<std::size_t>(begin * per) * esize;
  Tensor out = *Tensor::allocate(t.dtype(), Shape(dims));
  std::memcpy(out.mutable_raw_data(), base, static_cast<std::size_t>((end - begin) * per) * esize);
  return out;
}

// Copies `src` into `dst` (same rank, every dim of src <= dst's) at row offset `row`, zero padding.
void copy_padded(const Tensor& src, Tensor* dst, int64_t row) {
  const auto& sd = src.shape().dims();
  const auto& dd = dst->shape().dims();
  const std::size_t rank = sd.size();
  const int64_t n = src.num_elements();
  const std::size_t esize = dtype_size(src.dtype());
  std::vector<int64_t> idx(rank, 0);
  for (int64_t i = 0; i < n; ++i) {
    int64_t off = 0;
    for (std::size_t d = 0; d < rank; ++d) off = off * dd[d] + (d == 0 ? idx[d] + row : idx[d]);
    if (src.dtype() == DType::kString) {
      dst->mutable_strings()[static_cast<std::size_t>(off)] = src.strings()[static_cast<std::size_t>(i)];
    } else {
      std::memcpy(static_cast<char*>(dst->mutable_raw_data()) + static_cast<std::size_t>(off) * esize,
                  static_cast<const char*>(src.raw_data()) + static_cast<std::size_t>(i) * esize, esize);
    }
    for (std::size_t d = rank; d-- > 0;) {
      if (++idx[d] < sd[d]) break;
      idx[d] = 0;
    }
  }
}

}  // namespace

Status validate_batching_options(const BatchingOptions& o) {
  if (o.max_batch_size <= 0) return invalid_argument_error("max_batch_size must be positive");
  if (o.num_batch_threads <= 0) return invalid_argument_error("num_batch_threads must be positive");
  if (o.max_enqueued_batches <= 0) return invalid_argument_error("max_enqueued_batches must be positive");
  if (o.batch_timeout_micros < 0) return invalid_argument_error("batch_timeout_micros must be non-negative");
  int64_t last = 0;
  for (int64_t s : o.allowed_batch_sizes) {
    if (s <= last) return invalid_argument_error("allowed_batch_sizes entries must be monotonically increasing");
    last = s;
  }
  if (!o.allowed_batch_sizes.empty() && last != o.max_batch_size) {
    return invalid_argument_error("Last entry in allowed_batch_sizes must match max_batch_size; last entry was " +
                                  std::to_string(last) + "; expected " + std::to_string(o.max_batch_size));
  }
  return Status::OK();
}

Batcher::Batcher(BatchingOptions options) : options_(std::move(options)) {
  for (int64_t i = 0; i < options_.num_batch_threads; ++i) threads_.emplace_back([this] { worker(); });
}

Batcher::~Batcher() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
}

int64_t Batcher::runs() const {
  std::lock_guard lock(mu_);
  return runs_;
}

int64_t Batcher::batched_requests() const {
  std::lock_guard lock(mu_);
  return batched_;
}

StatusOr<std::map<std::string, Tensor>> Batcher::run(const Servable& servable, const Signature& signature,
                                                     const std::map<std::string, Tensor>& inputs) {
  int64_t size = -1;
  bool batchable = !inputs.empty();
  for (const auto& [k, t] : inputs) {
    if (t.shape().rank() == 0) {
      batchable = false;
      break;
    }
    if (size >= 0 && t.shape().dim(0) != size) batchable = false;
    size = t.shape().dim(0);
  }
  if (!batchable || size <= 0) return run_signature(servable, signature, inputs);
  if (size > options_.max_batch_size) {
    return invalid_argument_error("Task size " + std::to_string(size) + " is larger than maximum batch size " +
                                  std::to_string(options_.max_batch_size));
  }
  auto task = std::make_shared<Task>();
  task->servable = &servable;
  task->signature = &signature;
  task->inputs = inputs;
  task->size = size;
  auto future = task->done.get_future();
  {
    std::lock_guard lock(mu_);
    auto key = std::make_pair(&servable, signature.key);
    Queue& q = queues_[key];
    if (q.rows + size > options_.max_enqueued_batches * options_.max_batch_size) {
      return Status(StatusCode::kUnavailable, "The batch scheduling queue to which this task was submitted is full");
    }
    if (q.tasks.empty()) ready_order_.push_back(key);
    q.tasks.push_back(task);
    q.rows += size;
  }
  cv_.notify_one();
  // A REST request's deadline frees its thread; the batch still runs and its result is dropped.
  const auto deadline = runtime::current_run_deadline();
  if (deadline != std::chrono::steady_clock::time_point::max() &&
      future.wait_until(deadline) == std::future_status::timeout) {
    return runtime::run_deadline_error();
  }
  return future.get();
}

void Batcher::worker() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return stopping_ || !ready_order_.empty(); });
    if (ready_order_.empty() && stopping_) return;
    auto key = ready_order_.front();
    ready_order_.pop_front();
    // Wait (up to the timeout) for the batch to fill.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::microseconds(options_.batch_timeout_micros);
    while (!stopping_ && queues_[key].rows < options_.max_batch_size &&
           std::chrono::steady_clock::now() < deadline) {
      cv_.wait_until(lock, deadline);
    }
    Queue& q = queues_[key];
    std::vector<std::shared_ptr<Task>> batch;
    int64_t rows = 0;
    while (!q.tasks.empty() && rows + q.tasks.front()->size <= options_.max_batch_size) {
      rows += q.tasks.front()->size;
      q.rows -= q.tasks.front()->size;
      batch.push_back(std::move(q.tasks.front()));
      q.tasks.pop_front();
    }
    if (!q.tasks.empty()) {
      ready_order_.push_back(key);
      cv_.notify_one();
    } else {
      queues_.erase(key);
    }
    ++runs_;
    batched_ += static_cast<int64_t>(batch.size());
    lock.unlock();
    if (!batch.empty()) run_batch(std::move(batch));
    lock.lock();
  }
}

void Batcher::run_batch(std::vector<std::shared_ptr<Task>> batch) {
  const Servable& servable = *batch[0]->servable;
  const Signature& signature = *batch[0]->signature;
  auto fail = [&](const Status& s) {
    for (auto& t : batch) t->done.set_value(s);
  };
  if (batch.size() == 1 && options_.allowed_batch_sizes.empty()) {
    batch[0]->done.set_value(run_signature(servable, signature, batch[0]->inputs));
    return;
  }
  int64_t rows = 0;
  for (const auto& t : batch) rows += t->size;
  int64_t padded_rows = rows;
  for (int64_t s : options_.allowed_batch_sizes) {
    if (s >= rows) {
      padded_rows = s;
      break;
    }
  }
  std::map<std::string, Tensor> merged;
  for (const auto& [key, first] : batch[0]->inputs) {
    std::vector<int64_t> dims = first.shape().dims();
    for (const auto& t : batch) {
      auto it = t->inputs.find(key);
      if (it == t->inputs.end() || it->second.dtype() != first.dtype() ||
          it->second.shape().rank() != first.shape().rank()) {
        // Requests that cannot be merged run one by one.
        for (auto& task : batch) task->done.set_value(run_signature(servable, signature, task->inputs));
        return;
      }
      for (std::size_t d = 1; d < dims.size(); ++d) {
        if (it->second.shape().dims()[d] != dims[d] && !options_.pad_variable_length_inputs) {
          for (auto& task : batch) task->done.set_value(run_signature(servable, signature, task->inputs));
          return;
        }
        dims[d] = std::max(dims[d], it->second.shape().dims()[d]);
      }
    }
    dims[0] = padded_rows;
    auto out = Tensor::allocate(first.dtype(), Shape(dims));
    if (!out.ok()) return fail(out.status());
    int64_t row = 0;
    for (const auto& t : batch) {
      copy_padded(t->inputs.at(key), &*out, row);
      row += t->size;
    }
    // Padding rows repeat the first row, as TF Serving does.
    for (; row < padded_rows; ++row) copy_padded(slice_rows(first, 0, 1), &*out, row);
    merged[key] = std::move(*out);
  }
  auto outputs = run_signature(servable, signature, merged);
  if (!outputs.ok()) return fail(outputs.status());
  for (const auto& [key, t] : *outputs) {
    if (t.shape().rank() == 0 || t.shape().dim(0) != padded_rows) {
      return fail(internal_error("batched output '" + key + "' does not have the batch's " +
                                 std::to_string(padded_rows) + " rows"));
    }
  }
  int64_t row = 0;
  for (auto& task : batch) {
    std::map<std::string, Tensor> mine;
    for (const auto& [key, t] : *outputs) mine[key] = slice_rows(t, row, row + task->size);
    row += task->size;
    task->done.set_value(std::move(mine));
  }
}

}  // namespace tfport::serving
