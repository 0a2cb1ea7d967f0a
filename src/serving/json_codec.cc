#include "serving/json_codec.h"


#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>

#include "serving/tensor_codec.h"

namespace tfport::serving {
namespace {

using Writer = rapidjson::PrettyWriter<rapidjson::StringBuffer>;
constexpr unsigned kParseFlags =
    rapidjson::kParseIterativeFlag | rapidjson::kParseNanAndInfFlag | rapidjson::kParseStopWhenDoneFlag;

// The debug text TF Serving embeds in its messages: pretty-printed with single-line arrays,
// cut at 256 bytes.
std::string value_text(const rapidjson::Value& v) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.SetFormatOptions(rapidjson::kFormatSingleLineArray);
  v.Accept(w);
  std::string s(buf.GetString(), buf.GetSize());
  if (s.size() > 256) s.resize(256);
  return s;
}

std::string_view json_type(const rapidjson::Value& v) {
  switch (v.GetType()) {
    case rapidjson::kNullType: return "Null";
    case rapidjson::kFalseType: return "False";
    case rapidjson::kTrueType: return "True";
    case rapidjson::kObjectType: return "Object";
    case rapidjson::kArrayType: return "Array";
    case rapidjson::kStringType: return "String";
    case rapidjson::kNumberType: return "Number";
  }
  return "Unknown";
}

Status doc_error(const rapidjson::Value& doc, std::string_view what) {
  return invalid_argument_error("JSON Value: " + value_text(doc) + " " + std::string(what));
}

bool is_b64_object(const rapidjson::Value& v) {
  return v.IsObject() && v.MemberCount() == 1 && v.HasMember("b64");
}

Status decode_b64_object(const rapidjson::Value& v, std::string* out) {
  const auto& s = v.FindMember("b64")->value;
  if (!s.IsString()) return invalid_argument_error("JSON Value: " + value_text(v) + " not formatted correctly for base64 data");
  if (!base64_decode(std::string_view(s.GetString(), s.GetStringLength()), out)) {
    return invalid_argument_error("Unable to base64 decode");
  }
  return Status::OK();
}

// Elements of one tensor as they are converted; shape kept separately.
struct Elements {
  DType dtype;
  std::vector<unsigned char> bytes;
  std::vector<std::string> strings;
  int64_t count = 0;
};

template <typename T>
void push(Elements* e, T v) {
  const std::size_t at = e->bytes.size();
  e->bytes.resize(at + sizeof(T));
  std::memcpy(e->bytes.data() + at, &v, sizeof(T));
}

Status add_leaf(const rapidjson::Value& v, Elements* e) {
  auto type_error = [&] {
    return invalid_argument_error("JSON Value: " + value_text(v) + " Type: " + std::string(json_type(v)) +
                                  " is not of expected type: " + std::string(tf_type_name(e->dtype)));
  };
  switch (e->dtype) {
    case DType::kFloat:
      if (!v.IsNumber()) return type_error();
      push<float>(e, static_cast<float>(v.GetDouble()));
      break;
    case DType::kDouble:
      if (!v.IsNumber()) return type_error();
      push<double>(e, v.GetDouble());
      break;
    case DType::kInt32:
      if (!v.IsInt()) return type_error();
      push<int32_t>(e, v.GetInt());
      break;
    case DType::kInt16:
      if (!v.IsInt()) return type_error();
      push<int16_t>(e, static_cast<int16_t>(v.GetInt()));
      break;
    case DType::kInt8:
      if (!v.IsInt()) return type_error();
      push<int8_t>(e, static_cast<int8_t>(v.GetInt()));
      break;
    case DType::kUInt8:
      if (!v.IsInt()) return type_error();
      push<uint8_t>(e, static_cast<uint8_t>(v.GetInt()));
      break;
    case DType::kUInt16:
      if (!v.IsInt()) return type_error();
      push<uint16_t>(e, static_cast<uint16_t>(v.GetInt()));
      break;
    case DType::kInt64:
      if (!v.IsInt64()) return type_error();
      push<int64_t>(e, v.GetInt64());
      break;
    case DType::kUInt32:
      if (!v.IsUint()) return type_error();
      push<uint32_t>(e, v.GetUint());
      break;
    case DType::kUInt64:
      if (!v.IsUint64()) return type_error();
      push<uint64_t>(e, v.GetUint64());
      break;
    case DType::kBool:
      if (!v.IsBool()) return type_error();
      push<bool>(e, v.GetBool());
      break;
    case DType::kString:
      if (v.IsString()) {
        e->strings.emplace_back(v.GetString(), v.GetStringLength());
      } else if (is_b64_object(v)) {
        std::string decoded;
        TFPORT_RETURN_IF_ERROR(decode_b64_object(v, &decoded));
        e->strings.push_back(std::move(decoded));
      } else {
        return type_error();
      }
      break;
    default:
      return unimplemented_error("Conversion of JSON Value: " + value_text(v) +
                                 " to type: " + std::string(tf_type_name(e->dtype)));
  }
  ++e->count;
  return Status::OK();
}

std::vector<int64_t> dense_shape(const rapidjson::Value& v) {
  std::vector<int64_t> dims;
  const rapidjson::Value* p = &v;
  while (p->IsArray()) {
    dims.push_back(p->Size());
    if (p->Empty()) break;
    p = &(*p)[0];
  }
  return dims;
}

Status fill(const rapidjson::Value& v, std::size_t level, const std::vector<int64_t>& dims, Elements* e) {
  if (v.IsArray()) {
    if (level >= dims.size()) {
      return invalid_argument_error("Encountered list at unexpected level: " + std::to_string(level) + " expected < " +
                                    std::to_string(dims.size()));
    }
    if (static_cast<int64_t>(v.Size()) != dims[level]) {
      return invalid_argument_error("Encountered list at unexpected size: " + std::to_string(v.Size()) +
                                    " at level: " + std::to_string(level) +
                                    " expected size: " + std::to_string(dims[level]));
    }
    for (const auto& item : v.GetArray()) TFPORT_RETURN_IF_ERROR(fill(item, level + 1, dims, e));
    return Status::OK();
  }
  if (level != dims.size()) {
    return invalid_argument_error("JSON Value: " + value_text(v) + " found at incorrect level: " +
                                  std::to_string(level + 1) + " in the JSON DOM. Expected at level: " +
                                  std::to_string(dims.size()));
  }
  return add_leaf(v, e);
}

std::string shape_text(const std::vector<int64_t>& dims) {
  std::string s = "[";
  for (std::size_t i = 0; i < dims.size(); ++i) {
    if (i > 0) s += ',';
    s += std::to_string(dims[i]);
  }
  return s + "]";
}

StatusOr<Tensor> to_tensor(Elements&& e, std::vector<int64_t> dims, std::size_t max_bytes) {
  Shape shape(std::move(dims));
  if (e.dtype == DType::kString) return Tensor::from_strings(shape, std::move(e.strings));
  if (e.bytes.size() > max_bytes) {
    return resource_exhausted_error("tensor of " + std::to_string(e.bytes.size()) +
                                    " bytes exceeds the server's tensor size limit");
  }
  auto owned = std::make_shared<std::vector<unsigned char>>(std::move(e.bytes));
  const void* p = owned->data();
  return Tensor::wrap(e.dtype, std::move(shape), p, std::shared_ptr<const void>(owned, p));
}

// Row format: one item of input `name` (all items must agree in size and shape).
struct RowInput {
  Elements elements;
  std::vector<int64_t> item_dims;
  int64_t item_size = -1;
};

Status add_instance_item(const rapidjson::Value& item, const std::string& name, const std::vector<TensorSpec>& inputs,
                         std::map<std::string, RowInput>* rows) {
  const TensorSpec* spec = nullptr;
  for (const auto& s : inputs) {
    if (s.key == name) spec = &s;
  }
  if (spec == nullptr) return invalid_argument_error("JSON object: does not have named input: " + name);
  auto [it, fresh] = rows->try_emplace(name);
  RowInput& row = it->second;
  if (fresh) row.elements.dtype = spec->dtype;
  std::vector<int64_t> dims = dense_shape(item);
  const int64_t before = row.elements.count;
  TFPORT_RETURN_IF_ERROR(fill(item, 0, dims, &row.elements));
  const int64_t size = row.elements.count - before;
  if (row.item_size < 0) {
    row.item_size = size;
    row.item_dims = dims;
  } else if (row.item_size != size) {
    return invalid_argument_error("Expecting tensor size: " + std::to_string(row.item_size) +
                                  " but got: " + std::to_string(size));
  } else if (row.item_dims != dims) {
    return invalid_argument_error("Expecting shape " + shape_text(row.item_dims) + " but got: " + shape_text(dims));
  }
  return Status::OK();
}

std::string item_error(std::size_t i, const Status& s) {
  return "Failed to process element: " + std::to_string(i) + " of 'instances' list. Error: " + s.to_string();
}

StatusOr<std::map<std::string, Tensor>> from_instances(const rapidjson::Value& list, const std::vector<TensorSpec>& inputs,
                                                       std::size_t max_bytes) {
  const bool objects = list[0].IsObject() && !is_b64_object(list[0]);
  if (!list[0].IsObject() && inputs.size() > 1) {
    return invalid_argument_error(
        "instances is a plain list, but expecting list of objects as multiple input tensors required as per "
        "tensorinfo_map");
  }
  std::set<std::string> names;
  for (const auto& s : inputs) names.insert(s.key);
  std::map<std::string, RowInput> rows;
  std::size_t count = 0;
  for (const auto& item : list.GetArray()) {
    const bool is_object = item.IsObject() && !is_b64_object(item);
    if (objects) {
      if (!is_object) {
        return invalid_argument_error("Expecting object but got list at item " + std::to_string(count) +
                                      " of input list");
      }
      std::set<std::string> keys;
      for (const auto& m : item.GetObject()) {
        std::string name(m.name.GetString(), m.name.GetStringLength());
        keys.insert(name);
        Status s = add_instance_item(m.value, name, inputs, &rows);
        if (!s.ok()) {
          return invalid_argument_error("Failed to process element: " + std::to_string(count) + " key: " + name +
                                        " of 'instances' list. Error: " + s.to_string());
        }
      }
      if (keys != names) {
        std::string joined;
        for (const auto& n : names) {
          if (!joined.empty()) joined += ',';
          joined += n;
        }
        return invalid_argument_error("Failed to process element: " + std::to_string(count) +
                                      " of 'instances' list. JSON object: " + value_text(item) +
                                      " keys must be equal to: " + joined);
      }
    } else {
      if (is_object) {
        return invalid_argument_error("Expecting value/list but got object at item " + std::to_string(count) +
                                      " of input list");
      }
      Status s = add_instance_item(item, inputs.front().key, inputs, &rows);
      if (!s.ok()) return invalid_argument_error(item_error(count, s));
    }
    ++count;
  }
  std::map<std::string, Tensor> tensors;
  for (auto& [name, row] : rows) {
    std::vector<int64_t> dims{static_cast<int64_t>(count)};
    dims.insert(dims.end(), row.item_dims.begin(), row.item_dims.end());
    TFPORT_ASSIGN_OR_RETURN(tensors[name], to_tensor(std::move(row.elements), std::move(dims), max_bytes));
  }
  return tensors;
}

StatusOr<Tensor> whole_value(const rapidjson::Value& v, DType dtype, std::size_t max_bytes) {
  Elements e{dtype, {}, {}, 0};
  std::vector<int64_t> dims = dense_shape(v);
  TFPORT_RETURN_IF_ERROR(fill(v, 0, dims, &e));
  return to_tensor(std::move(e), std::move(dims), max_bytes);
}

StatusOr<std::map<std::string, Tensor>> from_inputs(const rapidjson::Value& v, const std::vector<TensorSpec>& inputs,
                                                    std::size_t max_bytes) {
  std::map<std::string, Tensor> tensors;
  if (!v.IsObject() || is_b64_object(v)) {
    if (inputs.size() > 1) {
      return invalid_argument_error(
          "inputs is a plain value/list, but expecting an object as multiple input tensors required as per "
          "tensorinfo_map");
    }
    TFPORT_ASSIGN_OR_RETURN(tensors[inputs.front().key], whole_value(v, inputs.front().dtype, max_bytes));
    return tensors;
  }
  for (const auto& spec : inputs) {
    auto it = v.FindMember(spec.key.c_str());
    if (it == v.MemberEnd()) return invalid_argument_error("Missing named input: " + spec.key + " in 'inputs' object.");
    TFPORT_ASSIGN_OR_RETURN(tensors[spec.key], whole_value(it->value, spec.dtype, max_bytes));
  }
  return tensors;
}

// Writes one element of `t` at flat index i.
Status write_element(Writer& w, const Tensor& t, bool as_bytes, int64_t i) {
  switch (t.dtype()) {
    case DType::kFloat: {
      std::string s = decimal_text(t.data<float>()[i], true);
      w.RawValue(s.data(), s.size(), rapidjson::kNumberType);
      return Status::OK();
    }
    case DType::kDouble: {
      std::string s = decimal_text(t.data<double>()[i], false);
      w.RawValue(s.data(), s.size(), rapidjson::kNumberType);
      return Status::OK();
    }
    case DType::kInt32: w.Int(t.data<int32_t>()[i]); return Status::OK();
    case DType::kInt16: w.Int(t.data<int16_t>()[i]); return Status::OK();
    case DType::kInt8: w.Int(t.data<int8_t>()[i]); return Status::OK();
    case DType::kUInt8: w.Int(t.data<uint8_t>()[i]); return Status::OK();
    case DType::kInt64: w.Int64(t.data<int64_t>()[i]); return Status::OK();
    case DType::kUInt32: w.Uint(t.data<uint32_t>()[i]); return Status::OK();
    case DType::kUInt64: w.Uint64(t.data<uint64_t>()[i]); return Status::OK();
    case DType::kBool: w.Bool(t.data<bool>()[i]); return Status::OK();
    case DType::kString: {
      const std::string& s = t.strings()[static_cast<std::size_t>(i)];
      if (as_bytes) {
        std::string b = base64_encode(s);
        w.StartObject();
        w.Key("b64");
        w.String(b.data(), static_cast<rapidjson::SizeType>(b.size()));
        w.EndObject();
      } else {
        w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
      }
      return Status::OK();
    }
    default:
      return invalid_argument_error("Failed to write JSON value for tensor type: " + std::string(tf_type_name(t.dtype())));
  }
}

Status write_values(Writer& w, const Tensor& t, bool as_bytes, std::size_t dim, int64_t* offset) {
  const auto& dims = t.shape().dims();
  if (dim >= dims.size()) return write_element(w, t, as_bytes, (*offset)++);
  w.StartArray();
  for (int64_t i = 0; i < dims[dim]; ++i) TFPORT_RETURN_IF_ERROR(write_values(w, t, as_bytes, dim + 1, offset));
  w.EndArray();
  return Status::OK();
}

bool named_bytes(const std::string& name, const Tensor& t) {
  return t.dtype() == DType::kString && name.size() >= 6 && name.compare(name.size() - 6, 6, "_bytes") == 0;
}

Status add_feature_value(const rapidjson::Value& v, const std::string& name, tensorflow::Feature* f) {
  using K = tensorflow::Feature::KindCase;
  auto kind_ok = [&](K k) { return f->kind_case() == K::KIND_NOT_SET || f->kind_case() == k; };
  auto kind_error = [&] {
    std::string kind = f->kind_case() == K::kBytesList ? "bytes" : f->kind_case() == K::kFloatList ? "float" : "int64";
    return invalid_argument_error("Unexpected element type in feature: " + name + " expecting type: " + kind);
  };
  auto unexpected = [&] {
    return invalid_argument_error("Feature: " + name + " has element with unexpected JSON type: " +
                                  std::string(json_type(v)));
  };
  switch (v.GetType()) {
    case rapidjson::kNullType:
    case rapidjson::kArrayType:
      return unexpected();
    case rapidjson::kFalseType:
    case rapidjson::kTrueType:
      if (!kind_ok(K::kInt64List)) return kind_error();
      f->mutable_int64_list()->add_value(v.GetBool() ? 1 : 0);
      return Status::OK();
    case rapidjson::kObjectType: {
      if (!is_b64_object(v)) return unexpected();
      if (!kind_ok(K::kBytesList)) return kind_error();
      std::string decoded;
      TFPORT_RETURN_IF_ERROR(decode_b64_object(v, &decoded));
      f->mutable_bytes_list()->add_value(std::move(decoded));
      return Status::OK();
    }
    case rapidjson::kStringType:
      if (!kind_ok(K::kBytesList)) return kind_error();
      f->mutable_bytes_list()->add_value(std::string(v.GetString(), v.GetStringLength()));
      return Status::OK();
    case rapidjson::kNumberType:
      if (v.IsDouble()) {
        if (!kind_ok(K::kFloatList)) return kind_error();
        f->mutable_float_list()->add_value(static_cast<float>(v.GetDouble()));
      } else {
        if (!kind_ok(K::kInt64List)) return kind_error();
        if (!v.IsInt64()) {
          return invalid_argument_error("Feature: " + name + " has uint64_t element. Only int64_t is supported.");
        }
        f->mutable_int64_list()->add_value(v.GetInt64());
      }
      return Status::OK();
  }
  return unexpected();
}

Status example_from_json(const rapidjson::Value& v, tensorflow::Example* example) {
  if (!v.IsObject()) {
    return invalid_argument_error("Example must be JSON object but got JSON " + std::string(json_type(v)));
  }
  auto* features = example->mutable_features()->mutable_feature();
  for (const auto& m : v.GetObject()) {
    std::string name(m.name.GetString(), m.name.GetStringLength());
    tensorflow::Feature f;
    if (m.value.IsArray()) {
      for (const auto& item : m.value.GetArray()) TFPORT_RETURN_IF_ERROR(add_feature_value(item, name, &f));
    } else {
      TFPORT_RETURN_IF_ERROR(add_feature_value(m.value, name, &f));
    }
    (*features)[name] = std::move(f);
  }
  return Status::OK();
}

std::string finish(const rapidjson::StringBuffer& buf) { return std::string(buf.GetString(), buf.GetSize()); }

}  // namespace

Status parse_json_body(std::string_view body, rapidjson::Document* doc) {
  if (body.empty()) return invalid_argument_error("JSON Parse error: The document is empty");
  rapidjson::MemoryStream ms(body.data(), body.size());
  doc->ParseStream<kParseFlags>(ms);
  if (doc->HasParseError()) {
    return invalid_argument_error(std::string("JSON Parse error: ") + rapidjson::GetParseError_En(doc->GetParseError()) +
                                  " at offset: " + std::to_string(doc->GetErrorOffset()));
  }
  if (!doc->IsObject()) return doc_error(*doc, "Is not object");
  return Status::OK();
}

StatusOr<std::string> json_signature_name(const rapidjson::Document& doc) {
  auto it = doc.FindMember("signature_name");
  if (it == doc.MemberEnd()) return std::string();
  if (!it->value.IsString()) {
    return doc_error(doc, "not formatted correctly. 'signature_name' key must be a string value.");
  }
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

StatusOr<std::map<std::string, Tensor>> json_predict_inputs(const rapidjson::Document& doc,
                                                            const std::vector<TensorSpec>& inputs,
                                                            std::size_t max_tensor_bytes, JsonFormat* format) {
  auto instances = doc.FindMember("instances");
  auto columns = doc.FindMember("inputs");
  if (instances != doc.MemberEnd()) {
    if (columns != doc.MemberEnd()) {
      return doc_error(doc, "Not formatted correctly expecting only one of 'inputs' or 'instances' keys to exist ");
    }
    if (!instances->value.IsArray()) return doc_error(doc, "Expecting 'instances' to be an list/array");
    if (instances->value.Empty()) return doc_error(doc, "No values in 'instances' array");
    *format = JsonFormat::kRow;
    return from_instances(instances->value, inputs, max_tensor_bytes);
  }
  if (columns != doc.MemberEnd()) {
    *format = JsonFormat::kColumnar;
    return from_inputs(columns->value, inputs, max_tensor_bytes);
  }
  return invalid_argument_error("Missing 'inputs' or 'instances' key");
}

StatusOr<std::string> predict_response_json(const std::map<std::string, Tensor>& outputs, JsonFormat format) {
  if (outputs.empty()) return invalid_argument_error("Cannot convert empty tensor map to JSON");
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  const bool objects = outputs.size() > 1;
  if (format == JsonFormat::kRow) {
    int64_t batch = -1;
    for (const auto& [name, t] : outputs) {
      if (t.shape().rank() == 0) return invalid_argument_error("Tensor name: " + name + " has no shape information ");
      const int64_t b = t.shape().dim(0);
      if (batch >= 0 && b != batch) {
        return invalid_argument_error("Tensor name: " + name + " has inconsistent batch size: " + std::to_string(b) +
                                      " expecting: " + std::to_string(batch));
      }
      batch = b;
    }
    std::map<std::string, int64_t> offsets;
    w.Key("predictions");
    w.StartArray();
    for (int64_t item = 0; item < batch; ++item) {
      if (objects) w.StartObject();
      w.SetFormatOptions(rapidjson::kFormatSingleLineArray);
      for (const auto& [name, t] : outputs) {
        if (objects) w.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
        TFPORT_RETURN_IF_ERROR(write_values(w, t, named_bytes(name, t), 1, &offsets[name]));
      }
      w.SetFormatOptions(rapidjson::kFormatDefault);
      if (objects) w.EndObject();
    }
    w.EndArray();
  } else {
    w.Key("outputs");
    if (objects) w.StartObject();
    for (const auto& [name, t] : outputs) {
      if (objects) w.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
      int64_t offset = 0;
      TFPORT_RETURN_IF_ERROR(write_values(w, t, named_bytes(name, t), 0, &offset));
    }
    if (objects) w.EndObject();
  }
  w.EndObject();
  return finish(buf);
}

Status json_examples(const rapidjson::Document& doc, tensorflow::serving::Input* input) {
  bool has_context = false;
  auto ctx = doc.FindMember("context");
  if (ctx != doc.MemberEnd()) {
    TFPORT_RETURN_IF_ERROR(
        example_from_json(ctx->value, input->mutable_example_list_with_context()->mutable_context()));
    has_context = true;
  }
  auto it = doc.FindMember("examples");
  if (it == doc.MemberEnd()) {
    return doc_error(doc, "When method is classify, key 'examples' is expected and was not found");
  }
  if (!it->value.IsArray()) return doc_error(doc, "Expecting 'examples' value to be an list/array");
  if (it->value.Empty()) return doc_error(doc, "'examples' value is an empty array");
  for (const auto& v : it->value.GetArray()) {
    tensorflow::Example* ex = has_context ? input->mutable_example_list_with_context()->add_examples()
                                          : input->mutable_example_list()->add_examples();
    TFPORT_RETURN_IF_ERROR(example_from_json(v, ex));
  }
  return Status::OK();
}

StatusOr<std::string> classification_json(const tensorflow::serving::ClassificationResult& result) {
  if (result.classifications_size() == 0) {
    return invalid_argument_error("Cannot convert empty ClassificationResults to JSON");
  }
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  w.Key("results");
  w.StartArray();
  for (const auto& c : result.classifications()) {
    w.SetFormatOptions(rapidjson::kFormatSingleLineArray);
    w.StartArray();
    for (const auto& cls : c.classes()) {
      w.StartArray();
      w.String(cls.label().data(), static_cast<rapidjson::SizeType>(cls.label().size()));
      std::string s = decimal_text(cls.score(), true);
      w.RawValue(s.data(), s.size(), rapidjson::kNumberType);
      w.EndArray();
    }
    w.EndArray();
    w.SetFormatOptions(rapidjson::kFormatDefault);
  }
  w.EndArray();
  w.EndObject();
  return finish(buf);
}

StatusOr<std::string> regression_json(const tensorflow::serving::RegressionResult& result) {
  if (result.regressions_size() == 0) return invalid_argument_error("Cannot convert empty RegressionResults to JSON");
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  w.Key("results");
  w.SetFormatOptions(rapidjson::kFormatSingleLineArray);
  w.StartArray();
  for (const auto& r : result.regressions()) {
    std::string s = decimal_text(r.value(), true);
    w.RawValue(s.data(), s.size(), rapidjson::kNumberType);
  }
  w.EndArray();
  w.EndObject();
  return finish(buf);
}

std::string error_json(std::string_view message) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  w.Key("error");
  w.String(message.data(), static_cast<rapidjson::SizeType>(message.size()));
  w.EndObject();
  return finish(buf);
}

std::string decimal_text(double value, bool is_float) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%g", value);
  bool round_trips = is_float ? std::strtof(buf, nullptr) == static_cast<float>(value) : std::strtod(buf, nullptr) == value;
  if (!round_trips) std::snprintf(buf, sizeof(buf), is_float ? "%.9g" : "%.17g", value);
  std::string s(buf);
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

std::string base64_encode(std::string_view in) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (uint32_t(uint8_t(in[i])) << 16) | (uint32_t(uint8_t(in[i + 1])) << 8) | uint8_t(in[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i + 1 == in.size()) {
    uint32_t v = uint32_t(uint8_t(in[i])) << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    uint32_t v = (uint32_t(uint8_t(in[i])) << 16) | (uint32_t(uint8_t(in[i + 1])) << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

bool base64_decode(std::string_view in, std::string* out) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  while (!in.empty() && in.back() == '=') in.remove_suffix(1);
  if (in.size() % 4 == 1) return false;
  out->clear();
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    int v = value(c);
    if (v < 0) return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return true;
}

}  // namespace tfport::serving
