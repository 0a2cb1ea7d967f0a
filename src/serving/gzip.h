// Request bodies sent with `Content-Encoding: gzip` (TF Serving decompresses them, up to a limit).
#pragma once

#include <string>
#include <string_view>

#include "tfport/status.h"

namespace tfport::serving {

// Inflates gzip (or zlib) data; RESOURCE_EXHAUSTED past `max_bytes`, INVALID_ARGUMENT on bad data.
StatusOr<std::string> gunzip(std::string_view data, std::size_t max_bytes);

}  // namespace tfport::serving
