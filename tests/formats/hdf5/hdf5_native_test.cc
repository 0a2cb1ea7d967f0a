// tfport's own HDF5 reader against the HDF5 library: for every .h5/.hdf5 file in the fixtures
// both snapshots must hold the same nodes, attributes, dataset types, shapes and bytes; on
// damaged copies the native reader must either decline (the library path then decides) or
// agree with the library.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>

#include "formats/hdf5/hdf5_file.h"
#include "formats/hdf5/hdf5_snapshot.h"
#include "formats/zip/zip_archive.h"
#include "support/test_support.h"

namespace tfport::hdf5 {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> fixture_hdf5_files() {
  std::vector<std::string> out;
  for (const auto& entry : fs::recursive_directory_iterator(tfport::testing::fixtures_dir())) {
    if (!entry.is_regular_file()) continue;
    std::string ext = entry.path().extension().string();
    if (ext == ".h5" || ext == ".hdf5") out.push_back(entry.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

SnapshotSource image_source(std::string bytes, const std::string& name) {
  SnapshotSource s;
  s.size = bytes.size();
  s.image = std::make_shared<const std::string>(std::move(bytes));
  s.name = name;
  return s;
}

SnapshotSource file_source(const std::string& path) {
  SnapshotSource s;
  s.path = path;
  s.name = path;
  s.size = fs::file_size(path);
  return s;
}

std::string data_of(const Snapshot& s, const internal::Hdf5Dataset& d) {
  const char* base = d.in_file() ? s.file_bytes : s.data;
  return std::string(base + d.offset(), d.size());
}

// Empty when the snapshots agree, else the first difference. Error messages may differ in
// wording; their codes may not.
std::string difference(const Snapshot& a, const Snapshot& b) {
  if (a.proto.nodes_size() != b.proto.nodes_size()) {
    return "node count " + std::to_string(a.proto.nodes_size()) + " vs " + std::to_string(b.proto.nodes_size());
  }
  for (int i = 0; i < a.proto.nodes_size(); ++i) {
    const internal::Hdf5Node& x = a.proto.nodes(i);
    const internal::Hdf5Node& y = b.proto.nodes(i);
    std::string where = "node " + std::to_string(i) + " '" + x.path() + "': ";
    if (x.path() != y.path()) return where + "path vs '" + y.path() + "'";
    if (x.kind() != y.kind()) return where + "kind";
    if (!std::equal(x.children().begin(), x.children().end(), y.children().begin(), y.children().end())) {
      return where + "children";
    }
    if (x.children_error().code() != y.children_error().code()) return where + "children error";
    if (x.attributes_error().code() != y.attributes_error().code()) return where + "attributes error";
    if (x.attributes_size() != y.attributes_size()) return where + "attribute count";
    for (int j = 0; j < x.attributes_size(); ++j) {
      const internal::Hdf5Attribute& p = x.attributes(j);
      const internal::Hdf5Attribute& q = y.attributes(j);
      if (p.name() != q.name()) return where + "attribute name '" + p.name() + "' vs '" + q.name() + "'";
      if (p.error().code() != q.error().code()) return where + "attribute '" + p.name() + "' error";
      if (!std::equal(p.values().begin(), p.values().end(), q.values().begin(), q.values().end())) {
        return where + "attribute '" + p.name() + "' values";
      }
    }
    const internal::Hdf5Dataset& d = x.dataset();
    const internal::Hdf5Dataset& e = y.dataset();
    if (d.dtype() != e.dtype()) return where + "dtype";
    if (!std::equal(d.dims().begin(), d.dims().end(), e.dims().begin(), e.dims().end())) return where + "dims";
    if (d.info_error().code() != e.info_error().code()) return where + "info error";
    if (d.read_error().code() != e.read_error().code()) return where + "read error";
    if (!std::equal(d.strings().begin(), d.strings().end(), e.strings().begin(), e.strings().end())) {
      return where + "strings";
    }
    if (d.size() != e.size()) return where + "data size";
    if (data_of(a, d) != data_of(b, e)) return where + "data bytes";
  }
  return "";
}

TEST(Hdf5Native, SnapshotOfEveryFixtureMatchesTheLibrary) {
  std::vector<std::string> files = fixture_hdf5_files();
  ASSERT_GE(files.size(), 8u);
  int native_read = 0;
  for (const std::string& path : files) {
    SCOPED_TRACE(path);
    StatusOr<std::shared_ptr<const Snapshot>> library = take_library_snapshot(file_source(path));
    ASSERT_TRUE(library.ok()) << library.status().to_string();
    StatusOr<std::shared_ptr<const Snapshot>> native = take_native_snapshot(file_source(path));
    if (!native.ok()) {
      EXPECT_EQ(native.status().code(), StatusCode::kUnimplemented) << native.status().to_string();
      continue;
    }
    ++native_read;
    EXPECT_EQ(difference(**native, **library), "");
    EXPECT_GT((*native)->proto.nodes_size(), 3);
  }
  // h5py's default layout, which all of these Keras files use, is the native reader's to read.
  EXPECT_EQ(native_read, static_cast<int>(files.size()));
}

TEST(Hdf5Native, WeightsInsideEveryKerasZipMatchTheLibrary) {
  // Keras 3 .keras files hold model.weights.h5, read as an in-memory image; some of their
  // datasets are not aligned for their type and are copied instead of used in place.
  int compared = 0;
  for (const auto& entry : fs::recursive_directory_iterator(tfport::testing::fixtures_dir())) {
    if (!entry.is_regular_file() || entry.path().extension() != ".keras") continue;
    SCOPED_TRACE(entry.path().string());
    StatusOr<ZipReader> zip = ZipReader::open(entry.path().string());
    ASSERT_TRUE(zip.ok()) << zip.status().to_string();
    if (!zip->contains("model.weights.h5")) continue;
    StatusOr<std::string> bytes = zip->read("model.weights.h5", uint64_t{1} << 30);
    ASSERT_TRUE(bytes.ok()) << bytes.status().to_string();
    StatusOr<std::shared_ptr<const Snapshot>> library = take_library_snapshot(image_source(*bytes, "w.h5"));
    StatusOr<std::shared_ptr<const Snapshot>> native = take_native_snapshot(image_source(*bytes, "w.h5"));
    ASSERT_TRUE(library.ok()) << library.status().to_string();
    ASSERT_TRUE(native.ok()) << native.status().to_string();
    EXPECT_EQ(difference(**native, **library), "");
    ++compared;
  }
  EXPECT_GE(compared, 3);
}

TEST(Hdf5Native, ImagesReadLikeFiles) {
  std::string path = tfport::testing::fixture("realworld/mnist-cnn/model/mnist_cnn.h5");
  StatusOr<std::shared_ptr<const Snapshot>> from_file = take_native_snapshot(file_source(path));
  StatusOr<std::shared_ptr<const Snapshot>> from_image =
      take_native_snapshot(image_source(tfport::testing::read_all(path), "mnist_cnn.h5"));
  ASSERT_TRUE(from_file.ok() && from_image.ok());
  EXPECT_EQ(difference(**from_file, **from_image), "");
}

TEST(Hdf5Native, FileOpenServesNativeSnapshot) {
  // Real values through the public view: the Keras weights of the MNIST CNN.
  std::string path = tfport::testing::fixture("realworld/mnist-cnn/model/mnist_cnn.h5");
  StatusOr<File> file = File::open(path);
  ASSERT_TRUE(file.ok()) << file.status().to_string();
  StatusOr<std::string> config = file->root().string_attribute("model_config");
  ASSERT_TRUE(config.ok());
  EXPECT_NE(config->find("\"class_name\": \"Sequential\""), std::string::npos);
  StatusOr<Group> weights = file->root().group("model_weights");
  ASSERT_TRUE(weights.ok());
  StatusOr<std::vector<std::string>> layers = weights->string_list_attribute("layer_names");
  ASSERT_TRUE(layers.ok());
  ASSERT_FALSE(layers->empty());
  EXPECT_EQ(layers->front(), "conv2d");
}

TEST(Hdf5Native, TruncatedCopiesAreDeclined) {
  for (const std::string& path : fixture_hdf5_files()) {
    SCOPED_TRACE(path);
    std::string bytes = tfport::testing::read_all(path);
    for (uint64_t keep : {uint64_t{0}, uint64_t{7}, uint64_t{60}, uint64_t{500}, bytes.size() / 2, bytes.size() - 1}) {
      StatusOr<std::shared_ptr<const Snapshot>> native =
          take_native_snapshot(image_source(bytes.substr(0, keep), "truncated.h5"));
      ASSERT_FALSE(native.ok()) << keep;
      EXPECT_EQ(native.status().code(), StatusCode::kUnimplemented);
    }
  }
}

// Positions worth damaging: the superblock, bytes around structure signatures, and a sample
// of the metadata that h5py writes in the first pages (object headers, attributes).
std::vector<uint64_t> structural_offsets(const std::string& bytes) {
  std::vector<uint64_t> out;
  for (uint64_t i = 0; i < 96; i += 3) out.push_back(i);
  for (uint64_t i = 96; i < 20000; i += 97) out.push_back(i);
  for (const char* sig : {"TREE", "SNOD", "HEAP", "GCOL"}) {
    size_t at = bytes.find(sig);
    for (int k = 0; k < 3 && at != std::string::npos; ++k, at = bytes.find(sig, at + 1)) {
      for (uint64_t d : {0, 4, 5, 6, 8, 16, 24, 30, 40, 48, 56, 70}) out.push_back(at + d);
    }
  }
  out.erase(std::remove_if(out.begin(), out.end(), [&](uint64_t o) { return o >= bytes.size(); }), out.end());
  return out;
}

TEST(Hdf5Native, DamagedCopiesAreDeclinedOrReadAsTheLibraryReadsThem) {
  int declined = 0, agreed = 0;
  for (const char* rel : {"realworld/mnist-cnn/model/mnist_cnn.h5", "realworld/gru-regressor/model/gru_model.h5"}) {
    std::string bytes = tfport::testing::read_all(tfport::testing::fixture(rel));
    for (uint64_t offset : structural_offsets(bytes)) {
      SCOPED_TRACE(std::string(rel) + " byte " + std::to_string(offset));
      std::string damaged = bytes;
      damaged[offset] = static_cast<char>(damaged[offset] ^ 0x5a);
      StatusOr<std::shared_ptr<const Snapshot>> native = take_native_snapshot(image_source(damaged, "damaged.h5"));
      if (!native.ok()) {
        EXPECT_EQ(native.status().code(), StatusCode::kUnimplemented) << native.status().to_string();
        ++declined;
        continue;
      }
      StatusOr<std::shared_ptr<const Snapshot>> library = take_library_snapshot(image_source(damaged, "damaged.h5"));
      EXPECT_TRUE(library.ok()) << "native read a file the library refuses: " << library.status().to_string();
      if (library.ok()) {
        EXPECT_EQ(difference(**native, **library), "");
      }
      ++agreed;
    }
  }
  EXPECT_GT(declined, 20);
  EXPECT_GT(agreed, 0);
}

TEST(Hdf5Native, DisabledByEnvironment) {
  setenv("TFPORT_HDF5_NATIVE", "0", 1);
  StatusOr<File> file = File::open(tfport::testing::fixture("realworld/mnist-cnn/model/mnist_cnn.h5"));
  unsetenv("TFPORT_HDF5_NATIVE");
  ASSERT_TRUE(file.ok()) << file.status().to_string();
  EXPECT_TRUE(file->root().has_attribute("model_config"));
}

}  // namespace
}  // namespace tfport::hdf5
