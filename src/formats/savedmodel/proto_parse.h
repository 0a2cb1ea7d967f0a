// Parsing TensorFlow protos from model files, with errors that name the file and the reason.
// Shared by the SavedModel and GraphDef readers.
#pragma once

#include <string>
#include <string_view>

#include <google/protobuf/message.h>

#include "tfport/status.h"

namespace tfport {

// Parses binary wire-format bytes into `message` (cleared first). On failure DATA_LOSS
// "Cannot parse file <path>: <reason>." (saved_model_cli's wording), where the reason says
// whether the wire data itself is broken (truncated / bit-flipped) or only does not fit the
// message type. Empty input is an error too: no real model file is empty.
Status parse_binary_proto(std::string_view bytes, const std::string& path, google::protobuf::Message* message);

// Parses a message embedded in another one (an Any value, a collection item). On failure
// DATA_LOSS "<context>: <reason>"; empty bytes are a valid (empty) message here.
Status parse_embedded_proto(std::string_view bytes, const std::string& context, google::protobuf::Message* message);

// Parses text-format bytes. Unknown fields are rejected, as TensorFlow does: our schema
// (proto/tfport/tf) defines every field TensorFlow writes, including the experimental ones.
// The reason names the line and column of the first error.
Status parse_text_proto(std::string_view text, const std::string& path, google::protobuf::Message* message);

// True when `bytes` look like text format rather than binary: no control characters other
// than whitespace in the first 4 KiB. Binary TF protos always contain such bytes early (field
// tags 0x08-0x1a and short lengths), so a .pb that holds text is still read correctly.
bool looks_like_text_proto(std::string_view bytes);

}  // namespace tfport
