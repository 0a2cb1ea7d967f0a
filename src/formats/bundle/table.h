// Reads a whole TensorFlow SSTable (the .index file of a V2 checkpoint, or a V1 checkpoint
// file) into memory: footer → index block → every data block, each checksum-verified and
// inflated. Index tables hold metadata only (a few hundred bytes per tensor), so reading them
// whole keeps lookups simple.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "tfport/status.h"

namespace tfport::bundle {

struct TableEntry {
  std::string key;
  std::string value;
};

// Every entry in key order. Errors are DATA_LOSS naming the part ("footer", "data block at
// offset N (S bytes)", "index block ..."); the caller adds the file name. Keys must be strictly
// increasing across the table and no larger than their data block's index key.
StatusOr<std::vector<TableEntry>> read_table(std::string_view table);

// True when `table` ends with the SSTable magic number (a cheap format sniff).
bool has_table_magic(std::string_view table);

}  // namespace tfport::bundle
