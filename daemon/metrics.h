// Prometheus metrics of the API server: request counts and latency histograms by verb, resource
// and code, plus gauges read at scrape time. Thread-safe.
#pragma once

#include <array>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

namespace keelson::daemon {

class Metrics {
 public:
  // Records one finished request. verb is the Kubernetes verb (get, list, watch, create, ...) or
  // the HTTP method for non-resource paths; resource "" for non-resource paths.
  void ObserveRequest(const std::string& verb, const std::string& group,
                      const std::string& resource, const std::string& subresource, int code,
                      double seconds);

  // Adds a gauge evaluated at each scrape (name, help, value).
  void AddGauge(std::string name, std::string help, std::function<double()> value);

  // The text exposition format (version 0.0.4).
  std::string Render() const;

  static constexpr std::array<double, 14> kBuckets = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

 private:
  struct Histogram {
    std::array<uint64_t, kBuckets.size()> counts{};
    uint64_t count = 0;
    double sum = 0;
  };
  using CounterKey = std::tuple<std::string, std::string, std::string, std::string, int>;
  using HistKey = std::tuple<std::string, std::string, std::string, std::string>;

  mutable std::mutex mu_;
  std::map<CounterKey, uint64_t> requests_;
  std::map<HistKey, Histogram> latency_;
  struct Gauge {
    std::string name, help;
    std::function<double()> value;
  };
  std::vector<Gauge> gauges_;
};

}  // namespace keelson::daemon
