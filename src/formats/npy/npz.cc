// .npz archives: zip files of .npy entries, as np.savez / np.savez_compressed write them.
#include <set>

#include "core/file.h"
#include "formats/zip/zip_archive.h"
#include "tfport/npy.h"

namespace tfport {
namespace {

constexpr std::string_view kNpySuffix = ".npy";

// Deflate cannot expand data by more than about 1032:1; an entry claiming more is forged.
constexpr uint64_t kMaxDeflateRatio = 1100;

bool is_directory_entry(const std::string& name) { return !name.empty() && name.back() == '/'; }

std::string key_of(const std::string& entry_name) {
  if (entry_name.size() > kNpySuffix.size() &&
      entry_name.compare(entry_name.size() - kNpySuffix.size(), kNpySuffix.size(), kNpySuffix) == 0) {
    return entry_name.substr(0, entry_name.size() - kNpySuffix.size());
  }
  return entry_name;
}

std::string entry_context(const std::string& path, const std::string& entry_name) {
  std::string s = path;
  s += ": npz entry '";
  s += entry_name;
  s += '\'';
  return s;
}

// Refuses archives whose declared sizes no real .npz can have: entries whose compressed bytes
// add up to more than the file (overlapping entries, the trick of non-recursive zip bombs), or
// an uncompressed size beyond what deflate can produce from the compressed bytes.
Status check_declared_sizes(const ZipReader& zip, const std::string& path) {
  TFPORT_ASSIGN_OR_RETURN(uint64_t archive_size, file_size(path));
  uint64_t compressed_total = 0;
  for (const ZipEntryInfo& e : zip.entries()) {
    compressed_total += e.compressed_size;
    if (e.compressed_size > archive_size || compressed_total > archive_size) {
      return data_loss_error(entry_context(path, e.name) + ": the entries' compressed sizes add up to more than "
                             "the archive's " + std::to_string(archive_size) +
                             " bytes; entries overlap (a zip bomb?) or the directory is corrupt");
    }
    if (e.size > e.compressed_size * kMaxDeflateRatio + 4096) {
      return data_loss_error(entry_context(path, e.name) + ": declares " + std::to_string(e.size) +
                             " bytes uncompressed from " + std::to_string(e.compressed_size) +
                             " compressed bytes, more than deflate can produce (a zip bomb?)");
    }
  }
  return Status::OK();
}

StatusOr<Tensor> read_entry(const ZipReader& zip, const std::string& path, const ZipEntryInfo& entry,
                            uint64_t max_bytes) {
  const std::string context = entry_context(path, entry.name);
  auto bytes = zip.read(entry.name, max_bytes);
  if (!bytes.ok()) return bytes.status();  // already names the archive and entry
  return parse_npy(*bytes, context);
}

}  // namespace

StatusOr<std::vector<std::pair<std::string, Tensor>>> read_npz(const std::string& path,
                                                                const NpzReadOptions& options) {
  TFPORT_ASSIGN_OR_RETURN(ZipReader zip, ZipReader::open(path));
  TFPORT_RETURN_IF_ERROR(check_declared_sizes(zip, path));
  std::vector<std::pair<std::string, Tensor>> out;
  std::set<std::string> keys;
  uint64_t budget = options.max_total_bytes;
  for (const ZipEntryInfo& entry : zip.entries()) {
    if (is_directory_entry(entry.name)) continue;
    std::string key = key_of(entry.name);
    if (!keys.insert(key).second) {
      return data_loss_error(entry_context(path, entry.name) + ": key '" + key +
                             "' appears twice (with and without .npy)");
    }
    if (entry.size > budget) {
      return resource_exhausted_error(entry_context(path, entry.name) + ": reading " + std::to_string(entry.size) +
                                      " more bytes would pass the limit of " +
                                      std::to_string(options.max_total_bytes) + " bytes for the whole archive");
    }
    TFPORT_ASSIGN_OR_RETURN(Tensor tensor, read_entry(zip, path, entry, budget));
    budget -= entry.size;
    out.emplace_back(std::move(key), std::move(tensor));
  }
  return out;
}

StatusOr<Tensor> read_npz_entry(const std::string& path, std::string_view name, const NpzReadOptions& options) {
  TFPORT_ASSIGN_OR_RETURN(ZipReader zip, ZipReader::open(path));
  std::string entry_name(name);
  if (!zip.contains(entry_name)) entry_name += kNpySuffix;
  const ZipEntryInfo* found = nullptr;
  for (const ZipEntryInfo& e : zip.entries()) {
    if (e.name == entry_name) found = &e;
  }
  if (found == nullptr) {
    std::string keys;
    for (const ZipEntryInfo& e : zip.entries()) {
      if (is_directory_entry(e.name)) continue;
      if (!keys.empty()) keys += ", ";
      keys += key_of(e.name);
    }
    return not_found_error(path + ": no array '" + std::string(name) + "' in the archive (keys: " +
                           (keys.empty() ? std::string("none") : keys) + ")");
  }
  TFPORT_RETURN_IF_ERROR(check_declared_sizes(zip, path));
  return read_entry(zip, path, *found, options.max_total_bytes);
}

StatusOr<std::vector<std::string>> list_npz(const std::string& path) {
  TFPORT_ASSIGN_OR_RETURN(ZipReader zip, ZipReader::open(path));
  std::vector<std::string> keys;
  for (const ZipEntryInfo& e : zip.entries()) {
    if (!is_directory_entry(e.name)) keys.push_back(key_of(e.name));
  }
  return keys;
}

Status write_npz(const std::string& path, const std::vector<std::pair<std::string, Tensor>>& tensors, bool compress,
                 const NpyWriteOptions& options) {
  std::set<std::string> names;
  for (const auto& [name, tensor] : tensors) {
    if (name.empty()) return invalid_argument_error(path + ": npz arrays need non-empty names");
    if (!names.insert(name).second) return invalid_argument_error(path + ": array name '" + name + "' is used twice");
  }
  TFPORT_ASSIGN_OR_RETURN(ZipWriter writer, ZipWriter::create(path));
  for (const auto& [name, tensor] : tensors) {
    auto bytes = serialize_npy(tensor, options);
    if (!bytes.ok()) return bytes.status().with_context(path + ": array '" + name + "'");
    TFPORT_RETURN_IF_ERROR(writer.add(name + std::string(kNpySuffix), std::move(bytes).value(), compress));
  }
  return writer.finish();
}

}  // namespace tfport
