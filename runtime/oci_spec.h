// Turns a Pod's container (plus its image config) into an OCI runtime spec (config.json), with
// the kubelet's rules for command/args, environment, $(VAR) expansion, security context,
// resources and namespaces. Pure functions except ResolveEnv, which reads ConfigMaps and
// Secrets through the client. Thread-safe.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/client.h"
#include "api/error.h"
#include "api/object.h"
#include "runtime/image_store.h"

namespace keelson::runtime {

// What the node offers (resourceFieldRef defaults, Burstable oom_score_adj).
struct NodeFacts {
  std::string node_name;
  std::string host_ip;
  int64_t cpu_milli = 0;     // allocatable cpu
  int64_t memory_bytes = 0;  // memory capacity
  int64_t ephemeral_storage = 0;
};

// Kubernetes `$(VAR)` expansion (third_party/forked/golang/expansion): `$(NAME)` becomes the
// value when `lookup` knows NAME and stays verbatim otherwise; `$$` is an escaped `$`; any other
// `$` is kept.
std::string ExpandVars(std::string_view input,
                       const std::function<std::optional<std::string>(const std::string&)>& lookup);

// The container's environment in order ("K=V"): the image's Env, then envFrom sources (with
// prefix), then env entries (value with $(VAR) expansion over what came before and the service
// variables, valueFrom configMapKeyRef/secretKeyRef/fieldRef/resourceFieldRef), then the service
// link variables (ServiceLinkEnv, spec.enableServiceLinks defaulting to true) that neither envFrom
// nor env declared; later names replace earlier ones in place (so a service variable replaces an
// image variable, as the CRI environment does). Errors (reported as CreateContainerConfigError by
// the pod worker): NotFound-style messages such as `configmap "x" not found`, `couldn't find key k
// in ConfigMap ns/x`; optional references that are missing are skipped. `pod_ip` feeds
// status.podIP.
api::Result<std::vector<std::string>> ResolveEnv(api::Client* client, const api::Object& pod,
                                                 const api::Json& container,
                                                 const ImageConfig& image, const NodeFacts& node,
                                                 const std::string& pod_ip);

// The Kubernetes service link variables (pkg/kubelet/envvars FromServices) for `services`, in
// their order, skipping those without a cluster IP ("" or "None") or without ports: for each,
// {SVC}_SERVICE_HOST, {SVC}_SERVICE_PORT (first port), {SVC}_SERVICE_PORT_{NAME} per named port,
// then the Docker link variables {SVC}_PORT (first port) and {SVC}_PORT_{port}_{PROTO} with
// _PROTO, _PORT and _ADDR per port. SVC is the name upper-cased with '-' turned into '_'.
std::vector<std::pair<std::string, std::string>> ServiceEnvVars(
    const std::vector<api::Object>& services);

// The service variables the kubelet gives a pod in `ns` (getServiceEnvVarMap): the `kubernetes`
// Service of the default namespace always, plus every Service of `ns` when `enable_service_links`
// (a Service of `ns` wins over a master service of the same name). Services sorted by name.
// Errors: the client's (the pod worker reports CreateContainerConfigError).
api::Result<std::vector<std::pair<std::string, std::string>>> ServiceLinkEnv(
    api::Client* client, const std::string& ns, bool enable_service_links);

// A downward API fieldRef value (metadata.name, metadata.labels['k'], status.podIP, ...).
// Errors: BadRequest for unsupported paths.
api::Result<std::string> ResolveFieldRef(const api::Object& pod, const std::string& field_path,
                                         const NodeFacts& node, const std::string& pod_ip);
// A resourceFieldRef value (limits.cpu, requests.memory, ... with divisor) for `container`.
api::Result<std::string> ResolveResourceFieldRef(const api::Object& pod, const api::Json& container,
                                                 const api::Json& ref, const NodeFacts& node);

// The process argv with the ENTRYPOINT/CMD rules: command (+args) replaces both; args alone
// replace CMD; neither keeps ENTRYPOINT+CMD. `$(VAR)` in command/args expands over `env`.
// Errors: BadRequest "no command specified" when the result is empty.
api::Result<std::vector<std::string>> BuildArgs(const api::Json& container,
                                                const ImageConfig& image,
                                                const std::vector<std::string>& env);

// A bind mount into the container.
struct BindMount {
  std::string source;       // host path
  std::string destination;  // container path
  bool read_only = false;
  bool private_propagation = true;
};

struct SpecParams {
  const api::Object* pod = nullptr;
  const api::Json* container = nullptr;
  ImageConfig image;
  std::vector<std::string> env;   // from ResolveEnv
  std::string rootfs;             // absolute path
  std::string netns_path;         // "" with hostNetwork
  std::vector<BindMount> mounts;  // volumes, /etc/hosts, /etc/resolv.conf, /etc/hostname
  std::string cgroups_path;       // e.g. "/keelson/pod<uid>/<id>"
  NodeFacts node;
  int64_t pids_limit = 4096;  // <= 0: none
  // /etc/passwd of the rootfs for image users given by name; "" = rootfs/etc/passwd.
  std::string passwd_path;
};

// The OCI runtime spec for the container. Errors: BadRequest naming the field
// (spec.containers[name].securityContext...: ...), e.g. an image user that cannot be resolved.
api::Result<api::Json> BuildOciSpec(const SpecParams& p);

// Default capability set of containerd/Docker, "CAP_" prefixed.
const std::vector<std::string>& DefaultCapabilities();

// Every Linux capability name, indexed by its bit number (CAP_CHOWN = 0 ...
// CAP_CHECKPOINT_RESTORE).
const std::vector<std::string>& AllCapabilities();

}  // namespace keelson::runtime
