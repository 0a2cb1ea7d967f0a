// write_saved_model: everything goes into "<export_dir>.tempstate<random>" first; the finished
// directory is renamed into place, so readers never see a partial export.
#include <algorithm>
#include <filesystem>
#include <random>
#include <system_error>

#include "core/file.h"
#include "core/staged_file.h"
#include "tfport/saved_model_builder.h"
#include "tfport/tf/saved_model.pb.h"

namespace tfport {
namespace {

namespace fs = std::filesystem;

std::string random_suffix() {
  std::random_device rd;
  return std::to_string((uint64_t{rd()} << 32) | rd());
}

// Removes a directory tree when the write does not reach the end.
class TempTree {
 public:
  explicit TempTree(std::string path) : path_(std::move(path)) {}
  ~TempTree() {
    if (!path_.empty()) {
      std::error_code ec;
      fs::remove_all(path_, ec);
    }
  }
  void release() { path_.clear(); }

 private:
  std::string path_;
};

Status write_contents(const std::string& dir, const tensorflow::MetaGraphDef& mg, const SavedModelSpec& spec,
                      const SavedModelWriteOptions& options) {
  TFPORT_RETURN_IF_ERROR(make_directories(join_path(dir, "variables")));
  if (!spec.variables.empty()) {
    CheckpointWriterOptions ckpt;
    ckpt.progress = options.progress;
    for (const SavedModelVariable& v : spec.variables) ckpt.expected_bytes += v.value.byte_size();
    TFPORT_ASSIGN_OR_RETURN(CheckpointWriter w, CheckpointWriter::create(join_path(dir, "variables/variables"), ckpt));
    std::vector<const SavedModelVariable*> sorted;
    for (const SavedModelVariable& v : spec.variables) sorted.push_back(&v);
    std::sort(sorted.begin(), sorted.end(), [](const auto* a, const auto* b) { return a->key() < b->key(); });
    if (spec.object_graph.nodes_size() > 0) TFPORT_RETURN_IF_ERROR(w.add_object_graph(spec.object_graph));
    for (const SavedModelVariable* v : sorted) TFPORT_RETURN_IF_ERROR(w.add(v->key(), v->value));
    TFPORT_RETURN_IF_ERROR(w.finish());
  }
  if (!spec.assets.empty()) {
    TFPORT_RETURN_IF_ERROR(make_directories(join_path(dir, "assets")));
    for (const SavedModelAsset& a : spec.assets) {
      TFPORT_RETURN_IF_ERROR(write_file_staged(join_path(join_path(dir, "assets"), a.filename), a.contents));
    }
  }
  for (const auto& [name, bytes] : spec.extra_files) {
    if (name.empty() || name.find("..") != std::string::npos || name[0] == '/') {
      return invalid_argument_error("extra file name '" + name + "' must be a relative path inside the export");
    }
    TFPORT_RETURN_IF_ERROR(write_file_staged(join_path(dir, name), bytes));
  }
  tensorflow::SavedModel sm;
  sm.set_saved_model_schema_version(1);
  *sm.add_meta_graphs() = mg;
  std::string bytes;
  if (!sm.SerializeToString(&bytes)) return internal_error("cannot serialize the SavedModel proto");
  return write_file_staged(join_path(dir, "saved_model.pb"), bytes);
}

}  // namespace

Status write_saved_model(const std::string& export_dir, const SavedModelSpec& spec,
                         const SavedModelWriteOptions& options) {
  std::string dest = export_dir;
  while (dest.size() > 1 && dest.back() == '/') dest.pop_back();
  if (dest.empty()) return invalid_argument_error("empty export directory");
  const bool exists = path_exists(dest);
  if (exists && !options.overwrite) {
    return already_exists_error("Export directory already exists: " + dest);
  }
  // SavedModelBuilder creates the export directory with its parents.
  if (!is_directory(dir_name(dest))) {
    Status made = make_directories(dir_name(dest));
    if (!made.ok()) return made.with_context("cannot create the parent of export directory " + dest);
  }
  auto mg = build_meta_graph(spec);
  if (!mg.ok()) return mg.status().with_context("building the SavedModel for " + dest);

  const std::string temp = dest + ".tempstate" + random_suffix();
  std::error_code ec;
  if (!fs::create_directory(temp, ec)) return permission_denied_error(dest + ": cannot create a directory beside it: " + ec.message());
  TempTree cleanup(temp);
  Status s = write_contents(temp, *mg, spec, options);
  if (!s.ok()) return s.with_context("writing SavedModel " + dest);

  std::string backup;
  if (exists) {
    backup = dest + ".backup" + random_suffix();
    fs::rename(dest, backup, ec);
    if (ec) return internal_error(dest + ": cannot move the previous export aside: " + ec.message());
  }
  fs::rename(temp, dest, ec);
  if (ec) {
    if (!backup.empty()) {
      std::error_code restore_ec;
      fs::rename(backup, dest, restore_ec);
    }
    return internal_error(dest + ": cannot rename the export into place: " + ec.message());
  }
  cleanup.release();
  if (!backup.empty()) fs::remove_all(backup, ec);
  return Status::OK();
}

}  // namespace tfport
