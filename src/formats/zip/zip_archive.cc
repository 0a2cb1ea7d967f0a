#include "formats/zip/zip_archive.h"

#include <fcntl.h>
#include <unistd.h>
#include <zip.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <deque>
#include <mutex>
#include <random>
#include <set>
#include <unordered_map>

#include "core/file.h"

namespace tfport {
namespace {

// Refuse archives listing more entries than any model or npz file plausibly holds; libzip keeps
// a record per entry, so this bounds the memory a forged central directory can ask for.
constexpr uint64_t kMaxEntries = uint64_t{1} << 20;

// Reads grow the output buffer in steps so that a lying "uncompressed size" field does not
// make us allocate more than the data that actually decompresses.
constexpr uint64_t kInitialReadChunk = uint64_t{1} << 20;

// Maps a libzip error to a status code; `what` is the file name plus the part being handled.
Status zip_error_status(const std::string& what, zip_error_t* error) {
  int code = zip_error_code_zip(error);
  std::string message = what + ": " + zip_error_strerror(error);
  switch (code) {
    case ZIP_ER_NOENT:
      return not_found_error(std::move(message));
    case ZIP_ER_NOZIP:
      return data_loss_error(what + ": not a zip archive (no end of central directory record found)");
    case ZIP_ER_CRC:
      return data_loss_error(what + ": CRC-32 mismatch, the entry's data is corrupted");
    case ZIP_ER_EOF:
      return data_loss_error(what + ": premature end of data, the archive is truncated");
    case ZIP_ER_INCONS:
    case ZIP_ER_ZLIB:
    case ZIP_ER_COMPRESSED_DATA:
      return data_loss_error(std::move(message));
    case ZIP_ER_MULTIDISK:
    case ZIP_ER_COMPNOTSUPP:
    case ZIP_ER_ENCRNOTSUPP:
    case ZIP_ER_NOPASSWD:
      return unimplemented_error(std::move(message));
    case ZIP_ER_MEMORY:
      return resource_exhausted_error(std::move(message));
    case ZIP_ER_OPEN:
    case ZIP_ER_READ:
    case ZIP_ER_SEEK:
    case ZIP_ER_TELL: {
      int sys = zip_error_code_system(error);
      if (sys == ENOENT) return not_found_error(std::move(message));
      if (sys == EACCES || sys == EPERM) return permission_denied_error(std::move(message));
      // A short read of the archive itself means it was cut off.
      if (code == ZIP_ER_READ || code == ZIP_ER_SEEK) return data_loss_error(std::move(message));
      return internal_error(std::move(message));
    }
    default:
      return internal_error(std::move(message));
  }
}

Status zip_error_status(const std::string& what, int code) {
  zip_error_t error;
  zip_error_init_with_code(&error, code);
  Status s = zip_error_status(what, &error);
  zip_error_fini(&error);
  return s;
}

std::string quoted(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '\'';
  out += s;
  out += '\'';
  return out;
}

// "a, b, c" (at most a few names, so an error line stays one line).
std::string some_names(const std::vector<ZipEntryInfo>& entries) {
  std::string out;
  size_t shown = 0;
  for (const ZipEntryInfo& e : entries) {
    if (shown == 8) {
      out += ", ... (" + std::to_string(entries.size()) + " entries)";
      break;
    }
    if (shown > 0) out += ", ";
    out += e.name;
    ++shown;
  }
  return out.empty() ? "none" : out;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// ZipReader

struct ZipReader::Impl {
  zip_t* archive = nullptr;
  std::shared_ptr<const std::string> bytes;  // the memory an in-memory archive reads from
  std::unordered_map<std::string, zip_uint64_t> index_by_name;
  std::unordered_map<std::string, size_t> position_by_name;  // into entries_
  std::mutex mu;  // libzip archives are not thread-safe; read() is const

  ~Impl() {
    if (archive != nullptr) zip_discard(archive);
  }
};

ZipReader::ZipReader(ZipReader&&) noexcept = default;
ZipReader& ZipReader::operator=(ZipReader&&) noexcept = default;
ZipReader::~ZipReader() = default;

namespace {

// Fills the entry list of a freshly opened archive.
Status list_entries(zip_t* archive, const std::string& display_name, std::vector<ZipEntryInfo>* entries,
                    std::unordered_map<std::string, zip_uint64_t>* index_by_name,
                    std::unordered_map<std::string, size_t>* position_by_name) {
  zip_int64_t count = zip_get_num_entries(archive, 0);
  if (count < 0) return internal_error(display_name + ": cannot count zip entries");
  if (static_cast<uint64_t>(count) > kMaxEntries) {
    return resource_exhausted_error(display_name + ": zip central directory lists " + std::to_string(count) +
                                    " entries, above the limit of " + std::to_string(kMaxEntries));
  }
  entries->reserve(static_cast<size_t>(count));
  for (zip_uint64_t i = 0; i < static_cast<zip_uint64_t>(count); ++i) {
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(archive, i, 0, &st) != 0) {
      return zip_error_status(display_name + ": zip entry #" + std::to_string(i), zip_get_error(archive));
    }
    const uint64_t needed = ZIP_STAT_NAME | ZIP_STAT_SIZE | ZIP_STAT_COMP_SIZE;
    if ((st.valid & needed) != needed || st.name == nullptr) {
      return data_loss_error(display_name + ": zip entry #" + std::to_string(i) +
                             ": central directory record lacks a name or size");
    }
    ZipEntryInfo info;
    info.name = st.name;
    info.size = st.size;
    info.compressed_size = st.comp_size;
    if (index_by_name->count(info.name) != 0) {
      return data_loss_error(display_name + ": zip entry " + quoted(info.name) +
                             ": the name appears more than once; refusing an ambiguous archive");
    }
    (*index_by_name)[info.name] = i;
    (*position_by_name)[info.name] = entries->size();
    entries->push_back(std::move(info));
  }
  return Status::OK();
}

}  // namespace

StatusOr<ZipReader> ZipReader::open(const std::string& path) {
  if (is_directory(path)) return invalid_argument_error(path + ": is a directory, expected a zip file");
  TFPORT_ASSIGN_OR_RETURN(uint64_t size, file_size(path));
  if (size == 0) return data_loss_error(path + ": empty file, not a zip archive");

  int error_code = 0;
  zip_t* archive = zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &error_code);
  if (archive == nullptr) return zip_error_status(path, error_code);

  ZipReader reader;
  reader.impl_ = std::make_unique<Impl>();
  reader.impl_->archive = archive;
  reader.display_name_ = path;
  TFPORT_RETURN_IF_ERROR(list_entries(archive, path, &reader.entries_, &reader.impl_->index_by_name,
                                      &reader.impl_->position_by_name));
  return reader;
}

StatusOr<ZipReader> ZipReader::open_from_memory(std::shared_ptr<const std::string> bytes,
                                                std::string display_name) {
  if (bytes == nullptr || bytes->empty()) {
    return data_loss_error(display_name + ": empty buffer, not a zip archive");
  }
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_buffer_create(bytes->data(), bytes->size(), 0, &error);
  if (source == nullptr) {
    Status s = zip_error_status(display_name, &error);
    zip_error_fini(&error);
    return s;
  }
  zip_t* archive = zip_open_from_source(source, ZIP_RDONLY | ZIP_CHECKCONS, &error);
  if (archive == nullptr) {
    zip_source_free(source);
    Status s = zip_error_status(display_name, &error);
    zip_error_fini(&error);
    return s;
  }
  zip_error_fini(&error);

  ZipReader reader;
  reader.impl_ = std::make_unique<Impl>();
  reader.impl_->archive = archive;
  reader.impl_->bytes = std::move(bytes);
  reader.display_name_ = std::move(display_name);
  TFPORT_RETURN_IF_ERROR(list_entries(archive, reader.display_name_, &reader.entries_,
                                      &reader.impl_->index_by_name, &reader.impl_->position_by_name));
  return reader;
}

bool ZipReader::contains(std::string_view name) const {
  return impl_ != nullptr && impl_->index_by_name.count(std::string(name)) != 0;
}

StatusOr<std::string> ZipReader::read(std::string_view name, uint64_t max_bytes) const {
  const std::string key(name);
  const std::string what = display_name_ + ": zip entry " + quoted(name);
  if (impl_ == nullptr) return failed_precondition_error(what + ": the reader was moved from");
  auto it = impl_->index_by_name.find(key);
  if (it == impl_->index_by_name.end()) {
    return not_found_error(display_name_ + ": no zip entry " + quoted(name) + " (entries: " +
                           some_names(entries_) + ")");
  }
  const ZipEntryInfo& info = entries_[impl_->position_by_name.at(key)];
  if (info.size > max_bytes) {
    return resource_exhausted_error(what + ": uncompressed size " + std::to_string(info.size) +
                                    " bytes is above the limit of " + std::to_string(max_bytes));
  }

  std::lock_guard<std::mutex> lock(impl_->mu);
  zip_file_t* file = zip_fopen_index(impl_->archive, it->second, 0);
  if (file == nullptr) return zip_error_status(what, zip_get_error(impl_->archive));

  std::string out;
  uint64_t done = 0;
  Status status;
  while (true) {
    if (done == out.size()) {
      if (done >= info.size) {
        // Everything declared has arrived; one more read must report the end. libzip checks the
        // CRC at that point, and more bytes mean the size field lied.
        char probe = 0;
        zip_int64_t n = zip_fread(file, &probe, 1);
        if (n < 0) {
          status = zip_error_status(what, zip_file_get_error(file));
        } else if (n > 0) {
          status = data_loss_error(what + ": decompresses to more than its declared " +
                                   std::to_string(info.size) + " bytes");
        }
        break;
      }
      uint64_t next = std::min<uint64_t>(info.size, std::max<uint64_t>(kInitialReadChunk, out.size() * 2));
      out.resize(static_cast<size_t>(next));
    }
    zip_int64_t n = zip_fread(file, out.data() + done, out.size() - done);
    if (n < 0) {
      status = zip_error_status(what, zip_file_get_error(file));
      break;
    }
    if (n == 0) break;
    done += static_cast<uint64_t>(n);
  }
  zip_fclose(file);
  TFPORT_RETURN_IF_ERROR(status);
  if (done != info.size) {
    return data_loss_error(what + ": ends after " + std::to_string(done) + " of its declared " +
                           std::to_string(info.size) + " bytes");
  }
  out.resize(static_cast<size_t>(done));
  return out;
}

// ---------------------------------------------------------------------------------------------
// ZipWriter

struct ZipWriter::Impl {
  std::string path;      // the destination
  std::string tmp_path;  // where libzip writes; renamed to `path` by finish()
  zip_t* archive = nullptr;
  std::deque<std::string> contents;  // entry bytes, alive until the archive is written
  std::set<std::string> names;
  bool finished = false;

  ~Impl() {
    if (archive != nullptr) zip_discard(archive);
    if (!finished && !tmp_path.empty()) ::unlink(tmp_path.c_str());
  }
};

ZipWriter::ZipWriter(ZipWriter&&) noexcept = default;
ZipWriter& ZipWriter::operator=(ZipWriter&&) noexcept = default;
ZipWriter::~ZipWriter() = default;

namespace {

std::string temp_path_for(const std::string& path) {
  static std::atomic<uint64_t> counter{0};
  std::random_device rd;
  uint64_t token = (uint64_t{rd()} << 32) ^ rd() ^ counter.fetch_add(1);
  std::string name = ".";
  name += base_name(path);
  name += ".tmp";
  name += std::to_string(::getpid());
  name += '_';
  name += std::to_string(token);
  return join_path(dir_name(path), name);
}

Status errno_error(const std::string& what) {
  int e = errno;
  std::string message = what + ": " + std::strerror(e);
  if (e == ENOENT) return not_found_error(std::move(message));
  if (e == EACCES || e == EPERM) return permission_denied_error(std::move(message));
  return internal_error(std::move(message));
}

// The 22-byte end-of-central-directory record of an archive without entries. libzip deletes
// an archive left empty instead of writing one, but numpy writes this for savez() of nothing.
std::string empty_zip_archive() {
  std::string eocd("PK\x05\x06", 4);
  eocd.append(18, '\0');
  return eocd;
}

}  // namespace

StatusOr<ZipWriter> ZipWriter::create(const std::string& path) {
  if (path.empty()) return invalid_argument_error("zip writer: empty destination path");
  if (is_directory(path)) return invalid_argument_error(path + ": is a directory, cannot write a zip file there");
  const std::string dir = dir_name(path);
  if (!is_directory(dir)) return not_found_error(path + ": directory " + quoted(dir) + " does not exist");

  ZipWriter writer;
  writer.impl_ = std::make_unique<Impl>();
  writer.impl_->path = path;
  writer.impl_->tmp_path = temp_path_for(path);
  int error_code = 0;
  writer.impl_->archive = zip_open(writer.impl_->tmp_path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error_code);
  if (writer.impl_->archive == nullptr) return zip_error_status(writer.impl_->tmp_path, error_code);
  return writer;
}

Status ZipWriter::add(std::string_view name, std::string data, bool compress) {
  const std::string entry(name);
  if (impl_ == nullptr || impl_->archive == nullptr || impl_->finished) {
    return failed_precondition_error("zip writer: add(" + quoted(name) + ") after finish() or a failure");
  }
  const std::string what = impl_->path + ": zip entry " + quoted(name);
  if (entry.empty() || entry.find('\0') != std::string::npos) {
    return invalid_argument_error(what + ": entry names must be non-empty and contain no NUL byte");
  }
  if (impl_->names.count(entry) != 0) return already_exists_error(what + ": added twice");

  impl_->contents.push_back(std::move(data));
  const std::string& stored = impl_->contents.back();
  zip_source_t* source = zip_source_buffer(impl_->archive, stored.data(), stored.size(), 0);
  if (source == nullptr) return zip_error_status(what, zip_get_error(impl_->archive));
  zip_int64_t index = zip_file_add(impl_->archive, entry.c_str(), source, ZIP_FL_ENC_UTF_8);
  if (index < 0) {
    zip_source_free(source);
    return zip_error_status(what, zip_get_error(impl_->archive));
  }
  if (zip_set_file_compression(impl_->archive, static_cast<zip_uint64_t>(index),
                               compress ? ZIP_CM_DEFLATE : ZIP_CM_STORE, 0) != 0) {
    return zip_error_status(what, zip_get_error(impl_->archive));
  }
  impl_->names.insert(entry);
  return Status::OK();
}

Status ZipWriter::finish() {
  if (impl_ == nullptr || impl_->archive == nullptr || impl_->finished) {
    return failed_precondition_error("zip writer: finish() called twice or after a failure");
  }
  Impl& impl = *impl_;
  if (impl.names.empty()) {
    zip_discard(impl.archive);
    impl.archive = nullptr;
    TFPORT_RETURN_IF_ERROR(write_file_atomic(impl.path, empty_zip_archive()));
    impl.finished = true;
    return Status::OK();
  }

  if (zip_close(impl.archive) != 0) {
    Status s = zip_error_status(impl.path + ": writing the zip archive", zip_get_error(impl.archive));
    zip_discard(impl.archive);
    impl.archive = nullptr;
    ::unlink(impl.tmp_path.c_str());
    return s;
  }
  impl.archive = nullptr;
  impl.contents.clear();

  // Make the bytes durable before the rename publishes them.
  int fd = ::open(impl.tmp_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || ::fsync(fd) != 0) {
    Status s = errno_error(impl.tmp_path + ": cannot flush the zip archive");
    if (fd >= 0) ::close(fd);
    ::unlink(impl.tmp_path.c_str());
    return s;
  }
  ::close(fd);
  if (::rename(impl.tmp_path.c_str(), impl.path.c_str()) != 0) {
    Status s = errno_error(impl.path + ": cannot rename the zip archive into place");
    ::unlink(impl.tmp_path.c_str());
    return s;
  }
  impl.finished = true;
  return Status::OK();
}

}  // namespace tfport
