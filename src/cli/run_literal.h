// The Python values `tfport run --input_exprs` and `--input_examples` accept, parsed without
// evaluating anything: the literals Python's ast.literal_eval takes (numbers, strings, bytes,
// True/False/None, lists, tuples, dicts) plus, for --input_exprs, the NumPy constructors
// older saved_model_cli versions allowed through eval: np.ones/zeros/full/arange/array
// (with shape and dtype arguments) and an optional .reshape(...)/.astype(...) after them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tfport/status.h"
#include "tfport/tensor.h"

namespace tfport::cli {

struct PyValue {
  enum class Kind { kNone, kBool, kInt, kFloat, kStr, kBytes, kList, kTuple, kDict, kArray };
  Kind kind = Kind::kNone;
  bool b = false;
  int64_t i = 0;
  double f = 0;
  std::string s;               // kStr (UTF-8) and kBytes
  std::vector<PyValue> items;  // kList, kTuple; the values of a kDict
  std::vector<PyValue> keys;   // kDict keys, in source order
  Tensor array;                // kArray: the result of a np.* call
};

struct PyLiteralOptions {
  bool allow_numpy = false;                      // np.ones(...) and friends
  std::size_t max_array_bytes = std::size_t{1} << 30;  // per np.* result
};

// Parses one expression; the error says where and why (the caller adds the TF wording).
StatusOr<PyValue> parse_py_literal(std::string_view text, const PyLiteralOptions& options = {});

// np.asarray(value, dtype=dtype): nested lists/tuples of numbers, bools or strings (and
// np.* arrays) become a tensor; kInvalid infers the dtype as NumPy does (float64, int64, bool,
// strings). Ragged nesting, dicts and None are errors.
StatusOr<Tensor> py_to_array(const PyValue& value, DType dtype = DType::kInvalid,
                             std::size_t max_bytes = std::size_t{1} << 30);

// array.astype(dtype) between bool, integer and floating types (C casts, as NumPy's); strings
// only to strings.
StatusOr<Tensor> cast_array(const Tensor& tensor, DType dtype);

// Python's repr() of the value ("[1, 2.5, 'a', b'x']"), for error messages.
std::string py_repr(const PyValue& value);
// "<class 'list'>", as Python prints type(value).
std::string py_type_repr(const PyValue& value);

}  // namespace tfport::cli
