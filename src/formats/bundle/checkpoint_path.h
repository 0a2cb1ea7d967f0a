// What the user passed → the checkpoint prefix to open: a prefix, its .index or a data shard,
// or a directory (its `checkpoint` state file, else its only .index). Recognises V1 checkpoints.
#pragma once

#include <string>

#include "tfport/status.h"

namespace tfport::bundle {

// The prefix P such that P.index exists. UNIMPLEMENTED for a V1 checkpoint (an SSTable at the
// prefix itself and no .index); NOT_FOUND when nothing checkpoint-like is there.
StatusOr<std::string> resolve_checkpoint_prefix(const std::string& path);

// "<prefix>.data-00001-of-00002".
std::string data_shard_path(const std::string& prefix, int shard, int num_shards);

}  // namespace tfport::bundle
