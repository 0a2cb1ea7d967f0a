#include "serving/metrics.h"

#include <sstream>

namespace tfport::serving {
namespace {

std::string escape_label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

Metrics::Metrics() {
  // Microseconds, as TF Serving's request_latency histogram (exponential buckets).
  for (double b = 10; b < 1e8; b *= 1.8) bounds_.push_back(b);
}

void Metrics::record_request(const std::string& model, std::string_view api, std::string_view entrypoint, bool ok,
                             double seconds) {
  const double us = seconds * 1e6;
  std::lock_guard lock(mu_);
  ++requests_[{model, std::string(api), std::string(entrypoint), ok ? "OK" : "ERROR"}];
  Histogram& h = latency_[{model, std::string(api), std::string(entrypoint)}];
  if (h.buckets.empty()) h.buckets.assign(bounds_.size() + 1, 0);
  std::size_t i = 0;
  while (i < bounds_.size() && us > bounds_[i]) ++i;
  ++h.buckets[i];
  ++h.count;
  h.sum += us;
}

void Metrics::record_load(const std::string& model, bool ok) {
  std::lock_guard lock(mu_);
  ++loads_[{model, ok ? "success" : "failure"}];
}

std::string Metrics::prometheus_text() const {
  std::ostringstream out;
  std::lock_guard lock(mu_);
  out << "# TYPE :tensorflow:serving:request_count counter\n";
  for (const auto& [key, n] : requests_) {
    const auto& [model, api, ep, status] = key;
    out << ":tensorflow:serving:request_count{model_name=\"" << escape_label(model) << "\",API=\"" << api
        << "\",entrypoint=\"" << ep << "\",status=\"" << status << "\"} " << n << "\n";
  }
  out << "# TYPE :tensorflow:serving:request_latency histogram\n";
  for (const auto& [key, h] : latency_) {
    const auto& [model, api, ep] = key;
    const std::string labels =
        "model_name=\"" + escape_label(model) + "\",API=\"" + api + "\",entrypoint=\"" + ep + "\"";
    uint64_t cumulative = 0;
    for (std::size_t i = 0; i < bounds_.size(); ++i) {
      cumulative += h.buckets[i];
      out << ":tensorflow:serving:request_latency_bucket{" << labels << ",le=\"" << bounds_[i] << "\"} " << cumulative
          << "\n";
    }
    out << ":tensorflow:serving:request_latency_bucket{" << labels << ",le=\"+Inf\"} " << h.count << "\n";
    out << ":tensorflow:serving:request_latency_sum{" << labels << "} " << h.sum << "\n";
    out << ":tensorflow:serving:request_latency_count{" << labels << "} " << h.count << "\n";
  }
  out << "# TYPE :tensorflow:cc:saved_model:load_attempt_count counter\n";
  for (const auto& [key, n] : loads_) {
    out << ":tensorflow:cc:saved_model:load_attempt_count{model_path=\"" << escape_label(key.first) << "\",status=\""
        << key.second << "\"} " << n << "\n";
  }
  return out.str();
}

}  // namespace tfport::serving
