// Small filesystem helpers with errors as values. Every write goes to a temporary file in the
// destination's directory and is renamed into place, so a failed write never leaves a
// half-written file or destroys what was there.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "tfport/status.h"

namespace tfport {

// Reads a whole file, refusing files larger than `max_bytes`.
StatusOr<std::string> read_file(const std::string& path, uint64_t max_bytes = uint64_t{1} << 31);

// Size in bytes, or NOT_FOUND.
StatusOr<uint64_t> file_size(const std::string& path);

bool path_exists(const std::string& path);
bool is_directory(const std::string& path);
bool is_regular_file(const std::string& path);

// Joins with a single '/'.
std::string join_path(std::string_view a, std::string_view b);
// "a/b/c.txt" -> "c.txt"; "a/b/" -> "b".
std::string base_name(std::string_view path);
// "a/b/c.txt" -> "a/b"; "c.txt" -> ".".
std::string dir_name(std::string_view path);

// Atomically replaces `path` with `contents` (temp file + fsync + rename).
Status write_file_atomic(const std::string& path, std::string_view contents);

// Creates `path` and missing parents.
Status make_directories(const std::string& path);

}  // namespace tfport
