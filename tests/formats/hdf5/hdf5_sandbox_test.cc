// The sandbox around the HDF5 library: a file that makes libhdf5 itself crash is refused with
// DATA_LOSS while this process lives on; snapshots taken in the child and in process agree;
// dataset tensors are views on the snapshot and may be written (copy on write).
#include <gtest/gtest.h>
#include <hdf5.h>

#include <cstdlib>
#include <cstring>

#include "formats/hdf5/hdf5_file.h"
#include "support/test_support.h"
#include "tfport/keras.h"

namespace tfport::hdf5 {
namespace {

using tfport::testing::TempDir;

const char* kModel = "realworld/conv1d-cnn/model/CNN1D_MODEL_V2.h5";

// Claims 2 GiB for the first object of the first global-heap collection (where h5py keeps
// variable-length strings such as model_config): libhdf5 1.10 copies that much from a small
// buffer and dies with SIGSEGV (or, under AddressSanitizer, with its report).
std::string write_heap_crasher(const TempDir& dir) {
  std::string bytes = tfport::testing::read_all(tfport::testing::fixture(kModel));
  size_t gcol = bytes.find("GCOL");
  EXPECT_NE(gcol, std::string::npos);
  uint64_t size = 0x7fffffff;
  std::memcpy(&bytes[gcol + 24], &size, 8);
  std::string path = dir.file("heap_crasher.h5");
  tfport::testing::write_all(path, bytes);
  return path;
}

class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) { setenv(name, value, 1); }
  ~ScopedEnv() { unsetenv(name_); }

 private:
  const char* name_;
};

TEST(Hdf5Sandbox, LibraryCrashBecomesDataLoss) {
  TempDir dir;
  std::string path = write_heap_crasher(dir);
  StatusOr<File> file = File::open(path);
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(file.status().message().find("corrupted HDF5 file"), std::string::npos) << file.status().message();
  EXPECT_NE(file.status().message().find(path), std::string::npos);

  StatusOr<KerasModel> model = read_keras_h5(path);
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), StatusCode::kDataLoss);
}

TEST(Hdf5Sandbox, ChildCrashAndHangAreReported) {
  std::string path = tfport::testing::fixture(kModel);
  ScopedEnv library("TFPORT_HDF5_NATIVE", "0");  // the file is tfport's own reader's otherwise
  {
    ScopedEnv fault("TFPORT_HDF5_SANDBOX_FAULT", "crash");
    StatusOr<File> file = File::open(path);
    ASSERT_FALSE(file.ok());
    EXPECT_EQ(file.status().code(), StatusCode::kDataLoss);
    EXPECT_NE(file.status().message().find("crashed"), std::string::npos) << file.status().message();
  }
  {
    ScopedEnv fault("TFPORT_HDF5_SANDBOX_FAULT", "hang");
    ScopedEnv limit("TFPORT_HDF5_SANDBOX_SECONDS", "1");
    StatusOr<File> file = File::open(path);
    ASSERT_FALSE(file.ok());
    EXPECT_EQ(file.status().code(), StatusCode::kDataLoss);
    EXPECT_NE(file.status().message().find("did not finish within 1 s"), std::string::npos) << file.status().message();
  }
  EXPECT_TRUE(File::open(path).ok());
}

TEST(Hdf5Sandbox, CrashingImageInsideAKerasZipIsRefusedToo) {
  TempDir dir;
  auto bytes = std::make_shared<const std::string>(tfport::testing::read_all(write_heap_crasher(dir)));
  StatusOr<File> file = File::open_image(bytes, "model.weights.h5");
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().code(), StatusCode::kDataLoss);
}

TEST(Hdf5Sandbox, InProcessSnapshotMatchesSandboxed) {
  std::string path = tfport::testing::fixture(kModel);
  ScopedEnv library("TFPORT_HDF5_NATIVE", "0");
  StatusOr<File> sandboxed = File::open(path);
  ASSERT_TRUE(sandboxed.ok()) << sandboxed.status().to_string();
  StatusOr<File> in_process = [&] {
    ScopedEnv env("TFPORT_HDF5_SANDBOX", "0");
    return File::open(path);
  }();
  ASSERT_TRUE(in_process.ok()) << in_process.status().to_string();

  StatusOr<std::string> a = sandboxed->root().string_attribute("model_config");
  StatusOr<std::string> b = in_process->root().string_attribute("model_config");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_NE(a->find("Conv1D"), std::string::npos);

  StatusOr<Group> weights = sandboxed->root().group("model_weights");
  ASSERT_TRUE(weights.ok());
  StatusOr<std::vector<std::string>> layers = weights->chunked_string_list_attribute("layer_names");
  ASSERT_TRUE(layers.ok());
  ASSERT_FALSE(layers->empty());
  int compared = 0;
  for (const std::string& layer : *layers) {
    StatusOr<Group> g = weights->group(layer);
    ASSERT_TRUE(g.ok());
    StatusOr<std::vector<std::string>> names = g->string_list_attribute("weight_names");
    ASSERT_TRUE(names.ok());
    for (const std::string& name : *names) {
      std::string rel = layer + "/" + name;
      StatusOr<Tensor> x = weights->read_dataset(rel);
      StatusOr<Tensor> y = in_process->root().group("model_weights")->read_dataset(rel);
      ASSERT_TRUE(x.ok() && y.ok()) << rel;
      EXPECT_TRUE(x->equals(*y)) << rel;
      EXPECT_EQ(reinterpret_cast<uintptr_t>(x->raw_data()) % 4, 0u) << "weights are aligned views";
      ++compared;
    }
  }
  EXPECT_GT(compared, 2);
}

void check_dataset_views_are_writable_copies(const std::string& path) {
  StatusOr<File> first = File::open(path);
  ASSERT_TRUE(first.ok());
  StatusOr<Group> weights = first->root().group("model_weights");
  ASSERT_TRUE(weights.ok());
  std::string layer = weights->chunked_string_list_attribute("layer_names")->front();
  std::string name = weights->group(layer)->string_list_attribute("weight_names")->front();
  StatusOr<Tensor> t = weights->read_dataset(layer + "/" + name);
  ASSERT_TRUE(t.ok());
  ASSERT_EQ(t->dtype(), DType::kFloat);
  float original = t->data<float>()[0];
  t->mutable_data<float>()[0] = original + 1.0f;  // private mapping: no fault, no effect on disk
  StatusOr<File> second = File::open(path);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->root().group("model_weights")->read_dataset(layer + "/" + name)->data<float>()[0], original);
}

TEST(Hdf5Sandbox, DatasetViewsAreWritableCopies) {
  for (const char* native : {"0", "1"}) {
    ScopedEnv env("TFPORT_HDF5_NATIVE", native);
    check_dataset_views_are_writable_copies(tfport::testing::fixture(kModel));
  }
}

TEST(Hdf5Sandbox, ExternalAndSoftLinksAreNotFollowed) {
  // An external link could make the library read any file on the machine: the walk lists
  // such links but never follows them.
  TempDir dir;
  std::string other = dir.file("other.h5");
  std::string main = dir.file("main.h5");
  {
    std::lock_guard<std::recursive_mutex> lock(hdf5_lock());
    hid_t f = H5Fcreate(other.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    H5Gclose(H5Gcreate2(f, "secret", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    H5Fclose(f);
    f = H5Fcreate(main.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    H5Gclose(H5Gcreate2(f, "real", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    H5Lcreate_soft("/real", f, "soft", H5P_DEFAULT, H5P_DEFAULT);
    H5Lcreate_external(other.c_str(), "/secret", f, "external", H5P_DEFAULT, H5P_DEFAULT);
    H5Fclose(f);
  }
  StatusOr<File> file = File::open(main);
  ASSERT_TRUE(file.ok()) << file.status().to_string();
  EXPECT_EQ(file->root().kind("real"), ObjectKind::kGroup);
  EXPECT_EQ(file->root().kind("soft"), ObjectKind::kOther);
  EXPECT_EQ(file->root().kind("external"), ObjectKind::kOther);
  EXPECT_FALSE(file->root().group("external").ok());
  EXPECT_EQ(file->root().kind("no_such_thing"), ObjectKind::kMissing);
  EXPECT_EQ(file->root().kind("/real"), ObjectKind::kMissing);
  EXPECT_EQ(file->root().kind("real//x"), ObjectKind::kMissing);
  StatusOr<std::vector<std::string>> children = file->root().children();
  ASSERT_TRUE(children.ok());
  EXPECT_EQ(children->size(), 3u);
}

}  // namespace
}  // namespace tfport::hdf5
