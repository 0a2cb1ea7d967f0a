#include "serving/json_fast.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "runtime/openmp_team.h"
#include "serving/json_scan.h"
#include "serving/json_scanner.h"
#include "serving/run_executor.h"

namespace tfport::serving {
namespace {

using json_fast::Scanner;


// One helper thread scans the second half of large bodies while the request's thread scans
// the first. Shared by all HTTP threads; a request that finds it busy scans alone.
class HalfScanner {
 public:
  static HalfScanner& get() {
    static HalfScanner helper;
    return helper;
  }
  // Hands `job` to the helper and returns its ticket, or 0 at once when the helper is busy.
  uint64_t start(std::function<void()> job) {
    std::unique_lock lock(mu_);
    if (job_ || running_) return 0;
    job_ = std::move(job);
    pending_ = ++tickets_;
    cv_.notify_one();
    return pending_;
  }
  // Returns once the job is done. If the helper has not picked it up yet (a busy machine), the
  // caller runs it itself instead of waiting for the helper to be scheduled.
  void finish(uint64_t ticket) {
    std::unique_lock lock(mu_);
    if (job_ && pending_ == ticket) {
      std::function<void()> job = std::move(job_);
      job_ = nullptr;
      lock.unlock();
      job();
      return;
    }
    done_cv_.wait(lock, [&] { return done_ >= ticket; });
  }
  ~HalfScanner() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }

 private:
  HalfScanner() : thread_([this] { loop(); }) {}
  void loop() {
    std::unique_lock lock(mu_);
    while (true) {
      cv_.wait(lock, [this] { return stop_ || job_; });
      if (stop_) return;
      std::function<void()> job = std::move(job_);
      job_ = nullptr;
      const uint64_t ticket = pending_;
      running_ = true;
      lock.unlock();
      job();
      lock.lock();
      running_ = false;
      done_ = ticket;
      done_cv_.notify_all();
    }
  }
  std::mutex mu_;
  std::condition_variable cv_, done_cv_;
  std::function<void()> job_;
  uint64_t tickets_ = 0, pending_ = 0, done_ = 0;
  bool running_ = false;
  bool stop_ = false;
  std::thread thread_;
};

constexpr std::size_t kSplitBytes = 256 * 1024;  // smaller bodies are not worth a hand-off

bool is_digit_char(char c) { return c >= '0' && c <= '9'; }
bool is_ws(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

// A ',' at or after `from` between two numbers (so inside an innermost array), or nullptr.
const char* leaf_comma(const char* from, const char* end) {
  for (const char* p = from; p < end; ++p) {
    if (*p != ',') continue;
    const char* before = p;
    while (before > from && is_ws(before[-1])) --before;
    const char* after = p + 1;
    while (after < end && is_ws(*after)) ++after;
    if (before > from && is_digit_char(before[-1]) && after < end && (is_digit_char(*after) || *after == '-')) return p;
  }
  return nullptr;
}

// A bare number (a columnar scalar).
template <typename T>
std::optional<Tensor> read_scalar(Scanner* s, DType dtype) {
  double d = 0;
  int64_t i = 0;
  bool integral = false;
  if (!s->number(&d, &i, &integral)) return std::nullopt;
  std::shared_ptr<T[]> buffer(new T[1]);
  if constexpr (std::is_floating_point_v<T>) {
    buffer[0] = static_cast<T>(d);  // as the exact path: the closest double, narrowed
  } else {
    if (!integral || i < std::numeric_limits<T>::min() || i > std::numeric_limits<T>::max()) return std::nullopt;
    buffer[0] = static_cast<T>(i);
  }
  const T* data = buffer.get();
  return Tensor::wrap(dtype, Shape(std::vector<int64_t>{}), data, std::shared_ptr<const void>(std::move(buffer), data));
}

template <typename T>
std::optional<Tensor> read_tensor(Scanner* s, DType dtype, std::size_t max_bytes) {
  int rank = 0;
  while (s->consume('[')) {
    if (++rank > 32) return std::nullopt;  // deeper nesting takes the exact path
  }
  if (rank == 0) return read_scalar<T>(s, dtype);
  s->skip_ws();
  const char* first = s->pos();
  const char* end = s->end();
  // A number takes at least two bytes ("0,"), so the bytes bound the count. The buffer is not
  // zeroed: pages past the numbers are never touched.
  const std::size_t capacity = static_cast<std::size_t>(end - first) / 2 + 2;
  std::shared_ptr<T[]> buffer(new T[capacity]);
  const char* split = nullptr;
  std::size_t head_capacity = capacity;
  json_fast::RangeScan head, tail;
  bool halves = false;  // the tail half was scanned too
  auto scan_head = [&] { head = json_fast::scan_range(first, split, end, rank, buffer.get(), head_capacity); };
  if (end - first >= static_cast<std::ptrdiff_t>(kSplitBytes)) {
    split = leaf_comma(first + (end - first) / 2, end);
    if (split != nullptr) {
      head_capacity = static_cast<std::size_t>(split - first) / 2 + 1;
      T* tail_out = buffer.get() + head_capacity;
      const char* tail_first = split + 1;
      while (tail_first < end && is_ws(*tail_first)) ++tail_first;
      auto scan_tail = [&tail, tail_first, end, rank, tail_out, tail_capacity = capacity - head_capacity] {
        tail = json_fast::scan_range(tail_first, nullptr, end, rank, tail_out, tail_capacity);
      };
      // On a server run thread the halves go to its own OpenMP team, whose worker then stays
      // awake into the model's first op; elsewhere to the shared helper thread.
      if (RunExecutor::on_run_thread() && runtime::run_on_openmp_team(2, [&](int i) { i == 0 ? scan_head() : scan_tail(); })) {
        halves = true;
      } else if (const uint64_t ticket = HalfScanner::get().start(scan_tail); ticket != 0) {
        scan_head();
        HalfScanner::get().finish(ticket);
        halves = true;
      } else {
        split = nullptr;
      }
    }
  }
  if (!halves) scan_head();
  if (!head.ok) return std::nullopt;
  json_fast::BreakRuns breaks = std::move(head.breaks);
  std::size_t total = head.count;
  const char* after = head.after;
  if (!head.ended) {  // the head stopped at the cut: the tail finishes the array
    if (!halves || !tail.ok || !tail.ended) return std::nullopt;
    json_fast::append_breaks(&breaks, tail.breaks, total);
    std::memmove(buffer.get() + total, buffer.get() + head_capacity, tail.count * sizeof(T));
    total += tail.count;
    after = tail.after;
  }
  *s = Scanner(std::string_view(after, static_cast<std::size_t>(end - after)));
  auto dims = json_fast::shape_of(total, rank, breaks);
  if (!dims || total * sizeof(T) > max_bytes) return std::nullopt;
  const T* data = buffer.get();
  return Tensor::wrap(dtype, Shape(*dims), data, std::shared_ptr<const void>(std::move(buffer), data));
}

std::optional<Tensor> read_input(Scanner* s, DType dtype, std::size_t max_bytes) {
  switch (dtype) {
    case DType::kFloat: return read_tensor<float>(s, dtype, max_bytes);
    case DType::kDouble: return read_tensor<double>(s, dtype, max_bytes);
    case DType::kInt32: return read_tensor<int32_t>(s, dtype, max_bytes);
    case DType::kInt64: return read_tensor<int64_t>(s, dtype, max_bytes);
    default: return std::nullopt;
  }
}

}  // namespace

bool FastPredictRequest::parse(std::string_view body, const SignatureLookup& lookup, std::size_t max_tensor_bytes) {
  Scanner s(body);
  if (!s.consume('{')) return false;
  std::optional<std::string> signature_name;
  bool have_input = false;
  do {
    std::string_view key;
    if (!s.plain_string(&key) || !s.consume(':')) return false;
    if (key == "signature_name") {
      std::string_view name;
      if (signature_name || !s.plain_string(&name)) return false;
      signature_name = std::string(name);
      // Named after the input was read: fine only when it names the signature used for it.
      if (have_input && lookup(*signature_name) != signature_) return false;
    } else if (key == "instances" || key == "inputs") {
      if (have_input) return false;
      have_input = true;
      format_ = key == "instances" ? JsonFormat::kRow : JsonFormat::kColumnar;
      signature_ = lookup(signature_name.value_or(""));
      if (signature_ == nullptr || signature_->inputs.size() != 1) return false;
      const TensorSpec& spec = signature_->inputs.front();
      auto tensor = read_input(&s, spec.dtype, max_tensor_bytes);
      if (!tensor) return false;
      if (format_ == JsonFormat::kRow && tensor->shape().rank() == 0) return false;
      inputs_.clear();
      inputs_.emplace(spec.key, std::move(*tensor));
    } else {
      return false;
    }
  } while (s.consume(','));
  if (!s.consume('}')) return false;
  s.skip_ws();
  return have_input && s.at_end();
}

}  // namespace tfport::serving
