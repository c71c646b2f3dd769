// Prometheus text exposition.
#include "daemon/metrics.h"

#include <cstdio>
#include <sstream>

namespace keelson::daemon {
namespace {

std::string Fmt(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string Labels(const std::string& verb, const std::string& group, const std::string& resource,
                   const std::string& subresource) {
  return "verb=\"" + verb + "\",group=\"" + group + "\",resource=\"" + resource +
         "\",subresource=\"" + subresource + "\"";
}

}  // namespace

void Metrics::ObserveRequest(const std::string& verb, const std::string& group,
                             const std::string& resource, const std::string& subresource, int code,
                             double seconds) {
  std::lock_guard<std::mutex> l(mu_);
  ++requests_[{verb, group, resource, subresource, code}];
  if (verb == "watch") return;  // long-running: latency is the watch's lifetime
  auto& h = latency_[{verb, group, resource, subresource}];
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) ++h.counts[i];
  }
  ++h.count;
  h.sum += seconds;
}

void Metrics::AddGauge(std::string name, std::string help, std::function<double()> value) {
  std::lock_guard<std::mutex> l(mu_);
  gauges_.push_back({std::move(name), std::move(help), std::move(value)});
}

std::string Metrics::Render() const {
  std::ostringstream o;
  std::lock_guard<std::mutex> l(mu_);
  o << "# HELP apiserver_request_total Counter of apiserver requests broken out by verb, group, "
       "resource, subresource and HTTP response code.\n# TYPE apiserver_request_total counter\n";
  for (const auto& [k, n] : requests_) {
    const auto& [verb, group, resource, sub, code] = k;
    o << "apiserver_request_total{" << Labels(verb, group, resource, sub) << ",code=\"" << code
      << "\"} " << n << "\n";
  }
  o << "# HELP apiserver_request_duration_seconds Response latency distribution in seconds for "
       "each verb, group, resource and subresource.\n"
       "# TYPE apiserver_request_duration_seconds histogram\n";
  for (const auto& [k, h] : latency_) {
    const auto& [verb, group, resource, sub] = k;
    std::string ls = Labels(verb, group, resource, sub);
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      o << "apiserver_request_duration_seconds_bucket{" << ls << ",le=\"" << Fmt(kBuckets[i])
        << "\"} " << h.counts[i] << "\n";
    }
    o << "apiserver_request_duration_seconds_bucket{" << ls << ",le=\"+Inf\"} " << h.count << "\n";
    o << "apiserver_request_duration_seconds_sum{" << ls << "} " << Fmt(h.sum) << "\n";
    o << "apiserver_request_duration_seconds_count{" << ls << "} " << h.count << "\n";
  }
  for (const auto& g : gauges_) {
    o << "# HELP " << g.name << " " << g.help << "\n# TYPE " << g.name << " gauge\n"
      << g.name << " " << Fmt(g.value()) << "\n";
  }
  return o.str();
}

}  // namespace keelson::daemon
