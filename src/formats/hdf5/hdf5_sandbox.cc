// Runs the snapshot walk in a forked child with CPU and wall-clock limits, so that a crash or
// an endless loop inside the HDF5 library on a hostile file costs the caller an error, not
// its process; then maps the snapshot the child wrote into a memory file and checks it.
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "core/load_trace.h"
#include "formats/hdf5/hdf5_internal.h"
#include "formats/hdf5/hdf5_snapshot.h"

namespace tfport::hdf5 {
namespace {

constexpr unsigned kDefaultChildSeconds = 20;

// TFPORT_HDF5_SANDBOX_SECONDS bounds the child's CPU and wall-clock time (default 20 s: a
// sound file takes milliseconds, a 100 MB one well under a second).
unsigned child_seconds() {
  const char* value = std::getenv("TFPORT_HDF5_SANDBOX_SECONDS");
  if (!value) return kDefaultChildSeconds;
  long n = std::strtol(value, nullptr, 10);
  return n >= 1 && n <= 3600 ? static_cast<unsigned>(n) : kDefaultChildSeconds;
}

// TFPORT_HDF5_SANDBOX_FAULT=crash|hang makes the child fail that way, so tests can check
// how a crash or a hang of the library is reported on every build (real crashes depend on
// heap layout and sanitizers).
void inject_fault() {
  const char* fault = std::getenv("TFPORT_HDF5_SANDBOX_FAULT");
  if (!fault) return;
  if (std::strcmp(fault, "crash") == 0) raise(SIGSEGV);
  if (std::strcmp(fault, "hang") == 0) {
    for (;;) pause();
  }
}

bool sandbox_disabled() {
  const char* value = std::getenv("TFPORT_HDF5_SANDBOX");
  return value && std::strcmp(value, "0") == 0;
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

[[noreturn]] void run_child(const SnapshotSource& source, int fd, unsigned seconds) {
  reset_hdf5_lock_in_child();
  // The child dies of its own faults rather than running the parent's handlers (sanitizers,
  // libFuzzer, servers), and nothing the parent blocked may keep the alarm away.
  for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGALRM, SIGXCPU, SIGTERM, SIGINT, SIGPIPE}) {
    signal(sig, SIG_DFL);
  }
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  rlimit cpu{seconds, seconds + 1};
  setrlimit(RLIMIT_CPU, &cpu);
  rlimit no_core{0, 0};
  setrlimit(RLIMIT_CORE, &no_core);
  alarm(seconds);
  inject_fault();
  _exit(write_snapshot(source, fd));  // _exit: no atexit handlers or leak checks in the child
}

Status wait_for_child(pid_t pid, const std::string& name, unsigned seconds) {
  int status = 0;
  pid_t done;
  do {
    done = waitpid(pid, &status, 0);
  } while (done < 0 && errno == EINTR);
  if (done < 0) {
    return internal_error(name + ": lost the HDF5 sandbox process (" + std::strerror(errno) +
                          "); is SIGCHLD ignored?");
  }
  if (WIFEXITED(status)) {
    switch (WEXITSTATUS(status)) {
      case kWalkOk: return Status::OK();
      case kWalkNoRoom: return resource_exhausted_error(name + ": HDF5 datasets hold more data than the file can justify");
      case kWalkIoError: return internal_error(name + ": the HDF5 sandbox could not write its snapshot");
      default:  // a sanitizer or the library itself aborted the child
        return data_loss_error(name + ": corrupted HDF5 file: the HDF5 reader failed (exit status " +
                               std::to_string(WEXITSTATUS(status)) + ") in tfport's sandbox process; refusing the file");
    }
  }
  int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  std::string how = (sig == SIGALRM || sig == SIGXCPU || sig == SIGKILL)
                        ? "did not finish within " + std::to_string(seconds) + " s"
                        : std::string("crashed (") + strsignal(sig) + ")";
  return data_loss_error(name + ": corrupted HDF5 file: the HDF5 library " + how +
                         " reading it in tfport's sandbox process; refusing the file");
}

}  // namespace

Status check_snapshot_dataset(const Snapshot& s, const internal::Hdf5Node& node, uint64_t data_end) {
  // data_end bounds the memory file's data; in-place datasets are bounded by the HDF5 file.
  const internal::Hdf5Dataset& d = node.dataset();
  if (node.kind() != static_cast<int>(ObjectKind::kDataset) || d.has_info_error() || d.has_read_error()) {
    return Status::OK();
  }
  DType type = static_cast<DType>(d.dtype());
  if (type != DType::kString && !is_fixed_size(type)) {
    return data_loss_error(s.name + ": snapshot of '" + node.path() + "' has a bad dtype");
  }
  std::vector<int64_t> dims(d.dims().begin(), d.dims().end());
  StatusOr<Shape> shape = Shape::make(dims);
  if (!shape.ok()) return shape.status().with_context(s.name + ": '" + node.path() + "'");
  if (type == DType::kString) {
    if (static_cast<int64_t>(d.strings_size()) != shape->num_elements()) {
      return data_loss_error(s.name + ": snapshot of '" + node.path() + "' has the wrong string count");
    }
    return Status::OK();
  }
  size_t elem = element_storage_size(type);
  uint64_t n = static_cast<uint64_t>(shape->num_elements());
  uint64_t start = d.in_file() ? 0 : kSnapshotHeaderBytes;
  uint64_t end = d.in_file() ? s.file_bytes_size : data_end;
  uint64_t align = d.in_file() ? elem : kSnapshotAlignment;
  if (elem == 0 || (n > 0 && n * elem / elem != n) || d.size() != n * elem || d.offset() % align != 0 ||
      d.offset() < start || d.offset() > end || d.size() > end - d.offset()) {
    return data_loss_error(s.name + ": snapshot of '" + node.path() + "' has inconsistent data bounds");
  }
  return Status::OK();
}

namespace {

// The HDF5 file's bytes for datasets the child found usable in place: the image itself, or
// a private (copy-on-write) mapping of the file, so callers may even modify the tensors.
Status attach_file_bytes(const SnapshotSource& source, Snapshot* snapshot) {
  static const char kSignature[8] = {'\x89', 'H', 'D', 'F', '\r', '\n', '\x1a', '\n'};
  if (source.image) {
    snapshot->file_keepalive = source.image;
    snapshot->file_bytes = source.image->data();
    snapshot->file_bytes_size = source.image->size();
  } else {
    Fd fd(open(source.path.c_str(), O_RDONLY | O_CLOEXEC));
    struct stat st;
    if (fd.get() < 0 || fstat(fd.get(), &st) != 0) return not_found_error(source.name + ": cannot reopen: " + std::strerror(errno));
    size_t length = static_cast<size_t>(st.st_size);
    if (static_cast<uint64_t>(st.st_size) != source.size) {
      return data_loss_error(source.name + ": the file changed while it was being read");
    }
    void* mapped = mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd.get(), 0);
    if (mapped == MAP_FAILED) return resource_exhausted_error(source.name + ": cannot map the file");
    snapshot->file_keepalive = std::shared_ptr<const void>(mapped, [length](const void* p) { munmap(const_cast<void*>(p), length); });
    snapshot->file_bytes = static_cast<const char*>(mapped);
    snapshot->file_bytes_size = length;
  }
  if (snapshot->file_bytes_size < 8 || std::memcmp(snapshot->file_bytes, kSignature, 8) != 0) {
    return data_loss_error(source.name + ": the file changed while it was being read");
  }
  return Status::OK();
}

StatusOr<std::shared_ptr<const Snapshot>> map_snapshot(const SnapshotSource& source, int fd) {
  struct stat st;
  if (fstat(fd, &st) != 0 || static_cast<uint64_t>(st.st_size) < kSnapshotHeaderBytes) {
    return internal_error(source.name + ": the HDF5 sandbox wrote no snapshot");
  }
  size_t length = static_cast<size_t>(st.st_size);
  // Private and writable: callers may modify weight tensors in place (copy on write).
  void* mapped = mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  if (mapped == MAP_FAILED) return resource_exhausted_error(source.name + ": cannot map the HDF5 snapshot");
  std::shared_ptr<const void> mapping(mapped, [length](const void* p) { munmap(const_cast<void*>(p), length); });

  auto snapshot = std::make_shared<Snapshot>();
  snapshot->name = source.name;
  snapshot->size = source.size;
  snapshot->mapping = mapping;
  snapshot->data = static_cast<const char*>(mapped);
  uint64_t proto_offset = 0, proto_size = 0;
  std::memcpy(&proto_offset, snapshot->data + 8, 8);
  std::memcpy(&proto_size, snapshot->data + 16, 8);
  if (std::memcmp(snapshot->data, kSnapshotMagic, sizeof kSnapshotMagic) != 0 || proto_offset < kSnapshotHeaderBytes ||
      proto_offset > length || proto_size > length - proto_offset || proto_size > INT32_MAX) {
    return internal_error(source.name + ": the HDF5 sandbox wrote a malformed snapshot");
  }
  if (!snapshot->proto.ParseFromArray(snapshot->data + proto_offset, static_cast<int>(proto_size))) {
    return internal_error(source.name + ": the HDF5 sandbox wrote an unreadable snapshot");
  }
  if (snapshot->proto.has_open_error()) return status_from_proto(snapshot->proto.open_error());
  if (snapshot->proto.nodes_size() == 0 || snapshot->proto.nodes(0).path() != "/") {
    return internal_error(source.name + ": the HDF5 snapshot has no root group");
  }
  for (const internal::Hdf5Node& node : snapshot->proto.nodes()) {
    if (node.dataset().in_file()) {
      TFPORT_RETURN_IF_ERROR(attach_file_bytes(source, snapshot.get()));
      break;
    }
  }
  snapshot->by_path.reserve(static_cast<size_t>(snapshot->proto.nodes_size()));
  for (int i = 0; i < snapshot->proto.nodes_size(); ++i) {
    const internal::Hdf5Node& node = snapshot->proto.nodes(i);
    TFPORT_RETURN_IF_ERROR(check_snapshot_dataset(*snapshot, node, proto_offset));
    snapshot->by_path.emplace(node.path(), i);
  }
  return std::shared_ptr<const Snapshot>(std::move(snapshot));
}

bool native_disabled() {
  const char* value = std::getenv("TFPORT_HDF5_NATIVE");
  return value && std::strcmp(value, "0") == 0;
}

}  // namespace

StatusOr<std::shared_ptr<const Snapshot>> take_snapshot(const SnapshotSource& source) {
  if (!native_disabled()) {
    LoadTrace trace("hdf5");
    StatusOr<std::shared_ptr<const Snapshot>> native = take_native_snapshot(source);
    trace.mark(native.ok() ? "native reader" : "native reader (declined)");
    if (native.ok()) return native;
    if (load_trace_enabled()) std::fprintf(stderr, "tfport load [hdf5] %s\n", native.status().message().c_str());
  }
  return take_library_snapshot(source);
}

StatusOr<std::shared_ptr<const Snapshot>> take_library_snapshot(const SnapshotSource& source) {
  LoadTrace trace("hdf5");
  Fd fd(memfd_create("tfport-hdf5-snapshot", MFD_CLOEXEC));
  if (fd.get() < 0) return resource_exhausted_error(source.name + ": cannot create a memory file: " + std::strerror(errno));
  silence_hdf5_errors();
  if (sandbox_disabled()) {
    std::lock_guard<std::recursive_mutex> lock(hdf5_lock());
    switch (write_snapshot(source, fd.get())) {
      case kWalkOk: break;
      case kWalkNoRoom: return resource_exhausted_error(source.name + ": HDF5 datasets hold more data than the file can justify");
      default: return internal_error(source.name + ": could not write the HDF5 snapshot");
    }
  } else {
    pid_t pid;
    unsigned seconds = child_seconds();
    {
      // Held across fork: no other thread is inside the HDF5 library when the child starts.
      std::lock_guard<std::recursive_mutex> lock(hdf5_lock());
      pid = fork();
      if (pid == 0) run_child(source, fd.get(), seconds);
    }
    if (pid < 0) {
      return resource_exhausted_error(source.name + ": cannot start the HDF5 sandbox process: " + std::strerror(errno));
    }
    trace.mark("fork");
    TFPORT_RETURN_IF_ERROR(wait_for_child(pid, source.name, seconds));
  }
  trace.mark("libhdf5 walk (child)");
  auto mapped = map_snapshot(source, fd.get());
  trace.mark("map + check snapshot");
  return mapped;
}

}  // namespace tfport::hdf5
