// Bundle keys are arbitrary bytes (slice keys are binary OrderedCode strings); messages show
// them with C-style escapes so an error line stays one readable line.
#pragma once

#include <string>
#include <string_view>

namespace tfport::bundle {

// "a/b" stays "a/b"; "\0w\0\1" becomes "\x00w\x00\x01".
std::string printable_key(std::string_view key);

}  // namespace tfport::bundle
