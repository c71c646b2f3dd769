// Records Kubernetes v1 Events about objects through an api::Client, the way client-go's event
// recorder does: one Event per (object, type, reason, message), repeated ones counted. Thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>

#include "api/client.h"

namespace keelson::daemon {

class EventRecorder {
 public:
  // `client` must outlive the recorder; `component` fills source.component and
  // reportingComponent ("deployment-controller", "keelson-agent").
  EventRecorder(api::Client& client, std::string component, std::string host = "");

  // Records an event about `about`. type: "Normal" or "Warning". Returns the Event as stored.
  // Errors: those of the client (the caller usually only logs them).
  api::Result<api::Object> Record(const api::Object& about, std::string_view type,
                                  std::string_view reason, std::string_view message);

 private:
  api::Client& client_;
  std::string component_, host_;
  std::mutex mu_;
  // (namespace, involved uid or name, type, reason, message) → event name.
  std::map<std::tuple<std::string, std::string, std::string, std::string, std::string>, std::string>
      seen_;
};

}  // namespace keelson::daemon
