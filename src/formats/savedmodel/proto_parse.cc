#include "formats/savedmodel/proto_parse.h"

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/text_format.h>
#include <google/protobuf/unknown_field_set.h>

#include <google/protobuf/stubs/logging.h>

#include <climits>
#include <cstdio>
#include <mutex>

namespace tfport {
namespace {

// Protobuf logs invalid UTF-8 in string fields to stderr while parsing. For tfport that is
// bad input already reported as a Status, so those lines are dropped; everything else is
// printed as protobuf's default handler would.
void log_unless_utf8_complaint(google::protobuf::LogLevel level, const char* file, int line,
                               const std::string& message) {
  if (message.find("invalid UTF-8") != std::string::npos) return;
  static const char* const kLevels[] = {"INFO", "WARNING", "ERROR", "FATAL"};
  std::fprintf(stderr, "[libprotobuf %s %s:%d] %s\n", kLevels[level], file, line, message.c_str());
}

void install_quiet_protobuf_logging() {
  static std::once_flag once;
  std::call_once(once, [] { google::protobuf::SetLogHandler(&log_unless_utf8_complaint); });
}

Status cannot_parse(const std::string& path, const std::string& reason) {
  return data_loss_error("Cannot parse file " + path + ": " + reason + ".");
}

// Keeps the first error the text parser reports, instead of letting protobuf log it.
class FirstErrorCollector : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, google::protobuf::io::ColumnNumber column, const std::string& message) override {
    if (!error_.empty()) return;
    error_ = "line " + std::to_string(line + 1) + " column " + std::to_string(column + 1) + ": " + message;
  }
  void AddWarning(int, google::protobuf::io::ColumnNumber, const std::string&) override {}
  const std::string& error() const { return error_; }

 private:
  std::string error_;
};

// Why `bytes` do not parse as `message`'s type; empty when they do (then `message` holds them).
std::string binary_parse_failure(std::string_view bytes, google::protobuf::Message* message) {
  install_quiet_protobuf_logging();
  message->Clear();
  if (bytes.size() > static_cast<size_t>(INT_MAX)) return "above protobuf's 2 GiB limit for one message";
  if (message->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return "";
  message->Clear();
  // Tell a broken wire structure (truncation, flipped tag or length bytes) from bytes that are
  // valid protobuf but not this message (another file type, or a corrupted nested field).
  google::protobuf::UnknownFieldSet fields;
  const std::string type = message->GetTypeName();
  if (!fields.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return "not a valid binary " + type + " (malformed protobuf data: truncated or corrupted)";
  }
  return "protobuf data does not match " + type +
         " (a field has the wrong type or a string is not UTF-8: corrupted, or not a " + type + ")";
}

}  // namespace

Status parse_binary_proto(std::string_view bytes, const std::string& path, google::protobuf::Message* message) {
  message->Clear();
  if (bytes.empty()) return cannot_parse(path, "file is empty");
  std::string failure = binary_parse_failure(bytes, message);
  return failure.empty() ? Status::OK() : cannot_parse(path, failure);
}

Status parse_embedded_proto(std::string_view bytes, const std::string& context, google::protobuf::Message* message) {
  std::string failure = binary_parse_failure(bytes, message);
  return failure.empty() ? Status::OK() : data_loss_error(context + ": " + failure);
}

Status parse_text_proto(std::string_view text, const std::string& path, google::protobuf::Message* message) {
  message->Clear();
  if (text.empty()) return cannot_parse(path, "file is empty");
  if (text.size() > static_cast<size_t>(INT_MAX)) {
    return resource_exhausted_error(path + ": " + std::to_string(text.size()) + " bytes is above the 2 GiB limit");
  }
  install_quiet_protobuf_logging();
  google::protobuf::TextFormat::Parser parser;
  FirstErrorCollector errors;
  parser.RecordErrorsTo(&errors);
  parser.AllowUnknownField(false);
  google::protobuf::io::ArrayInputStream input(text.data(), static_cast<int>(text.size()));
  if (parser.Parse(&input, message)) return Status::OK();
  message->Clear();
  std::string reason = errors.error().empty() ? "invalid text format" : errors.error();
  return cannot_parse(path, "text-format " + message->GetTypeName() + ": " + reason);
}

bool looks_like_text_proto(std::string_view bytes) {
  if (bytes.empty()) return false;
  std::string_view head = bytes.substr(0, 4096);
  for (unsigned char c : head) {
    if (c < 0x20 && c != '\n' && c != '\r' && c != '\t') return false;
    if (c == 0x7f) return false;
  }
  return true;
}

}  // namespace tfport
