// read_saved_model: saved_model.pb / .pbtxt plus the side files of an export directory.
#include <algorithm>
#include <filesystem>
#include <system_error>

#include "core/file.h"
#include "formats/savedmodel/proto_parse.h"
#include "tfport/saved_model.h"

namespace tfport {
namespace {

constexpr char kSavedModelPb[] = "saved_model.pb";
constexpr char kSavedModelPbtxt[] = "saved_model.pbtxt";
constexpr char kFingerprint[] = "fingerprint.pb";
constexpr char kKerasMetadata[] = "keras_metadata.pb";
constexpr uint64_t kMaxFileBytes = uint64_t{1} << 31;
// Listing assets is for display; a directory with more entries than this is not walked further.
constexpr size_t kMaxListedFiles = 100000;

// Regular files under `root`, relative to it, sorted. A missing directory gives an empty list.
StatusOr<std::vector<std::string>> list_files_under(const std::string& root) {
  std::vector<std::string> out;
  if (!is_directory(root)) return out;
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (out.size() >= kMaxListedFiles) break;
    std::error_code type_ec;
    if (!it->is_regular_file(type_ec)) continue;
    out.push_back(fs::relative(it->path(), root, type_ec).generic_string());
  }
  if (ec) return internal_error(root + ": cannot list directory: " + ec.message());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

StatusOr<tensorflow::SavedModel> parse_saved_model(std::string_view bytes, bool text, const std::string& path) {
  tensorflow::SavedModel model;
  if (text) {
    TFPORT_RETURN_IF_ERROR(parse_text_proto(bytes, path, &model));
  } else {
    TFPORT_RETURN_IF_ERROR(parse_binary_proto(bytes, path, &model));
  }
  if (model.meta_graphs_size() == 0) {
    return data_loss_error("Cannot parse file " + path + ": the SavedModel contains no MetaGraphDef.");
  }
  return model;
}

StatusOr<SavedModelFiles> read_saved_model(const std::string& input_dir) {
  SavedModelFiles files;
  files.dir = input_dir;
  while (files.dir.size() > 1 && files.dir.back() == '/') files.dir.pop_back();
  const std::string& dir = files.dir;

  std::string pb = join_path(dir, kSavedModelPb);
  std::string pbtxt = join_path(dir, kSavedModelPbtxt);
  bool text = false;
  if (is_regular_file(pb)) {
    files.proto_path = pb;
  } else if (is_regular_file(pbtxt)) {
    files.proto_path = pbtxt;
    text = true;
  } else {
    return not_found_error("SavedModel file does not exist at: " + dir);
  }
  TFPORT_ASSIGN_OR_RETURN(std::string bytes, read_file(files.proto_path, kMaxFileBytes));
  TFPORT_ASSIGN_OR_RETURN(files.proto, parse_saved_model(bytes, text, files.proto_path));
  bytes.clear();
  bytes.shrink_to_fit();

  std::string fingerprint_path = join_path(dir, kFingerprint);
  if (is_regular_file(fingerprint_path)) {
    TFPORT_ASSIGN_OR_RETURN(std::string fp_bytes, read_file(fingerprint_path, kMaxFileBytes));
    tensorflow::FingerprintDef fingerprint;
    TFPORT_RETURN_IF_ERROR(parse_binary_proto(fp_bytes, fingerprint_path, &fingerprint));
    files.fingerprint = std::move(fingerprint);
  }

  std::string keras_path = join_path(dir, kKerasMetadata);
  if (is_regular_file(keras_path)) {
    TFPORT_ASSIGN_OR_RETURN(files.keras_metadata, read_file(keras_path, kMaxFileBytes));
    files.has_keras_metadata = true;
  }

  TFPORT_ASSIGN_OR_RETURN(files.assets, list_files_under(join_path(dir, "assets")));
  TFPORT_ASSIGN_OR_RETURN(files.assets_extra, list_files_under(join_path(dir, "assets.extra")));

  std::string prefix = join_path(join_path(dir, "variables"), "variables");
  if (is_regular_file(prefix + ".index")) files.variables_prefix = prefix;
  return files;
}

}  // namespace tfport
