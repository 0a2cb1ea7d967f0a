// A strict parser for the Python literal subset an .npy header is written in: dicts, tuples,
// lists, plain string literals, integers (with Python 2's optional 'L' suffix), True, False and
// None. It never evaluates anything; nesting is capped so hostile input cannot exhaust the stack.
//
//   auto v = parse_python_literal("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }");
//   v->kind == PyLiteral::Kind::kDict
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tfport/status.h"

namespace tfport {

struct PyLiteral {
  enum class Kind { kString, kInt, kBool, kNone, kTuple, kList, kDict };

  Kind kind = Kind::kNone;
  std::string text;        // kString
  int64_t integer = 0;     // kInt
  bool boolean = false;    // kBool
  std::vector<PyLiteral> items;  // kTuple, kList elements; kDict values
  std::vector<PyLiteral> keys;   // kDict keys, in source order (keys[i] maps to items[i])

  // "string", "int", "tuple" ... for error messages.
  std::string_view kind_name() const;
  // Python's repr-like rendering, for error messages ("(2, 3)", "'<f4'").
  std::string to_string() const;
};

constexpr int kMaxPyLiteralDepth = 16;

// Parses exactly one literal; only whitespace may surround it. Errors are INVALID_ARGUMENT
// with the byte offset and what was expected.
StatusOr<PyLiteral> parse_python_literal(std::string_view text);

}  // namespace tfport
