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

namespace tfport::serving {
namespace {

// A single pass over the body that accepts only the common shape of a large predict request:
//   { "signature_name": "<plain string>", "instances" | "inputs": <nested arrays of numbers> }
// in any key order, strict JSON grammar, numbers written straight into the tensor's buffer.
// Whatever it does not accept (escapes, NaN, b64, objects, ragged or empty arrays, other keys,
// trailing bytes, numbers a double cannot hold) makes it give up, and the exact path decides.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : p_(text.data()), end_(text.data() + text.size()) {}

  void skip_ws() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }
  bool at_end() const { return p_ == end_; }
  const char* pos() const { return p_; }
  const char* end() const { return end_; }
  bool consume(char c) {
    skip_ws();
    if (p_ == end_ || *p_ != c) return false;
    ++p_;
    return true;
  }
  char peek() {
    skip_ws();
    return p_ == end_ ? '\0' : *p_;
  }

  // A string without escapes or control or non-ASCII bytes (those take the exact path, which
  // validates and unescapes them as TF Serving does).
  bool plain_string(std::string_view* out) {
    if (!consume('"')) return false;
    const char* start = p_;
    while (p_ < end_ && *p_ != '"') {
      const auto c = static_cast<unsigned char>(*p_);
      if (c == '\\' || c < 0x20 || c >= 0x80) return false;
      ++p_;
    }
    if (p_ == end_) return false;
    *out = std::string_view(start, static_cast<std::size_t>(p_ - start));
    ++p_;
    return true;
  }

  // A JSON number as the closest double (integers: exactly, when they fit int64).
  [[gnu::always_inline]] bool number(double* d, int64_t* i, bool* integral) {
    skip_ws();
    const char* start = p_;
    const bool negative = p_ < end_ && *p_ == '-';
    if (negative) ++p_;
    if (p_ == end_ || !is_digit(*p_)) return false;
    // All digits go into the mantissa (leading zeros add nothing); more than 19 may overflow it
    // and take the slow path, which reads the text again.
    uint64_t mantissa = 0;
    const char* digits_begin = p_;
    if (*p_ == '0') {
      ++p_;
      if (p_ < end_ && is_digit(*p_)) return false;  // no leading zeros in JSON
    } else {
      digit_run(&mantissa);
    }
    std::ptrdiff_t digits = p_ - digits_begin;
    int exponent = 0;
    *integral = true;
    if (p_ < end_ && *p_ == '.') {
      ++p_;
      *integral = false;
      const char* fraction_begin = p_;
      digit_run(&mantissa);
      if (p_ == fraction_begin) return false;
      digits += p_ - fraction_begin;
      exponent = -static_cast<int>(std::min<std::ptrdiff_t>(p_ - fraction_begin, 1000));
    }
    if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
      ++p_;
      *integral = false;
      if (p_ < end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (p_ == end_ || !is_digit(*p_)) return false;
      while (p_ < end_ && is_digit(*p_)) ++p_;
      return slow_number(start, d);  // rare in requests; from_chars rounds correctly
    }
    if (digits > 19) {
      *integral = false;  // beyond int64 in any case
      return slow_number(start, d);
    }
    if (*integral) {
      if (exponent != 0 || mantissa > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        *integral = false;  // does not fit int64: only a float tensor can take it
      } else {
        *i = negative ? -static_cast<int64_t>(mantissa) : static_cast<int64_t>(mantissa);
        if (negative && mantissa == 0) {
          *integral = false;  // "-0": leave ints to the exact path
          *d = 0.0;           // which reads the integer -0 as 0, not as the double -0.0
          return true;
        }
      }
    }
    // Clinger's fast path: both operands exact in a double, so one rounding, the correct one.
    if (mantissa <= (uint64_t{1} << 53) && exponent >= -22 && exponent <= 22) {
      double v = static_cast<double>(mantissa);
      v = exponent < 0 ? v / kPow10[-exponent] : v * kPow10[exponent];
      *d = negative ? -v : v;
      return true;
    }
    return slow_number(start, d);
  }

 private:
  static bool is_digit(char c) { return c >= '0' && c <= '9'; }

  // Consumes a run of digits, appending them to *m (which wraps past 19 digits; callers count
  // the digits and take the slow path then). Eight bytes at a time where the data allows: the
  // digits' length is found and their value computed without a branch per digit, which matters
  // because request numbers vary in length ("0.1", "0.25", "0.375").
  [[gnu::always_inline]] void digit_run(uint64_t* m) {
    while (end_ - p_ >= 8) {
      uint64_t v;
      std::memcpy(&v, p_, 8);  // little-endian: the first character is the lowest byte
      // A byte's top bit is set in (b - '0') for b < '0' and in (b + 0x46) for b > '9'; borrows
      // and carries only travel upwards from such bytes, so the lowest flag is exact.
      const uint64_t flags = ((v - 0x3030303030303030u) | (v + 0x4646464646464646u)) & 0x8080808080808080u;
      const int n = flags != 0 ? __builtin_ctzll(flags) >> 3 : 8;
      if (n > 0) {
        *m = *m * kPow10Int[n] + eight_digits((v - 0x3030303030303030u) << (8 * (8 - n)));
        p_ += n;
      }
      if (n < 8) return;
    }
    while (p_ < end_ && is_digit(*p_)) *m = *m * 10 + static_cast<uint64_t>(*p_++ - '0');
  }

  // The value of eight digit bytes (0..9 each, the first the most significant, leading zero
  // bytes allowed): neighbouring digits are paired, then the four pairs weighted in two
  // multiplications whose high halves add up to the number.
  static uint64_t eight_digits(uint64_t x) {
    x = x * 10 + (x >> 8);  // even bytes: 10 * d[i] + d[i + 1]
    const uint64_t pairs_0_4 = x & 0x000000FF000000FFu, pairs_2_6 = (x >> 16) & 0x000000FF000000FFu;
    return (pairs_0_4 * (100 + (uint64_t{1000000} << 32)) + pairs_2_6 * (1 + (uint64_t{10000} << 32))) >> 32;
  }

  static constexpr std::array<uint64_t, 9> kPow10Int = {1,      10,      100,      1000,     10000,
                                                        100000, 1000000, 10000000, 100000000};

  bool slow_number(const char* start, double* d) const {
    const auto [ptr, ec] = std::from_chars(start, p_, *d);
    return ec == std::errc() && ptr == p_;  // out of range (1e400): the exact path reports it
  }

  static constexpr std::array<double, 23> kPow10 = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                                    1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                                    1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  const char* p_;
  const char* end_;
};

// Nested arrays of numbers are read flat: the numbers in order, and at each gap between two
// numbers how many arrays closed there (and as many must reopen). For a rectangular array of
// rank n and shape d, the gap after i numbers closes exactly the j innermost arrays for the
// largest j < n with d[n-j] * ... * d[n-1] dividing i, so the gaps give the shape and prove
// the array rectangular; and a flat stream can be cut between two numbers and its halves
// scanned by two threads.
using Breaks = std::vector<std::pair<uint64_t, int>>;  // (numbers before the gap, arrays closed)

template <typename T>
struct Stretch {
  T* out = nullptr;
  std::size_t capacity = 0;
  std::size_t count = 0;
  Breaks breaks;
  bool ok = false;     // reached `split` or the end of the outermost array
  bool ended = false;  // the outermost array closed
};

template <typename T>
[[gnu::always_inline]] inline bool store_number(Scanner* s, Stretch<T>* st) {
  if (st->count == st->capacity) return false;
  double d = 0;
  int64_t i = 0;
  bool integral = false;
  if (!s->number(&d, &i, &integral)) return false;
  if constexpr (std::is_floating_point_v<T>) {
    st->out[st->count++] = static_cast<T>(d);  // as the exact path: the closest double, narrowed
  } else {
    if (!integral || i < std::numeric_limits<T>::min() || i > std::numeric_limits<T>::max()) return false;
    st->out[st->count++] = static_cast<T>(i);
  }
  return true;
}

// From the first byte of a number: numbers and gaps until the gap whose ',' is at `split`, or
// until the outermost of `rank` arrays closes. st->ok tells whether it got there cleanly.
template <typename T>
void scan_stretch(Scanner* s, int rank, const char* split, Stretch<T>* st) {
  while (true) {
    if (!store_number(s, st)) return;
    s->skip_ws();
    if (s->pos() == split) break;
    int closed = 0;
    while (closed < rank && s->consume(']')) ++closed;
    if (closed == rank) {
      st->ended = true;
      break;
    }
    if (!s->consume(',')) return;
    int opened = 0;
    while (opened < closed && s->consume('[')) ++opened;
    if (opened != closed) return;
    if (closed > 0) st->breaks.emplace_back(st->count, closed);
  }
  st->ok = true;
}

// The shape the gaps imply, or nullopt when they do not describe a rectangular array.
std::optional<std::vector<int64_t>> shape_of(uint64_t total, int rank, const Breaks& breaks) {
  // span[j]: numbers in one array j levels above the numbers (span[0] = 1, span[rank] = total).
  std::vector<uint64_t> span(static_cast<std::size_t>(rank) + 1, 0);
  span[0] = 1;
  for (const auto& [at, closed] : breaks) {
    for (int j = 1; j <= closed && j < rank; ++j) {
      if (span[static_cast<std::size_t>(j)] == 0) span[static_cast<std::size_t>(j)] = at;
    }
  }
  for (int j = 1; j <= rank; ++j) {
    if (span[static_cast<std::size_t>(j)] == 0) span[static_cast<std::size_t>(j)] = total;
  }
  std::vector<int64_t> dims(static_cast<std::size_t>(rank));
  for (int j = 1; j <= rank; ++j) {
    const uint64_t inner = span[static_cast<std::size_t>(j) - 1], outer = span[static_cast<std::size_t>(j)];
    if (inner == 0 || outer % inner != 0) return std::nullopt;
    dims[static_cast<std::size_t>(rank - j)] = static_cast<int64_t>(outer / inner);
  }
  if (rank > 1 && breaks.size() != total / span[1] - 1) return std::nullopt;
  for (const auto& [at, closed] : breaks) {
    int expected = 0;
    while (expected + 1 < rank && at % span[static_cast<std::size_t>(expected) + 1] == 0) ++expected;
    if (closed != expected) return std::nullopt;
  }
  return dims;
}

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

template <typename T>
std::optional<Tensor> read_tensor(Scanner* s, DType dtype, std::size_t max_bytes) {
  int rank = 0;
  while (s->consume('[')) {
    if (++rank > 32) return std::nullopt;  // deeper nesting takes the exact path
  }
  s->skip_ws();
  const char* first = s->pos();
  const char* end = s->end();
  // A number takes at least two bytes ("0,"), so the bytes bound the count. The buffer is not
  // zeroed: pages past the numbers are never touched.
  const std::size_t capacity = static_cast<std::size_t>(end - first) / 2 + 2;
  std::shared_ptr<T[]> buffer(new T[capacity]);
  Stretch<T> head;
  head.out = buffer.get();
  head.capacity = capacity;
  if (rank == 0) {  // a bare number (columnar scalar)
    if (!store_number(s, &head)) return std::nullopt;
    const T* data = buffer.get();
    return Tensor::wrap(dtype, Shape(std::vector<int64_t>{}), data, std::shared_ptr<const void>(std::move(buffer), data));
  }
  const char* split = nullptr;
  Stretch<T> tail;
  Scanner tail_scanner(std::string_view(first, 0));
  uint64_t ticket = 0;
  if (end - first >= static_cast<std::ptrdiff_t>(kSplitBytes)) {
    split = leaf_comma(first + (end - first) / 2, end);
    if (split != nullptr) {
      head.capacity = static_cast<std::size_t>(split - first) / 2 + 1;
      tail.out = buffer.get() + head.capacity;
      tail.capacity = capacity - head.capacity;
      tail_scanner = Scanner(std::string_view(split + 1, static_cast<std::size_t>(end - split - 1)));
      ticket = HalfScanner::get().start([&] {
        tail_scanner.skip_ws();
        scan_stretch(&tail_scanner, rank, nullptr, &tail);
      });
      if (ticket == 0) split = nullptr;
    }
  }
  scan_stretch(s, rank, split, &head);
  if (ticket != 0) HalfScanner::get().finish(ticket);
  if (!head.ok) return std::nullopt;
  Breaks breaks = std::move(head.breaks);
  std::size_t total = head.count;
  if (ticket != 0 && !head.ended) {  // the head stopped at the cut: the tail finishes the array
    if (!tail.ok || !tail.ended) return std::nullopt;
    if (!s->consume(',')) return std::nullopt;
    for (const auto& [at, closed] : tail.breaks) breaks.emplace_back(total + at, closed);
    std::memmove(buffer.get() + total, tail.out, tail.count * sizeof(T));
    total += tail.count;
    *s = tail_scanner;
  } else if (!head.ended) {
    return std::nullopt;
  }
  auto dims = shape_of(total, rank, breaks);
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

bool FastPredictRequest::parse(const std::string& body, const SignatureLookup& lookup, std::size_t max_tensor_bytes) {
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
