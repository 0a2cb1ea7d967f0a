// read_checkpoint_state: the `checkpoint` file TF's CheckpointManager and Saver keep beside
// their checkpoints (tensor_bundle.md §8).
#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>

#include "core/file.h"
#include "tfport/checkpoint.h"
#include "tfport/tf/checkpoint_state.pb.h"

namespace tfport {
namespace {

// Collects the parser's complaints instead of letting protobuf print them to stderr.
class ErrorCollector : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, google::protobuf::io::ColumnNumber column, const std::string& message) override {
    if (first_.empty()) first_ = "line " + std::to_string(line + 1) + ":" + std::to_string(column + 1) + ": " + message;
  }
  void AddWarning(int, google::protobuf::io::ColumnNumber, const std::string&) override {}
  const std::string& first() const { return first_; }

 private:
  std::string first_;
};

std::string resolve(const std::string& dir, const std::string& path) {
  return !path.empty() && path.front() == '/' ? path : join_path(dir, path);
}

// The state file is a few lines; anything big is not one.
constexpr uint64_t kMaxStateFileBytes = 16 << 20;

}  // namespace

StatusOr<CheckpointState> read_checkpoint_state(const std::string& dir) {
  const std::string file = join_path(dir, "checkpoint");
  TFPORT_ASSIGN_OR_RETURN(std::string text, read_file(file, kMaxStateFileBytes));
  tensorflow::CheckpointState proto;
  ErrorCollector errors;
  google::protobuf::TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(text, &proto)) {
    return data_loss_error(file + ": not a text-format CheckpointState: " + errors.first());
  }
  if (proto.model_checkpoint_path().empty()) {
    return data_loss_error(file + ": invalid checkpoint state: model_checkpoint_path is empty");
  }
  CheckpointState state;
  state.model_checkpoint_path = resolve(dir, proto.model_checkpoint_path());
  for (const std::string& p : proto.all_model_checkpoint_paths()) {
    state.all_model_checkpoint_paths.push_back(resolve(dir, p));
  }
  state.all_model_checkpoint_timestamps.assign(proto.all_model_checkpoint_timestamps().begin(),
                                               proto.all_model_checkpoint_timestamps().end());
  state.last_preserved_timestamp = proto.last_preserved_timestamp();
  return state;
}

}  // namespace tfport
