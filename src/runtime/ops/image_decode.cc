// DecodeJpeg, DecodePng and DecodeImage: encoded image bytes (a scalar string, as serving
// signatures that take b64 images receive them) to [height, width, channels] uint8, or uint16
// or (DecodeImage) float32 scaled as TF scales them. JPEG goes through libjpeg-turbo with TF's defaults (IFAST DCT unless
// dct_method says INTEGER_ACCURATE, fancy upsampling on); PNG through libpng. Images are
// untrusted input: library errors become errors, and sizes are capped before any allocation.
#include <csetjmp>
#include <cstdio>
#include <cstring>

#include <jpeglib.h>
#include <png.h>

#include "runtime/ops/op_util.h"

namespace tfport::runtime::ops {
namespace {

constexpr int64_t kMaxPixels = int64_t{1} << 28;  // 268 M pixels; a 16384 x 16384 image is 2^28

struct ImageOptions {
  int64_t channels = 0;  // 0: as stored
  int64_t ratio = 1;     // JPEG downscaling: 1, 2, 4 or 8
  bool fancy_upscaling = true;
  bool accurate_dct = false;
  DType dtype = DType::kUInt8;
};

// ---- JPEG ----
struct JpegError {
  jpeg_error_mgr mgr;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

void jpeg_fail(j_common_ptr cinfo) {
  auto* err = reinterpret_cast<JpegError*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, err->message);
  std::longjmp(err->jump, 1);
}

void jpeg_quiet(j_common_ptr, int) {}

// One decoder run: with `out` null only the header is read and the output size reported;
// otherwise the pixels go to `out`, rows `row_bytes` apart. No C++ object lives across the
// setjmp, so libjpeg's longjmp on bad data skips no destructor.
bool run_jpeg(const std::string& data, const ImageOptions& opt, uint8_t* out, int64_t row_bytes, int64_t* h, int64_t* w,
              int64_t* c, std::string* why) {
  jpeg_decompress_struct cinfo;
  JpegError err;
  cinfo.err = jpeg_std_error(&err.mgr);
  err.mgr.error_exit = jpeg_fail;
  err.mgr.emit_message = jpeg_quiet;
  if (setjmp(err.jump)) {
    *why = err.message;
    jpeg_destroy_decompress(&cinfo);
    return false;
  }
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, reinterpret_cast<const unsigned char*>(data.data()), static_cast<unsigned long>(data.size()));
  jpeg_read_header(&cinfo, TRUE);
  if (cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK) {
    *why = "CMYK JPEGs are not supported";
    jpeg_destroy_decompress(&cinfo);
    return false;
  }
  cinfo.scale_num = 1;
  cinfo.scale_denom = static_cast<unsigned>(opt.ratio);
  cinfo.out_color_space = opt.channels == 1 || (opt.channels == 0 && cinfo.num_components == 1) ? JCS_GRAYSCALE : JCS_RGB;
  cinfo.dct_method = opt.accurate_dct ? JDCT_ISLOW : JDCT_IFAST;
  cinfo.do_fancy_upsampling = opt.fancy_upscaling ? TRUE : FALSE;
  if (out == nullptr) {
    jpeg_calc_output_dimensions(&cinfo);
    *h = cinfo.output_height;
    *w = cinfo.output_width;
    *c = cinfo.output_components;
    jpeg_destroy_decompress(&cinfo);
    return true;
  }
  jpeg_start_decompress(&cinfo);
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW row = out + static_cast<int64_t>(cinfo.output_scanline) * row_bytes;
    jpeg_read_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  return true;
}

// `pixels` (uint8 or uint16) as the op's output of `dtype`, as TF's DecodeImage widens: uint8 to
// uint16 times 256, to float times 1/255 (1/65535 from uint16).
Status widen_into_output(KernelContext& ctx, std::string_view op, const Tensor& pixels, DType dtype) {
  TFPORT_ASSIGN_OR_RETURN(Tensor * out, add_output_uninitialized(ctx, op, dtype, pixels.shape()));
  const int64_t n = pixels.num_elements();
  if (pixels.dtype() == DType::kUInt8 && dtype == DType::kUInt16) {
    for (int64_t i = 0; i < n; ++i) out->mutable_data<uint16_t>()[i] = static_cast<uint16_t>(pixels.data<uint8_t>()[i] * 256);
  } else if (pixels.dtype() == DType::kUInt8 && dtype == DType::kFloat) {
    const float scale = static_cast<float>(1. / 255);
    for (int64_t i = 0; i < n; ++i) out->mutable_data<float>()[i] = static_cast<float>(pixels.data<uint8_t>()[i]) * scale;
  } else if (pixels.dtype() == DType::kUInt16 && dtype == DType::kFloat) {
    const float scale = static_cast<float>(1. / 65535);
    for (int64_t i = 0; i < n; ++i) out->mutable_data<float>()[i] = static_cast<float>(pixels.data<uint16_t>()[i]) * scale;
  } else {
    return internal_error("no conversion from " + std::string(dtype_name(pixels.dtype())));
  }
  return Status::OK();
}

Status decode_jpeg(KernelContext& ctx, std::string_view op, const std::string& data, const ImageOptions& opt) {
  int64_t h = 0, w = 0, c = 0;
  std::string why;
  if (!run_jpeg(data, opt, nullptr, 0, &h, &w, &c, &why)) return ctx.error(op, "invalid JPEG data: " + why);
  if (h * w > kMaxPixels) return ctx.error(op, "image of " + std::to_string(h) + " x " + std::to_string(w) + " is too large");
  const bool direct = opt.dtype == DType::kUInt8;
  Tensor pixels;
  if (direct) {
    TFPORT_ASSIGN_OR_RETURN(Tensor * out, add_output_uninitialized(ctx, op, DType::kUInt8, Shape{h, w, c}));
    pixels = *out;  // shares the output's buffer
  } else {
    TFPORT_ASSIGN_OR_RETURN(pixels, allocate_uninitialized(DType::kUInt8, Shape{h, w, c}));
  }
  if (!run_jpeg(data, opt, pixels.mutable_data<uint8_t>(), w * c, &h, &w, &c, &why)) {
    ctx.outputs->clear();
    return ctx.error(op, "invalid JPEG data: " + why);
  }
  return direct ? Status::OK() : widen_into_output(ctx, op, pixels, opt.dtype);
}

// ---- PNG ----
struct PngReader {
  const std::string* data;
  size_t at = 0;
  char message[256] = {};
};

void png_read_bytes(png_structp png, png_bytep out, png_size_t n) {
  auto* r = static_cast<PngReader*>(png_get_io_ptr(png));
  if (r->data->size() - r->at < n) png_error(png, "truncated PNG data");
  std::memcpy(out, r->data->data() + r->at, n);
  r->at += n;
}

void png_fail(png_structp png, png_const_charp message) {
  auto* r = static_cast<PngReader*>(png_get_error_ptr(png));
  std::snprintf(r->message, sizeof(r->message), "%s", message);
  png_longjmp(png, 1);
}

void png_quiet(png_structp, png_const_charp) {}

// Both passes in one: the header sets up the transforms and the size; `allocate` (called
// between them, with no C++ object across the setjmp) returns the buffer rows go to.
using PngAllocate = uint8_t* (*)(void* ctx, int64_t h, int64_t w, int64_t c, int64_t bytes_per_sample);

bool png_decode(const std::string& data, const ImageOptions& opt, PngAllocate allocate, void* allocate_ctx, std::string* why) {
  PngReader reader{&data};
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &reader, png_fail, png_quiet);
  if (png == nullptr) {
    *why = "out of memory";
    return false;
  }
  png_infop info = png_create_info_struct(png);
  if (info == nullptr || setjmp(png_jmpbuf(png))) {
    *why = reader.message[0] != 0 ? reader.message : "out of memory";
    png_destroy_read_struct(&png, &info, nullptr);
    return false;
  }
  png_set_read_fn(png, &reader, png_read_bytes);
  png_read_info(png, info);
  const png_uint_32 width = png_get_image_width(png, info), height = png_get_image_height(png, info);
  const int color = png_get_color_type(png, info), depth = png_get_bit_depth(png, info);
  const bool has_alpha = (color & PNG_COLOR_MASK_ALPHA) != 0 || png_get_valid(png, info, PNG_INFO_tRNS) != 0;
  const bool is_gray = (color & PNG_COLOR_MASK_COLOR) == 0;
  // As TF: channels 0 takes the file's own channel count, which is 1 for palette images
  // (they come out gray) and leaves tRNS transparency out.
  int64_t channels = opt.channels;
  if (channels == 0) channels = png_get_channels(png, info);
  // Expand palettes, low-bit grays and tRNS; then match the asked channels.
  if (color == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  if (is_gray && depth < 8) png_set_expand_gray_1_2_4_to_8(png);
  if (png_get_valid(png, info, PNG_INFO_tRNS) != 0) png_set_tRNS_to_alpha(png);
  const bool want_alpha = channels == 2 || channels == 4, want_color = channels >= 3;
  if (!want_alpha && has_alpha) png_set_strip_alpha(png);
  if (want_alpha && !has_alpha) png_set_add_alpha(png, opt.dtype == DType::kUInt16 ? 0xffff : 0xff, PNG_FILLER_AFTER);
  if (want_color && is_gray) png_set_gray_to_rgb(png);
  if (!want_color && !is_gray) png_set_rgb_to_gray(png, 1, 0.299, 0.587);  // TF's (Rec. 601) weights
  const int64_t sample = opt.dtype == DType::kUInt16 ? 2 : 1;
  if (sample == 1 && depth == 16) png_set_strip_16(png);
  if (sample == 2 && depth < 16) png_set_expand_16(png);
  if (sample == 2) png_set_swap(png);  // PNG is big-endian; the tensor holds native uint16
  const int passes = png_set_interlace_handling(png);
  png_read_update_info(png, info);
  if (static_cast<int64_t>(png_get_channels(png, info)) != channels ||
      static_cast<int64_t>(png_get_rowbytes(png, info)) != static_cast<int64_t>(width) * channels * sample) {
    png_error(png, "unexpected PNG layout after conversion");
  }
  if (static_cast<int64_t>(width) * height > kMaxPixels) png_error(png, "image too large");
  uint8_t* out = allocate(allocate_ctx, height, width, channels, sample);
  if (out == nullptr) png_error(png, "cannot allocate the image");
  for (int p = 0; p < passes; ++p) {
    for (png_uint_32 y = 0; y < height; ++y) {
      png_read_row(png, out + static_cast<int64_t>(y) * width * channels * sample, nullptr);
    }
  }
  png_read_end(png, nullptr);
  png_destroy_read_struct(&png, &info, nullptr);
  return true;
}

// Where png_decode's rows go: the op's output, or (for float) a uint16 image widened after.
struct PngOutput {
  KernelContext* ctx;
  std::string_view op;
  DType dtype;
  Tensor staging;
  Status status;
};

uint8_t* allocate_png(void* p, int64_t h, int64_t w, int64_t c, int64_t) {
  auto* o = static_cast<PngOutput*>(p);
  if (o->dtype == DType::kFloat) {
    auto t = allocate_uninitialized(DType::kUInt16, Shape{h, w, c});
    if (!t.ok()) {
      o->status = t.status();
      return nullptr;
    }
    o->staging = std::move(*t);
    return static_cast<uint8_t*>(o->staging.mutable_raw_data());
  }
  auto out = add_output_uninitialized(*o->ctx, o->op, o->dtype, Shape{h, w, c});
  if (!out.ok()) {
    o->status = out.status();
    return nullptr;
  }
  return static_cast<uint8_t*>((*out)->mutable_raw_data());
}

Status decode_png(KernelContext& ctx, std::string_view op, const std::string& data, const ImageOptions& opt) {
  PngOutput output{&ctx, op, opt.dtype, Tensor(), Status::OK()};
  ImageOptions read = opt;
  if (opt.dtype == DType::kFloat) read.dtype = DType::kUInt16;  // lossless, then scaled
  std::string why;
  if (!png_decode(data, read, &allocate_png, &output, &why)) {
    if (!output.status.ok()) return output.status;
    ctx.outputs->clear();
    return ctx.error(op, "invalid PNG data: " + why);
  }
  if (opt.dtype == DType::kFloat) return widen_into_output(ctx, op, output.staging, DType::kFloat);
  return Status::OK();
}

bool is_jpeg(const std::string& d) { return d.size() >= 3 && d.compare(0, 3, "\xff\xd8\xff") == 0; }
bool is_png(const std::string& d) { return d.size() >= 8 && d.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0; }

class DecodeKernel final : public Kernel {
 public:
  DecodeKernel(std::string op, ImageOptions opt) : op_(std::move(op)), opt_(opt) {}
  Status compute(KernelContext& ctx) const override {
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, op_, 1));
    const Tensor& contents = ctx.inputs[0];
    if (contents.dtype() != DType::kString || contents.shape().rank() != 0) {
      return ctx.error(op_, "contents must be a scalar string, got " + contents.description());
    }
    const std::string& data = contents.strings()[0];
    const bool jpeg = is_jpeg(data), png = is_png(data);
    if (op_ == "DecodeJpeg" || (op_ == "DecodeImage" && jpeg)) {
      return decode_jpeg(ctx, op_, data, opt_);
    }
    if (op_ == "DecodePng" || (op_ == "DecodeImage" && png)) return decode_png(ctx, op_, data, opt_);
    return Status(StatusCode::kUnimplemented,
                  ctx.error(op_, "only JPEG and PNG images are supported (GIF and BMP are not)").message());
  }

 private:
  std::string op_;
  ImageOptions opt_;
};

StatusOr<std::unique_ptr<Kernel>> make_decode(const Attrs& attrs) {
  ImageOptions opt;
  TFPORT_ASSIGN_OR_RETURN(opt.channels, attrs.get_int_or("channels", 0));
  const std::string op(attrs.op());
  const bool jpeg_only = op == "DecodeJpeg";
  if (opt.channels != 0 && opt.channels != 1 && opt.channels != 3 && !(opt.channels == 4 && !jpeg_only)) {
    return attrs.error("channels must be 0, 1, 3" + std::string(jpeg_only ? "" : " or 4"));
  }
  TFPORT_ASSIGN_OR_RETURN(opt.ratio, attrs.get_int_or("ratio", 1));
  if (opt.ratio != 1 && opt.ratio != 2 && opt.ratio != 4 && opt.ratio != 8) return attrs.error("ratio must be 1, 2, 4 or 8");
  TFPORT_ASSIGN_OR_RETURN(opt.fancy_upscaling, attrs.get_bool_or("fancy_upscaling", true));
  TFPORT_ASSIGN_OR_RETURN(std::string dct, attrs.get_string_or("dct_method", ""));
  if (dct != "" && dct != "INTEGER_FAST" && dct != "INTEGER_ACCURATE") {
    return attrs.error("dct_method must be '', 'INTEGER_FAST' or 'INTEGER_ACCURATE'");
  }
  opt.accurate_dct = dct == "INTEGER_ACCURATE";  // '' is TF's own default, IFAST
  if (attrs.has("dtype")) {
    TFPORT_ASSIGN_OR_RETURN(opt.dtype, attrs.get_type("dtype"));
    const bool float_ok = op == "DecodeImage";
    if (opt.dtype != DType::kUInt8 && opt.dtype != DType::kUInt16 && !(float_ok && opt.dtype == DType::kFloat)) {
      return attrs.error(float_ok ? "dtype must be uint8, uint16 or float32" : "dtype must be uint8 or uint16");
    }
  }
  return std::unique_ptr<Kernel>(new DecodeKernel(op, opt));
}

TFPORT_REGISTER_OP({"DecodeJpeg", &make_decode});
TFPORT_REGISTER_OP({"DecodePng", &make_decode});
TFPORT_REGISTER_OP({"DecodeImage", &make_decode});

}  // namespace
}  // namespace tfport::runtime::ops
