#include "serving/kserve.h"


#include <chrono>
#include <cstring>

#include "serving/json_codec.h"
#include "serving/rapidjson.h"
#include "serving/metrics.h"
#include "serving/rest_api.h"

namespace tfport::serving {
namespace {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

struct TypeName {
  DType dtype;
  const char* name;
};
constexpr TypeName kTypes[] = {
    {DType::kBool, "BOOL"},     {DType::kUInt8, "UINT8"},   {DType::kUInt16, "UINT16"}, {DType::kUInt32, "UINT32"},
    {DType::kUInt64, "UINT64"}, {DType::kInt8, "INT8"},     {DType::kInt16, "INT16"},   {DType::kInt32, "INT32"},
    {DType::kInt64, "INT64"},   {DType::kHalf, "FP16"},     {DType::kFloat, "FP32"},    {DType::kDouble, "FP64"},
    {DType::kString, "BYTES"},  {DType::kBFloat16, "BF16"},
};

HttpResponse json(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

HttpResponse error(int status, const std::string& message) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("error");
  w.String(message.data(), static_cast<rapidjson::SizeType>(message.size()));
  w.EndObject();
  return json(status, buf.GetString());
}

HttpResponse error(const Status& s) { return error(http_status_code(s), s.message()); }

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  while (!path.empty()) {
    if (path[0] == '/') {
      path.remove_prefix(1);
      continue;
    }
    std::size_t n = path.find('/');
    parts.push_back(path.substr(0, n));
    if (n == std::string_view::npos) break;
    path.remove_prefix(n);
  }
  return parts;
}

void write_shape(JsonWriter& w, const std::vector<int64_t>& dims) {
  w.StartArray();
  for (int64_t d : dims) w.Int64(d);
  w.EndArray();
}

void write_tensor_spec(JsonWriter& w, const TensorSpec& spec) {
  w.StartObject();
  w.Key("name");
  w.String(spec.key.c_str());
  w.Key("datatype");
  w.String(std::string(kserve_datatype(spec.dtype)).c_str());
  w.Key("shape");
  write_shape(w, spec.shape.unknown_rank() ? std::vector<int64_t>{-1} : spec.shape.dims());
  w.EndObject();
}

// Flattens nested arrays of `data` into leaves (row-major).
void flatten(const rapidjson::Value& v, std::vector<const rapidjson::Value*>* out) {
  if (v.IsArray()) {
    for (const auto& item : v.GetArray()) flatten(item, out);
  } else {
    out->push_back(&v);
  }
}

StatusOr<Tensor> input_tensor(const rapidjson::Value& in, std::size_t max_bytes) {
  if (!in.IsObject() || !in.HasMember("name") || !in["name"].IsString()) {
    return invalid_argument_error("each input needs a string \"name\"");
  }
  const std::string name = in["name"].GetString();
  if (!in.HasMember("datatype") || !in["datatype"].IsString()) {
    return invalid_argument_error("input '" + name + "': missing \"datatype\"");
  }
  const DType dtype = dtype_from_kserve(in["datatype"].GetString());
  if (dtype == DType::kInvalid || dtype == DType::kHalf || dtype == DType::kBFloat16) {
    return invalid_argument_error("input '" + name + "': unsupported datatype " + std::string(in["datatype"].GetString()));
  }
  if (!in.HasMember("shape") || !in["shape"].IsArray()) return invalid_argument_error("input '" + name + "': missing \"shape\"");
  std::vector<int64_t> dims;
  int64_t count = 1;
  for (const auto& d : in["shape"].GetArray()) {
    if (!d.IsInt64() || d.GetInt64() < 0) return invalid_argument_error("input '" + name + "': bad shape");
    dims.push_back(d.GetInt64());
    if (d.GetInt64() > 0 && count > (int64_t{1} << 40) / d.GetInt64()) return invalid_argument_error("shape too large");
    count *= d.GetInt64();
  }
  if (!in.HasMember("data")) return invalid_argument_error("input '" + name + "': missing \"data\"");
  std::vector<const rapidjson::Value*> leaves;
  flatten(in["data"], &leaves);
  if (static_cast<int64_t>(leaves.size()) != count) {
    return invalid_argument_error("input '" + name + "': shape " + Shape(dims).to_string() + " needs " +
                                  std::to_string(count) + " elements, data has " + std::to_string(leaves.size()));
  }
  if (dtype == DType::kString) {
    std::vector<std::string> values;
    for (const auto* v : leaves) {
      if (!v->IsString()) return invalid_argument_error("input '" + name + "': BYTES data must be strings");
      values.emplace_back(v->GetString(), v->GetStringLength());
    }
    return Tensor::from_strings(Shape(dims), std::move(values));
  }
  TFPORT_ASSIGN_OR_RETURN(Tensor t, Tensor::allocate(dtype, Shape(dims), max_bytes));
  auto bad = [&] { return invalid_argument_error("input '" + name + "': data does not match datatype"); };
  for (std::size_t i = 0; i < leaves.size(); ++i) {
    const rapidjson::Value& v = *leaves[i];
    switch (dtype) {
      case DType::kBool:
        if (!v.IsBool()) return bad();
        t.mutable_data<bool>()[i] = v.GetBool();
        break;
      case DType::kFloat:
        if (!v.IsNumber()) return bad();
        t.mutable_data<float>()[i] = static_cast<float>(v.GetDouble());
        break;
      case DType::kDouble:
        if (!v.IsNumber()) return bad();
        t.mutable_data<double>()[i] = v.GetDouble();
        break;
      case DType::kUInt64:
        if (!v.IsUint64()) return bad();
        t.mutable_data<uint64_t>()[i] = v.GetUint64();
        break;
      default: {
        if (!v.IsInt64()) return bad();
        const int64_t x = v.GetInt64();
        switch (dtype) {
          case DType::kInt8: t.mutable_data<int8_t>()[i] = static_cast<int8_t>(x); break;
          case DType::kInt16: t.mutable_data<int16_t>()[i] = static_cast<int16_t>(x); break;
          case DType::kInt32: t.mutable_data<int32_t>()[i] = static_cast<int32_t>(x); break;
          case DType::kInt64: t.mutable_data<int64_t>()[i] = x; break;
          case DType::kUInt8: t.mutable_data<uint8_t>()[i] = static_cast<uint8_t>(x); break;
          case DType::kUInt16: t.mutable_data<uint16_t>()[i] = static_cast<uint16_t>(x); break;
          case DType::kUInt32: t.mutable_data<uint32_t>()[i] = static_cast<uint32_t>(x); break;
          default: return bad();
        }
      }
    }
  }
  return t;
}

Status write_data(JsonWriter& w, const Tensor& t) {
  w.StartArray();
  const int64_t n = t.num_elements();
  for (int64_t i = 0; i < n; ++i) {
    switch (t.dtype()) {
      case DType::kBool: w.Bool(t.data<bool>()[i]); break;
      case DType::kFloat: {
        std::string s = decimal_text(t.data<float>()[i], true);
        w.RawValue(s.data(), s.size(), rapidjson::kNumberType);
        break;
      }
      case DType::kDouble: {
        std::string s = decimal_text(t.data<double>()[i], false);
        w.RawValue(s.data(), s.size(), rapidjson::kNumberType);
        break;
      }
      case DType::kInt8: w.Int(t.data<int8_t>()[i]); break;
      case DType::kInt16: w.Int(t.data<int16_t>()[i]); break;
      case DType::kInt32: w.Int(t.data<int32_t>()[i]); break;
      case DType::kInt64: w.Int64(t.data<int64_t>()[i]); break;
      case DType::kUInt8: w.Uint(t.data<uint8_t>()[i]); break;
      case DType::kUInt16: w.Uint(t.data<uint16_t>()[i]); break;
      case DType::kUInt32: w.Uint(t.data<uint32_t>()[i]); break;
      case DType::kUInt64: w.Uint64(t.data<uint64_t>()[i]); break;
      case DType::kString: {
        const std::string& s = t.strings()[static_cast<std::size_t>(i)];
        w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
        break;
      }
      default:
        return invalid_argument_error("output of type " + std::string(dtype_name(t.dtype())) +
                                      " cannot be written as JSON");
    }
  }
  w.EndArray();
  return Status::OK();
}

}  // namespace

std::string_view kserve_datatype(DType dtype) {
  for (const auto& t : kTypes) {
    if (t.dtype == dtype) return t.name;
  }
  return "";
}

DType dtype_from_kserve(std::string_view name) {
  for (const auto& t : kTypes) {
    if (name == t.name) return t.dtype;
  }
  return DType::kInvalid;
}

HttpResponse KServeApi::handle(const HttpRequest& request) const {
  const auto start = std::chrono::steady_clock::now();
  const std::string path = target_path(request.target);
  const auto parts = split_path(path);  // "v2", ...
  const bool get = request.method == "GET";
  if (parts.size() == 1 && get) {
    return json(200, "{\"name\":\"tfport\",\"version\":\"0.1.0\",\"extensions\":[]}");
  }
  if (parts.size() == 3 && parts[1] == "health" && get) {
    if (parts[2] == "live") return json(200, "{\"live\":true}");
    if (parts[2] == "ready") {
      const bool ready = inference_->store().all_ready();
      return json(ready ? 200 : 400, ready ? "{\"ready\":true}" : "{\"ready\":false}");
    }
  }
  if (parts.size() < 3 || parts[1] != "models") return error(404, "Unknown path: " + path);
  ModelRequest mr;
  if (!url_decode(std::string(parts[2]), &mr.name)) return error(400, "bad model name");
  std::size_t next = 3;
  if (parts.size() >= 5 && parts[3] == "versions") {
    auto version = parse_model_version(std::string(parts[4]));
    if (!version.ok()) return error(version.status());
    mr.version = *version;
    next = 5;
  }
  const std::string_view action = next < parts.size() ? parts[next] : std::string_view();
  if (next + 1 < parts.size()) return error(404, "Unknown path: " + path);
  auto servable = inference_->find(mr);

  if (get && action == "ready") {
    const bool ready = servable.ok();
    return json(ready ? 200 : 400, std::string("{\"name\":\"") + mr.name + "\",\"ready\":" + (ready ? "true" : "false") + "}");
  }
  if (!servable.ok()) return error(servable.status());
  const Servable& sv = **servable;
  if (get && action.empty()) {
    auto sig = find_signature(sv, "");
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    w.StartObject();
    w.Key("name");
    w.String(sv.name.c_str());
    w.Key("versions");
    w.StartArray();
    auto statuses = inference_->store().status(sv.name, std::nullopt);
    if (statuses.ok()) {
      for (const auto& s : *statuses) {
        if (s.state == VersionState::kAvailable) w.String(std::to_string(s.version).c_str());
      }
    }
    w.EndArray();
    w.Key("platform");
    w.String("tensorflow_savedmodel");
    w.Key("inputs");
    w.StartArray();
    if (sig.ok()) {
      for (const auto& s : (*sig)->inputs) write_tensor_spec(w, s);
    }
    w.EndArray();
    w.Key("outputs");
    w.StartArray();
    if (sig.ok()) {
      for (const auto& s : (*sig)->outputs) write_tensor_spec(w, s);
    }
    w.EndArray();
    w.EndObject();
    return json(200, buf.GetString());
  }
  if (request.method != "POST" || action != "infer") return error(404, "Unknown path: " + path);

  HttpResponse response = [&]() -> HttpResponse {
    rapidjson::Document doc;
    doc.Parse<rapidjson::kParseNanAndInfFlag>(request.body.data(), request.body.size());
    if (doc.HasParseError() || !doc.IsObject()) return error(400, "request body must be a JSON object");
    std::string signature_name;
    if (doc.HasMember("parameters") && doc["parameters"].IsObject() && doc["parameters"].HasMember("signature_name") &&
        doc["parameters"]["signature_name"].IsString()) {
      signature_name = doc["parameters"]["signature_name"].GetString();
    }
    auto sig = find_signature(sv, signature_name);
    if (!sig.ok()) return error(sig.status());
    if (!doc.HasMember("inputs") || !doc["inputs"].IsArray()) return error(400, "missing \"inputs\" array");
    std::map<std::string, Tensor> inputs;
    for (const auto& in : doc["inputs"].GetArray()) {
      auto t = input_tensor(in, inference_->limits().max_tensor_bytes);
      if (!t.ok()) return error(t.status());
      inputs[in["name"].GetString()] = std::move(*t);
    }
    std::vector<std::string> filter;
    if (doc.HasMember("outputs") && doc["outputs"].IsArray()) {
      for (const auto& o : doc["outputs"].GetArray()) {
        if (!o.IsObject() || !o.HasMember("name") || !o["name"].IsString()) return error(400, "bad \"outputs\" entry");
        filter.emplace_back(o["name"].GetString());
      }
    }
    auto outputs = inference_->predict(sv, **sig, inputs, filter);
    if (!outputs.ok()) return error(outputs.status());
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    w.StartObject();
    w.Key("model_name");
    w.String(sv.name.c_str());
    w.Key("model_version");
    w.String(std::to_string(sv.version).c_str());
    if (doc.HasMember("id") && doc["id"].IsString()) {
      w.Key("id");
      w.String(doc["id"].GetString(), doc["id"].GetStringLength());
    }
    w.Key("outputs");
    w.StartArray();
    std::vector<std::string> order = filter;
    if (order.empty()) {
      for (const auto& [k, t] : *outputs) order.push_back(k);
    }
    for (const auto& name : order) {
      const Tensor& t = outputs->at(name);
      w.StartObject();
      w.Key("name");
      w.String(name.c_str());
      w.Key("shape");
      write_shape(w, t.shape().dims());
      w.Key("datatype");
      w.String(std::string(kserve_datatype(t.dtype())).c_str());
      w.Key("data");
      Status s = write_data(w, t);
      if (!s.ok()) return error(s);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    return json(200, buf.GetString());
  }();
  if (metrics_ != nullptr) {
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    metrics_->record_request(sv.name, "ModelInfer", "KSERVE_REST", response.status == 200, seconds);
  }
  return response;
}

}  // namespace tfport::serving
