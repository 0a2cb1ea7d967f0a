// The HDF5 wrapper on files written here with the HDF5 C API in the forms h5py produces:
// fixed- and variable-length strings, string arrays, empty float64 lists, chunked attributes
// (layer_names0, layer_names1), bool enums, float16, and on real fixtures and bad input.
#include <gtest/gtest.h>
#include <hdf5.h>

#include <cstring>

#include "formats/hdf5/hdf5_file.h"
#include "support/test_support.h"

namespace tfport::hdf5 {
namespace {

using tfport::testing::TempDir;

void write_fixed_strings(hid_t obj, const char* name, const std::vector<std::string>& items, bool scalar) {
  size_t width = 1;
  for (const auto& s : items) width = std::max(width, s.size());
  std::string buf(width * items.size(), '\0');
  for (size_t i = 0; i < items.size(); ++i) std::memcpy(&buf[i * width], items[i].data(), items[i].size());
  hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, width);
  H5Tset_strpad(type, H5T_STR_NULLPAD);
  hsize_t n = items.size();
  hid_t space = scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &n, nullptr);
  hid_t attr = H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
  H5Awrite(attr, type, buf.data());
  H5Aclose(attr);
  H5Sclose(space);
  H5Tclose(type);
}

void write_vlen_string(hid_t obj, const char* name, const std::string& value) {
  hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, H5T_VARIABLE);
  H5Tset_cset(type, H5T_CSET_UTF8);
  hid_t space = H5Screate(H5S_SCALAR);
  hid_t attr = H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
  const char* p = value.c_str();
  H5Awrite(attr, type, &p);
  H5Aclose(attr);
  H5Sclose(space);
  H5Tclose(type);
}

void write_empty_float_list(hid_t obj, const char* name) {
  hsize_t n = 0;
  hid_t space = H5Screate_simple(1, &n, nullptr);
  hid_t attr = H5Acreate2(obj, name, H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT);
  H5Aclose(attr);
  H5Sclose(space);
}

template <typename T>
void write_dataset(hid_t obj, const char* name, hid_t file_type, hid_t mem_type, std::vector<hsize_t> dims,
                   const std::vector<T>& data) {
  hid_t space = dims.empty() ? H5Screate(H5S_SCALAR) : H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
  hid_t ds = H5Dcreate2(obj, name, file_type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  H5Dwrite(ds, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data());
  H5Dclose(ds);
  H5Sclose(space);
}

// A small weights-only Keras-style file.
std::string make_test_file(const TempDir& dir) {
  std::lock_guard<std::recursive_mutex> lock(hdf5_lock());
  std::string path = dir.file("t.h5");
  hid_t f = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  hid_t root = H5Gopen2(f, "/", H5P_DEFAULT);
  write_fixed_strings(root, "backend", {"tensorflow"}, true);
  write_vlen_string(root, "keras_version", "2.12.0");
  write_fixed_strings(root, "layer_names0", {"dense", "bn"}, false);
  write_fixed_strings(root, "layer_names1", {"a_much_longer_layer_name"}, false);
  write_empty_float_list(root, "empty");
  hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
  H5Pset_create_intermediate_group(lcpl, 1);  // as h5py does for "a/b" names
  hid_t g = H5Gcreate2(root, "dense/dense", lcpl, H5P_DEFAULT, H5P_DEFAULT);
  H5Pclose(lcpl);
  std::vector<float> kernel{1, 2, 3, 4, 5, 6};
  write_dataset(g, "kernel:0", H5T_IEEE_F32BE, H5T_NATIVE_FLOAT, {2, 3}, kernel);  // big-endian on disk
  write_dataset(g, "step", H5T_STD_I64LE, H5T_NATIVE_INT64, {}, std::vector<int64_t>{42});
  write_dataset(g, "half", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, {1}, std::vector<float>{0.5f});
  // h5py's bool: enum(int8) {FALSE=0, TRUE=1}
  hid_t b = H5Tenum_create(H5T_NATIVE_INT8);
  int8_t v0 = 0, v1 = 1;
  H5Tenum_insert(b, "FALSE", &v0);
  H5Tenum_insert(b, "TRUE", &v1);
  write_dataset(g, "flags", b, b, {3}, std::vector<int8_t>{1, 0, 1});
  H5Tclose(b);
  H5Gclose(g);
  H5Gclose(root);
  H5Fclose(f);
  return path;
}

TEST(Hdf5File, StringAttributesInEveryH5pyForm) {
  TempDir dir;
  auto f = File::open(make_test_file(dir));
  ASSERT_TRUE(f.ok()) << f.status();
  Group root = f->root();
  EXPECT_EQ(*root.string_attribute("backend"), "tensorflow");
  EXPECT_EQ(*root.string_attribute("keras_version"), "2.12.0");
  auto empty = root.string_list_attribute("empty");
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_TRUE(empty->empty());
  EXPECT_EQ(root.string_attribute("missing").status().code(), StatusCode::kNotFound);
}

TEST(Hdf5File, ChunkedAttributeListsConcatenate) {
  TempDir dir;
  auto f = File::open(make_test_file(dir));
  ASSERT_TRUE(f.ok());
  EXPECT_FALSE(f->root().has_attribute("layer_names"));
  auto names = f->root().chunked_string_list_attribute("layer_names");
  ASSERT_TRUE(names.ok()) << names.status();
  EXPECT_EQ(*names, (std::vector<std::string>{"dense", "bn", "a_much_longer_layer_name"}));
  EXPECT_EQ(f->root().chunked_string_list_attribute("weight_names").status().code(), StatusCode::kNotFound);
}

TEST(Hdf5File, DatasetsIntoTensors) {
  TempDir dir;
  auto f = File::open(make_test_file(dir));
  ASSERT_TRUE(f.ok());
  auto g = f->root().group("dense");
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(g->kind("dense/kernel:0"), ObjectKind::kDataset);
  EXPECT_EQ(g->kind("dense"), ObjectKind::kGroup);
  EXPECT_EQ(g->kind("nope/kernel:0"), ObjectKind::kMissing);
  auto k = g->read_dataset("dense/kernel:0");
  ASSERT_TRUE(k.ok()) << k.status();
  EXPECT_EQ(k->dtype(), DType::kFloat);
  EXPECT_EQ(k->shape(), (Shape{2, 3}));
  EXPECT_EQ(k->values<float>()[5], 6.0f);  // converted from big-endian storage
  auto step = g->read_dataset("dense/step");
  ASSERT_TRUE(step.ok());
  EXPECT_EQ(step->shape().rank(), 0);
  EXPECT_EQ(step->values<int64_t>()[0], 42);
  auto flags = g->read_dataset("dense/flags");
  ASSERT_TRUE(flags.ok()) << flags.status();
  EXPECT_EQ(flags->dtype(), DType::kBool);
  EXPECT_EQ(flags->values<uint8_t>()[0], 1);
  EXPECT_EQ(flags->values<uint8_t>()[1], 0);
  auto children = g->children();
  ASSERT_TRUE(children.ok());
  EXPECT_EQ(*children, (std::vector<std::string>{"dense"}));
  EXPECT_EQ(g->read_dataset("dense").status().code(), StatusCode::kNotFound);
}

TEST(Hdf5File, OpenFromMemoryImage) {
  TempDir dir;
  std::string path = make_test_file(dir);
  auto bytes = std::make_shared<const std::string>(testing::read_all(path));
  auto f = File::open_image(bytes, "image.h5");
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(*f->root().string_attribute("keras_version"), "2.12.0");
  auto garbage = std::make_shared<const std::string>("not an hdf5 image at all");
  auto bad = File::open_image(garbage, "garbage.h5");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("garbage.h5"), std::string::npos);
}

TEST(Hdf5File, RealFixtureVlenStringArray) {
  auto f = File::open(testing::fixture("realworld/mnist-cnn/model/mnist_cnn.h5"));
  ASSERT_TRUE(f.ok()) << f.status();
  auto w = f->root().group("model_weights");
  ASSERT_TRUE(w.ok());
  auto names = w->chunked_string_list_attribute("layer_names");
  ASSERT_TRUE(names.ok()) << names.status();
  ASSERT_EQ(names->size(), 8u);
  EXPECT_EQ((*names)[0], "conv2d");
  auto info = w->dataset_info("dense/dense/kernel:0");
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->dims, (std::vector<int64_t>{576, 64}));
}

TEST(Hdf5File, BadInput) {
  TempDir dir;
  testing::write_all(dir.file("text.h5"), "hello, not hdf5");
  auto f = File::open(dir.file("text.h5"));
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(f.status().message().find("text.h5"), std::string::npos);
  EXPECT_EQ(File::open(dir.file("none.h5")).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace tfport::hdf5
