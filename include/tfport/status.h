// Errors as values. Every fallible tfport call returns Status or StatusOr<T>; nothing throws
// across the API and nothing aborts on bad model bytes.
//
//   tfport::StatusOr<Tensor> t = reader.read("dense/kernel");
//   if (!t.ok()) { std::cerr << t.status() << "\n"; return 1; }
//   use(*t);
//
// Messages carry context, outermost first: "model.h5: dataset 'model_weights/dense/kernel:0': ...".
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace tfport {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // the caller passed something wrong (flag, input name, shape)
  kNotFound,            // a file, key, signature or tag set that does not exist
  kAlreadyExists,       // a destination that must not be overwritten
  kFailedPrecondition,  // the request is valid but the model/state does not allow it
  kOutOfRange,
  kUnimplemented,       // a real feature tfport does not support yet (an op, a format variant)
  kDataLoss,            // corrupted or truncated model bytes
  kResourceExhausted,   // a limit was hit (size, iterations, memory)
  kPermissionDenied,    // refused by policy (file/network ops not allowed)
  kInternal,
  kUnavailable,
  kDeadlineExceeded,
};

std::string_view status_code_name(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status OK() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // Returns a copy whose message is "<context>: <message>"; OK stays OK.
  Status with_context(std::string_view context) const;

  // "INVALID_ARGUMENT: message" (or "OK").
  std::string to_string() const;

  // Lets a caller deliberately drop a status it has checked another way.
  void ignore_error() const {}

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

std::ostream& operator<<(std::ostream& os, const Status& s);

Status invalid_argument_error(std::string message);
Status not_found_error(std::string message);
Status already_exists_error(std::string message);
Status failed_precondition_error(std::string message);
Status out_of_range_error(std::string message);
Status unimplemented_error(std::string message);
Status data_loss_error(std::string message);
Status resource_exhausted_error(std::string message);
Status permission_denied_error(std::string message);
Status internal_error(std::string message);

template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(const Status& status) : value_(status) {}  // NOLINT: implicit by design
  StatusOr(Status&& status) : value_(std::move(status)) {}  // NOLINT
  StatusOr(const T& value) : value_(value) {}  // NOLINT
  StatusOr(T&& value) : value_(std::move(value)) {}  // NOLINT

  bool ok() const { return std::holds_alternative<T>(value_); }
  Status status() const { return ok() ? Status::OK() : std::get<Status>(value_); }

  T& value() & { return std::get<T>(value_); }
  const T& value() const& { return std::get<T>(value_); }
  T&& value() && { return std::get<T>(std::move(value_)); }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<Status, T> value_;
};

}  // namespace tfport

#define TFPORT_STATUS_CONCAT_INNER(a, b) a##b
#define TFPORT_STATUS_CONCAT(a, b) TFPORT_STATUS_CONCAT_INNER(a, b)

// Returns from the enclosing function if `expr` (a Status) is not OK.
#define TFPORT_RETURN_IF_ERROR(expr)                 \
  do {                                               \
    ::tfport::Status tfport_status_ = (expr);        \
    if (!tfport_status_.ok()) return tfport_status_; \
  } while (0)

// `lhs = value of expr` (a StatusOr), or return its error.
#define TFPORT_ASSIGN_OR_RETURN(lhs, expr) \
  TFPORT_ASSIGN_OR_RETURN_IMPL(TFPORT_STATUS_CONCAT(tfport_statusor_, __COUNTER__), lhs, expr)
#define TFPORT_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return tmp.status();                \
  lhs = std::move(tmp).value()
