// NumPy .npy and .npz files: the inputs `tfport run` feeds to a model and the outputs it writes.
//
//   TFPORT_ASSIGN_OR_RETURN(Tensor x, read_npy("inputs/x.npy"));
//   TFPORT_ASSIGN_OR_RETURN(Tensor y, read_npz_entry("batch.npz", "y"));
//   TFPORT_RETURN_IF_ERROR(write_npy("out/logits.npy", logits));
//
// Reading accepts format versions 1.0, 2.0 and 3.0; bool, (u)int8..64, float16/32/64,
// complex64/128 in either byte order (converted to host order), bytes strings '|S<n>' and
// unicode strings '<U<n>' (both become DT_STRING; unicode is converted to UTF-8), C or Fortran
// order (converted to C order). Object arrays ('|O', Python pickles) are refused: reading them
// would mean running pickle. Writing produces the bytes np.save produces for the same array.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tfport/dtype.h"
#include "tfport/status.h"
#include "tfport/tensor.h"

namespace tfport {

// What an .npy header declares, after validation.
struct NpyHeader {
  int major_version = 1;  // 1, 2 or 3 (minor is always 0)
  std::string descr;      // as written: "<f4", ">i8", "|b1", "|S5", "<U3"
  bool fortran_order = false;
  std::vector<int64_t> shape;
  DType dtype = DType::kInvalid;  // DT_STRING for 'S' and 'U'
  uint64_t item_size = 0;         // bytes per element in the file (4 * n for '<U<n>')
  bool unicode = false;           // 'U' strings (UTF-32 in the file)
  bool swap_bytes = false;        // the file's byte order differs from the host's
  uint64_t data_offset = 0;       // where the element data starts
  uint64_t data_size = 0;         // item_size * number of elements
};

// Parses and validates the magic, version and header dict of `bytes` (the whole file, or at
// least its header). `display_name` prefixes error messages.
StatusOr<NpyHeader> parse_npy_header(std::string_view bytes, std::string_view display_name);

// A whole .npy file: the header, then exactly header.data_size bytes of data.
StatusOr<Tensor> parse_npy(std::string_view bytes, std::string_view display_name);
StatusOr<Tensor> read_npy(const std::string& path);

// How DT_STRING tensors are written.
enum class NpyStringFormat {
  kBytes,    // '|S<longest>' (numpy.bytes_), NUL-padded; values ending in NUL lose those NULs
  kUnicode,  // '<U<longest>' (numpy.str_); every value must be valid UTF-8
};

struct NpyWriteOptions {
  NpyStringFormat strings = NpyStringFormat::kBytes;
};

// The .npy bytes for `tensor`: format 1.0 (2.0 when the header would not fit), data starting
// at a multiple of 64 bytes, as np.save writes it. DT_HALF is written as float16; types NumPy
// lacks (bfloat16, quantized, resource, variant, ...) give UNIMPLEMENTED.
StatusOr<std::string> serialize_npy(const Tensor& tensor, const NpyWriteOptions& options = {});
// Writes atomically (temporary file + rename).
Status write_npy(const std::string& path, const Tensor& tensor, const NpyWriteOptions& options = {});

// Limits for reading .npz archives (zip files whose entries are .npy files).
struct NpzReadOptions {
  uint64_t max_total_bytes = Tensor::kDefaultMaxBytes;  // sum of the entries read, uncompressed
};

// Every array in archive order, named without the ".npy" suffix (as numpy's NpzFile keys
// them). Entries that are not .npy data are an error naming the entry.
StatusOr<std::vector<std::pair<std::string, Tensor>>> read_npz(const std::string& path,
                                                                const NpzReadOptions& options = {});
// One array; `name` may be given with or without its ".npy" suffix. NOT_FOUND lists the keys.
StatusOr<Tensor> read_npz_entry(const std::string& path, std::string_view name,
                                const NpzReadOptions& options = {});
// The keys of an archive (names without ".npy"), in archive order, without reading the data.
StatusOr<std::vector<std::string>> list_npz(const std::string& path);

// Writes `<name>.npy` entries, stored (np.savez) or deflated (np.savez_compressed), atomically.
Status write_npz(const std::string& path, const std::vector<std::pair<std::string, Tensor>>& tensors,
                 bool compress = false, const NpyWriteOptions& options = {});

}  // namespace tfport
