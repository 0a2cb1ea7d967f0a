// Files written in two phases, so a failed export never leaves a half-written or broken result:
// bytes go to a temporary file beside the destination; commit_staged_files() then renames every
// file of a set into place (data before index, as TensorFlow does), keeping the previous files
// as backups until all renames succeeded and restoring them if one fails.
//
//   TFPORT_ASSIGN_OR_RETURN(StagedFile f, StagedFile::create("/out/model.pb"));
//   TFPORT_RETURN_IF_ERROR(f.append(bytes));
//   std::vector<StagedFile*> files{&f};
//   TFPORT_RETURN_IF_ERROR(commit_staged_files(files));
// An uncommitted StagedFile removes its temporary file when destroyed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tfport/status.h"

namespace tfport {

class StagedFile {
 public:
  // Creates "<final_path>.tempstate<random>" (TensorFlow's temporary naming). Fails, naming the
  // destination, when its directory is missing or not writable.
  static StatusOr<StagedFile> create(const std::string& final_path);
  StagedFile(StagedFile&& other) noexcept;
  StagedFile& operator=(StagedFile&& other) noexcept;
  StagedFile(const StagedFile&) = delete;
  StagedFile& operator=(const StagedFile&) = delete;
  ~StagedFile();

  Status append(std::string_view bytes);
  uint64_t size() const { return size_; }
  const std::string& final_path() const { return final_path_; }
  const std::string& temp_path() const { return temp_path_; }

  // Flushes to disk and closes; commit_staged_files() calls it when still open.
  Status close();
  // Deletes the temporary file (idempotent).
  void discard();

 private:
  friend Status commit_staged_files(const std::vector<StagedFile*>& files);
  StagedFile() = default;

  std::string final_path_;
  std::string temp_path_;
  int fd_ = -1;
  uint64_t size_ = 0;
  bool committed_ = false;
};

// Renames every file into place in the given order. When a rename fails, the files already
// renamed are taken back and the previous contents restored, so the destination is either
// entirely new or entirely as before.
Status commit_staged_files(const std::vector<StagedFile*>& files);

// Writes one whole file through a StagedFile.
Status write_file_staged(const std::string& path, std::string_view contents);

// Test seams: make writes fail as a full disk or a crash would, to check that nothing
// half-written reaches a destination. Process-wide; tests reset them with clear_write_faults().
namespace write_faults {
// The write that would take the total of bytes appended (across all staged files) beyond
// `bytes` writes up to the limit and then fails.
void fail_after_bytes(uint64_t bytes);
// Renames into place fail after `renames` successful ones.
void fail_after_renames(int renames);
void clear();
}  // namespace write_faults

}  // namespace tfport
