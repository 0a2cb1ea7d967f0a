#include <gtest/gtest.h>

#include <filesystem>

#include "formats/zip/zip_archive.h"
#include "support/test_support.h"
#include "tfport/npy.h"

namespace tfport {
namespace {

using ::tfport::testing::fixture;
using ::tfport::testing::flip_bit;
using ::tfport::testing::read_all;
using ::tfport::testing::TempDir;
using ::tfport::testing::write_all;

std::vector<std::pair<std::string, Tensor>> sample_arrays() {
  std::vector<std::pair<std::string, Tensor>> arrays;
  arrays.emplace_back("x", Tensor::from_vector<float>(DType::kFloat, Shape{2, 3}, {1, 2, 3, 4, 5, 6}));
  arrays.emplace_back("ids", Tensor::from_vector<int64_t>(DType::kInt64, Shape{3}, {7, 8, 9}));
  arrays.emplace_back("words", Tensor::from_strings(Shape{2}, {"ST", "Normal"}).value());
  arrays.emplace_back("flag", Tensor::from_vector<uint8_t>(DType::kBool, Shape{}, {1}));
  arrays.emplace_back("a/b", Tensor::from_vector<double>(DType::kDouble, Shape{0}, {}));
  return arrays;
}

void expect_same(const std::vector<std::pair<std::string, Tensor>>& got,
                 const std::vector<std::pair<std::string, Tensor>>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].first, want[i].first);
    EXPECT_TRUE(got[i].second.equals(want[i].second)) << want[i].first << ": " << got[i].second.description();
  }
}

TEST(Npz, RoundTripStoredAndCompressed) {
  TempDir dir;
  for (bool compress : {false, true}) {
    SCOPED_TRACE(compress);
    const std::string path = dir.file(compress ? "c.npz" : "s.npz");
    ASSERT_TRUE(write_npz(path, sample_arrays(), compress).ok());
    auto arrays = read_npz(path);
    ASSERT_TRUE(arrays.ok()) << arrays.status();
    expect_same(*arrays, sample_arrays());

    // The archive holds "<name>.npy" entries, each a complete .npy file, like np.savez.
    auto zip = ZipReader::open(path);
    ASSERT_TRUE(zip.ok());
    ASSERT_EQ(zip->entries().size(), 5u);
    EXPECT_EQ(zip->entries()[0].name, "x.npy");
    EXPECT_EQ(zip->entries()[4].name, "a/b.npy");
    EXPECT_EQ(zip->entries()[0].compressed_size == zip->entries()[0].size, !compress);
    EXPECT_EQ(zip->read("ids.npy", 1 << 20).value(), serialize_npy(sample_arrays()[1].second).value());

    EXPECT_EQ(list_npz(path).value(), (std::vector<std::string>{"x", "ids", "words", "flag", "a/b"}));
  }
}

TEST(Npz, ReadOneEntryByKey) {
  TempDir dir;
  const std::string path = dir.file("in.npz");
  ASSERT_TRUE(write_npz(path, sample_arrays()).ok());
  auto ids = read_npz_entry(path, "ids");
  ASSERT_TRUE(ids.ok()) << ids.status();
  EXPECT_EQ(ids->values<int64_t>()[2], 9);
  auto with_suffix = read_npz_entry(path, "words.npy");
  ASSERT_TRUE(with_suffix.ok());
  EXPECT_EQ(with_suffix->strings()[1], "Normal");

  auto missing = read_npz_entry(path, "y");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("'y'"), std::string::npos);
  EXPECT_NE(missing.status().message().find("x, ids, words, flag, a/b"), std::string::npos) << missing.status();
}

TEST(Npz, EmptyArchive) {
  TempDir dir;
  ASSERT_TRUE(write_npz(dir.file("e.npz"), {}).ok());
  auto arrays = read_npz(dir.file("e.npz"));
  ASSERT_TRUE(arrays.ok()) << arrays.status();
  EXPECT_TRUE(arrays->empty());
}

TEST(Npz, WriteRefusesBadNamesAndTypes) {
  TempDir dir;
  std::vector<std::pair<std::string, Tensor>> twice = {{"a", sample_arrays()[0].second}, {"a", sample_arrays()[1].second}};
  EXPECT_EQ(write_npz(dir.file("t.npz"), twice).code(), StatusCode::kInvalidArgument);
  std::vector<std::pair<std::string, Tensor>> unnamed = {{"", sample_arrays()[0].second}};
  EXPECT_EQ(write_npz(dir.file("t.npz"), unnamed).code(), StatusCode::kInvalidArgument);
  std::vector<std::pair<std::string, Tensor>> bf16 = {{"w", Tensor::wrap(DType::kBFloat16, Shape{1}, "\0\0", nullptr)}};
  Status s = write_npz(dir.file("t.npz"), bf16);
  EXPECT_EQ(s.code(), StatusCode::kUnimplemented);
  EXPECT_NE(s.message().find("'w'"), std::string::npos) << s;
  EXPECT_FALSE(std::filesystem::exists(dir.file("t.npz")));
}

TEST(Npz, CorruptEntryNamesTheEntry) {
  TempDir dir;
  const std::string path = dir.file("c.npz");
  ASSERT_TRUE(write_npz(path, sample_arrays()).ok());
  std::string bytes = read_all(path);
  size_t at = bytes.find("Normal");
  ASSERT_NE(at, std::string::npos);
  flip_bit(path, at, 1);
  auto arrays = read_npz(path);
  ASSERT_FALSE(arrays.ok());
  EXPECT_EQ(arrays.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(arrays.status().message().find("words.npy"), std::string::npos) << arrays.status();
  // Other entries still read alone.
  EXPECT_TRUE(read_npz_entry(path, "x").ok());
}

TEST(Npz, NonNpyEntryIsAnError) {
  TempDir dir;
  const std::string path = dir.file("mixed.npz");
  {
    auto w = ZipWriter::create(path);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE(w->add("x.npy", serialize_npy(sample_arrays()[0].second).value()).ok());
    ASSERT_TRUE(w->add("readme.txt", "hello").ok());
    ASSERT_TRUE(w->finish().ok());
  }
  auto arrays = read_npz(path);
  ASSERT_FALSE(arrays.ok());
  EXPECT_EQ(arrays.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(arrays.status().message().find("readme.txt"), std::string::npos) << arrays.status();
  EXPECT_TRUE(read_npz_entry(path, "x").ok());
}

TEST(Npz, NotAZipFile) {
  auto arrays = read_npz(fixture("realworld/auto-mpg-dnn/expected/inputs/normalization_input.npy"));
  ASSERT_FALSE(arrays.ok());
  EXPECT_EQ(arrays.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(arrays.status().message().find("not a zip archive"), std::string::npos);
  EXPECT_EQ(read_npz("/nonexistent/x.npz").status().code(), StatusCode::kNotFound);
}

TEST(Npz, TotalSizeLimit) {
  TempDir dir;
  const std::string path = dir.file("big.npz");
  std::vector<float> values(1000, 1.0f);
  std::vector<std::pair<std::string, Tensor>> arrays = {
      {"a", Tensor::from_vector<float>(DType::kFloat, Shape{1000}, values)},
      {"b", Tensor::from_vector<float>(DType::kFloat, Shape{1000}, values)}};
  ASSERT_TRUE(write_npz(path, arrays, true).ok());
  NpzReadOptions limit;
  limit.max_total_bytes = 6000;  // room for one array (4128 bytes), not two
  auto r = read_npz(path, limit);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(r.status().message().find("b.npy"), std::string::npos) << r.status();
  EXPECT_TRUE(read_npz_entry(path, "b", limit).ok());
  limit.max_total_bytes = 100;
  EXPECT_EQ(read_npz_entry(path, "b", limit).status().code(), StatusCode::kResourceExhausted);
}

TEST(Npz, ForgedSizesAreRefusedBeforeAllocating) {
  TempDir dir;
  const std::string path = dir.file("bomb.npz");
  std::vector<float> zeros(1000, 0.0f);
  ASSERT_TRUE(write_npz(path, {{"z", Tensor::from_vector<float>(DType::kFloat, Shape{1000}, zeros)}}, true).ok());
  std::string bytes = read_all(path);
  // Claim 1 GiB uncompressed in both the local header and the central directory.
  auto patch = [&](size_t offset) {
    uint32_t v = 1u << 30;
    for (int i = 0; i < 4; ++i) bytes[offset + static_cast<size_t>(i)] = static_cast<char>(v >> (8 * i));
  };
  size_t local = bytes.find(std::string("PK\x03\x04", 4));
  size_t central = bytes.find(std::string("PK\x01\x02", 4));
  ASSERT_NE(local, std::string::npos);
  ASSERT_NE(central, std::string::npos);
  patch(local + 22);
  patch(central + 24);
  write_all(path, bytes);
  auto r = read_npz(path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDataLoss) << r.status();
  EXPECT_NE(r.status().message().find("zip bomb"), std::string::npos) << r.status();
}

}  // namespace
}  // namespace tfport
