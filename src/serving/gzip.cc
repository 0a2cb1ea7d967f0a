#include "serving/gzip.h"

#include <zlib.h>

namespace tfport::serving {

StatusOr<std::string> gunzip(std::string_view data, std::size_t max_bytes) {
  z_stream zs{};
  // 32 + MAX_WBITS: detect gzip or zlib headers.
  if (inflateInit2(&zs, 32 + MAX_WBITS) != Z_OK) return internal_error("inflateInit2 failed");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char buf[64 * 1024];
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof(buf);
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&zs);
      return invalid_argument_error("Failed to decompress the gzip request body");
    }
    out.append(buf, sizeof(buf) - zs.avail_out);
    if (out.size() > max_bytes) {
      inflateEnd(&zs);
      return resource_exhausted_error("Uncompressed request body exceeds " + std::to_string(max_bytes) + " bytes");
    }
    if (rc == Z_OK && zs.avail_in == 0 && zs.avail_out != 0) {
      inflateEnd(&zs);
      return invalid_argument_error("Failed to decompress the gzip request body: truncated");
    }
  }
  inflateEnd(&zs);
  return out;
}

}  // namespace tfport::serving
