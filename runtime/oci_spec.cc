// Pod container → OCI runtime spec.
#include "runtime/oci_spec.h"

#include <sys/resource.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "api/kinds.h"
#include "runtime/fsutil.h"
#include "runtime/resources.h"

namespace keelson::runtime {

using api::Json;

std::string ExpandVars(
    std::string_view in,
    const std::function<std::optional<std::string>(const std::string&)>& lookup) {
  std::string out;
  size_t checkpoint = 0;
  for (size_t cur = 0; cur < in.size(); ++cur) {
    if (in[cur] == '$' && cur + 1 < in.size()) {
      out.append(in.substr(checkpoint, cur - checkpoint));
      std::string_view rest = in.substr(cur + 1);
      std::string read;
      bool is_var = false;
      size_t advance = 1;
      if (rest[0] == '$') {
        read = "$";
      } else if (rest[0] == '(') {
        size_t close = rest.find(')', 1);
        if (close != std::string_view::npos) {
          read = std::string(rest.substr(1, close - 1));
          is_var = true;
          advance = close + 1;
        } else {
          read = "$(";
        }
      } else {
        read = std::string("$") + rest[0];
      }
      if (is_var) {
        auto v = lookup(read);
        out += v ? *v : "$(" + read + ")";
      } else {
        out += read;
      }
      cur += advance;
      checkpoint = cur + 1;
    }
  }
  if (checkpoint < in.size()) out.append(in.substr(checkpoint));
  return out;
}

namespace {

std::string Str(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

bool Bool(const Json& j, const char* key, bool dflt = false) {
  auto it = j.find(key);
  return it != j.end() && it->is_boolean() ? it->get<bool>() : dflt;
}

std::vector<std::string> Strings(const Json& j, const char* key) {
  std::vector<std::string> out;
  auto it = j.find(key);
  if (it == j.end() || !it->is_array()) return out;
  for (auto& v : *it)
    if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

const api::GroupVersionKind kConfigMap{"", "v1", "ConfigMap"};
const api::GroupVersionKind kSecret{"", "v1", "Secret"};

// Reads the string map of a ConfigMap (data + binaryData) or a Secret (data base64-decoded).
api::Result<std::map<std::string, std::string>> SourceData(api::Client* client, bool secret,
                                                           const std::string& ns,
                                                           const std::string& name) {
  auto obj = client->Get(secret ? kSecret : kConfigMap, ns, name);
  if (!obj) {
    if (obj.error().reason == api::Reason::kNotFound) {
      return std::unexpected(api::MakeError(
          api::Reason::kNotFound,
          std::string(secret ? "secret" : "configmap") + " \"" + name + "\" not found"));
    }
    return std::unexpected(
        obj.error().Wrap(std::string("get ") + (secret ? "secret " : "configmap ") + name));
  }
  std::map<std::string, std::string> out;
  const Json& j = obj->json();
  if (secret) {
    if (auto it = j.find("data"); it != j.end() && it->is_object()) {
      for (auto& [k, v] : it->items()) {
        auto dec = Base64Decode(v.is_string() ? v.get<std::string>() : "");
        if (!dec)
          return std::unexpected(
              api::BadRequest("secret \"" + name + "\": key " + k + " is not base64"));
        out[k] = *dec;
      }
    }
    if (auto it = j.find("stringData"); it != j.end() && it->is_object()) {
      for (auto& [k, v] : it->items())
        if (v.is_string()) out[k] = v.get<std::string>();
    }
  } else {
    if (auto it = j.find("data"); it != j.end() && it->is_object()) {
      for (auto& [k, v] : it->items())
        if (v.is_string()) out[k] = v.get<std::string>();
    }
  }
  return out;
}

// A C identifier-ish env name as Kubernetes accepts (IsEnvVarName: [-._a-zA-Z][-._a-zA-Z0-9]*).
bool ValidEnvName(const std::string& s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
  });
}

api::Result<std::string> FieldRef(const api::Object& pod, const std::string& path,
                                  const NodeFacts& node, const std::string& pod_ip) {
  auto sub = [&](const char* prefix, const char* map) -> std::optional<std::string> {
    std::string p = prefix;
    if (!path.starts_with(p) || !path.ends_with("']")) return std::nullopt;
    std::string key = path.substr(p.size(), path.size() - p.size() - 2);
    auto m = std::string(map) == "labels" ? pod.labels() : pod.annotations();
    auto it = m.find(key);
    return it == m.end() ? "" : it->second;
  };
  if (path == "metadata.name") return pod.name();
  if (path == "metadata.namespace") return pod.namespace_();
  if (path == "metadata.uid") return pod.uid();
  if (path == "spec.nodeName")
    return Str(pod.spec(), "nodeName").empty() ? node.node_name : Str(pod.spec(), "nodeName");
  if (path == "spec.serviceAccountName") {
    std::string sa = Str(pod.spec(), "serviceAccountName");
    return sa.empty() ? "default" : sa;
  }
  if (path == "status.hostIP" || path == "status.hostIPs") return node.host_ip;
  if (path == "status.podIP" || path == "status.podIPs") return pod_ip;
  if (auto v = sub("metadata.labels['", "labels")) return *v;
  if (auto v = sub("metadata.annotations['", "annotations")) return *v;
  return std::unexpected(api::BadRequest("fieldRef: unsupported fieldPath \"" + path + "\""));
}

api::Result<std::string> ResourceFieldRef(const api::Object& pod, const Json& container,
                                          const Json& ref, const NodeFacts& node) {
  std::string cname = Str(ref, "containerName");
  const Json* target = &container;
  if (!cname.empty()) {
    target = nullptr;
    for (const char* list : {"containers", "initContainers"}) {
      auto it = pod.spec().find(list);
      if (it == pod.spec().end()) continue;
      for (auto& c : *it)
        if (Str(c, "name") == cname) target = &c;
    }
    if (target == nullptr)
      return std::unexpected(api::BadRequest("resourceFieldRef: no container \"" + cname + "\""));
  }
  std::string resource = Str(ref, "resource");
  long double divisor = 1;
  if (ref.contains("divisor")) {
    auto d = ParseQuantity(ref["divisor"].is_string() ? ref["divisor"].get<std::string>()
                                                      : ref["divisor"].dump());
    if (!d) return std::unexpected(d.error().Wrap("resourceFieldRef.divisor"));
    if (*d > 0) divisor = *d;
  }
  auto r = ContainerResourcesOf(*target);
  if (!r) return std::unexpected(r.error());
  long double value;
  if (resource == "limits.cpu") {
    value = (r->cpu_limit_milli ? r->cpu_limit_milli : node.cpu_milli) / 1000.0L;
  } else if (resource == "requests.cpu") {
    value = r->cpu_request_milli / 1000.0L;
  } else if (resource == "limits.memory") {
    value = static_cast<long double>(r->memory_limit ? r->memory_limit : node.memory_bytes);
  } else if (resource == "requests.memory") {
    value = static_cast<long double>(r->memory_request);
  } else if (resource == "limits.ephemeral-storage" || resource == "requests.ephemeral-storage") {
    value = static_cast<long double>(node.ephemeral_storage);
  } else {
    return std::unexpected(
        api::BadRequest("resourceFieldRef: unsupported resource \"" + resource + "\""));
  }
  return std::to_string(static_cast<int64_t>(std::ceil(value / divisor - 1e-12L)));
}

}  // namespace

api::Result<std::string> ResolveFieldRef(const api::Object& pod, const std::string& field_path,
                                         const NodeFacts& node, const std::string& pod_ip) {
  return FieldRef(pod, field_path, node, pod_ip);
}

api::Result<std::string> ResolveResourceFieldRef(const api::Object& pod, const Json& container,
                                                 const Json& ref, const NodeFacts& node) {
  return ResourceFieldRef(pod, container, ref, node);
}

namespace {

std::string EnvVariableName(const std::string& s) {
  std::string out = s;
  for (auto& c : out)
    c = c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string ClusterIpOf(const api::Object& svc) { return Str(svc.spec(), "clusterIP"); }

bool ServiceIpSet(const api::Object& svc) {
  std::string ip = ClusterIpOf(svc);
  return !ip.empty() && ip != "None";
}

}  // namespace

std::vector<std::pair<std::string, std::string>> ServiceEnvVars(
    const std::vector<api::Object>& services) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& svc : services) {
    if (!ServiceIpSet(svc)) continue;
    auto ports = svc.spec().find("ports");
    if (ports == svc.spec().end() || !ports->is_array() || ports->empty()) continue;
    std::string ip = ClusterIpOf(svc);
    std::string prefix = EnvVariableName(svc.name());
    auto port_of = [](const Json& p) {
      auto it = p.find("port");
      return it != p.end() && it->is_number_integer() ? std::to_string(it->get<int64_t>()) : "0";
    };
    out.emplace_back(prefix + "_SERVICE_HOST", ip);
    out.emplace_back(prefix + "_SERVICE_PORT", port_of((*ports)[0]));
    for (const auto& p : *ports) {
      std::string pname = Str(p, "name");
      if (!pname.empty())
        out.emplace_back(prefix + "_SERVICE_PORT_" + EnvVariableName(pname), port_of(p));
    }
    // Docker link variables; IPv6 addresses are bracketed as net.JoinHostPort does.
    std::string host = ip.find(':') != std::string::npos ? "[" + ip + "]" : ip;
    for (size_t i = 0; i < ports->size(); ++i) {
      const Json& p = (*ports)[i];
      std::string proto = Str(p, "protocol");
      if (proto.empty()) proto = "TCP";
      std::string lower = proto, upper = proto;
      for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      std::string port = port_of(p);
      std::string url = lower + "://" + host + ":" + port;
      if (i == 0) out.emplace_back(prefix + "_PORT", url);
      std::string pp = prefix + "_PORT_" + port + "_" + upper;
      out.emplace_back(pp, url);
      out.emplace_back(pp + "_PROTO", lower);
      out.emplace_back(pp + "_PORT", port);
      out.emplace_back(pp + "_ADDR", ip);
    }
  }
  return out;
}

api::Result<std::vector<std::pair<std::string, std::string>>> ServiceLinkEnv(
    api::Client* client, const std::string& ns, bool enable_service_links) {
  const api::GroupVersionKind kService{"", "v1", "Service"};
  std::map<std::string, api::Object> by_name;
  if (enable_service_links) {
    auto list = client->List(kService, ns, {});
    if (!list)
      return std::unexpected(list.error().Wrap("failed to list services when setting up env vars"));
    for (auto& s : list->items)
      if (s.namespace_() == ns && ServiceIpSet(s)) by_name[s.name()] = s;
  }
  if (!by_name.contains("kubernetes")) {
    auto master = client->Get(kService, "default", "kubernetes");
    if (master && ServiceIpSet(*master)) {
      by_name["kubernetes"] = *master;
    } else if (!master && master.error().reason != api::Reason::kNotFound) {
      return std::unexpected(
          master.error().Wrap("failed to list services when setting up env vars"));
    }
  }
  std::vector<api::Object> services;
  for (auto& [name, s] : by_name) services.push_back(std::move(s));
  return ServiceEnvVars(services);
}

api::Result<std::vector<std::string>> ResolveEnv(api::Client* client, const api::Object& pod,
                                                 const Json& container, const ImageConfig& image,
                                                 const NodeFacts& node, const std::string& pod_ip) {
  std::vector<std::pair<std::string, std::string>> env;
  auto set = [&](const std::string& k, const std::string& v) {
    for (auto& [ek, ev] : env) {
      if (ek == k) {
        ev = v;
        return;
      }
    }
    env.emplace_back(k, v);
  };
  for (const auto& kv : image.env) {
    size_t eq = kv.find('=');
    if (eq == std::string::npos)
      set(kv, "");
    else
      set(kv.substr(0, eq), kv.substr(eq + 1));
  }
  const std::string ns = pod.namespace_();
  // Names the container declares itself (envFrom and env): the service variables never replace
  // them (kubelet makeEnvironmentVariables).
  std::set<std::string> declared;
  if (auto it = container.find("envFrom"); it != container.end() && it->is_array()) {
    for (const auto& src : *it) {
      std::string prefix = Str(src, "prefix");
      bool secret = src.contains("secretRef");
      const Json& ref = secret ? src["secretRef"] : src.value("configMapRef", Json::object());
      std::string name = Str(ref, "name");
      auto data = SourceData(client, secret, ns, name);
      if (!data) {
        if (data.error().reason == api::Reason::kNotFound && Bool(ref, "optional")) continue;
        return std::unexpected(data.error());
      }
      for (auto& [k, v] : *data) {
        if (ValidEnvName(prefix + k)) {  // invalid keys are skipped (an event in k8s)
          set(prefix + k, v);
          declared.insert(prefix + k);
        }
      }
    }
  }
  auto links = pod.spec().find("enableServiceLinks");
  bool enable_links = links == pod.spec().end() || !links->is_boolean() || links->get<bool>();
  auto svc_env = ServiceLinkEnv(client, ns, enable_links);
  if (!svc_env) {
    // A static pod runs without the API (kubelet: only API pods wait for the services).
    auto annotations = pod.annotations();
    auto source = annotations.find("kubernetes.io/config.source");
    if (source == annotations.end() || source->second != "file")
      return std::unexpected(svc_env.error());
    svc_env = std::vector<std::pair<std::string, std::string>>{};
  }
  std::map<std::string, std::string> svc_map(svc_env->begin(), svc_env->end());
  if (auto it = container.find("env"); it != container.end() && it->is_array()) {
    for (const auto& e : *it) {
      std::string name = Str(e, "name");
      std::string value;
      if (auto vf = e.find("valueFrom"); vf != e.end() && vf->is_object()) {
        if (vf->contains("configMapKeyRef") || vf->contains("secretKeyRef")) {
          bool secret = vf->contains("secretKeyRef");
          const Json& ref = secret ? (*vf)["secretKeyRef"] : (*vf)["configMapKeyRef"];
          std::string src = Str(ref, "name"), key = Str(ref, "key");
          bool optional = Bool(ref, "optional");
          auto data = SourceData(client, secret, ns, src);
          if (!data) {
            if (data.error().reason == api::Reason::kNotFound && optional) continue;
            return std::unexpected(data.error());
          }
          auto kv = data->find(key);
          if (kv == data->end()) {
            if (optional) continue;
            return std::unexpected(api::MakeError(
                api::Reason::kNotFound, "couldn't find key " + key + " in " +
                                            (secret ? "Secret " : "ConfigMap ") + ns + "/" + src));
          }
          value = kv->second;
        } else if (vf->contains("fieldRef")) {
          auto v = FieldRef(pod, Str((*vf)["fieldRef"], "fieldPath"), node, pod_ip);
          if (!v) return std::unexpected(v.error().Wrap("env " + name));
          value = *v;
        } else if (vf->contains("resourceFieldRef")) {
          auto v = ResourceFieldRef(pod, container, (*vf)["resourceFieldRef"], node);
          if (!v) return std::unexpected(v.error().Wrap("env " + name));
          value = *v;
        }
      } else {
        // $(VAR) over the variables the container declared so far (envFrom, env; not the
        // image's, which the kubelet never sees), then the service variables.
        std::map<std::string, std::string> so_far;
        for (auto& [k, v] : env)
          if (declared.contains(k)) so_far[k] = v;
        value =
            ExpandVars(Str(e, "value"), [&](const std::string& k) -> std::optional<std::string> {
              auto f = so_far.find(k);
              if (f != so_far.end()) return f->second;
              auto sv = svc_map.find(k);
              if (sv != svc_map.end()) return sv->second;
              return std::nullopt;
            });
      }
      set(name, value);
      declared.insert(name);
    }
  }
  for (auto& [k, v] : *svc_env)
    if (!declared.contains(k)) set(k, v);
  std::vector<std::string> out;
  for (auto& [k, v] : env) out.push_back(k + "=" + v);
  return out;
}

api::Result<std::vector<std::string>> BuildArgs(const Json& container, const ImageConfig& image,
                                                const std::vector<std::string>& env) {
  std::map<std::string, std::string> vars;
  for (const auto& kv : env) {
    size_t eq = kv.find('=');
    vars[kv.substr(0, eq)] = eq == std::string::npos ? "" : kv.substr(eq + 1);
  }
  auto lookup = [&](const std::string& k) -> std::optional<std::string> {
    auto it = vars.find(k);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
  std::vector<std::string> command = Strings(container, "command");
  std::vector<std::string> args = Strings(container, "args");
  bool has_command = container.contains("command") && !command.empty();
  bool has_args = container.contains("args") && !args.empty();
  std::vector<std::string> argv;
  if (has_command) {
    argv = command;
    if (has_args) argv.insert(argv.end(), args.begin(), args.end());
  } else {
    argv = image.entrypoint;
    const auto& tail = has_args ? args : image.cmd;
    argv.insert(argv.end(), tail.begin(), tail.end());
  }
  for (size_t i = 0; i < argv.size(); ++i) {
    bool from_spec = has_command ? true : (i >= image.entrypoint.size() && has_args);
    if (from_spec) argv[i] = ExpandVars(argv[i], lookup);
  }
  if (argv.empty()) {
    return std::unexpected(api::BadRequest(
        "no command specified: the container has no command and the image no ENTRYPOINT or CMD"));
  }
  return argv;
}

const std::vector<std::string>& DefaultCapabilities() {
  static const std::vector<std::string> caps = {
      "CAP_CHOWN",   "CAP_DAC_OVERRIDE", "CAP_FSETID",           "CAP_FOWNER",
      "CAP_MKNOD",   "CAP_NET_RAW",      "CAP_SETGID",           "CAP_SETUID",
      "CAP_SETFCAP", "CAP_SETPCAP",      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
      "CAP_KILL",    "CAP_AUDIT_WRITE"};
  return caps;
}

const std::vector<std::string>& AllCapabilities() {
  static const std::vector<std::string> caps = {"CAP_CHOWN",
                                                "CAP_DAC_OVERRIDE",
                                                "CAP_DAC_READ_SEARCH",
                                                "CAP_FOWNER",
                                                "CAP_FSETID",
                                                "CAP_KILL",
                                                "CAP_SETGID",
                                                "CAP_SETUID",
                                                "CAP_SETPCAP",
                                                "CAP_LINUX_IMMUTABLE",
                                                "CAP_NET_BIND_SERVICE",
                                                "CAP_NET_BROADCAST",
                                                "CAP_NET_ADMIN",
                                                "CAP_NET_RAW",
                                                "CAP_IPC_LOCK",
                                                "CAP_IPC_OWNER",
                                                "CAP_SYS_MODULE",
                                                "CAP_SYS_RAWIO",
                                                "CAP_SYS_CHROOT",
                                                "CAP_SYS_PTRACE",
                                                "CAP_SYS_PACCT",
                                                "CAP_SYS_ADMIN",
                                                "CAP_SYS_BOOT",
                                                "CAP_SYS_NICE",
                                                "CAP_SYS_RESOURCE",
                                                "CAP_SYS_TIME",
                                                "CAP_SYS_TTY_CONFIG",
                                                "CAP_MKNOD",
                                                "CAP_LEASE",
                                                "CAP_AUDIT_WRITE",
                                                "CAP_AUDIT_CONTROL",
                                                "CAP_SETFCAP",
                                                "CAP_MAC_OVERRIDE",
                                                "CAP_MAC_ADMIN",
                                                "CAP_SYSLOG",
                                                "CAP_WAKE_ALARM",
                                                "CAP_BLOCK_SUSPEND",
                                                "CAP_AUDIT_READ",
                                                "CAP_PERFMON",
                                                "CAP_BPF",
                                                "CAP_CHECKPOINT_RESTORE"};
  return caps;
}

namespace {

std::string CapName(std::string c) {
  std::transform(c.begin(), c.end(), c.begin(), ::toupper);
  return c.starts_with("CAP_") ? c : "CAP_" + c;
}

// Resolves an image USER ("uid", "uid:gid", "name", "name:group") through the rootfs passwd.
api::Result<std::pair<int64_t, int64_t>> ImageUser(const std::string& user,
                                                   const std::string& passwd_path) {
  std::string u = user, g;
  if (auto c = user.find(':'); c != std::string::npos) {
    u = user.substr(0, c);
    g = user.substr(c + 1);
  }
  auto numeric = [](const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), ::isdigit);
  };
  int64_t uid = -1, gid = 0;
  if (numeric(u)) uid = std::stoll(u);
  auto passwd = ReadFile(passwd_path);
  if (passwd) {
    size_t pos = 0;
    while (pos < passwd->size()) {
      size_t nl = passwd->find('\n', pos);
      std::string line =
          passwd->substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
      pos = nl == std::string::npos ? passwd->size() : nl + 1;
      std::vector<std::string> f;
      size_t s = 0;
      for (size_t i = 0; i <= line.size(); ++i) {
        if (i == line.size() || line[i] == ':') {
          f.push_back(line.substr(s, i - s));
          s = i + 1;
        }
      }
      if (f.size() < 4 || !numeric(f[2]) || !numeric(f[3])) continue;
      if ((uid < 0 && f[0] == u) || (uid >= 0 && std::stoll(f[2]) == uid)) {
        uid = std::stoll(f[2]);
        gid = std::stoll(f[3]);
        break;
      }
    }
  }
  if (uid < 0)
    return std::unexpected(
        api::BadRequest("unable to find user " + u + ": no matching entries in passwd file"));
  if (!g.empty()) {
    if (!numeric(g))
      return std::unexpected(api::BadRequest("image group \"" + g + "\" must be numeric"));
    gid = std::stoll(g);
  }
  return std::make_pair(uid, gid);
}

// RLIMIT_NOFILE for containers: 1048576 as containerd sets, capped at what this process may
// grant (a nested container host often has a lower hard limit).
int64_t NofileLimit() {
  rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_max == RLIM_INFINITY) return 1048576;
  return std::min<int64_t>(1048576, static_cast<int64_t>(rl.rlim_max));
}

std::optional<int64_t> OptInt(const Json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<int64_t>();
}

}  // namespace

api::Result<Json> BuildOciSpec(const SpecParams& p) {
  const api::Object& pod = *p.pod;
  const Json& c = *p.container;
  const Json& spec = pod.spec();
  std::string where = "container \"" + Str(c, "name") + "\"";
  auto argv = BuildArgs(c, p.image, p.env);
  if (!argv) return std::unexpected(argv.error().Wrap(where));

  Json psc = spec.value("securityContext", Json::object());
  Json sc = c.value("securityContext", Json::object());
  bool privileged = Bool(sc, "privileged");

  // User: container securityContext > pod securityContext > image USER > root.
  int64_t uid = 0, gid = 0;
  if (!p.image.user.empty()) {
    auto u =
        ImageUser(p.image.user, p.passwd_path.empty() ? p.rootfs + "/etc/passwd" : p.passwd_path);
    if (!u) return std::unexpected(u.error().Wrap(where));
    uid = u->first;
    gid = u->second;
  }
  if (auto v = OptInt(psc, "runAsUser")) uid = *v;
  if (auto v = OptInt(sc, "runAsUser")) uid = *v;
  if (auto v = OptInt(psc, "runAsGroup")) gid = *v;
  if (auto v = OptInt(sc, "runAsGroup")) gid = *v;
  bool non_root = Bool(psc, "runAsNonRoot") || Bool(sc, "runAsNonRoot");
  if (sc.contains("runAsNonRoot") && sc["runAsNonRoot"].is_boolean())
    non_root = sc["runAsNonRoot"].get<bool>();
  if (non_root && uid == 0) {
    return std::unexpected(
        api::BadRequest(where + ": container has runAsNonRoot and image will run as root"));
  }
  Json additional = Json::array();
  if (auto it = psc.find("supplementalGroups"); it != psc.end() && it->is_array()) {
    for (auto& g : *it) additional.push_back(g);
  }
  if (auto v = OptInt(psc, "fsGroup")) additional.push_back(*v);

  // Capabilities.
  std::vector<std::string> caps;
  if (privileged) {
    caps = AllCapabilities();
  } else {
    caps = DefaultCapabilities();
    Json capj = sc.value("capabilities", Json::object());
    for (auto& d : Strings(capj, "drop")) {
      if (CapName(d) == "CAP_ALL")
        caps.clear();
      else
        std::erase(caps, CapName(d));
    }
    for (auto& a : Strings(capj, "add")) {
      if (CapName(a) == "CAP_ALL") {
        caps = AllCapabilities();
        continue;
      }
      if (std::find(AllCapabilities().begin(), AllCapabilities().end(), CapName(a)) ==
          AllCapabilities().end()) {
        return std::unexpected(api::BadRequest(
            where + ": securityContext.capabilities.add: unknown capability \"" + a + "\""));
      }
      if (std::find(caps.begin(), caps.end(), CapName(a)) == caps.end()) caps.push_back(CapName(a));
    }
  }
  bool no_new_privs = !privileged && sc.contains("allowPrivilegeEscalation") &&
                      sc["allowPrivilegeEscalation"].is_boolean() &&
                      !sc["allowPrivilegeEscalation"].get<bool>();

  auto res = ContainerResourcesOf(c);
  if (!res) return std::unexpected(res.error().Wrap(where));
  QosClass qos = PodQosClass(spec);
  // The pod's memory request (sum over app containers) decides a Burstable pod's score.
  int64_t pod_mem_request = 0;
  if (auto it = spec.find("containers"); it != spec.end()) {
    for (auto& cc : *it) {
      auto r = ContainerResourcesOf(cc);
      if (r) pod_mem_request += r->memory_request;
    }
  }
  int oom = OomScoreAdj(qos, res->memory_request ? res->memory_request : pod_mem_request,
                        p.node.memory_bytes);

  std::string cwd = Str(c, "workingDir");
  if (cwd.empty()) cwd = p.image.working_dir;
  if (cwd.empty()) cwd = "/";

  Json process = {
      {"terminal", false},
      {"user", {{"uid", uid}, {"gid", gid}}},
      {"args", *argv},
      {"env", p.env},
      {"cwd", cwd},
      {"capabilities", {{"bounding", caps}, {"effective", caps}, {"permitted", caps}}},
      {"rlimits",
       Json::array(
           {{{"type", "RLIMIT_NOFILE"}, {"hard", NofileLimit()}, {"soft", NofileLimit()}}})},
      {"noNewPrivileges", no_new_privs},
      {"oomScoreAdj", oom},
  };
  if (!additional.empty()) process["user"]["additionalGids"] = additional;

  Json mounts = Json::array({
      {{"destination", "/proc"},
       {"type", "proc"},
       {"source", "proc"},
       {"options", {"nosuid", "noexec", "nodev"}}},
      {{"destination", "/dev"},
       {"type", "tmpfs"},
       {"source", "tmpfs"},
       {"options", {"nosuid", "strictatime", "mode=755", "size=65536k"}}},
      {{"destination", "/dev/pts"},
       {"type", "devpts"},
       {"source", "devpts"},
       {"options", {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}}},
      {{"destination", "/dev/shm"},
       {"type", "tmpfs"},
       {"source", "shm"},
       {"options", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}}},
      {{"destination", "/dev/mqueue"},
       {"type", "mqueue"},
       {"source", "mqueue"},
       {"options", {"nosuid", "noexec", "nodev"}}},
      {{"destination", "/sys"},
       {"type", "sysfs"},
       {"source", "sysfs"},
       {"options",
        privileged ? Json{"nosuid", "noexec", "nodev"} : Json{"nosuid", "noexec", "nodev", "ro"}}},
      {{"destination", "/sys/fs/cgroup"},
       {"type", "cgroup"},
       {"source", "cgroup"},
       {"options", {"nosuid", "noexec", "nodev", "relatime", privileged ? "rw" : "ro"}}},
  });
  for (const auto& m : p.mounts) {
    Json opts = {"rbind", m.private_propagation ? "rprivate" : "rslave", m.read_only ? "ro" : "rw"};
    mounts.push_back({{"destination", m.destination},
                      {"type", "bind"},
                      {"source", m.source},
                      {"options", opts}});
  }

  bool host_network = Bool(spec, "hostNetwork");
  Json namespaces = Json::array();
  if (!Bool(spec, "hostPID")) namespaces.push_back({{"type", "pid"}});
  if (!Bool(spec, "hostIPC")) namespaces.push_back({{"type", "ipc"}});
  if (!host_network) namespaces.push_back({{"type", "uts"}});
  namespaces.push_back({{"type", "mount"}});
  if (!host_network) {
    if (p.netns_path.empty())
      return std::unexpected(api::Internal(where + ": no network namespace for the pod"));
    namespaces.push_back({{"type", "network"}, {"path", p.netns_path}});
  }

  Json resources = {{"devices", Json::array({{{"allow", privileged}, {"access", "rwm"}}})}};
  if (res->memory_limit > 0) resources["memory"] = {{"limit", res->memory_limit}};
  Json cpu = {{"shares", CpuShares(res->cpu_request_milli)}};
  if (int64_t q = CpuQuota(res->cpu_limit_milli); q > 0) {
    cpu["quota"] = q;
    cpu["period"] = kCpuPeriodUs;
  }
  resources["cpu"] = cpu;
  if (p.pids_limit > 0) resources["pids"] = {{"limit", p.pids_limit}};

  Json linux = {{"namespaces", namespaces}, {"resources", resources}};
  if (!p.cgroups_path.empty()) linux["cgroupsPath"] = p.cgroups_path;
  if (!privileged) {
    linux["maskedPaths"] = {"/proc/acpi",        "/proc/asound",        "/proc/kcore",
                            "/proc/keys",        "/proc/latency_stats", "/proc/timer_list",
                            "/proc/timer_stats", "/proc/sched_debug",   "/proc/scsi",
                            "/sys/firmware"};
    linux["readonlyPaths"] = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                              "/proc/sysrq-trigger"};
  }

  Json out = {
      {"ociVersion", "1.0.2"},
      {"process", process},
      {"root", {{"path", p.rootfs}, {"readonly", Bool(sc, "readOnlyRootFilesystem")}}},
      {"mounts", mounts},
      {"linux", linux},
  };
  if (!host_network) out["hostname"] = pod.name();
  return out;
}

}  // namespace keelson::runtime
