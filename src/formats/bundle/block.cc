#include "formats/bundle/block.h"

#include "core/coding.h"

namespace tfport::bundle {
namespace {

struct RestartArray {
  std::vector<uint32_t> offsets;
  std::size_t entries_end = 0;  // where the entries stop and the restart array begins
};

StatusOr<RestartArray> decode_restarts(std::string_view contents) {
  if (contents.size() < 4) {
    return data_loss_error("block of " + std::to_string(contents.size()) +
                           " bytes is too short for its restart count");
  }
  const uint32_t count = decode_fixed32(contents.data() + contents.size() - 4);
  // Each restart takes 4 bytes; compare in 64 bits so a huge count cannot wrap.
  const uint64_t array_bytes = 4 + uint64_t{4} * count;
  if (count == 0 || array_bytes > contents.size()) {
    return data_loss_error("bad restart count " + std::to_string(count) + " in a block of " +
                           std::to_string(contents.size()) + " bytes");
  }
  RestartArray r;
  r.entries_end = contents.size() - static_cast<std::size_t>(array_bytes);
  r.offsets.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    const uint32_t off = decode_fixed32(contents.data() + r.entries_end + 4 * std::size_t{i});
    const bool first_ok = i > 0 || off == 0;
    const bool ordered = i == 0 || off > r.offsets.back();
    // An empty block still has restart[0] = 0, pointing at the (empty) entry area's end.
    const bool in_bounds = off < r.entries_end || (off == 0 && r.entries_end == 0);
    if (!first_ok || !ordered || !in_bounds) {
      return data_loss_error("bad restart point " + std::to_string(i) + " (offset " + std::to_string(off) +
                             ") in a block whose entries end at " + std::to_string(r.entries_end));
    }
    r.offsets.push_back(off);
  }
  return r;
}

}  // namespace

StatusOr<std::vector<BlockEntry>> decode_block(std::string_view contents) {
  TFPORT_ASSIGN_OR_RETURN(RestartArray restarts, decode_restarts(contents));
  const std::string_view area = contents.substr(0, restarts.entries_end);
  std::vector<BlockEntry> entries;
  std::size_t next_restart = 0;
  std::string_view in = area;
  std::string key;
  while (!in.empty()) {
    const std::size_t offset = area.size() - in.size();
    uint32_t shared = 0, non_shared = 0, value_len = 0;
    if (!get_varint32(&in, &shared) || !get_varint32(&in, &non_shared) || !get_varint32(&in, &value_len)) {
      return data_loss_error("truncated entry header at block offset " + std::to_string(offset));
    }
    if (shared > key.size()) {
      return data_loss_error("entry at block offset " + std::to_string(offset) + " shares " +
                             std::to_string(shared) + " key bytes but the previous key has " +
                             std::to_string(key.size()));
    }
    if (uint64_t{non_shared} + value_len > in.size()) {
      return data_loss_error("entry at block offset " + std::to_string(offset) +
                             " runs past the end of the block's entries");
    }
    const bool at_restart = next_restart < restarts.offsets.size() && restarts.offsets[next_restart] == offset;
    if (at_restart) {
      if (shared != 0) {
        return data_loss_error("entry at restart point offset " + std::to_string(offset) +
                               " shares key bytes with its predecessor");
      }
      ++next_restart;
    } else if (next_restart < restarts.offsets.size() && restarts.offsets[next_restart] < offset) {
      return data_loss_error("restart point " + std::to_string(restarts.offsets[next_restart]) +
                             " is not at an entry boundary");
    }
    key.resize(shared);
    key.append(in.data(), non_shared);
    in.remove_prefix(non_shared);
    entries.push_back(BlockEntry{key, in.substr(0, value_len)});
    in.remove_prefix(value_len);
  }
  if (next_restart != restarts.offsets.size() && !(entries.empty() && restarts.offsets.size() == 1)) {
    return data_loss_error("restart point " + std::to_string(restarts.offsets[next_restart]) +
                           " is not at an entry boundary");
  }
  return entries;
}

}  // namespace tfport::bundle
