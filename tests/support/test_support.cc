#include "support/test_support.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace fs = std::filesystem;

namespace tfport::testing {

std::string fixtures_dir() {
  if (const char* env = std::getenv("TFPORT_FIXTURES"); env != nullptr && *env) return env;
#ifdef TFPORT_DEFAULT_FIXTURES
  return TFPORT_DEFAULT_FIXTURES;
#else
  return "../shared/fixtures";
#endif
}

std::string fixture(const std::string& relative) { return fixtures_dir() + "/" + relative; }

TempDir::TempDir() {
  std::string tmpl = (fs::temp_directory_path() / "tfport-test-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

std::string copy_to(const std::string& src, const std::string& dest) {
  fs::copy(src, dest, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  // Fixtures are read-only; copies must be writable so tests can corrupt them.
  if (fs::is_directory(dest)) {
    for (auto& p : fs::recursive_directory_iterator(dest)) {
      fs::permissions(p.path(), fs::perms::owner_write, fs::perm_options::add);
    }
  }
  if (fs::exists(dest)) fs::permissions(dest, fs::perms::owner_write, fs::perm_options::add);
  return dest;
}

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_all(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
}

void truncate_file(const std::string& path, uint64_t new_size) { fs::resize_file(path, new_size); }

void flip_bit(const std::string& path, uint64_t byte_offset, int bit) {
  std::string data = read_all(path);
  if (byte_offset >= data.size()) throw std::out_of_range("flip_bit beyond end of " + path);
  data[byte_offset] = static_cast<char>(data[byte_offset] ^ (1 << bit));
  write_all(path, data);
}


CommandResult run_tfport(const std::vector<std::string>& args) {
  const char* bin = std::getenv("TFPORT_BINARY");
#ifdef TFPORT_DEFAULT_BINARY
  std::string binary = bin && *bin ? bin : TFPORT_DEFAULT_BINARY;
#else
  std::string binary = bin && *bin ? bin : "tfport";
#endif
  // stdout and stderr go to temp files so large outputs can't deadlock a pipe.
  TempDir tmp;
  std::string out_path = tmp.file("out"), err_path = tmp.file("err");
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(out, 1);
    ::dup2(err, 2);
    std::vector<char*> argv;
    argv.push_back(binary.data());
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(binary.c_str(), argv.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  CommandResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = read_all(out_path);
  r.err = read_all(err_path);
  return r;
}

}  // namespace tfport::testing
