#include "core/staged_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <random>

namespace tfport {
namespace {

// -1 = no fault armed.
std::atomic<int64_t> g_byte_budget{-1};
std::atomic<int> g_rename_budget{-1};

Status errno_error(const std::string& what, const std::string& path, int e) {
  std::string msg = path + ": " + what + ": " + std::strerror(e);
  if (e == ENOENT) return not_found_error(msg);
  if (e == EACCES || e == EPERM || e == EROFS) return permission_denied_error(msg);
  return internal_error(msg);
}

std::string random_suffix() {
  std::random_device rd;
  return std::to_string((uint64_t{rd()} << 32) | rd());
}

// Consumes `n` bytes of the fault budget; returns how many may really be written.
uint64_t take_budget(uint64_t n) {
  int64_t budget = g_byte_budget.load();
  if (budget < 0) return n;
  uint64_t allowed = std::min<uint64_t>(n, static_cast<uint64_t>(budget));
  g_byte_budget.store(budget - static_cast<int64_t>(allowed));
  return allowed;
}

bool take_rename() {
  int budget = g_rename_budget.load();
  if (budget < 0) return true;
  if (budget == 0) return false;
  g_rename_budget.store(budget - 1);
  return true;
}

}  // namespace

namespace write_faults {
void fail_after_bytes(uint64_t bytes) { g_byte_budget.store(static_cast<int64_t>(bytes)); }
void fail_after_renames(int renames) { g_rename_budget.store(renames); }
void clear() {
  g_byte_budget.store(-1);
  g_rename_budget.store(-1);
}
}  // namespace write_faults

StatusOr<StagedFile> StagedFile::create(const std::string& final_path) {
  StagedFile f;
  f.final_path_ = final_path;
  f.temp_path_ = final_path + ".tempstate" + random_suffix();
  f.fd_ = ::open(f.temp_path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (f.fd_ < 0) return errno_error("cannot create a file beside the destination", final_path, errno);
  return f;
}

StagedFile::StagedFile(StagedFile&& other) noexcept { *this = std::move(other); }

StagedFile& StagedFile::operator=(StagedFile&& other) noexcept {
  if (this != &other) {
    discard();
    final_path_ = std::move(other.final_path_);
    temp_path_ = std::move(other.temp_path_);
    fd_ = other.fd_;
    size_ = other.size_;
    committed_ = other.committed_;
    other.fd_ = -1;
    other.temp_path_.clear();
    other.committed_ = true;  // nothing left for the moved-from object to clean up
  }
  return *this;
}

StagedFile::~StagedFile() { discard(); }

Status StagedFile::append(std::string_view bytes) {
  if (fd_ < 0) return failed_precondition_error(final_path_ + ": write after close");
  const uint64_t allowed = take_budget(bytes.size());
  size_t done = 0;
  while (done < allowed) {
    ssize_t n = ::write(fd_, bytes.data() + done, static_cast<size_t>(allowed) - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error("write failed", temp_path_, errno);
    }
    done += static_cast<size_t>(n);
  }
  size_ += done;
  if (allowed < bytes.size()) {
    return internal_error(temp_path_ + ": write failed after " + std::to_string(size_) +
                          " bytes: No space left on device (injected fault)");
  }
  return Status::OK();
}

Status StagedFile::close() {
  if (fd_ < 0) return Status::OK();
  const int fd = fd_;
  fd_ = -1;
  if (::fsync(fd) != 0) {
    int e = errno;
    ::close(fd);
    return errno_error("cannot flush", temp_path_, e);
  }
  if (::close(fd) != 0) return errno_error("cannot close", temp_path_, errno);
  return Status::OK();
}

void StagedFile::discard() {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
  if (!committed_ && !temp_path_.empty()) ::unlink(temp_path_.c_str());
  temp_path_.clear();
}

Status commit_staged_files(const std::vector<StagedFile*>& files) {
  for (StagedFile* f : files) {
    if (f->temp_path_.empty()) return failed_precondition_error(f->final_path_ + ": nothing staged to commit");
    TFPORT_RETURN_IF_ERROR(f->close());
  }
  // Previous files are kept under a backup name (a hard link) until every rename succeeded.
  struct Done {
    StagedFile* file;
    std::string backup;  // empty when nothing existed at the destination
  };
  std::vector<Done> done;
  auto roll_back = [&done]() {
    for (auto it = done.rbegin(); it != done.rend(); ++it) {
      if (!it->backup.empty()) {
        ::rename(it->backup.c_str(), it->file->final_path_.c_str());
      } else {
        ::unlink(it->file->final_path_.c_str());
      }
    }
  };
  Status failure;
  for (StagedFile* f : files) {
    std::string backup;
    struct stat st {};
    if (::lstat(f->final_path_.c_str(), &st) == 0) {
      backup = f->final_path_ + ".backup" + random_suffix();
      if (::link(f->final_path_.c_str(), backup.c_str()) != 0) {
        failure = errno_error("cannot keep the previous file while replacing it", f->final_path_, errno);
        break;
      }
    }
    if (!take_rename()) {
      if (!backup.empty()) ::unlink(backup.c_str());
      failure = internal_error(f->final_path_ + ": cannot rename into place (injected fault)");
      break;
    }
    if (::rename(f->temp_path_.c_str(), f->final_path_.c_str()) != 0) {
      failure = errno_error("cannot rename into place", f->final_path_, errno);
      if (!backup.empty()) ::unlink(backup.c_str());
      break;
    }
    done.push_back({f, backup});
  }
  if (!failure.ok()) {
    roll_back();
    for (StagedFile* f : files) f->discard();
    return failure;
  }
  for (Done& d : done) {
    if (!d.backup.empty()) ::unlink(d.backup.c_str());
    d.file->committed_ = true;
    d.file->temp_path_.clear();
  }
  return Status::OK();
}

Status write_file_staged(const std::string& path, std::string_view contents) {
  TFPORT_ASSIGN_OR_RETURN(StagedFile f, StagedFile::create(path));
  TFPORT_RETURN_IF_ERROR(f.append(contents));
  std::vector<StagedFile*> files{&f};
  return commit_staged_files(files);
}

}  // namespace tfport
