// A small tensor-bundle writer for tests and benchmarks only (the real writer is a later
// issue): builds SSTables the way TF's TableBuilder does (tensor_bundle.md §3.6) and bundles
// with hand-picked entries, so tests can make inputs TF never wrote (slices, big-endian data,
// many blocks, Snappy blocks, bad entries).
#pragma once

#include <snappy.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "core/coding.h"
#include "core/crc32c.h"
#include "formats/bundle/slices.h"
#include "tfport/tf/tensor_bundle.pb.h"

namespace tfport::testing {

class TestTableBuilder {
 public:
  explicit TestTableBuilder(size_t block_size = 262144, int restart_interval = 16, bool snappy = false)
      : block_size_(block_size), restart_interval_(restart_interval), snappy_(snappy) {}

  // Keys must arrive in strictly increasing bytewise order.
  void add(const std::string& key, const std::string& value) {
    if (pending_index_) {
      add_index_entry(separator(last_key_, key));
      pending_index_ = false;
    }
    append_entry(&block_, &block_restarts_, &block_count_, restart_interval_, block_last_, key, value);
    block_last_ = key;
    last_key_ = key;
    if (block_.size() + 4 * block_restarts_.size() + 4 >= block_size_) flush();
  }

  std::string finish() {
    flush();
    BlockHandle metaindex = write_block(finish_block(std::string(), {0}), /*allow_snappy=*/false);
    if (pending_index_) add_index_entry(short_successor(last_key_));
    BlockHandle index = write_block(finish_block(index_block_, index_restarts_.empty() ? std::vector<uint32_t>{0}
                                                                                        : index_restarts_),
                                    false);
    std::string footer;
    put_varint64(&footer, metaindex.offset);
    put_varint64(&footer, metaindex.size);
    put_varint64(&footer, index.offset);
    put_varint64(&footer, index.size);
    footer.resize(40, '\0');
    put_fixed64(&footer, 0xdb4775248b80fb57ull);
    file_ += footer;
    return file_;
  }

 private:
  struct BlockHandle {
    uint64_t offset, size;
  };

  static void append_entry(std::string* block, std::vector<uint32_t>* restarts, int* count, int interval,
                           const std::string& prev, const std::string& key, const std::string& value) {
    size_t shared = 0;
    if (*count % interval == 0) {
      restarts->push_back(static_cast<uint32_t>(block->size()));
    } else {
      while (shared < prev.size() && shared < key.size() && prev[shared] == key[shared]) ++shared;
    }
    put_varint32(block, static_cast<uint32_t>(shared));
    put_varint32(block, static_cast<uint32_t>(key.size() - shared));
    put_varint32(block, static_cast<uint32_t>(value.size()));
    block->append(key, shared, std::string::npos);
    block->append(value);
    ++*count;
  }

  static std::string finish_block(std::string block, const std::vector<uint32_t>& restarts) {
    for (uint32_t r : restarts) put_fixed32(&block, r);
    put_fixed32(&block, static_cast<uint32_t>(restarts.size()));
    return block;
  }

  BlockHandle write_block(const std::string& raw, bool allow_snappy) {
    std::string stored = raw;
    char type = 0;
    if (snappy_ && allow_snappy) {
      std::string compressed;
      snappy::Compress(raw.data(), raw.size(), &compressed);
      if (compressed.size() < raw.size() - raw.size() / 8) {
        stored = compressed;
        type = 1;
      }
    }
    BlockHandle h{file_.size(), stored.size()};
    file_ += stored;
    uint32_t crc = crc32c::extend(crc32c::value(stored.data(), stored.size()), &type, 1);
    file_.push_back(type);
    put_fixed32(&file_, crc32c::mask(crc));
    return h;
  }

  void flush() {
    if (block_count_ == 0) return;
    pending_handle_ = write_block(finish_block(block_, block_restarts_), true);
    pending_index_ = true;
    block_.clear();
    block_restarts_.clear();
    block_count_ = 0;
    block_last_.clear();
  }

  void add_index_entry(const std::string& key) {
    std::string handle;
    put_varint64(&handle, pending_handle_.offset);
    put_varint64(&handle, pending_handle_.size);
    append_entry(&index_block_, &index_restarts_, &index_count_, 1, index_last_, key, handle);
    index_last_ = key;
  }

  static std::string separator(const std::string& a, const std::string& b) {
    size_t i = 0;
    while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
    if (i < a.size() && i < b.size()) {
      auto ai = static_cast<unsigned char>(a[i]);
      if (ai < 0xff && ai + 1 < static_cast<unsigned char>(b[i])) {
        std::string s = a.substr(0, i + 1);
        s[i] = static_cast<char>(ai + 1);
        return s;
      }
    }
    return a;
  }

  static std::string short_successor(const std::string& k) {
    for (size_t i = 0; i < k.size(); ++i) {
      if (static_cast<unsigned char>(k[i]) != 0xff) {
        std::string s = k.substr(0, i + 1);
        s[i] = static_cast<char>(static_cast<unsigned char>(k[i]) + 1);
        return s;
      }
    }
    return k;
  }

  size_t block_size_;
  int restart_interval_;
  bool snappy_;
  std::string file_;
  std::string block_, block_last_, last_key_;
  std::vector<uint32_t> block_restarts_;
  int block_count_ = 0;
  std::string index_block_, index_last_;
  std::vector<uint32_t> index_restarts_;
  int index_count_ = 0;
  bool pending_index_ = false;
  BlockHandle pending_handle_{0, 0};
};

// Builds a bundle in memory and writes it under a prefix.
class TestBundleWriter {
 public:
  explicit TestBundleWriter(int num_shards = 1) : shards_(static_cast<size_t>(num_shards)) {
    header_.set_num_shards(num_shards);
    header_.mutable_version()->set_producer(1);
  }

  tensorflow::BundleHeaderProto& header() { return header_; }

  // Adds a tensor with the given element bytes (already in the file's byte order) to `shard`.
  tensorflow::BundleEntryProto& add_raw(const std::string& key, int dtype, const std::vector<int64_t>& dims,
                                        const std::string& bytes, int shard = 0) {
    tensorflow::BundleEntryProto& e = entries_[key];
    e.set_dtype(static_cast<tensorflow::DataType>(dtype));
    for (int64_t d : dims) e.mutable_shape()->add_dim()->set_size(d);
    e.set_shard_id(shard);
    e.set_offset(static_cast<int64_t>(shards_[static_cast<size_t>(shard)].size()));
    e.set_size(static_cast<int64_t>(bytes.size()));
    e.set_crc32c(crc32c::mask(crc32c::value(bytes.data(), bytes.size())));
    shards_[static_cast<size_t>(shard)] += bytes;
    return e;
  }

  template <typename T>
  tensorflow::BundleEntryProto& add(const std::string& key, int dtype, const std::vector<int64_t>& dims,
                                    const std::vector<T>& values, int shard = 0) {
    std::string bytes(values.size() * sizeof(T), '\0');
    if (!values.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
    return add_raw(key, dtype, dims, bytes, shard);
  }

  tensorflow::BundleEntryProto& add_strings(const std::string& key, const std::vector<int64_t>& dims,
                                            const std::vector<std::string>& values, int shard = 0) {
    std::string bytes;
    uint32_t c1 = 0;
    for (const std::string& v : values) {
      put_varint64(&bytes, v.size());
      std::string le;
      put_fixed32(&le, static_cast<uint32_t>(v.size()));
      c1 = crc32c::extend(c1, le.data(), le.size());
    }
    std::string masked;
    put_fixed32(&masked, crc32c::mask(c1));
    bytes += masked;
    uint32_t c2 = crc32c::extend(c1, masked.data(), 4);
    for (const std::string& v : values) {
      bytes += v;
      c2 = crc32c::extend(c2, v.data(), v.size());
    }
    tensorflow::BundleEntryProto& e = add_raw(key, 7, dims, bytes, shard);
    e.set_crc32c(crc32c::mask(c2));
    return e;
  }

  // A partitioned float tensor: the full entry plus one slice entry per (slice, values).
  void add_partitioned(const std::string& key, const std::vector<int64_t>& dims,
                       const std::vector<std::pair<bundle::TensorSlice, std::vector<float>>>& parts) {
    tensorflow::BundleEntryProto full;
    full.set_dtype(tensorflow::DT_FLOAT);
    for (int64_t d : dims) full.mutable_shape()->add_dim()->set_size(d);
    const Shape shape{std::vector<int64_t>(dims)};
    for (const auto& [slice, values] : parts) {
      auto* sp = full.add_slices();
      for (const bundle::SliceExtent& ext : slice) {
        auto* x = sp->add_extent();
        if (ext.length >= 0) {
          x->set_start(ext.start);
          x->set_length(ext.length);
        }
      }
      add(bundle::encode_tensor_name_slice(key, slice), 1, bundle::slice_shape(slice, shape).dims(), values);
    }
    entries_[key] = full;
  }

  std::string index_bytes(size_t block_size = 262144, bool snappy = false) const {
    TestTableBuilder table(block_size, 16, snappy);
    table.add("", header_.SerializeAsString());
    for (const auto& [key, entry] : entries_) table.add(key, entry.SerializeAsString());
    return table.finish();
  }

  const std::string& shard(int i) const { return shards_[static_cast<size_t>(i)]; }

  // Writes <prefix>.index and every <prefix>.data-*; returns the prefix.
  std::string write(const std::string& prefix, size_t block_size = 262144, bool snappy = false) const {
    auto put = [](const std::string& path, const std::string& bytes) {
      std::ofstream out(path, std::ios::binary | std::ios::trunc);
      out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    };
    const int n = static_cast<int>(shards_.size());
    for (int i = 0; i < n; ++i) {
      char suffix[64];
      std::snprintf(suffix, sizeof(suffix), ".data-%05d-of-%05d", i, n);
      put(prefix + suffix, shards_[static_cast<size_t>(i)]);
    }
    put(prefix + ".index", index_bytes(block_size, snappy));
    return prefix;
  }

 private:
  tensorflow::BundleHeaderProto header_;
  std::map<std::string, tensorflow::BundleEntryProto> entries_;  // std::map: bytewise key order
  std::vector<std::string> shards_;
};

}  // namespace tfport::testing
