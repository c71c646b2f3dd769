// Static pods: Pod manifests in a directory on the node, run by the agent without the API (the
// kubelet's file source, pkg/kubelet/config/file.go + common.go), each mirrored in the API by a
// read-only "mirror pod" so users can see it. Pure functions over the filesystem; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "api/error.h"
#include "api/object.h"

namespace keelson::runtime {

inline constexpr char kConfigSourceAnnotation[] = "kubernetes.io/config.source";
inline constexpr char kConfigHashAnnotation[] = "kubernetes.io/config.hash";
inline constexpr char kConfigMirrorAnnotation[] = "kubernetes.io/config.mirror";

// One static pod decoded from a manifest.
struct StaticPod {
  api::Object pod;   // defaulted as the kubelet does (see StaticPodFromManifest)
  std::string file;  // the manifest's path
  int line = 1;      // first line of its YAML document
};

// A manifest (or one document of it) the agent could not use.
struct StaticPodError {
  std::string file;
  int line = 0;         // 0 when the whole file is at fault (unreadable)
  std::string message;  // "<file>:<line>: <what>"
};

struct StaticPodScan {
  std::vector<StaticPod> pods;  // sorted by file, then document order
  std::vector<StaticPodError> errors;
};

// Reads every *.yaml, *.yml and *.json file directly in `dir` (hidden files skipped, as the
// kubelet does), each possibly holding several YAML documents, each of which must be a v1 Pod.
// A bad document yields an error naming the file and line and does not hinder the others. A
// missing directory yields no pods and no errors (the kubelet waits for it to appear).
StaticPodScan ReadStaticPodDir(const std::string& dir, const std::string& node_name);

// The kubelet's defaults for a static pod decoded from `file` (document `doc_index`): API
// defaults, name suffixed "-<node_name>", namespace "default" when unset, spec.nodeName, a uid
// and the kubernetes.io/config.hash annotation derived from the content, the file and the node
// (so a changed manifest is a new pod), kubernetes.io/config.source "file", a NoExecute
// toleration for every taint, status.phase Pending. Errors: BadRequest naming the field (not a
// v1 Pod, or a Kubernetes validation error).
api::Result<api::Object> StaticPodFromManifest(const api::Json& doc, const std::string& file,
                                               int doc_index, const std::string& node_name);

// The mirror pod the agent creates in the API for `static_pod`: the same object without uid,
// resourceVersion and status, with the kubernetes.io/config.mirror annotation (= the config
// hash) and a controller ownerReference to the Node (`node_uid`).
api::Object MirrorPodFor(const api::Object& static_pod, const std::string& node_name,
                         const std::string& node_uid);

// True for a pod created from a manifest file (kubernetes.io/config.source: file).
bool IsStaticPod(const api::Object& pod);
// True for a mirror pod in the API (has kubernetes.io/config.mirror).
bool IsMirrorPod(const api::Object& pod);

}  // namespace keelson::runtime
