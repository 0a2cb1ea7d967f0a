#include "formats/bundle/checkpoint_path.h"

#include <dirent.h>

#include <cstdio>
#include <vector>

#include "core/file.h"
#include "core/mapped_file.h"
#include "formats/bundle/table.h"
#include "tfport/checkpoint.h"

namespace tfport::bundle {
namespace {

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::vector<std::string> index_prefixes_in(const std::string& dir) {
  std::vector<std::string> prefixes;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return prefixes;
  while (const dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (ends_with(name, ".index")) prefixes.push_back(join_path(dir, name.substr(0, name.size() - 6)));
  }
  ::closedir(d);
  return prefixes;
}

bool all_digits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

// "P.data-00000-of-00002" -> "P"; "" when `path` is not a data shard name.
std::string data_shard_prefix(const std::string& path) {
  const std::size_t data = path.rfind(".data-");
  if (data == std::string::npos) return "";
  std::string_view rest = std::string_view(path).substr(data + 6);
  const std::size_t of = rest.find("-of-");
  if (of == std::string_view::npos || !all_digits(rest.substr(0, of)) || !all_digits(rest.substr(of + 4))) return "";
  return path.substr(0, data);
}

// A V1 checkpoint is one SSTable at the prefix itself (or sharded as prefix-00000-of-0000N).
bool is_v1_checkpoint(const std::string& path) {
  if (!is_regular_file(path)) return false;
  auto file = MappedFile::open(path);
  return file.ok() && has_table_magic((*file)->view());
}

StatusOr<std::string> check_prefix(const std::string& prefix) {
  if (is_regular_file(prefix + ".index")) return prefix;
  if (is_v1_checkpoint(prefix) || is_v1_checkpoint(prefix + "-00000-of-00001")) {
    return unimplemented_error(prefix + ": this is a V1 checkpoint (TensorFlow's pre-2016 TensorSliceWriter "
                               "format, no .index file); tfport reads V2 checkpoints (<prefix>.index + "
                               "<prefix>.data-*). Re-save it with a current TensorFlow.");
  }
  return not_found_error(prefix + ": no checkpoint here (" + base_name(prefix) + ".index does not exist)");
}

StatusOr<std::string> prefix_in_directory(const std::string& dir) {
  if (is_regular_file(join_path(dir, "checkpoint"))) {
    TFPORT_ASSIGN_OR_RETURN(CheckpointState state, read_checkpoint_state(dir));
    std::string prefix = state.model_checkpoint_path;
    // A state file copied from another machine names paths that only existed there.
    if (!path_exists(prefix + ".index") && !path_exists(prefix)) {
      const std::string local = join_path(dir, base_name(prefix));
      if (path_exists(local + ".index") || path_exists(local)) prefix = local;
    }
    return check_prefix(prefix);
  }
  std::vector<std::string> prefixes = index_prefixes_in(dir);
  if (prefixes.size() == 1) return prefixes.front();
  if (prefixes.empty()) {
    return not_found_error(dir + ": no 'checkpoint' state file and no .index file in this directory");
  }
  return invalid_argument_error(dir + ": holds " + std::to_string(prefixes.size()) +
                                " checkpoints and no 'checkpoint' state file; pass one prefix");
}

}  // namespace

StatusOr<std::string> resolve_checkpoint_prefix(const std::string& path) {
  if (is_directory(path)) return prefix_in_directory(path);
  if (ends_with(path, ".index") && is_regular_file(path)) return path.substr(0, path.size() - 6);
  const std::string shard_prefix = data_shard_prefix(path);
  if (!shard_prefix.empty() && is_regular_file(shard_prefix + ".index")) return shard_prefix;
  return check_prefix(path);
}

std::string data_shard_path(const std::string& prefix, int shard, int num_shards) {
  char suffix[64];
  std::snprintf(suffix, sizeof(suffix), ".data-%05d-of-%05d", shard, num_shards);
  return prefix + suffix;
}

}  // namespace tfport::bundle
