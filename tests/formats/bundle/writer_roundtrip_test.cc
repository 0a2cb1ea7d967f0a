// Every checkpoint in the fixtures, read and written again by CheckpointWriter, gives TF's
// bytes: identical data files, identical index entries, and an identical .index file.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/coding.h"
#include "formats/bundle/format.h"
#include "formats/bundle/table.h"
#include "support/test_support.h"
#include "tfport/checkpoint.h"
#include "tfport/checkpoint_writer.h"

namespace tfport {
namespace {

using tfport::testing::read_all;
using tfport::testing::TempDir;

std::vector<std::string> fixture_prefixes() {
  std::vector<std::string> prefixes;
  for (const auto& e : std::filesystem::recursive_directory_iterator(tfport::testing::fixtures_dir())) {
    const std::string p = e.path().string();
    if (e.is_regular_file() && p.ends_with(".index") && p.find("/invalid/") == std::string::npos) {
      prefixes.push_back(p.substr(0, p.size() - 6));
    }
  }
  std::sort(prefixes.begin(), prefixes.end());
  return prefixes;
}

// True when any data block of the table is stored Snappy-compressed (type byte 1).
bool has_snappy_block(const std::string& table) {
  auto footer = bundle::decode_footer(table);
  if (!footer.ok()) return false;
  std::string_view index = std::string_view(table).substr(footer->index.offset, footer->index.size);
  // The index block's entries are full keys (restart interval 1); scan the handles.
  const uint32_t restarts = decode_fixed32(index.data() + index.size() - 4);
  std::string_view entries = index.substr(0, index.size() - 4 - 4 * restarts);
  while (!entries.empty()) {
    uint32_t shared, non_shared, value_len;
    get_varint32(&entries, &shared);
    get_varint32(&entries, &non_shared);
    get_varint32(&entries, &value_len);
    entries.remove_prefix(non_shared);
    std::string_view value = entries.substr(0, value_len);
    entries.remove_prefix(value_len);
    bundle::BlockHandle h;
    if (!bundle::decode_block_handle(&value, &h).ok()) return false;
    if (table[h.offset + h.size] == 1) return true;
  }
  return false;
}

TEST(CheckpointWriterRoundTrip, EveryFixtureCheckpointIsRewrittenByteForByte) {
  const auto prefixes = fixture_prefixes();
  ASSERT_GE(prefixes.size(), 15u);
  int identical_index_files = 0;
  for (const std::string& prefix : prefixes) {
    SCOPED_TRACE(prefix);
    auto reader = CheckpointReader::open(prefix);
    ASSERT_TRUE(reader.ok()) << reader.status();
    TempDir dir;
    const std::string out = dir.file("ckpt");
    const std::string original_index = read_all(prefix + ".index");
    CheckpointWriterOptions options;
    options.snappy_index = has_snappy_block(original_index);
    Status s = rewrite_checkpoint(*reader, out, options);
    ASSERT_TRUE(s.ok()) << s;

    for (int i = 0; i < reader->num_shards(); ++i) {
      const std::string a = read_all(checkpoint_data_path(prefix, i, reader->num_shards()));
      const std::string b = read_all(checkpoint_data_path(out, i, reader->num_shards()));
      EXPECT_TRUE(a == b) << "data shard " << i << " differs (" << a.size() << " vs " << b.size() << " bytes)";
    }
    const std::string written_index = read_all(out + ".index");
    auto want = bundle::read_table(original_index);
    auto got = bundle::read_table(written_index);
    ASSERT_TRUE(want.ok() && got.ok());
    ASSERT_EQ(want->size(), got->size());
    for (size_t i = 0; i < want->size(); ++i) {
      EXPECT_EQ((*want)[i].key, (*got)[i].key);
      EXPECT_TRUE((*want)[i].value == (*got)[i].value) << "entry '" << (*want)[i].key << "'";
    }
    EXPECT_TRUE(original_index == written_index) << ".index differs";
    if (original_index == written_index) ++identical_index_files;
    // The copy reads back like the original.
    auto again = CheckpointReader::open(out);
    ASSERT_TRUE(again.ok()) << again.status();
    EXPECT_EQ(again->variables().size(), reader->variables().size());
    // No temporary files are left behind.
    int files = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
      EXPECT_EQ(e.path().string().find(".tempstate"), std::string::npos) << e.path();
      ++files;
    }
    EXPECT_EQ(files, reader->num_shards() + 1);
  }
  EXPECT_EQ(identical_index_files, static_cast<int>(prefixes.size()));
}

}  // namespace
}  // namespace tfport

namespace tfport {
namespace {

TEST(CheckpointWriterRoundTrip, PartitionedAndShardedCheckpointsRewriteIdentically) {
  TempDir dir;
  CheckpointWriterOptions options;
  options.num_shards = 2;
  auto w = CheckpointWriter::create(dir.file("a"), options);
  ASSERT_TRUE(w.ok());
  auto floats = [](Shape s, std::vector<float> v) { return Tensor::from_vector<float>(DType::kFloat, std::move(s), v); };
  ASSERT_TRUE(w->add("z_first_in_data", floats(Shape{2}, {1, 2}), 1).ok());
  ASSERT_TRUE(w->add_slice("part", Shape{3, 2}, {2, 0}, {1, -1}, floats(Shape{1, 2}, {5, 6}), 0).ok());
  ASSERT_TRUE(w->add_slice("part", Shape{3, 2}, {0, 0}, {2, -1}, floats(Shape{2, 2}, {1, 2, 3, 4}), 1).ok());
  ASSERT_TRUE(w->add("a_last_in_data", *Tensor::from_strings(Shape{2}, {"x", ""}), 0).ok());
  ASSERT_TRUE(w->finish().ok());
  auto r = CheckpointReader::open(dir.file("a"));
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE(rewrite_checkpoint(*r, dir.file("b")).ok());
  for (const std::string suffix : {".index", ".data-00000-of-00002", ".data-00001-of-00002"}) {
    EXPECT_TRUE(read_all(dir.file("a" + suffix)) == read_all(dir.file("b" + suffix))) << suffix;
  }
  auto part = CheckpointReader::open(dir.file("b"))->read("part");
  ASSERT_TRUE(part.ok()) << part.status();
  EXPECT_TRUE(part->equals(floats(Shape{3, 2}, {1, 2, 3, 4, 5, 6})));
}

}  // namespace
}  // namespace tfport
