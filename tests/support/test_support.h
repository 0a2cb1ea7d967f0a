// Helpers shared by the test suites: where the fixtures are, scratch directories, corrupted
// copies of real files, and running the tfport binary.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tfport::testing {

// ../shared/fixtures (from $TFPORT_FIXTURES, set by CTest, else the configured default).
std::string fixtures_dir();
// fixtures_dir() + "/" + relative.
std::string fixture(const std::string& relative);

// A fresh directory removed (recursively) when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Copies a file or a directory tree; returns the destination path.
std::string copy_to(const std::string& src, const std::string& dest);
std::string read_all(const std::string& path);
void write_all(const std::string& path, const std::string& data);
void truncate_file(const std::string& path, uint64_t new_size);
void flip_bit(const std::string& path, uint64_t byte_offset, int bit = 0);

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
// Runs the built tfport binary ($TFPORT_BINARY) with `args` (no shell quoting issues: each
// argument is passed as is).
CommandResult run_tfport(const std::vector<std::string>& args);

}  // namespace tfport::testing
