// Event recording.
#include "daemon/events.h"

#include <chrono>
#include <cstdio>

namespace keelson::daemon {
namespace {

std::string EventName(const api::Object& about) {
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                std::chrono::system_clock::now().time_since_epoch())
                .count();
  char buf[32];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(ns));
  return about.name() + "." + buf;
}

}  // namespace

EventRecorder::EventRecorder(api::Client& client, std::string component, std::string host)
    : client_(client), component_(std::move(component)), host_(std::move(host)) {}

api::Result<api::Object> EventRecorder::Record(const api::Object& about, std::string_view type,
                                               std::string_view reason, std::string_view message) {
  std::string ns = about.namespace_().empty() ? "default" : about.namespace_();
  std::string now = api::NowTimestamp();
  auto key = std::make_tuple(ns, about.uid().empty() ? about.name() : about.uid(),
                             std::string(type), std::string(reason), std::string(message));
  std::string existing;
  {
    std::lock_guard<std::mutex> l(mu_);
    if (auto it = seen_.find(key); it != seen_.end()) existing = it->second;
  }
  const api::GroupVersionKind event_gvk{"", "v1", "Event"};
  if (!existing.empty()) {
    auto cur = client_.Get(event_gvk, ns, existing);
    if (cur) {
      api::Object ev = *cur;
      int64_t count = ev.json().value("count", int64_t{1});
      ev.json()["count"] = count + 1;
      ev.json()["lastTimestamp"] = now;
      auto updated = client_.Update(ev);
      if (updated) return updated;
    }
  }
  api::Json involved = {
      {"kind", about.kind()}, {"apiVersion", about.api_version()}, {"name", about.name()}};
  if (!about.namespace_().empty()) involved["namespace"] = about.namespace_();
  if (!about.uid().empty()) involved["uid"] = about.uid();
  if (!about.resource_version().empty()) involved["resourceVersion"] = about.resource_version();
  api::Json source = {{"component", component_}};
  if (!host_.empty()) source["host"] = host_;
  api::Object ev(api::Json{{"apiVersion", "v1"},
                           {"kind", "Event"},
                           {"metadata", {{"name", EventName(about)}, {"namespace", ns}}},
                           {"involvedObject", involved},
                           {"reason", reason},
                           {"message", message},
                           {"type", type},
                           {"source", source},
                           {"firstTimestamp", now},
                           {"lastTimestamp", now},
                           {"count", 1},
                           {"reportingComponent", component_},
                           {"reportingInstance", host_}});
  auto created = client_.Create(ev);
  if (!created) return std::unexpected(created.error().Wrap("record event " + std::string(reason)));
  std::lock_guard<std::mutex> l(mu_);
  seen_[key] = created->name();
  return created;
}

}  // namespace keelson::daemon
