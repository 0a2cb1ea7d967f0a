#include "serving/rest_api.h"

#include <google/protobuf/util/json_util.h>

#include <cctype>
#include <chrono>
#include <optional>

#include "runtime/run_deadline.h"
#include "serving/json_codec.h"
#include "serving/json_fast.h"
#include "serving/metrics.h"
#include "serving/run_executor.h"

namespace tfport::serving {
namespace {

// Request bodies from this size on are decoded on a run thread (a 224x224x3 image is ~1 MB).
constexpr std::size_t kRunThreadBodyBytes = 256 * 1024;

bool consume_icase(std::string_view* s, std::string_view prefix) {
  if (s->size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>((*s)[i])) != prefix[i]) return false;
  }
  s->remove_prefix(prefix.size());
  return true;
}

bool equals_icase(std::string_view a, std::string_view lower) {
  std::string_view s = a;
  return s.size() == lower.size() && consume_icase(&s, lower);
}

std::string_view take_segment(std::string_view* s) {
  std::size_t n = 0;
  while (n < s->size() && (*s)[n] != '/' && (*s)[n] != ':') ++n;
  std::string_view seg = s->substr(0, n);
  s->remove_prefix(n);
  return seg;
}

// The route of a /v1 request: what the two TF Serving regexes capture.
struct Route {
  std::string name;
  std::string version;  // digits, unparsed
  std::string label;
  bool has_version = false;
  bool has_label = false;
  std::string verb;         // POST: classify|regress|predict (any case)
  std::string subresource;  // GET: "metadata" (any case) or ""
};

// `(?:/versions/(\d+)|/labels/([^/:]+))?`
void parse_version_or_label(std::string_view* s, Route* r) {
  std::string_view probe = *s;
  if (consume_icase(&probe, "/versions/")) {
    std::size_t n = 0;
    while (n < probe.size() && std::isdigit(static_cast<unsigned char>(probe[n]))) ++n;
    if (n > 0) {
      r->version = std::string(probe.substr(0, n));
      r->has_version = true;
      probe.remove_prefix(n);
      *s = probe;
    }
    return;
  }
  probe = *s;
  if (consume_icase(&probe, "/labels/")) {
    std::string_view label = take_segment(&probe);
    if (!label.empty()) {
      r->label = std::string(label);
      r->has_label = true;
      *s = probe;
    }
  }
}

bool parse_post(std::string_view s, Route* r) {
  if (!consume_icase(&s, "/v1/models/")) return false;
  std::string_view name = take_segment(&s);
  if (name.empty()) return false;
  r->name = std::string(name);
  parse_version_or_label(&s, r);
  if (s.empty() || s[0] != ':') return false;
  s.remove_prefix(1);
  if (!equals_icase(s, "classify") && !equals_icase(s, "regress") && !equals_icase(s, "predict")) return false;
  r->verb = std::string(s);
  return true;
}

bool parse_get(std::string_view s, Route* r) {
  if (!consume_icase(&s, "/v1/models")) return false;
  if (!s.empty() && s[0] == '/') {
    std::string_view probe = s.substr(1);
    std::string_view name = take_segment(&probe);
    if (!name.empty()) {
      r->name = std::string(name);
      s = probe;
    }
  }
  parse_version_or_label(&s, r);
  std::string_view probe = s;
  if (consume_icase(&probe, "/metadata") && probe.empty()) {
    r->subresource = std::string(s.substr(1));
    s = probe;
  }
  return s.empty();
}

HttpResponse json_response(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

HttpResponse error_response(const Status& s) { return json_response(http_status_code(s), error_json(s.message())); }

// Errors TF Serving returns before building a JSON body.
HttpResponse empty_error(const Status& s) { return json_response(http_status_code(s), ""); }

StatusOr<std::string> proto_json(const google::protobuf::Message& m) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = true;
  std::string out;
  auto status = google::protobuf::util::MessageToJsonString(m, &out, options);
  if (!status.ok()) return internal_error("could not print JSON: " + std::string(status.message()));
  return out;
}

}  // namespace

std::string target_path(const std::string& target) {
  const std::size_t q = target.find('?');
  return q == std::string::npos ? target : target.substr(0, q);
}

bool url_decode(const std::string& in, std::string* out) {
  out->clear();
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out->push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size() || !std::isxdigit(static_cast<unsigned char>(in[i + 1])) ||
        !std::isxdigit(static_cast<unsigned char>(in[i + 2]))) {
      return false;
    }
    out->push_back(static_cast<char>(std::stoi(in.substr(i + 1, 2), nullptr, 16)));
    i += 2;
  }
  return true;
}

StatusOr<std::string> status_json(const tensorflow::serving::GetModelStatusResponse& response) {
  return proto_json(response);
}

StatusOr<std::string> metadata_json(const tensorflow::serving::GetModelMetadataResponse& response) {
  TFPORT_ASSIGN_OR_RETURN(std::string spec, proto_json(response.model_spec()));
  tensorflow::serving::SignatureDefMap map;
  auto it = response.metadata().find("signature_def");
  if (it == response.metadata().end() || !it->second.UnpackTo(&map)) {
    return internal_error("metadata response without a signature_def map");
  }
  TFPORT_ASSIGN_OR_RETURN(std::string defs, proto_json(map));
  return "{\n\"model_spec\":" + spec + ",\n\"metadata\": {\"signature_def\": " + defs + "}\n}\n";
}

HttpResponse RestApi::handle(const HttpRequest& request) const {
  const auto start = std::chrono::steady_clock::now();
  const std::string path = target_path(request.target);
  HttpResponse response;
  std::string model, api;
  if (request.method == "OPTIONS" && options_.enable_cors) {
    const std::string* origin = request.header("origin");
    const bool ok = origin != nullptr &&
                    (origin->find("http://") != std::string::npos || origin->find("https://") != std::string::npos);
    response = json_response(ok ? 200 : 400, "");
  } else {
    std::optional<runtime::ScopedRunDeadline> deadline;
    if (options_.timeout.count() > 0) deadline.emplace(start + options_.timeout);
    if (request.method == "POST" && request.body.size() >= kRunThreadBodyBytes && !inference_->batching() &&
        RunExecutor::instance().idle()) {
      // An idle run thread decodes a large body itself, on its OpenMP team, and goes straight
      // on to the run. When it is busy, this thread decodes meanwhile and hands over only the
      // run. (Not with batching: batch threads run the batches, and would wait for this run
      // thread.)
      const Status s = RunExecutor::instance().run([&] {
        response = dispatch(request, path, &model, &api);
        return Status::OK();
      });
      if (!s.ok()) response = error_response(s);
    } else {
      response = dispatch(request, path, &model, &api);
    }
  }
  if (options_.enable_cors) {
    response.headers.emplace_back("Access-Control-Allow-Origin", "*");
    response.headers.emplace_back("Access-Control-Allow-Methods", "POST, GET");
    response.headers.emplace_back("Access-Control-Allow-Headers", "Content-Type");
  }
  if (metrics_ != nullptr && !model.empty()) {
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    metrics_->record_request(model, api, "REST", response.status == 200, seconds);
  }
  return response;
}

HttpResponse RestApi::dispatch(const HttpRequest& request, const std::string& path, std::string* model_out,
                               std::string* api_out) const {
  const Status malformed = invalid_argument_error("Malformed request: " + request.method + " " + path);
  Route route;
  if (request.method == "POST") {
    if (!parse_post(path, &route)) return error_response(malformed);
  } else if (request.method == "GET") {
    if (!parse_get(path, &route)) return error_response(malformed);
    if (route.name.empty()) return error_response(invalid_argument_error("Missing model name in request."));
  } else {
    return error_response(malformed);
  }
  ModelRequest mr;
  if (!url_decode(route.name, &mr.name)) {
    return empty_error(invalid_argument_error("Failed to decode model name:" + route.name));
  }
  if (route.has_version) {
    auto version = parse_model_version(route.version);
    if (!version.ok()) return empty_error(version.status());
    mr.version = *version;
  }
  if (route.has_label) {
    std::string label;
    if (!url_decode(route.label, &label)) {
      return empty_error(invalid_argument_error("Failed to decode model version label:" + route.label));
    }
    mr.label = label;
  }
  *model_out = mr.name;

  if (request.method == "GET") {
    if (route.subresource == "metadata") {
      *api_out = "GetModelMetadata";
      tensorflow::serving::GetModelMetadataRequest req;
      req.mutable_model_spec()->set_name(mr.name);
      if (mr.version) req.mutable_model_spec()->mutable_version()->set_value(*mr.version);
      if (mr.label) req.mutable_model_spec()->set_version_label(*mr.label);
      req.add_metadata_field("signature_def");
      tensorflow::serving::GetModelMetadataResponse resp;
      Status s = inference_->metadata_proto(req, &resp);
      if (!s.ok()) return error_response(s);
      auto body = metadata_json(resp);
      if (!body.ok()) return error_response(body.status());
      return json_response(200, std::move(*body));
    }
    *api_out = "GetModelStatus";
    tensorflow::serving::GetModelStatusRequest req;
    req.mutable_model_spec()->set_name(mr.name);
    if (mr.version) req.mutable_model_spec()->mutable_version()->set_value(*mr.version);
    tensorflow::serving::GetModelStatusResponse resp;
    Status s = inference_->status_proto(req, &resp);
    if (!s.ok()) return error_response(s);
    auto body = status_json(resp);
    if (!body.ok()) return error_response(body.status());
    return json_response(200, std::move(*body));
  }

  if (request.body.size() > inference_->limits().max_request_bytes) {
    return error_response(resource_exhausted_error("Request body of " + std::to_string(request.body.size()) +
                                                   " bytes exceeds the server's limit of " +
                                                   std::to_string(inference_->limits().max_request_bytes)));
  }
  if (route.verb == "predict") {
    // Large numeric requests take the fast path; anything unusual (and every error) goes
    // through the RapidJSON path below, which has TF Serving's exact messages.
    auto servable = inference_->find(mr);
    if (servable.ok()) {
      FastPredictRequest fast;
      auto lookup = [&servable](const std::string& name) -> const Signature* {
        auto found = find_signature(**servable, name);
        return found.ok() ? *found : nullptr;
      };
      if (fast.parse(request.body, lookup, inference_->limits().max_tensor_bytes)) {
        *api_out = "Predict";
        auto outputs = inference_->predict(**servable, *fast.signature(), fast.inputs());
        if (!outputs.ok()) return error_response(outputs.status());
        auto body = predict_response_json(*outputs, fast.format());
        if (!body.ok()) return error_response(body.status());
        return json_response(200, std::move(*body));
      }
    }
  }
  rapidjson::Document doc;
  Status parsed = parse_json_body(request.body, &doc);
  if (!parsed.ok()) return error_response(parsed);
  auto signature_name = json_signature_name(doc);
  if (!signature_name.ok()) return error_response(signature_name.status());

  if (route.verb == "predict") {
    *api_out = "Predict";
    auto servable = inference_->find(mr);
    if (!servable.ok()) return error_response(servable.status());
    auto sig = find_signature(**servable, *signature_name);
    if (!sig.ok()) return error_response(sig.status());
    if ((*sig)->inputs.empty()) {
      return error_response(invalid_argument_error("Failed to get input map for signature: " +
                                                   (signature_name->empty() ? "DEFAULT" : *signature_name)));
    }
    JsonFormat format = JsonFormat::kRow;
    auto inputs = json_predict_inputs(doc, (*sig)->inputs, inference_->limits().max_tensor_bytes, &format);
    if (!inputs.ok()) return error_response(inputs.status());
    auto outputs = inference_->predict(**servable, **sig, *inputs);
    if (!outputs.ok()) return error_response(outputs.status());
    auto body = predict_response_json(*outputs, format);
    if (!body.ok()) return error_response(body.status());
    return json_response(200, std::move(*body));
  }
  if (route.verb == "classify" || route.verb == "regress") {
    *api_out = route.verb == "classify" ? "Classify" : "Regress";
    tensorflow::serving::Input input;
    Status s = json_examples(doc, &input);
    if (!s.ok()) return error_response(s);
    auto servable = inference_->find(mr);
    if (!servable.ok()) return error_response(servable.status());
    StatusOr<std::string> body = std::string();
    if (route.verb == "classify") {
      auto result = inference_->classify(**servable, *signature_name, input);
      if (!result.ok()) return error_response(result.status());
      body = classification_json(*result);
    } else {
      auto result = inference_->regress(**servable, *signature_name, input);
      if (!result.ok()) return error_response(result.status());
      body = regression_json(*result);
    }
    if (!body.ok()) return error_response(body.status());
    return json_response(200, std::move(*body));
  }
  return error_response(malformed);
}

}  // namespace tfport::serving
