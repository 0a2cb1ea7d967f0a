// What CheckpointReader::open builds and read() uses: the validated index and the mapped shards.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/mapped_file.h"
#include "formats/bundle/bundle_entry.h"
#include "tfport/checkpoint.h"

namespace tfport {

struct CheckpointReader::State {
  std::string prefix;
  int num_shards = 0;
  bool big_endian = false;
  std::vector<std::shared_ptr<const MappedFile>> shards;
  // Listed variables, sorted by name (slice entries of partitioned variables are left out).
  std::vector<CheckpointVariable> variables;
  // Every key of the index except the header, slice entries included.
  std::unordered_map<std::string, bundle::BundleEntry> entries;
};

}  // namespace tfport
