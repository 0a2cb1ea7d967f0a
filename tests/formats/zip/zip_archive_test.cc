#include "formats/zip/zip_archive.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstring>
#include <filesystem>
#include <memory>
#include <string>

#include "support/test_support.h"

namespace tfport {
namespace {

using ::tfport::testing::copy_to;
using ::tfport::testing::fixture;
using ::tfport::testing::flip_bit;
using ::tfport::testing::read_all;
using ::tfport::testing::TempDir;
using ::tfport::testing::truncate_file;
using ::tfport::testing::write_all;

const char kKerasFixture[] = "realworld/fashion-cnn-keras3/model/model.keras";

std::string binary_blob(size_t n) {
  std::string s(n, '\0');
  uint32_t x = 12345;
  for (size_t i = 0; i < n; ++i) {
    x = x * 1103515245u + 12345u;
    s[i] = static_cast<char>(x >> 24);
  }
  return s;
}

void put_u32(std::string* bytes, size_t offset, uint32_t value) {
  for (int i = 0; i < 4; ++i) (*bytes)[offset + static_cast<size_t>(i)] = static_cast<char>(value >> (8 * i));
}

// Offsets of `name`'s local header and central directory record in a small archive.
struct EntryOffsets {
  size_t local = std::string::npos;
  size_t central = std::string::npos;
  size_t data = std::string::npos;
};
EntryOffsets find_entry(const std::string& zip, const std::string& name) {
  EntryOffsets o;
  const std::string local_sig("PK\x03\x04", 4), central_sig("PK\x01\x02", 4);
  for (size_t p = zip.find(local_sig); p != std::string::npos; p = zip.find(local_sig, p + 1)) {
    size_t name_len = static_cast<uint8_t>(zip[p + 26]) | (static_cast<uint8_t>(zip[p + 27]) << 8);
    size_t extra_len = static_cast<uint8_t>(zip[p + 28]) | (static_cast<uint8_t>(zip[p + 29]) << 8);
    if (zip.compare(p + 30, name_len, name) == 0 && name_len == name.size()) {
      o.local = p;
      o.data = p + 30 + name_len + extra_len;
      break;
    }
  }
  for (size_t p = zip.find(central_sig); p != std::string::npos; p = zip.find(central_sig, p + 1)) {
    size_t name_len = static_cast<uint8_t>(zip[p + 28]) | (static_cast<uint8_t>(zip[p + 29]) << 8);
    if (name_len == name.size() && zip.compare(p + 46, name_len, name) == 0) {
      o.central = p;
      break;
    }
  }
  return o;
}

TEST(ZipReader, ListsKeras3Archive) {
  auto zip = ZipReader::open(fixture(kKerasFixture));
  ASSERT_TRUE(zip.ok()) << zip.status();
  ASSERT_EQ(zip->entries().size(), 3u);
  EXPECT_EQ(zip->entries()[0].name, "metadata.json");
  EXPECT_EQ(zip->entries()[1].name, "config.json");
  EXPECT_EQ(zip->entries()[2].name, "model.weights.h5");
  EXPECT_EQ(zip->entries()[0].size, 64u);
  EXPECT_EQ(zip->entries()[1].size, 5953u);
  EXPECT_EQ(zip->entries()[2].size, 1496356u);
  EXPECT_EQ(zip->entries()[2].compressed_size, 1496356u);  // stored
  EXPECT_TRUE(zip->contains("config.json"));
  EXPECT_FALSE(zip->contains("config"));

  auto metadata = zip->read("metadata.json", 1 << 20);
  ASSERT_TRUE(metadata.ok()) << metadata.status();
  ASSERT_EQ(metadata->size(), 64u);
  EXPECT_EQ(metadata->front(), '{');
  EXPECT_NE(metadata->find("keras_version"), std::string::npos);

  auto weights = zip->read("model.weights.h5", 16 << 20);
  ASSERT_TRUE(weights.ok()) << weights.status();
  ASSERT_EQ(weights->size(), 1496356u);
  EXPECT_EQ(weights->substr(0, 8), std::string("\x89HDF\r\n\x1a\n", 8));
}

TEST(ZipReader, OpenFromMemoryMatchesFile) {
  auto bytes = std::make_shared<const std::string>(read_all(fixture(kKerasFixture)));
  auto zip = ZipReader::open_from_memory(bytes, "model.keras");
  ASSERT_TRUE(zip.ok()) << zip.status();
  EXPECT_EQ(zip->display_name(), "model.keras");
  ASSERT_EQ(zip->entries().size(), 3u);
  auto config = zip->read("config.json", 1 << 20);
  ASSERT_TRUE(config.ok()) << config.status();
  auto from_file = ZipReader::open(fixture(kKerasFixture));
  ASSERT_TRUE(from_file.ok());
  EXPECT_EQ(*config, from_file->read("config.json", 1 << 20).value());
}

TEST(ZipReader, SizeCapIsResourceExhausted) {
  auto zip = ZipReader::open(fixture(kKerasFixture));
  ASSERT_TRUE(zip.ok());
  auto r = zip->read("model.weights.h5", 1000);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(r.status().message().find("model.weights.h5"), std::string::npos);
  EXPECT_NE(r.status().message().find("1496356"), std::string::npos);
  // Exactly at the limit is fine.
  EXPECT_TRUE(zip->read("metadata.json", 64).ok());
}

TEST(ZipReader, MissingEntryIsNotFoundAndNamesTheEntries) {
  auto zip = ZipReader::open(fixture(kKerasFixture));
  ASSERT_TRUE(zip.ok());
  auto r = zip->read("nope.json", 100);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("config.json"), std::string::npos);
}

TEST(ZipReader, MissingEmptyAndNonZipFiles) {
  TempDir dir;
  auto missing = ZipReader::open(dir.file("absent.zip"));
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);

  write_all(dir.file("empty.zip"), "");
  auto empty = ZipReader::open(dir.file("empty.zip"));
  EXPECT_EQ(empty.status().code(), StatusCode::kDataLoss);

  write_all(dir.file("text.zip"), "this is not a zip archive at all, just some words\n");
  auto text = ZipReader::open(dir.file("text.zip"));
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(text.status().message().find("text.zip"), std::string::npos);
  EXPECT_NE(text.status().message().find("not a zip archive"), std::string::npos);

  EXPECT_EQ(ZipReader::open(dir.path()).status().code(), StatusCode::kInvalidArgument);
  auto mem = ZipReader::open_from_memory(std::make_shared<const std::string>(), "buf");
  EXPECT_EQ(mem.status().code(), StatusCode::kDataLoss);
}

TEST(ZipReader, TruncatedArchivesFailCleanly) {
  TempDir dir;
  const std::string original = read_all(fixture(kKerasFixture));
  for (uint64_t keep : {uint64_t{10}, uint64_t{100}, uint64_t{original.size() / 2}, uint64_t{original.size() - 30},
                        uint64_t{original.size() - 1}}) {
    std::string path = copy_to(fixture(kKerasFixture), dir.file("cut" + std::to_string(keep) + ".keras"));
    truncate_file(path, keep);
    auto zip = ZipReader::open(path);
    ASSERT_FALSE(zip.ok()) << "kept " << keep << " bytes";
    EXPECT_EQ(zip.status().code(), StatusCode::kDataLoss) << zip.status();
    EXPECT_NE(zip.status().message().find(path), std::string::npos) << zip.status();
  }
}

TEST(ZipReader, CorruptedStoredDataFailsCrc) {
  TempDir dir;
  std::string path = copy_to(fixture(kKerasFixture), dir.file("model.keras"));
  EntryOffsets at = find_entry(read_all(path), "config.json");
  ASSERT_NE(at.data, std::string::npos);
  flip_bit(path, at.data + 100, 3);
  auto zip = ZipReader::open(path);
  ASSERT_TRUE(zip.ok()) << zip.status();  // the directory is intact
  auto config = zip->read("config.json", 1 << 20);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), StatusCode::kDataLoss) << config.status();
  EXPECT_NE(config.status().message().find("config.json"), std::string::npos);
  EXPECT_NE(config.status().message().find("CRC"), std::string::npos) << config.status();
  // Other entries still read.
  EXPECT_TRUE(zip->read("metadata.json", 1 << 20).ok());
}

TEST(ZipReader, CorruptedCentralDirectoryFailsOpen) {
  TempDir dir;
  std::string path = copy_to(fixture(kKerasFixture), dir.file("model.keras"));
  EntryOffsets at = find_entry(read_all(path), "config.json");
  ASSERT_NE(at.central, std::string::npos);
  flip_bit(path, at.central + 1, 0);  // break the record's signature
  auto zip = ZipReader::open(path);
  ASSERT_FALSE(zip.ok());
  EXPECT_EQ(zip.status().code(), StatusCode::kDataLoss) << zip.status();
}

// ---------------------------------------------------------------------------------------------

TEST(ZipWriter, RoundTripStoredAndDeflated) {
  TempDir dir;
  const std::string path = dir.file("out.zip");
  const std::string blob = binary_blob(100000);
  const std::string zeros(1 << 20, '\0');
  {
    auto w = ZipWriter::create(path);
    ASSERT_TRUE(w.ok()) << w.status();
    ASSERT_TRUE(w->add("a.bin", blob).ok());
    ASSERT_TRUE(w->add("dir/zeros.bin", zeros, /*compress=*/true).ok());
    ASSERT_TRUE(w->add("empty", "").ok());
    ASSERT_TRUE(w->add("caf\xc3\xa9.txt", "utf-8 name").ok());
    EXPECT_EQ(w->add("a.bin", "again").code(), StatusCode::kAlreadyExists);
    EXPECT_EQ(w->add("", "x").code(), StatusCode::kInvalidArgument);
    ASSERT_TRUE(w->finish().ok());
    EXPECT_EQ(w->add("late", "x").code(), StatusCode::kFailedPrecondition);
    EXPECT_EQ(w->finish().code(), StatusCode::kFailedPrecondition);
  }
  auto zip = ZipReader::open(path);
  ASSERT_TRUE(zip.ok()) << zip.status();
  ASSERT_EQ(zip->entries().size(), 4u);
  EXPECT_EQ(zip->entries()[0].name, "a.bin");
  EXPECT_EQ(zip->entries()[0].size, blob.size());
  EXPECT_EQ(zip->entries()[0].compressed_size, blob.size());
  EXPECT_EQ(zip->entries()[1].name, "dir/zeros.bin");
  EXPECT_EQ(zip->entries()[1].size, zeros.size());
  EXPECT_LT(zip->entries()[1].compressed_size, 10000u);
  EXPECT_EQ(zip->entries()[3].name, "caf\xc3\xa9.txt");
  EXPECT_EQ(zip->read("a.bin", blob.size()).value(), blob);
  EXPECT_EQ(zip->read("dir/zeros.bin", zeros.size()).value(), zeros);
  EXPECT_EQ(zip->read("empty", 0).value(), "");
  EXPECT_EQ(zip->read("caf\xc3\xa9.txt", 100).value(), "utf-8 name");

  // No temporary files are left beside the result.
  int files = 0;
  for (auto& e : std::filesystem::directory_iterator(dir.path())) {
    (void)e;
    ++files;
  }
  EXPECT_EQ(files, 1);
}

TEST(ZipWriter, EmptyArchiveIsValid) {
  TempDir dir;
  auto w = ZipWriter::create(dir.file("empty.zip"));
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE(w->finish().ok());
  EXPECT_EQ(read_all(dir.file("empty.zip")).size(), 22u);
}

TEST(ZipWriter, DeflateBombIsCapped) {
  TempDir dir;
  const std::string path = dir.file("bomb.zip");
  {
    auto w = ZipWriter::create(path);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE(w->add("big", std::string(size_t{8} << 20, 'A'), true).ok());
    ASSERT_TRUE(w->finish().ok());
  }
  EXPECT_LT(read_all(path).size(), 100000u);
  auto zip = ZipReader::open(path);
  ASSERT_TRUE(zip.ok());
  EXPECT_EQ(zip->read("big", 1 << 20).status().code(), StatusCode::kResourceExhausted);

  // An archive that understates the size (both headers agree, so it opens) must not yield more
  // than it declares.
  std::string bytes = read_all(path);
  EntryOffsets at = find_entry(bytes, "big");
  ASSERT_NE(at.local, std::string::npos);
  ASSERT_NE(at.central, std::string::npos);
  put_u32(&bytes, at.local + 22, 1000);
  put_u32(&bytes, at.central + 24, 1000);
  write_all(path, bytes);
  auto lying = ZipReader::open(path);
  ASSERT_TRUE(lying.ok()) << lying.status();
  EXPECT_EQ(lying->entries()[0].size, 1000u);
  auto r = lying->read("big", 1 << 20);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDataLoss) << r.status();

  // And one that overstates it ends early.
  put_u32(&bytes, at.local + 22, 9 << 20);
  put_u32(&bytes, at.central + 24, 9 << 20);
  write_all(path, bytes);
  auto over = ZipReader::open(path);
  ASSERT_TRUE(over.ok()) << over.status();
  auto r2 = over->read("big", 16 << 20);
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.status().code(), StatusCode::kDataLoss) << r2.status();
}

TEST(ZipWriter, DiscardedWriterLeavesExistingFileUntouched) {
  TempDir dir;
  const std::string path = dir.file("keep.zip");
  write_all(path, "precious");
  {
    auto w = ZipWriter::create(path);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE(w->add("x", "data").ok());
    // destroyed without finish()
  }
  EXPECT_EQ(read_all(path), "precious");
  int files = 0;
  for (auto& e : std::filesystem::directory_iterator(dir.path())) {
    (void)e;
    ++files;
  }
  EXPECT_EQ(files, 1);
}

TEST(ZipWriter, FailedFinishLeavesDestinationUntouched) {
  TempDir dir;
  const std::string path = dir.file("target");
  auto w = ZipWriter::create(path);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE(w->add("x", "data").ok());
  // Something else occupies the destination before finish(): a non-empty directory, which a
  // rename cannot replace.
  std::filesystem::create_directory(path);
  write_all(path + "/inside", "keep me");
  Status s = w->finish();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find(path), std::string::npos) << s;
  EXPECT_EQ(read_all(path + "/inside"), "keep me");
  int entries = 0;
  for (auto& e : std::filesystem::directory_iterator(dir.path())) {
    (void)e;
    ++entries;
  }
  EXPECT_EQ(entries, 1);  // the temporary archive is gone
}

TEST(ZipWriter, CreateRefusesBadDestinations) {
  TempDir dir;
  EXPECT_EQ(ZipWriter::create(dir.file("no/such/dir/x.zip")).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ZipWriter::create(dir.path()).status().code(), StatusCode::kInvalidArgument);
}

TEST(ZipWriter, ReplacesExistingFileOnFinish) {
  TempDir dir;
  const std::string path = dir.file("out.zip");
  write_all(path, "old contents");
  auto w = ZipWriter::create(path);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE(w->add("new", "fresh").ok());
  ASSERT_TRUE(w->finish().ok());
  auto zip = ZipReader::open(path);
  ASSERT_TRUE(zip.ok()) << zip.status();
  EXPECT_EQ(zip->read("new", 10).value(), "fresh");
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_NE(st.st_mode & S_IRUSR, 0u);
}

}  // namespace
}  // namespace tfport

namespace tfport {
namespace {

// Every Keras 3 archive among the fixtures opens (with libzip's consistency checks) and every
// entry reads back with the size its directory declares.
TEST(ZipReader, EveryKerasFixtureReads) {
  int archives = 0;
  for (auto& e : std::filesystem::recursive_directory_iterator(testing::fixtures_dir())) {
    if (!e.is_regular_file() || e.path().extension() != ".keras") continue;
    ++archives;
    auto zip = ZipReader::open(e.path().string());
    ASSERT_TRUE(zip.ok()) << zip.status();
    EXPECT_TRUE(zip->contains("config.json")) << e.path();
    EXPECT_TRUE(zip->contains("model.weights.h5")) << e.path();
    for (const ZipEntryInfo& entry : zip->entries()) {
      auto bytes = zip->read(entry.name, uint64_t{1} << 30);
      ASSERT_TRUE(bytes.ok()) << bytes.status();
      EXPECT_EQ(bytes->size(), entry.size);
    }
  }
  EXPECT_GE(archives, 5);
}

}  // namespace
}  // namespace tfport
