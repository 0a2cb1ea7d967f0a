// Corrupted copies of real Keras files, made at test time: every one must give a clean error
// naming the file and the part, never a crash.
#include <gtest/gtest.h>

#include <functional>

#include "formats/zip/zip_archive.h"
#include "support/test_support.h"
#include "tfport/keras.h"

namespace tfport {
namespace {

using tfport::testing::fixture;
using tfport::testing::TempDir;

const char kMnist[] = "realworld/mnist-cnn/model/mnist_cnn.h5";
const char kFashion[] = "realworld/fashion-cnn-keras3/model/model.keras";

void expect_clean_error(const StatusOr<KerasModel>& m, const std::string& path) {
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find(path), std::string::npos) << m.status();
}

TEST(KerasCorruption, EmptyFiles) {
  TempDir dir;
  testing::write_all(dir.file("empty.h5"), "");
  testing::write_all(dir.file("empty.keras"), "");
  expect_clean_error(read_keras_h5(dir.file("empty.h5")), dir.file("empty.h5"));
  expect_clean_error(read_keras_v3(dir.file("empty.keras")), dir.file("empty.keras"));
}

TEST(KerasCorruption, MissingFile) {
  auto m = read_keras_h5("/nonexistent/model.h5");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::kNotFound);
}

TEST(KerasCorruption, TruncatedH5) {
  TempDir dir;
  std::string p = testing::copy_to(fixture(kMnist), dir.file("m.h5"));
  for (uint64_t size : {uint64_t{8}, uint64_t{100}, uint64_t{4096}, uint64_t{600000}}) {
    testing::truncate_file(p, size);
    SCOPED_TRACE(size);
    expect_clean_error(read_keras_h5(p), p);
  }
}

// Signature, superblock version, size of offsets, end-of-file address, root group object
// header address. (HDF5 tolerates a wrong base address, so byte 24 is not among them.)
TEST(KerasCorruption, FlippedSuperblockBytes) {
  for (uint64_t offset : {uint64_t{0}, uint64_t{3}, uint64_t{8}, uint64_t{13}, uint64_t{40}, uint64_t{64}}) {
    TempDir dir;
    std::string p = testing::copy_to(fixture(kMnist), dir.file("m.h5"));
    testing::flip_bit(p, offset, 3);
    SCOPED_TRACE(offset);
    expect_clean_error(read_keras_h5(p), p);
  }
}

TEST(KerasCorruption, NotAKerasHdf5File) {
  // An HDF5 file without Keras attributes: the weights file of a .keras zip on its own.
  TempDir dir;
  auto zip = ZipReader::open(fixture(kFashion));
  ASSERT_TRUE(zip.ok()) << zip.status();
  auto bytes = zip->read("model.weights.h5", 1 << 30);
  ASSERT_TRUE(bytes.ok());
  testing::write_all(dir.file("w.weights.h5"), *bytes);
  auto m = read_keras_h5(dir.file("w.weights.h5"));
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("Keras 3 weights file"), std::string::npos) << m.status();
}

// Rebuilds the fashion .keras with `edit` applied to its entries.
std::string rebuild_keras(const TempDir& dir, const std::string& name,
                          const std::function<void(std::string& entry, std::string& data)>& edit) {
  auto zip = ZipReader::open(fixture(kFashion));
  EXPECT_TRUE(zip.ok());
  std::string out = dir.file(name);
  auto writer = ZipWriter::create(out);
  EXPECT_TRUE(writer.ok());
  for (const ZipEntryInfo& e : zip->entries()) {
    std::string entry = e.name;
    std::string data = *zip->read(e.name, 1 << 30);
    edit(entry, data);
    if (!entry.empty()) {
      EXPECT_TRUE(writer->add(entry, data).ok());
    }
  }
  EXPECT_TRUE(writer->finish().ok());
  return out;
}

TEST(KerasCorruption, KerasZipGarbageConfig) {
  TempDir dir;
  std::string p = rebuild_keras(dir, "g.keras", [](std::string& entry, std::string& data) {
    if (entry == "config.json") data = "{\"class_name\": \"Sequential\", \"config\": {\"layers\": [tru";
  });
  auto m = read_keras_v3(p);
  expect_clean_error(m, p);
  EXPECT_NE(m.status().message().find("config.json"), std::string::npos);
}

TEST(KerasCorruption, KerasZipWrongTypesInConfig) {
  TempDir dir;
  std::string p = rebuild_keras(dir, "t.keras", [](std::string& entry, std::string& data) {
    if (entry == "config.json") data = R"({"class_name": "Functional", "config": {"layers": [{"class_name": 7}]}})";
  });
  expect_clean_error(read_keras_v3(p), p);
}

TEST(KerasCorruption, KerasZipMissingWeights) {
  TempDir dir;
  std::string p = rebuild_keras(dir, "m.keras", [](std::string& entry, std::string&) {
    if (entry == "model.weights.h5") entry.clear();
  });
  auto m = read_keras_v3(p);
  expect_clean_error(m, p);
  EXPECT_NE(m.status().message().find("model.weights.h5"), std::string::npos);
}

TEST(KerasCorruption, KerasZipTruncatedWeights) {
  TempDir dir;
  for (size_t keep : {size_t{0}, size_t{16}, size_t{2048}, size_t{700000}}) {
    std::string name = std::to_string(keep);
    name += ".keras";
    std::string p = rebuild_keras(dir, name, [&](std::string& entry, std::string& data) {
      if (entry == "model.weights.h5") data.resize(std::min(keep, data.size()));
    });
    SCOPED_TRACE(keep);
    auto m = read_keras_v3(p);
    expect_clean_error(m, p);
    EXPECT_NE(m.status().message().find("model.weights.h5"), std::string::npos) << m.status();
  }
}

TEST(KerasCorruption, TruncatedKerasZip) {
  TempDir dir;
  std::string p = testing::copy_to(fixture(kFashion), dir.file("t.keras"));
  testing::truncate_file(p, 1000);
  expect_clean_error(read_keras_v3(p), p);
}

TEST(KerasCorruption, CorruptKerasMetadata) {
  TempDir dir;
  std::string d = testing::copy_to(fixture("realworld/imdb-sentiment-savedmodel/model"), dir.file("sm"));
  const char garbage[] = "\x0a\xff\xff\xff\xff\x0f garbage";
  testing::write_all(d + "/keras_metadata.pb", std::string(garbage, sizeof(garbage) - 1));
  expect_clean_error(read_keras_saved_model_metadata(d), d);
}

}  // namespace
}  // namespace tfport
