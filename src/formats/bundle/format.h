// The SSTable's fixed structures (tensor_bundle.md §3.2-3.5): block handles, the 48-byte footer
// and the 5-byte block trailer (compression type + masked CRC32C), and reading one block out of
// the table bytes with its checksum verified and Snappy compression undone.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "tfport/status.h"

namespace tfport::bundle {

struct BlockHandle {
  uint64_t offset = 0;
  uint64_t size = 0;  // contents only, without the trailer
};

constexpr std::size_t kBlockTrailerSize = 5;
constexpr std::size_t kFooterSize = 48;
constexpr uint64_t kTableMagic = 0xdb4775248b80fb57ull;

enum BlockType : unsigned char { kNoCompression = 0, kSnappyCompression = 1 };

// Consumes two varint64s from *input.
Status decode_block_handle(std::string_view* input, BlockHandle* handle);

struct Footer {
  BlockHandle metaindex;
  BlockHandle index;
};

// Decodes the last kFooterSize bytes of `table`: checks the size and the magic number.
StatusOr<Footer> decode_footer(std::string_view table);

// A block's contents; owned when decompressed, else a view into the table bytes.
// (data() is computed on each call: a moved std::string may move its bytes, so no view into
// `owned` is ever stored.)
struct BlockContents {
  std::string_view stored;  // view into the table when the block was not compressed
  std::string owned;        // the inflated bytes when it was
  bool inflated = false;
  std::string_view data() const { return inflated ? std::string_view(owned) : stored; }
};

// Reads the block at `handle` from `table`: checks the handle lies inside the table (before
// the footer), verifies the trailer CRC, and inflates Snappy blocks (bounded by
// kMaxBlockBytes and by what the compressed size can expand to).
// `what` names the block in messages ("index block").
StatusOr<BlockContents> read_block(std::string_view table, const BlockHandle& handle, std::string_view what);

// Blocks are written at ~256 KiB; anything near this is corrupt (or hostile).
constexpr uint64_t kMaxBlockBytes = uint64_t{1} << 30;

}  // namespace tfport::bundle
