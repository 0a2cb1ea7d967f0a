#include "formats/bundle/format.h"

#include <snappy.h>

#include <utility>

#include "core/coding.h"
#include "core/crc32c.h"

namespace tfport::bundle {
namespace {

std::string at(std::string_view what, const BlockHandle& h) {
  return std::string(what) + " at offset " + std::to_string(h.offset) + " (" + std::to_string(h.size) +
         " bytes)";
}

// Snappy's densest element (a 3-byte copy of 64 bytes) expands ~21x; 32x leaves margin while
// still keeping a forged length header from allocating more than the input justifies.
constexpr uint64_t kMaxSnappyExpansion = 32;

Status inflate_snappy(std::string_view stored, const std::string& where, std::string* out) {
  std::size_t raw_size = 0;
  if (!snappy::GetUncompressedLength(stored.data(), stored.size(), &raw_size)) {
    return data_loss_error(where + ": corrupted compressed block contents (bad Snappy length)");
  }
  const uint64_t bound = kMaxSnappyExpansion * stored.size() + 64;
  if (raw_size > bound || raw_size > kMaxBlockBytes) {
    return data_loss_error(where + ": Snappy block claims " + std::to_string(raw_size) +
                           " uncompressed bytes, more than its " + std::to_string(stored.size()) +
                           " compressed bytes can hold");
  }
  out->resize(raw_size);
  if (!snappy::RawUncompress(stored.data(), stored.size(), out->data())) {
    return data_loss_error(where + ": corrupted compressed block contents");
  }
  return Status::OK();
}

}  // namespace

Status decode_block_handle(std::string_view* input, BlockHandle* handle) {
  if (!get_varint64(input, &handle->offset) || !get_varint64(input, &handle->size)) {
    return data_loss_error("bad block handle");
  }
  return Status::OK();
}

StatusOr<Footer> decode_footer(std::string_view table) {
  if (table.size() < kFooterSize) {
    return data_loss_error("file is too short (" + std::to_string(table.size()) +
                           " bytes) to be an SSTable; the footer alone takes 48");
  }
  std::string_view footer = table.substr(table.size() - kFooterSize);
  // Low word first, then high word: the same bytes as a little-endian fixed64.
  const uint64_t magic = decode_fixed64(footer.data() + kFooterSize - 8);
  if (magic != kTableMagic) return data_loss_error("footer: not an sstable (bad magic number)");
  Footer f;
  std::string_view handles = footer.substr(0, kFooterSize - 8);
  Status s = decode_block_handle(&handles, &f.metaindex);
  if (s.ok()) s = decode_block_handle(&handles, &f.index);
  if (!s.ok()) return s.with_context("footer");
  return f;
}

StatusOr<BlockContents> read_block(std::string_view table, const BlockHandle& handle, std::string_view what) {
  // Blocks live before the footer; compare without adding so huge values cannot wrap.
  const uint64_t limit = table.size() >= kFooterSize ? table.size() - kFooterSize : 0;
  if (handle.offset > limit || handle.size > limit - handle.offset ||
      kBlockTrailerSize > limit - handle.offset - handle.size) {
    return data_loss_error(at(what, handle) + ": truncated block read (table holds " +
                           std::to_string(table.size()) + " bytes)");
  }
  const auto off = static_cast<std::size_t>(handle.offset);
  const auto len = static_cast<std::size_t>(handle.size);
  std::string_view stored = table.substr(off, len);
  const char* trailer = table.data() + off + len;
  const uint32_t expected = crc32c::unmask(decode_fixed32(trailer + 1));
  const uint32_t actual = crc32c::extend(crc32c::value(stored.data(), stored.size()), trailer, 1);
  if (actual != expected) return data_loss_error(at(what, handle) + ": block checksum mismatch");
  BlockContents contents;
  switch (static_cast<unsigned char>(trailer[0])) {
    case kNoCompression:
      contents.stored = stored;
      return contents;
    case kSnappyCompression: {
      TFPORT_RETURN_IF_ERROR(inflate_snappy(stored, at(what, handle), &contents.owned));
      contents.inflated = true;
      return contents;
    }
    default:
      return data_loss_error(at(what, handle) + ": bad block type " +
                             std::to_string(static_cast<unsigned char>(trailer[0])));
  }
}

}  // namespace tfport::bundle
