// Parsing `tfport run`'s three input flags, with saved_model_cli's error texts, and loading
// .npy/.npz input files.
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <fstream>

#include "cli/run.h"
#include "tfport/npy.h"
#include "tfport/tf/example.pb.h"

namespace tfport::cli {
namespace {

std::vector<std::string_view> split_items(std::string_view text) {
  std::vector<std::string_view> items;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(';', start);
    if (end == std::string_view::npos) end = text.size();
    if (end > start) items.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return items;
}

bool has_bracket(std::string_view s) { return s.find_first_of("[]") != std::string_view::npos; }

// str(value) in Python: strings without quotes, everything else as repr.
std::string py_str(const PyValue& v) { return v.kind == PyValue::Kind::kStr ? v.s : py_repr(v); }

}  // namespace

StatusOr<std::map<std::string, InputFileArg>> parse_inputs_arg(std::string_view text) {
  std::map<std::string, InputFileArg> result;
  for (std::string_view item : split_items(text)) {
    auto bad = [&] {
      return invalid_argument_error("--inputs \"" + std::string(item) +
                                    "\" format is incorrect. Please follow\"<input_key>=<filename>\", or"
                                    "\"<input_key>=<filename>[<variable_name>]\"");
    };
    size_t eq = item.find('=');
    if (eq == std::string_view::npos || eq == 0) return bad();
    std::string_view key = item.substr(0, eq);
    std::string_view rest = item.substr(eq + 1);
    InputFileArg arg;
    if (!has_bracket(rest)) {
      if (rest.empty()) return bad();
      arg.file = std::string(rest);
    } else {
      size_t open = rest.find('[');
      if (open == std::string_view::npos || open == 0 || rest.back() != ']') return bad();
      std::string_view file = rest.substr(0, open);
      std::string_view var = rest.substr(open + 1, rest.size() - open - 2);
      if (var.empty() || has_bracket(file) || has_bracket(var)) return bad();
      arg.file = std::string(file);
      arg.variable = std::string(var);
    }
    result[std::string(key)] = std::move(arg);
  }
  return result;
}

StatusOr<Tensor> load_input_file(const InputFileArg& arg, std::ostream& warn) {
  const std::string& f = arg.file;
  std::ifstream in(f, std::ios::binary);
  if (!in) return not_found_error("Input file " + f + " could not be opened: no such file or not readable");
  char magic[6] = {};
  in.read(magic, sizeof(magic));
  std::string_view head(magic, static_cast<size_t>(in.gcount()));
  if (head == std::string_view("\x93NUMPY", 6)) {
    if (arg.variable) {
      warn << "Input file " << f << " contains a single ndarray. Name key \"" << *arg.variable << "\" ignored.\n";
    }
    auto t = read_npy(f);
    if (!t.ok()) return t.status().with_context("Input file " + f);
    return t;
  }
  if (head.substr(0, 4) == std::string_view("PK\x03\x04", 4) || head.substr(0, 4) == std::string_view("PK\x05\x06", 4)) {
    auto keys = list_npz(f);
    if (!keys.ok()) return keys.status().with_context("Input file " + f);
    if (arg.variable) {
      std::string v = *arg.variable;
      bool found = false;
      for (const std::string& k : *keys) found = found || k == v || k + ".npy" == v;
      if (!found) return not_found_error("Input file " + f + " does not contain variable with name \"" + v + "\".");
      auto t = read_npz_entry(f, v);
      if (!t.ok()) return t.status().with_context("Input file " + f);
      return t;
    }
    if (keys->size() != 1) {
      return invalid_argument_error("Input file " + f +
                                    " contains more than one ndarrays. Please specify the name of ndarray to use.");
    }
    auto t = read_npz_entry(f, keys->front());
    if (!t.ok()) return t.status().with_context("Input file " + f);
    return t;
  }
  return invalid_argument_error("Input file " + f +
                                " is not a .npy or .npz file; pickled inputs are refused (unpickling runs code)");
}

StatusOr<std::map<std::string, PyValue>> parse_input_exprs_arg(std::string_view text, bool allow_numpy) {
  std::map<std::string, PyValue> result;
  for (std::string_view item : split_items(text)) {
    size_t eq = item.find('=');
    if (text.find('=') == std::string_view::npos || eq == std::string_view::npos) {
      return invalid_argument_error("--input_exprs \"" + std::string(text) +
                                    "\" format is incorrect. Please follow\"<input_key>=<python expression>\"");
    }
    std::string key(item.substr(0, eq));
    std::string_view expr = item.substr(eq + 1);
    PyLiteralOptions options;
    options.allow_numpy = allow_numpy;
    auto value = parse_py_literal(expr, options);
    if (!value.ok()) {
      if (value.status().code() == StatusCode::kResourceExhausted) {
        return value.status().with_context("Expression \"" + std::string(expr) + "\"");
      }
      return invalid_argument_error("Expression \"" + std::string(expr) + "\" is not a valid python literal. (" +
                                    value.status().message() + ")");
    }
    result[key] = std::move(*value);
  }
  return result;
}

StatusOr<std::string> serialize_example(const PyValue& dict) {
  if (dict.kind != PyValue::Kind::kDict) {
    return invalid_argument_error("tf.Example input must be a list of dictionaries, but an element \"" + py_str(dict) +
                                  "\" is " + py_type_repr(dict));
  }
  tensorflow::Example example;
  auto& features = *example.mutable_features()->mutable_feature();
  for (size_t k = 0; k < dict.keys.size(); ++k) {
    const PyValue& key = dict.keys[k];
    const PyValue& list = dict.items[k];
    if (key.kind != PyValue::Kind::kStr) {
      return invalid_argument_error("tf.Example feature names must be strings, got " + py_repr(key));
    }
    if (list.kind != PyValue::Kind::kList) {
      return invalid_argument_error("feature value must be a list, but " + key.s + ": \"" + py_str(list) + "\" is " +
                                    py_type_repr(list));
    }
    if (list.items.empty()) {
      return invalid_argument_error("feature value must be a non-empty list, but " + key.s + ": \"[]\" is empty");
    }
    const PyValue& first = list.items[0];
    tensorflow::Feature& feature = features[key.s];
    auto mismatch = [&](const PyValue& v, const char* kind) {
      return invalid_argument_error("feature " + key.s + ": value " + py_repr(v) + " of " + py_type_repr(v) +
                                    " does not fit a " + kind + " (chosen from the first value " + py_repr(first) + ")");
    };
    switch (first.kind) {
      case PyValue::Kind::kFloat: {
        auto* values = feature.mutable_float_list()->mutable_value();
        for (const PyValue& v : list.items) {
          if (v.kind == PyValue::Kind::kFloat) values->Add(static_cast<float>(v.f));
          else if (v.kind == PyValue::Kind::kInt) values->Add(static_cast<float>(v.i));
          else if (v.kind == PyValue::Kind::kBool) values->Add(v.b ? 1.0f : 0.0f);
          else return mismatch(v, "float_list");
        }
        break;
      }
      case PyValue::Kind::kStr:
      case PyValue::Kind::kBytes: {
        auto* values = feature.mutable_bytes_list()->mutable_value();
        for (const PyValue& v : list.items) {
          if (v.kind != first.kind) return mismatch(v, "bytes_list");
          values->Add(std::string(v.s));
        }
        break;
      }
      case PyValue::Kind::kInt:
      case PyValue::Kind::kBool: {
        auto* values = feature.mutable_int64_list()->mutable_value();
        for (const PyValue& v : list.items) {
          if (v.kind == PyValue::Kind::kInt) values->Add(v.i);
          else if (v.kind == PyValue::Kind::kBool) values->Add(v.b ? 1 : 0);
          else return mismatch(v, "int64_list");
        }
        break;
      }
      default:
        return invalid_argument_error("Type " + py_type_repr(first) + " for value " + py_str(first) +
                                      " is not supported for tf.train.Feature.");
    }
  }
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    if (!example.SerializeToCodedStream(&coded)) return internal_error("could not serialize a tf.Example");
  }
  return bytes;
}

StatusOr<std::map<std::string, std::vector<std::string>>> parse_input_examples_arg(std::string_view text) {
  TFPORT_ASSIGN_OR_RETURN(auto values, parse_input_exprs_arg(text, /*allow_numpy=*/false));
  std::map<std::string, std::vector<std::string>> result;
  for (const auto& [key, list] : values) {
    if (list.kind != PyValue::Kind::kList) {
      return invalid_argument_error("tf.Example input must be a list of dictionaries, but \"" + py_str(list) +
                                    "\" is " + py_type_repr(list));
    }
    std::vector<std::string> serialized;
    for (const PyValue& example : list.items) {
      auto bytes = serialize_example(example);
      if (!bytes.ok()) return bytes.status().with_context("--input_examples key '" + key + "'");
      serialized.push_back(std::move(*bytes));
    }
    result[key] = std::move(serialized);
  }
  return result;
}

std::string python_shape(const std::vector<int64_t>& dims) {
  std::string out = "(";
  for (size_t k = 0; k < dims.size(); ++k) {
    if (k) out += ", ";
    out += dims[k] < 0 ? "None" : std::to_string(dims[k]);
  }
  if (dims.size() == 1) out += ",";
  return out + ")";
}

}  // namespace tfport::cli
