#include "serving/json_fast.h"

#include <array>
#include <charconv>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string_view>
#include <type_traits>
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
    uint64_t mantissa = 0;
    int digits = 0;  // significant digits in mantissa
    int exponent = 0;
    if (*p_ == '0') {
      ++p_;
      if (p_ < end_ && is_digit(*p_)) return false;  // no leading zeros in JSON
    } else {
      while (p_ < end_ && is_digit(*p_)) add_digit(&mantissa, &digits, &exponent, *p_++, false);
    }
    *integral = true;
    if (p_ < end_ && *p_ == '.') {
      ++p_;
      *integral = false;
      if (p_ == end_ || !is_digit(*p_)) return false;
      while (p_ < end_ && is_digit(*p_)) add_digit(&mantissa, &digits, &exponent, *p_++, true);
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
        if (negative && mantissa == 0) *integral = false;  // "-0": leave ints to the exact path
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

  // Digits past the 19th no longer fit the mantissa; they only count for the slow path.
  static void add_digit(uint64_t* mantissa, int* digits, int* exponent, char c, bool fraction) {
    if (*digits < 19) {
      *mantissa = *mantissa * 10 + static_cast<uint64_t>(c - '0');
      if (*mantissa != 0) ++*digits;
      if (fraction) --*exponent;
    } else {
      *digits = 20;
      if (!fraction) ++*exponent;
    }
  }

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

// Nested arrays of numbers, written in order; the shape is learnt from the first array at each
// level and every later array at that level must match it.
template <typename T>
class ArrayReader {
 public:
  ArrayReader(Scanner* s, T* out, std::size_t capacity) : s_(s), out_(out), capacity_(capacity) {}

  bool read(std::size_t level) {
    if (s_->peek() != '[') {
      if (!leaf_depth_) leaf_depth_ = level;  // the first element chain ends here
      return level == *leaf_depth_ && number();
    }
    if ((leaf_depth_ && level >= *leaf_depth_) || level == kMaxRank) return false;
    s_->consume('[');
    if (rank_ == level) dims_[rank_++] = -1;  // first array at this level: size unknown
    int64_t n = 0;
    if (leaf_depth_ && level + 1 == *leaf_depth_) {
      do {  // the innermost arrays hold nearly all the bytes: no recursion per number
        if (!number()) return false;
        ++n;
      } while (s_->consume(','));
    } else {
      do {
        if (!read(level + 1)) return false;  // also refuses "[]": no shape to infer
        ++n;
      } while (s_->consume(','));
    }
    if (!s_->consume(']')) return false;
    if (dims_[level] == -1) dims_[level] = n;
    return dims_[level] == n;
  }

  std::vector<int64_t> dims() const { return std::vector<int64_t>(dims_.begin(), dims_.begin() + rank_); }
  std::size_t count() const { return count_; }

 private:
  [[gnu::always_inline]] bool number() {
    if (count_ == capacity_) return false;
    double d = 0;
    int64_t i = 0;
    bool integral = false;
    if (!s_->number(&d, &i, &integral)) return false;
    if constexpr (std::is_floating_point_v<T>) {
      out_[count_++] = static_cast<T>(d);  // as the exact path: the closest double, narrowed
    } else {
      if (!integral || i < std::numeric_limits<T>::min() || i > std::numeric_limits<T>::max()) return false;
      out_[count_++] = static_cast<T>(i);
    }
    return true;
  }

  static constexpr std::size_t kMaxRank = 32;  // deeper nesting takes the exact path
  Scanner* s_;
  T* out_;
  std::size_t capacity_;
  std::size_t count_ = 0;
  std::array<int64_t, kMaxRank> dims_{};
  std::size_t rank_ = 0;
  std::optional<std::size_t> leaf_depth_;
};

template <typename T>
std::optional<Tensor> read_tensor(Scanner* s, DType dtype, std::size_t body_size, std::size_t max_bytes) {
  // A number takes at least two bytes ("0,"), so the body bounds the count. The buffer is not
  // zeroed: pages past the numbers are never touched.
  const std::size_t capacity = body_size / 2 + 1;
  std::shared_ptr<T[]> buffer(new T[capacity]);
  ArrayReader<T> reader(s, buffer.get(), capacity);
  if (!reader.read(0)) return std::nullopt;
  const std::vector<int64_t> dims = reader.dims();
  std::size_t expected = 1;
  for (int64_t d : dims) expected *= static_cast<std::size_t>(d);
  if (expected != reader.count() || reader.count() * sizeof(T) > max_bytes) return std::nullopt;
  const T* data = buffer.get();
  return Tensor::wrap(dtype, Shape(dims), data, std::shared_ptr<const void>(std::move(buffer), data));
}

std::optional<Tensor> read_input(Scanner* s, DType dtype, std::size_t body_size, std::size_t max_bytes) {
  switch (dtype) {
    case DType::kFloat: return read_tensor<float>(s, dtype, body_size, max_bytes);
    case DType::kDouble: return read_tensor<double>(s, dtype, body_size, max_bytes);
    case DType::kInt32: return read_tensor<int32_t>(s, dtype, body_size, max_bytes);
    case DType::kInt64: return read_tensor<int64_t>(s, dtype, body_size, max_bytes);
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
      auto tensor = read_input(&s, spec.dtype, body.size(), max_tensor_bytes);
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
