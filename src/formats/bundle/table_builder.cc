#include "formats/bundle/table_builder.h"

#include <snappy.h>

#include "core/coding.h"
#include "core/crc32c.h"
#include "formats/bundle/format.h"
#include "formats/bundle/printable_key.h"

namespace tfport::bundle {

std::string shortest_separator(const std::string& a, std::string_view b) {
  std::size_t i = 0;
  const std::size_t n = std::min(a.size(), b.size());
  while (i < n && a[i] == b[i]) ++i;
  if (i >= n) return a;  // one is a prefix of the other
  const auto byte = static_cast<unsigned char>(a[i]);
  if (byte < 0xff && byte + 1 < static_cast<unsigned char>(b[i])) {
    std::string s = a.substr(0, i + 1);
    s[i] = static_cast<char>(byte + 1);
    return s;
  }
  return a;
}

std::string short_successor(const std::string& a) {
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto byte = static_cast<unsigned char>(a[i]);
    if (byte != 0xff) {
      std::string s = a.substr(0, i + 1);
      s[i] = static_cast<char>(byte + 1);
      return s;
    }
  }
  return a;
}

void TableBuilder::block_add(BlockBuffer& b, int restart_interval, std::string_view key, std::string_view value) {
  std::size_t shared = 0;
  if (b.since_restart >= restart_interval || b.entries == 0) {
    b.restarts.push_back(static_cast<uint32_t>(b.bytes.size()));
    b.since_restart = 0;
  } else {
    const std::size_t n = std::min(b.last_key.size(), key.size());
    while (shared < n && b.last_key[shared] == key[shared]) ++shared;
  }
  put_varint32(&b.bytes, static_cast<uint32_t>(shared));
  put_varint32(&b.bytes, static_cast<uint32_t>(key.size() - shared));
  put_varint32(&b.bytes, static_cast<uint32_t>(value.size()));
  b.bytes.append(key.substr(shared));
  b.bytes.append(value);
  b.last_key.assign(key);
  ++b.since_restart;
  ++b.entries;
}

std::string TableBuilder::block_finish(BlockBuffer& b) {
  std::string contents = std::move(b.bytes);
  // An empty block still has its one restart point at 0 (the metaindex block is always so).
  if (b.restarts.empty()) b.restarts.push_back(0);
  for (uint32_t r : b.restarts) put_fixed32(&contents, r);
  put_fixed32(&contents, static_cast<uint32_t>(b.restarts.size()));
  b = BlockBuffer();
  return contents;
}

std::size_t TableBuilder::block_estimate(const BlockBuffer& b) {
  return b.bytes.size() + 4 * std::max<std::size_t>(b.restarts.size(), 1) + 4;
}

TableBuilder::Handle TableBuilder::write_block(const std::string& contents, bool may_compress) {
  std::string compressed;
  std::string_view stored = contents;
  char type = kNoCompression;
  if (may_compress && options_.snappy) {
    snappy::Compress(contents.data(), contents.size(), &compressed);
    // LevelDB keeps the compressed form only when it saves at least an eighth.
    if (compressed.size() < contents.size() - contents.size() / 8) {
      stored = compressed;
      type = kSnappyCompression;
    }
  }
  Handle h{out_.size(), stored.size()};
  out_.append(stored);
  const uint32_t crc = crc32c::extend(crc32c::value(stored.data(), stored.size()), &type, 1);
  out_.push_back(type);
  put_fixed32(&out_, crc32c::mask(crc));
  return h;
}

void TableBuilder::flush_data_block() {
  if (data_.entries == 0) return;
  pending_handle_ = write_block(block_finish(data_), /*may_compress=*/true);
  pending_index_ = true;
}

void TableBuilder::add_index_entry(const std::string& key) {
  std::string handle;
  put_varint64(&handle, pending_handle_.offset);
  put_varint64(&handle, pending_handle_.size);
  block_add(index_, 1, key, handle);
  pending_index_ = false;
}

Status TableBuilder::add(std::string_view key, std::string_view value) {
  if (has_entries_ && key <= std::string_view(last_key_)) {
    return invalid_argument_error("table keys must be added in increasing order: '" + printable_key(std::string(key)) +
                                  "' after '" + printable_key(last_key_) + "'");
  }
  // TF starts a fresh block before an entry that alone would overfill one.
  if (data_.entries > 0 && key.size() + value.size() >= 2 * options_.block_size) flush_data_block();
  if (pending_index_) add_index_entry(shortest_separator(last_key_, key));
  block_add(data_, options_.restart_interval, key, value);
  last_key_.assign(key);
  has_entries_ = true;
  if (block_estimate(data_) >= options_.block_size) flush_data_block();
  return Status::OK();
}

std::string TableBuilder::finish() {
  flush_data_block();
  BlockBuffer metaindex;
  const Handle meta_handle = write_block(block_finish(metaindex), false);
  if (pending_index_) add_index_entry(short_successor(last_key_));
  const Handle index_handle = write_block(block_finish(index_), false);
  std::string footer;
  put_varint64(&footer, meta_handle.offset);
  put_varint64(&footer, meta_handle.size);
  put_varint64(&footer, index_handle.offset);
  put_varint64(&footer, index_handle.size);
  footer.resize(kFooterSize - 8, '\0');
  put_fixed32(&footer, static_cast<uint32_t>(kTableMagic & 0xffffffffu));
  put_fixed32(&footer, static_cast<uint32_t>(kTableMagic >> 32));
  out_.append(footer);
  return std::move(out_);
}

}  // namespace tfport::bundle
