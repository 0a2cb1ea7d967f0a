#include "formats/bundle/table.h"

#include "core/coding.h"
#include "formats/bundle/printable_key.h"
#include "formats/bundle/block.h"
#include "formats/bundle/format.h"

namespace tfport::bundle {
namespace {

std::string block_name(const char* kind, const BlockHandle& h) {
  return std::string(kind) + " at offset " + std::to_string(h.offset) + " (" + std::to_string(h.size) +
         " bytes)";
}

// Appends the entries of one data block, checking order against the previous entries and
// against the block's index key.
Status append_data_block(std::string_view table, const BlockHandle& handle, const std::string& index_key,
                         std::vector<TableEntry>* out) {
  TFPORT_ASSIGN_OR_RETURN(BlockContents contents, read_block(table, handle, "data block"));
  auto decoded = decode_block(contents.data());
  if (!decoded.ok()) return decoded.status().with_context(block_name("data block", handle));
  for (BlockEntry& e : *decoded) {
    if (!out->empty() && e.key <= out->back().key) {
      return data_loss_error(block_name("data block", handle) + ": keys out of order ('" + printable_key(out->back().key) +
                             "' then '" + printable_key(e.key) + "')");
    }
    if (e.key > index_key) {
      return data_loss_error(block_name("data block", handle) + ": key '" + printable_key(e.key) +
                             "' is beyond the block's index key '" + printable_key(index_key) + "'");
    }
    out->push_back(TableEntry{std::move(e.key), std::string(e.value)});
  }
  return Status::OK();
}

}  // namespace

bool has_table_magic(std::string_view table) {
  return table.size() >= kFooterSize && decode_fixed64(table.data() + table.size() - 8) == kTableMagic;
}

StatusOr<std::vector<TableEntry>> read_table(std::string_view table) {
  TFPORT_ASSIGN_OR_RETURN(Footer footer, decode_footer(table));
  TFPORT_ASSIGN_OR_RETURN(BlockContents index_contents, read_block(table, footer.index, "index block"));
  auto index = decode_block(index_contents.data());
  if (!index.ok()) return index.status().with_context(block_name("index block", footer.index));
  std::vector<TableEntry> entries;
  for (const BlockEntry& ie : *index) {
    std::string_view value = ie.value;
    BlockHandle handle;
    Status s = decode_block_handle(&value, &handle);
    if (!s.ok()) return s.with_context(block_name("index block", footer.index) + ": entry '" + printable_key(ie.key) + "'");
    TFPORT_RETURN_IF_ERROR(append_data_block(table, handle, ie.key, &entries));
  }
  return entries;
}

}  // namespace tfport::bundle
