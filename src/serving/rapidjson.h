// RapidJSON, as TF Serving uses it. Debian's RapidJSON 1.1.0 computes `nullptr + n` in its
// internal stack before the first allocation (fixed upstream after 1.1.0); UBSan's
// pointer-overflow check aborts on it, so that check is switched off for RapidJSON's own
// functions only.
#pragma once

#if defined(__clang__)
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wignored-attributes"
#pragma clang attribute push(__attribute__((no_sanitize("pointer-overflow"))), apply_to = function)
#endif
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#if defined(__clang__)
#pragma clang attribute pop
#pragma clang diagnostic pop
#endif
