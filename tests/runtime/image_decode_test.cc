// DecodePng, DecodeJpeg and DecodeImage on images encoded here with libpng and libjpeg:
// PNG pixels come back exactly (8 and 16 bit, added alpha), JPEG within its loss, and broken or
// unsupported data is refused with a clear error.
#include <gtest/gtest.h>

#include <jpeglib.h>
#include <png.h>

#include <cstdlib>

#include "op_test_util.h"

namespace tfport::runtime::testing {
namespace {

std::string png_bytes(uint32_t w, uint32_t h, uint32_t format, const void* pixels, const uint8_t* colormap = nullptr,
                      uint32_t colors = 0) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  image.width = w;
  image.height = h;
  image.format = format;
  image.colormap_entries = colors;
  png_alloc_size_t size = 0;
  EXPECT_TRUE(png_image_write_get_memory_size(image, size, 0, pixels, 0, colormap));
  std::string out(size, '\0');
  EXPECT_TRUE(png_image_write_to_memory(&image, out.data(), &size, 0, pixels, 0, colormap));
  out.resize(size);
  return out;
}

std::string jpeg_bytes(int w, int h, const std::vector<uint8_t>& rgb) {
  jpeg_compress_struct cinfo;
  jpeg_error_mgr err;
  cinfo.err = jpeg_std_error(&err);
  jpeg_create_compress(&cinfo);
  unsigned char* mem = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&cinfo, &mem, &size);
  cinfo.image_width = static_cast<JDIMENSION>(w);
  cinfo.image_height = static_cast<JDIMENSION>(h);
  cinfo.input_components = 3;
  cinfo.in_color_space = JCS_RGB;
  jpeg_set_defaults(&cinfo);
  jpeg_set_quality(&cinfo, 100, TRUE);
  for (int c = 0; c < 3; ++c) cinfo.comp_info[c].h_samp_factor = cinfo.comp_info[c].v_samp_factor = 1;  // 4:4:4
  jpeg_start_compress(&cinfo, TRUE);
  while (cinfo.next_scanline < cinfo.image_height) {
    JSAMPROW row = const_cast<uint8_t*>(rgb.data()) + cinfo.next_scanline * w * 3;
    jpeg_write_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_compress(&cinfo);
  std::string out(reinterpret_cast<char*>(mem), size);
  jpeg_destroy_compress(&cinfo);
  std::free(mem);
  return out;
}

Tensor bytes(const std::string& s) { return *Tensor::from_strings(Shape{}, {s}); }

StatusOr<Tensor> decode(const std::string& op, const std::string& data, int64_t channels = 0, DType dtype = DType::kUInt8) {
  OpTest t(op);
  t.attr("channels", int_attr(channels));
  if (op != "DecodeJpeg") t.attr("dtype", type_attr(dtype));
  return t.run1({bytes(data)});
}

std::vector<int> ints(const Tensor& t) {
  std::vector<int> v;
  for (int64_t i = 0; i < t.num_elements(); ++i) {
    v.push_back(t.dtype() == DType::kUInt16 ? t.data<uint16_t>()[i] : t.data<uint8_t>()[i]);
  }
  return v;
}

TEST(DecodePng, EightBitRgbExactlyAndWithAddedAlpha) {
  const std::vector<uint8_t> rgb = {255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30, 40, 50, 60, 70, 80, 90};
  const std::string png = png_bytes(3, 2, PNG_FORMAT_RGB, rgb.data());
  for (const char* op : {"DecodePng", "DecodeImage"}) {
    SCOPED_TRACE(op);
    auto y = decode(op, png);
    ASSERT_TRUE(y.ok()) << y.status();
    EXPECT_EQ(y->shape(), (Shape{2, 3, 3}));
    EXPECT_EQ(ints(*y), std::vector<int>(rgb.begin(), rgb.end()));
  }
  auto rgba = decode("DecodePng", png, 4);
  ASSERT_TRUE(rgba.ok()) << rgba.status();
  EXPECT_EQ(rgba->shape(), (Shape{2, 3, 4}));
  const std::vector<int> got = ints(*rgba);
  EXPECT_EQ((std::vector<int>(got.begin(), got.begin() + 8)), (std::vector<int>{255, 0, 0, 255, 0, 255, 0, 255}));
}

TEST(DecodePng, SixteenBitGrayAsUint16AndUint8) {
  const std::vector<uint16_t> gray = {0, 1000, 40000, 65535};
  const std::string png = png_bytes(2, 2, PNG_FORMAT_LINEAR_Y, gray.data());
  auto wide = decode("DecodePng", png, 0, DType::kUInt16);
  ASSERT_TRUE(wide.ok()) << wide.status();
  EXPECT_EQ(wide->shape(), (Shape{2, 2, 1}));
  EXPECT_EQ(ints(*wide), (std::vector<int>{0, 1000, 40000, 65535}));
  auto narrow = decode("DecodePng", png);
  ASSERT_TRUE(narrow.ok()) << narrow.status();
  EXPECT_EQ(ints(*narrow), (std::vector<int>{0, 1000 >> 8, 40000 >> 8, 255}));
}

TEST(DecodeImage, WidensToUint16AndFloatAsTf) {
  // PNG to float goes through uint16 (8 bit widened by 257) and 1/65535; JPEG to uint16 is
  // times 256 and to float times 1/255.
  const std::vector<uint8_t> rgb = {0, 51, 255, 128, 1, 2};
  const std::string png = png_bytes(2, 1, PNG_FORMAT_RGB, rgb.data());
  auto f = decode("DecodeImage", png, 0, DType::kFloat);
  ASSERT_TRUE(f.ok()) << f.status();
  ASSERT_EQ(f->dtype(), DType::kFloat);
  const float scale16 = static_cast<float>(1. / 65535);
  for (size_t i = 0; i < rgb.size(); ++i) EXPECT_EQ(f->data<float>()[i], static_cast<float>(rgb[i] * 257) * scale16) << i;
  std::vector<uint8_t> gray(64 * 3, 200);
  const std::string jpeg = jpeg_bytes(8, 8, gray);
  auto as8 = decode("DecodeImage", jpeg);
  auto as16 = decode("DecodeImage", jpeg, 0, DType::kUInt16);
  auto asf = decode("DecodeImage", jpeg, 0, DType::kFloat);
  ASSERT_TRUE(as8.ok() && as16.ok() && asf.ok());
  const float scale8 = static_cast<float>(1. / 255);
  for (int64_t i = 0; i < as8->num_elements(); ++i) {
    EXPECT_EQ(as16->data<uint16_t>()[i], as8->data<uint8_t>()[i] * 256);
    EXPECT_EQ(asf->data<float>()[i], static_cast<float>(as8->data<uint8_t>()[i]) * scale8);
  }
  OpTest png_float("DecodePng");
  png_float.attr("dtype", type_attr(DType::kFloat));
  EXPECT_FALSE(png_float.create().ok());  // only DecodeImage has float outputs
}

TEST(DecodePng, PaletteImagesComeOutGrayByDefaultAsInTf) {
  // TF takes the file's own channel count, 1 for a palette, and converts with libpng's
  // rgb_to_gray at Rec. 601 weights (0.299, 0.587). libpng weighs in linear light when the file
  // says it is sRGB, as this one does: a gray entry stays itself, pure red becomes 147 (it would
  // be 126 with libpng's default weights).
  const uint8_t colormap[] = {100, 100, 100, 255, 0, 0};
  const uint8_t indices[] = {0, 1, 1, 0};
  const std::string png = png_bytes(2, 2, PNG_FORMAT_RGB_COLORMAP, indices, colormap, 2);
  auto gray = decode("DecodePng", png);
  ASSERT_TRUE(gray.ok()) << gray.status();
  EXPECT_EQ(gray->shape(), (Shape{2, 2, 1}));
  EXPECT_EQ(ints(*gray), (std::vector<int>{100, 147, 147, 100}));
  auto rgb = decode("DecodePng", png, 3);
  ASSERT_TRUE(rgb.ok()) << rgb.status();
  EXPECT_EQ(ints(*rgb), (std::vector<int>{100, 100, 100, 255, 0, 0, 255, 0, 0, 100, 100, 100}));
}

TEST(DecodeJpeg, DecodesWithinTheLossOfQuality100Unsubsampled) {
  std::vector<uint8_t> rgb;
  for (int y = 0; y < 16; ++y)
    for (int x = 0; x < 16; ++x) {
      rgb.push_back(static_cast<uint8_t>(x * 16));
      rgb.push_back(static_cast<uint8_t>(y * 16));
      rgb.push_back(128);
    }
  const std::string jpeg = jpeg_bytes(16, 16, rgb);
  for (const char* op : {"DecodeJpeg", "DecodeImage"}) {
    SCOPED_TRACE(op);
    auto y = decode(op, jpeg);
    ASSERT_TRUE(y.ok()) << y.status();
    ASSERT_EQ(y->shape(), (Shape{16, 16, 3}));
    const std::vector<int> got = ints(*y);
    int worst = 0;
    for (size_t i = 0; i < got.size(); ++i) worst = std::max(worst, std::abs(got[i] - rgb[i]));
    EXPECT_LE(worst, 8);
  }
  OpTest half("DecodeJpeg");
  half.attr("ratio", int_attr(2));
  auto small = half.run1({bytes(jpeg)});
  ASSERT_TRUE(small.ok()) << small.status();
  EXPECT_EQ(small->shape(), (Shape{8, 8, 3}));
  auto gray = decode("DecodeJpeg", jpeg, 1);
  ASSERT_TRUE(gray.ok()) << gray.status();
  EXPECT_EQ(gray->shape(), (Shape{16, 16, 1}));
}

TEST(DecodeImage, BrokenAndUnsupportedDataIsRefused) {
  const std::vector<uint8_t> rgb(12, 7);
  std::string png = png_bytes(2, 2, PNG_FORMAT_RGB, rgb.data());
  auto truncated = decode("DecodePng", png.substr(0, png.size() / 2));
  ASSERT_FALSE(truncated.ok());
  EXPECT_NE(truncated.status().message().find("invalid PNG data"), std::string::npos) << truncated.status();
  auto garbage = decode("DecodeJpeg", std::string("\xff\xd8\xff\xe0garbage", 11));
  ASSERT_FALSE(garbage.ok());
  EXPECT_NE(garbage.status().message().find("invalid JPEG data"), std::string::npos) << garbage.status();
  OpTest bad_dct("DecodeJpeg");
  bad_dct.attr("dct_method", string_attr("FLOAT"));
  EXPECT_FALSE(bad_dct.create().ok());
  auto gif = decode("DecodeImage", "GIF89a....");
  ASSERT_FALSE(gif.ok());
  EXPECT_EQ(gif.status().code(), StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace tfport::runtime::testing
