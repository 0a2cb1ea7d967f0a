// Format detection: names first (a SavedModel directory, a .meta, a checkpoint prefix), then
// magic bytes for single files, so a misnamed file is still recognised.
#include <dirent.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <vector>

#include "core/file.h"
#include "tfport/formats.h"

namespace tfport {
namespace {

constexpr char kHdf5Magic[] = "\x89HDF\r\n\x1a\n";
constexpr char kZipMagic[] = "PK\x03\x04";
// LevelDB table magic 0xdb4775248b80fb57, little-endian, in the last 8 bytes of every SSTable:
// V2 .index files and V1 checkpoints (TensorSliceWriter) alike.
constexpr char kTableMagic[] = "\x57\xfb\x80\x8b\x24\x75\x47\xdb";

std::string read_head(const std::string& path, size_t n) {
  std::ifstream in(path, std::ios::binary);
  std::string buf(n, '\0');
  in.read(buf.data(), static_cast<std::streamsize>(n));
  buf.resize(static_cast<size_t>(in.gcount()));
  return buf;
}

std::string read_tail(const std::string& path, size_t n) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  auto size = static_cast<size_t>(in.tellg());
  if (!in || size < n) return "";
  in.seekg(static_cast<std::streamoff>(size - n));
  std::string buf(n, '\0');
  in.read(buf.data(), static_cast<std::streamsize>(n));
  return buf;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

std::vector<std::string> list_dir(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = ::opendir(dir.c_str());
  if (!d) return names;
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(std::move(name));
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

// HDF5 allows a user block before the superblock: the signature sits at 0, 512, 1024, 2048 ...
bool has_hdf5_signature(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char buf[8];
  for (std::streamoff off = 0; off <= (std::streamoff{1} << 20); off = off ? off * 2 : 512) {
    in.clear();
    in.seekg(off);
    if (!in.read(buf, 8)) return false;
    if (std::memcmp(buf, kHdf5Magic, 8) == 0) return true;
  }
  return false;
}

// The prefix named by a directory's `checkpoint` state file (first line that sets
// model_checkpoint_path); relative paths are relative to the directory.
std::string prefix_from_state_file(const std::string& dir) {
  auto text = read_file(join_path(dir, "checkpoint"), 1 << 20);
  if (!text.ok()) return "";
  size_t key = text->find("model_checkpoint_path:");
  if (key == std::string::npos) return "";
  size_t open = text->find('"', key);
  size_t close = open == std::string::npos ? open : text->find('"', open + 1);
  if (close == std::string::npos) return "";
  std::string p = text->substr(open + 1, close - open - 1);
  if (p.empty()) return "";
  return p.front() == '/' ? p : join_path(dir, p);
}

Status legacy_v1_error(const std::string& what, const std::string& path) {
  return unimplemented_error(path + ": " + what +
                             " is a V1 checkpoint (TensorFlow's pre-2016 TensorSliceWriter format, "
                             "used by legacy session bundles); tfport reads V2 checkpoints "
                             "(<prefix>.index + <prefix>.data-*). Re-save it with a current "
                             "TensorFlow (tf.train.Saver / tf.train.Checkpoint).");
}

StatusOr<DetectedModel> checkpoint_from_prefix(const std::string& prefix) {
  if (is_regular_file(prefix + ".index")) {
    DetectedModel m{ModelFormat::kCheckpoint, prefix, prefix, ""};
    return m;
  }
  if (is_regular_file(prefix)) return legacy_v1_error("checkpoint '" + base_name(prefix) + "'", prefix);
  return not_found_error(prefix + ": checkpoint prefix has no " + base_name(prefix) + ".index file");
}

StatusOr<DetectedModel> detect_directory(const std::string& dir) {
  if (is_regular_file(join_path(dir, "saved_model.pb")) || is_regular_file(join_path(dir, "saved_model.pbtxt"))) {
    return DetectedModel{ModelFormat::kSavedModel, dir, "", ""};
  }
  if (is_regular_file(join_path(dir, "checkpoint"))) {
    std::string prefix = prefix_from_state_file(dir);
    if (prefix.empty()) return data_loss_error(join_path(dir, "checkpoint") + ": no model_checkpoint_path");
    // State files written elsewhere hold absolute paths of the machine that wrote them; fall
    // back to the same base name in this directory.
    if (!is_regular_file(prefix + ".index") && !is_regular_file(prefix)) {
      std::string local = join_path(dir, base_name(prefix));
      if (is_regular_file(local + ".index") || is_regular_file(local)) prefix = local;
    }
    bool meta = is_regular_file(prefix + ".meta");
    if (meta && !is_regular_file(prefix + ".index") && is_regular_file(prefix)) {
      return unimplemented_error(dir + ": a legacy session bundle (" + base_name(prefix) +
                                 ".meta with a V1 checkpoint '" + base_name(prefix) +
                                 "', no saved_model.pb); tfport reads SavedModels and V2 checkpoints. "
                                 "Re-export it with tf.saved_model.save or SavedModelBuilder.");
    }
    return checkpoint_from_prefix(prefix);
  }
  std::vector<std::string> names = list_dir(dir);
  // A TF Serving base path: numbered version directories; pick the highest SavedModel.
  std::string best;
  for (const auto& n : names) {
    if (n.empty() || !std::all_of(n.begin(), n.end(), ::isdigit) || !is_directory(join_path(dir, n))) continue;
    if (n.size() > 18) continue;
    if (best.empty() || std::stoll(n) > std::stoll(best)) {
      std::string v = join_path(dir, n);
      if (is_regular_file(join_path(v, "saved_model.pb")) || is_regular_file(join_path(v, "saved_model.pbtxt")))
        best = n;
    }
  }
  if (!best.empty()) return DetectedModel{ModelFormat::kSavedModel, join_path(dir, best), "", best};
  std::vector<std::string> indexes;
  for (const auto& n : names) {
    if (ends_with(n, ".index")) indexes.push_back(n.substr(0, n.size() - 6));
  }
  if (indexes.size() == 1) return checkpoint_from_prefix(join_path(dir, indexes[0]));
  if (indexes.size() > 1) {
    return invalid_argument_error(dir + ": holds several checkpoints and no 'checkpoint' state file; "
                                  "pass one prefix, e.g. " + join_path(dir, indexes.back()));
  }
  for (const auto& n : names) {
    if (ends_with(n, ".meta") && is_regular_file(join_path(dir, n.substr(0, n.size() - 5)))) {
      return unimplemented_error(dir + ": a legacy session bundle (" + n + " with a V1 checkpoint, no "
                                 "saved_model.pb); tfport reads SavedModels and V2 checkpoints.");
    }
  }
  return not_found_error(dir + ": no saved_model.pb, saved_model.pbtxt, checkpoint or .index file in this "
                         "directory; not a model tfport recognises");
}

}  // namespace

std::string_view model_format_name(ModelFormat format) {
  switch (format) {
    case ModelFormat::kSavedModel: return "SavedModel";
    case ModelFormat::kCheckpoint: return "checkpoint";
    case ModelFormat::kTf1MetaGraph: return "TF1 meta graph";
    case ModelFormat::kFrozenGraph: return "GraphDef";
    case ModelFormat::kKerasH5: return "Keras HDF5";
    case ModelFormat::kKerasV3: return "Keras v3";
  }
  return "unknown";
}

StatusOr<DetectedModel> detect_model(const std::string& input) {
  if (input.empty()) return invalid_argument_error("no model path given");
  std::string path = input;
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  if (is_directory(path)) return detect_directory(path);
  if (!path_exists(path)) {
    // A checkpoint prefix is not a file itself.
    if (is_regular_file(path + ".index")) return checkpoint_from_prefix(path);
    return not_found_error(path + ": no such file or directory");
  }
  if (!is_regular_file(path)) return invalid_argument_error(path + ": not a regular file or directory");

  std::string name = base_name(path);
  if (name == "saved_model.pb" || name == "saved_model.pbtxt") {
    return DetectedModel{ModelFormat::kSavedModel, dir_name(path), "", ""};
  }
  if (ends_with(name, ".index")) return checkpoint_from_prefix(path.substr(0, path.size() - 6));
  if (auto pos = name.find(".data-"); pos != std::string::npos) {
    return checkpoint_from_prefix(join_path(dir_name(path), name.substr(0, pos)));
  }
  if (ends_with(name, ".meta")) {
    std::string prefix = path.substr(0, path.size() - 5);
    if (!is_regular_file(prefix + ".index") && is_regular_file(prefix)) {
      return legacy_v1_error("the checkpoint beside " + name, prefix);
    }
    return DetectedModel{ModelFormat::kTf1MetaGraph, path, prefix, ""};
  }
  std::string head = read_head(path, 8);
  if (head.empty()) return data_loss_error(path + ": file is empty");
  if (read_tail(path, 8) == std::string_view(kTableMagic, 8)) {
    return legacy_v1_error("'" + name + "'", path);
  }
  if (starts_with(head, kZipMagic)) return DetectedModel{ModelFormat::kKerasV3, path, "", ""};
  if (has_hdf5_signature(path)) return DetectedModel{ModelFormat::kKerasH5, path, "", ""};
  if (ends_with(name, ".h5") || ends_with(name, ".hdf5") || ends_with(name, ".keras")) {
    return data_loss_error(path + ": not an HDF5 or zip file (no signature found); the file is corrupt "
                           "or not a Keras model");
  }
  if (ends_with(name, ".pb") || ends_with(name, ".pbtxt") || ends_with(name, ".graphdef")) {
    return DetectedModel{ModelFormat::kFrozenGraph, path, "", ""};
  }
  return invalid_argument_error(path + ": unrecognised file; tfport opens SavedModel directories, "
                                "checkpoints, GraphDef .pb/.pbtxt, TF1 .meta, Keras .h5 and .keras files");
}

}  // namespace tfport
