// How kubectl's logs and exec pick a pod and a container: POD or TYPE/NAME (a workload's first
// pod by its selector), the kubectl.kubernetes.io/default-container annotation, else the first
// container. Not thread-safe (uses the Env's streams).
#pragma once

#include <chrono>
#include <iosfwd>
#include <string>
#include <string_view>

#include "api/error.h"
#include "api/object.h"
#include "cli/rest_client.h"

namespace keelson::cli {

// Resolves `arg` ("name", "pod/name", "deployment/name", "job.batch/name", ...) in namespace
// `ns` to a Pod (its JSON). For a workload, lists its pods by spec.selector, waiting up to
// `timeout` for one to exist (kubectl's --pod-running-timeout), and prints "Found N pods, using
// pod/x" to `err` when there are several. Errors: the server's NotFound for the pod or
// workload; `the server doesn't have a resource type "x"`; "timed out waiting for the
// condition" when a workload has no pods; BadRequest for a kind without a pod selector.
api::Result<api::Json> ResolvePod(RestClient& client, std::string_view arg, const std::string& ns,
                                  std::chrono::milliseconds timeout, std::ostream& err);

// The container to use in `pod` when the user named none: the default-container annotation
// (printing `Default container name "x" not found in pod y` when it names no container), else
// the first app container, printing `Defaulted container "a" out of: a, b, i (init)` to `err`
// when the pod has more than one container. Errors: BadRequest when the pod has no containers.
api::Result<std::string> DefaultContainer(const api::Json& pod, std::ostream& err);

// True when `pod` has an app, init or ephemeral container called `name`.
bool HasContainer(const api::Json& pod, std::string_view name);

}  // namespace keelson::cli
