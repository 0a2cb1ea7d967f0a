// One block of TensorFlow's SSTable (LevelDB table format, tensor_bundle.md §3.1): prefix-
// compressed entries followed by the restart array. Data, metaindex and index blocks share it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tfport/status.h"

namespace tfport::bundle {

struct BlockEntry {
  std::string key;         // the full key (shared prefix restored)
  std::string_view value;  // points into the block contents given to decode_block
};

// Decodes every entry of `contents` (the block without its 5-byte trailer). Checks the restart
// array (count, bounds, increasing, first at 0), that each entry fits in the entry area, that
// `shared` never exceeds the previous key, and that entries at restart points share nothing.
// Errors are DATA_LOSS without context; the caller names the block.
StatusOr<std::vector<BlockEntry>> decode_block(std::string_view contents);

}  // namespace tfport::bundle
