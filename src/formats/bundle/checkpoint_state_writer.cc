// write_checkpoint_state: the `checkpoint` text file (tensor_bundle.md §8) that lets TF's
// tf.train.latest_checkpoint find the newest prefix.
#include <google/protobuf/text_format.h>

#include "core/file.h"
#include "core/staged_file.h"
#include "tfport/checkpoint_writer.h"
#include "tfport/tf/checkpoint_state.pb.h"

namespace tfport {
namespace {

// CheckpointManager stores paths relative to the directory; readers join them back.
std::string relative_to(const std::string& dir, const std::string& path) {
  std::string base = dir;
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  if (path.size() > base.size() + 1 && path.compare(0, base.size(), base) == 0 && path[base.size()] == '/') {
    return path.substr(base.size() + 1);
  }
  return path;
}

}  // namespace

Status write_checkpoint_state(const std::string& dir, const CheckpointState& state) {
  if (state.model_checkpoint_path.empty()) {
    return invalid_argument_error(dir + ": a checkpoint state needs model_checkpoint_path");
  }
  tensorflow::CheckpointState proto;
  proto.set_model_checkpoint_path(relative_to(dir, state.model_checkpoint_path));
  for (const std::string& p : state.all_model_checkpoint_paths) proto.add_all_model_checkpoint_paths(relative_to(dir, p));
  // TF keeps the newest prefix last in the list, without duplicating it.
  if (proto.all_model_checkpoint_paths().empty() ||
      proto.all_model_checkpoint_paths(proto.all_model_checkpoint_paths_size() - 1) != proto.model_checkpoint_path()) {
    proto.add_all_model_checkpoint_paths(proto.model_checkpoint_path());
  }
  for (double t : state.all_model_checkpoint_timestamps) proto.add_all_model_checkpoint_timestamps(t);
  proto.set_last_preserved_timestamp(state.last_preserved_timestamp);
  std::string text;
  if (!google::protobuf::TextFormat::PrintToString(proto, &text)) {
    return internal_error(dir + ": cannot print the checkpoint state");
  }
  return write_file_staged(join_path(dir, "checkpoint"), text);
}

}  // namespace tfport
