// Writes TensorFlow's SSTable (the .index of a V2 checkpoint) the way TF's TableBuilder does
// with BundleWriter's options (tensor_bundle.md §3.6), so that for the same entries the bytes
// are TF's: 256 KiB data blocks with restart interval 16, an index block with interval 1, the
// empty metaindex block and the 48-byte footer. Snappy data blocks are optional: some TF builds
// wrote them (the TF Serving half_plus_two models), current TF does not.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tfport/status.h"

namespace tfport::bundle {

struct TableOptions {
  std::size_t block_size = 262144;
  int restart_interval = 16;
  bool snappy = false;
};

class TableBuilder {
 public:
  explicit TableBuilder(TableOptions options = {}) : options_(options) {}

  // Keys must be strictly increasing (bytewise); a key out of order is INVALID_ARGUMENT.
  Status add(std::string_view key, std::string_view value);
  // The whole table. The builder must not be used afterwards.
  std::string finish();

 private:
  struct Handle {
    uint64_t offset = 0;
    uint64_t size = 0;
  };
  // One block being filled: prefix-compressed entries plus the restart offsets.
  struct BlockBuffer {
    std::string bytes;
    std::vector<uint32_t> restarts;
    std::string last_key;
    int since_restart = 0;
    int entries = 0;
  };

  static void block_add(BlockBuffer& b, int restart_interval, std::string_view key, std::string_view value);
  static std::string block_finish(BlockBuffer& b);
  static std::size_t block_estimate(const BlockBuffer& b);
  Handle write_block(const std::string& contents, bool may_compress);
  void flush_data_block();
  void add_index_entry(const std::string& key);

  TableOptions options_;
  std::string out_;
  BlockBuffer data_;
  BlockBuffer index_;
  std::string last_key_;
  bool has_entries_ = false;
  bool pending_index_ = false;
  Handle pending_handle_;
};

// The shortest key >= `a` and < `b` that TF's bytewise comparator picks as a block separator.
std::string shortest_separator(const std::string& a, std::string_view b);
// The shortest key >= `a` (TF's FindShortSuccessor).
std::string short_successor(const std::string& a);

}  // namespace tfport::bundle
