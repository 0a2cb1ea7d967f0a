// Prometheus metrics at /monitoring/prometheus/metrics, named as TF Serving's: request counts
// and latency histograms per model, API and entrypoint (REST/GRPC); model load attempts.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace tfport::serving {

class Metrics {
 public:
  Metrics();
  void record_request(const std::string& model, std::string_view api, std::string_view entrypoint, bool ok,
                      double seconds);
  void record_load(const std::string& model, bool ok);
  // The text exposition format (version 0.0.4).
  std::string prometheus_text() const;

 private:
  struct Histogram {
    std::vector<uint64_t> buckets;  // counts per upper bound (non-cumulative)
    uint64_t count = 0;
    double sum = 0;
  };
  std::vector<double> bounds_;  // microseconds
  mutable std::mutex mu_;
  std::map<std::tuple<std::string, std::string, std::string, std::string>, uint64_t> requests_;  // model, api, ep, status
  std::map<std::tuple<std::string, std::string, std::string>, Histogram> latency_;  // model, api, ep
  std::map<std::pair<std::string, std::string>, uint64_t> loads_;  // model, status
};

}  // namespace tfport::serving
