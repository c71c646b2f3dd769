// Static pod manifests → defaulted Pods, and their mirror pods.
#include "runtime/static_pods.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>

#include "api/codec.h"
#include "api/validation.h"
#include "runtime/fsutil.h"

namespace keelson::runtime {

using api::Json;

namespace {

bool ManifestName(const std::string& name) {
  if (name.empty() || name[0] == '.') return false;
  return name.ends_with(".yaml") || name.ends_with(".yml") || name.ends_with(".json");
}

// A YAML stream split at its "---" separators: each document's text and first line (1-based).
struct Document {
  std::string text;
  int first = 1;  // the file line `text` starts at
  int line = 1;   // the first line with content
};

std::vector<Document> SplitDocuments(const std::string& text) {
  std::vector<Document> out(1);
  int line = 1;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string l = text.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    bool separator =
        l.starts_with("---") && (l.size() == 3 || l[3] == ' ' || l[3] == '\t' || l[3] == '\r');
    if (separator) {
      out.emplace_back();
      out.back().first = out.back().line = line;
      l.replace(0, 3, "   ");  // what follows "---" on its line belongs to the new document
    }
    out.back().text += l + "\n";
    ++line;
    pos = nl == std::string::npos ? text.size() : nl + 1;
  }
  // A document starts, for messages, at its first line with content.
  for (auto& d : out) {
    size_t i = 0;
    while (i < d.text.size()) {
      size_t nl = d.text.find('\n', i);
      std::string l = d.text.substr(i, nl == std::string::npos ? std::string::npos : nl - i);
      size_t first = l.find_first_not_of(" \t\r");
      if (first != std::string::npos && l[first] != '#') break;
      ++d.line;
      i = nl == std::string::npos ? d.text.size() : nl + 1;
    }
  }
  return out;
}

}  // namespace

bool IsStaticPod(const api::Object& pod) {
  auto a = pod.annotations();
  auto it = a.find(kConfigSourceAnnotation);
  return it != a.end() && it->second == "file";
}

bool IsMirrorPod(const api::Object& pod) {
  return pod.annotations().contains(kConfigMirrorAnnotation);
}

api::Result<api::Object> StaticPodFromManifest(const Json& doc, const std::string& file,
                                               int doc_index, const std::string& node_name) {
  if (!doc.is_object())
    return std::unexpected(api::BadRequest("a static pod manifest must be a Pod object"));
  std::string api_version = doc.value("apiVersion", Json("")).is_string()
                                ? doc.value("apiVersion", std::string())
                                : std::string();
  std::string kind =
      doc.value("kind", Json("")).is_string() ? doc.value("kind", std::string()) : std::string();
  if (api_version != "v1" || kind != "Pod") {
    return std::unexpected(api::BadRequest("kind: Invalid value: \"" + api_version + "/" + kind +
                                           "\": a static pod manifest must be a v1 Pod"));
  }
  api::Object pod(doc);
  if (pod.name().empty())
    return std::unexpected(api::BadRequest("metadata.name: Required value: name is required"));
  // The uid is derived from what the file says (before defaulting), the node and the file, as
  // the kubelet hashes the decoded pod with "host:<node>" and "file:<path>".
  std::string uid = Sha256Hex(doc.dump() + "\nhost:" + node_name + "\nfile:" + file + "#" +
                              std::to_string(doc_index))
                        .substr(0, 32);
  api::ApplyDefaults(pod);
  pod.set_name(pod.name() + "-" + node_name);
  if (pod.namespace_().empty()) pod.set_namespace("default");
  pod.set_uid(uid);
  pod.json()["spec"]["nodeName"] = node_name;
  pod.set_annotation(kConfigHashAnnotation, uid);
  pod.set_annotation(kConfigSourceAnnotation, "file");
  // Static pods tolerate every NoExecute taint so node problems never evict them.
  Json& tolerations = pod.json()["spec"]["tolerations"];
  if (!tolerations.is_array()) tolerations = Json::array();
  Json want = {{"operator", "Exists"}, {"effect", "NoExecute"}};
  if (std::find(tolerations.begin(), tolerations.end(), want) == tolerations.end())
    tolerations.push_back(want);
  auto causes = api::Validate(pod);
  if (!causes.empty()) {
    std::string msg;
    for (auto& c : causes) {
      if (!msg.empty()) msg += ", ";
      msg += c.field.empty() || c.message.starts_with(c.field) ? c.message
                                                               : c.field + ": " + c.message;
    }
    return std::unexpected(api::BadRequest(msg));
  }
  pod.json()["status"] = {{"phase", "Pending"}};
  return pod;
}

StaticPodScan ReadStaticPodDir(const std::string& dir, const std::string& node_name) {
  StaticPodScan scan;
  std::vector<std::string> files;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      std::string n = e->d_name;
      if (!ManifestName(n)) continue;
      struct stat st;
      std::string path = dir + "/" + n;
      if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
      files.push_back(path);
    }
    closedir(d);
  }
  std::sort(files.begin(), files.end());
  for (const auto& path : files) {
    auto text = ReadFile(path);
    if (!text) {
      scan.errors.push_back({path, 0, path + ": " + text.error().message});
      continue;
    }
    int index = 0;
    for (auto& doc : SplitDocuments(*text)) {
      // Padding keeps the codec's line numbers those of the file.
      std::string padded(static_cast<size_t>(std::max(0, doc.first - 1)), '\n');
      padded += doc.text;
      bool json = path.ends_with(".json");
      auto decoded = json ? api::DecodeJson(*text, path) : api::DecodeYaml(padded, path);
      if (!decoded) {
        std::string m = decoded.error().message;
        if (!m.starts_with(path)) m = path + ":" + std::to_string(doc.line) + ": " + m;
        scan.errors.push_back({path, doc.line, m});
        if (json) break;
        continue;
      }
      if (decoded->is_null()) continue;  // an empty document
      auto pod = StaticPodFromManifest(*decoded, path, index, node_name);
      ++index;
      if (!pod) {
        scan.errors.push_back(
            {path, doc.line, path + ":" + std::to_string(doc.line) + ": " + pod.error().message});
      } else {
        scan.pods.push_back({std::move(*pod), path, doc.line});
      }
      if (json) break;  // one JSON document per file
    }
  }
  return scan;
}

api::Object MirrorPodFor(const api::Object& static_pod, const std::string& node_name,
                         const std::string& node_uid) {
  api::Object mirror = static_pod;
  Json& meta = mirror.json()["metadata"];
  for (const char* k : {"uid", "resourceVersion", "creationTimestamp", "generation"}) meta.erase(k);
  mirror.json().erase("status");
  mirror.set_annotation(kConfigMirrorAnnotation, static_pod.annotations()[kConfigHashAnnotation]);
  meta["ownerReferences"] = Json::array({{{"apiVersion", "v1"},
                                          {"kind", "Node"},
                                          {"name", node_name},
                                          {"uid", node_uid},
                                          {"controller", true}}});
  return mirror;
}

}  // namespace keelson::runtime
