// CNI plugin invocation and network namespace pinning.
#include "runtime/cni.h"

#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <thread>

#include "runtime/fsutil.h"
#include "runtime/process.h"

namespace keelson::runtime {

using api::Json;
using namespace std::chrono_literals;

namespace {

// The first host address of an IPv4 CIDR ("10.88.0.0/16" → "10.88.0.1"): host-local's gateway.
std::string FirstHost(const std::string& cidr) {
  unsigned a = 0, b = 0, c = 0, d = 0, len = 0;
  if (sscanf(cidr.c_str(), "%u.%u.%u.%u/%u", &a, &b, &c, &d, &len) != 5 || len > 32) return "";
  uint32_t ip = (a << 24) | (b << 16) | (c << 8) | d;
  uint32_t mask = len == 0 ? 0 : ~uint32_t{0} << (32 - len);
  ip = (ip & mask) + 1;
  return std::to_string(ip >> 24) + "." + std::to_string((ip >> 16) & 255) + "." +
         std::to_string((ip >> 8) & 255) + "." + std::to_string(ip & 255);
}

}  // namespace

Json Cni::BridgeConfig() const {
  return {
      {"type", "bridge"},
      {"bridge", o_.bridge},
      {"isGateway", true},
      {"isDefaultGateway", false},
      {"ipMasq", false},
      {"hairpinMode", true},
      {"mtu", o_.mtu},
      {"ipam",
       {{"type", "host-local"},
        {"ranges", Json::array({Json::array({{{"subnet", o_.pod_cidr}}})})},
        // The pod range is on-link (the address carries its prefix); the service range goes via
        // the bridge. No default route: nothing a pod sends leaves the machine.
        {"routes", Json::array({{{"dst", o_.service_cidr}, {"gw", FirstHost(o_.pod_cidr)}}})},
        {"dataDir", o_.state_dir + "/ipam"}}},
  };
}

Json Cni::NetworkConfig() const {
  return {{"cniVersion", "1.0.0"},
          {"name", o_.network_name},
          {"plugins", Json::array({BridgeConfig()})}};
}

api::Result<std::string> Cni::CreateNetns(const std::string& name) const {
  if (name.empty() || name.find('/') != std::string::npos) {
    return std::unexpected(api::BadRequest("netns name \"" + name + "\" is not valid"));
  }
  auto st = MakeDirs(o_.netns_dir, 0755);
  if (!st) return std::unexpected(st.error().Wrap("create netns"));
  std::string path = NetnsPath(name);
  // Already pinned (a restarted agent)? Reuse it.
  struct stat sb, parent;
  if (stat(path.c_str(), &sb) == 0 && stat(o_.netns_dir.c_str(), &parent) == 0 &&
      sb.st_dev != parent.st_dev) {
    return path;
  }
  int fd = open(path.c_str(), O_RDONLY | O_CREAT | O_CLOEXEC, 0444);
  if (fd < 0) return std::unexpected(api::Internal(ErrnoMessage("create " + path)));
  close(fd);
  std::string error;
  // unshare() affects only the calling thread: do it on a throwaway thread.
  std::thread t([&] {
    if (unshare(CLONE_NEWNET) != 0) {
      error = ErrnoMessage("unshare(CLONE_NEWNET)");
      return;
    }
    std::string self = "/proc/self/task/" + std::to_string(gettid()) + "/ns/net";
    if (mount(self.c_str(), path.c_str(), nullptr, MS_BIND, nullptr) != 0) {
      error = ErrnoMessage("bind " + self + " to " + path);
    }
  });
  t.join();
  if (!error.empty()) {
    unlink(path.c_str());
    return std::unexpected(api::Internal("create netns " + name + ": " + error));
  }
  return path;
}

api::Status Cni::DeleteNetns(const std::string& name) const {
  std::string path = NetnsPath(name);
  if (umount2(path.c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT) {
    return std::unexpected(api::Internal(ErrnoMessage("unmount netns " + path)));
  }
  if (unlink(path.c_str()) != 0 && errno != ENOENT) {
    return std::unexpected(api::Internal(ErrnoMessage("remove netns " + path)));
  }
  return {};
}

namespace {

// Brings `lo` up in the namespace at `netns_path`.
api::Status LoopbackUp(const std::string& netns_path) {
  std::string error;
  // setns(CLONE_NEWNET) affects only the calling thread: do it on a throwaway thread.
  std::thread t([&] {
    int nsfd = open(netns_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (nsfd < 0) {
      error = ErrnoMessage("open " + netns_path);
      return;
    }
    if (setns(nsfd, CLONE_NEWNET) != 0) {
      error = ErrnoMessage("setns " + netns_path);
      close(nsfd);
      return;
    }
    close(nsfd);
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      error = ErrnoMessage("socket");
      return;
    }
    ifreq ifr{};
    std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
    if (ioctl(fd, SIOCGIFFLAGS, &ifr) != 0) {
      error = ErrnoMessage("get lo flags");
    } else if (!(ifr.ifr_flags & IFF_UP)) {
      ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
      if (ioctl(fd, SIOCSIFFLAGS, &ifr) != 0) error = ErrnoMessage("set lo up");
    }
    close(fd);
  });
  t.join();
  if (!error.empty())
    return std::unexpected(api::Internal("loopback in " + netns_path + ": " + error));
  return {};
}

}  // namespace

api::Result<Json> Cni::Invoke(const std::string& plugin, const std::string& command,
                              const Json& config, const std::string& container_id,
                              const std::string& netns_path, const std::string& ifname) const {
  std::vector<std::string> env = {"CNI_COMMAND=" + command,  "CNI_CONTAINERID=" + container_id,
                                  "CNI_NETNS=" + netns_path, "CNI_IFNAME=" + ifname,
                                  "CNI_PATH=" + o_.bin_dir,  "PATH=/usr/sbin:/usr/bin:/sbin:/bin"};
  auto r = RunCommand({o_.bin_dir + "/" + plugin},
                      {.stdin_data = config.dump(), .env = env, .timeout = 60s});
  if (!r) return std::unexpected(r.error().Wrap("cni " + plugin + " " + command));
  if (r->exit_code != 0) {
    std::string msg = r->out.empty() ? r->err : r->out;
    try {
      Json e = Json::parse(msg);
      msg = e.value("msg", msg);
      if (e.contains("details") && e["details"].is_string() &&
          !e["details"].get<std::string>().empty()) {
        msg += ": " + e["details"].get<std::string>();
      }
    } catch (...) {
    }
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    return std::unexpected(api::Internal("cni " + plugin + " " + command + ": " + msg));
  }
  if (r->out.empty()) return Json::object();
  try {
    return Json::parse(r->out);
  } catch (const std::exception& e) {
    return std::unexpected(
        api::Internal("cni " + plugin + " " + command + ": bad result: " + e.what()));
  }
}

namespace {

api::Result<PodNetwork> ParseResult(const Json& res) {
  PodNetwork net;
  try {
    for (auto& ip : res.at("ips")) {
      std::string addr = ip.at("address");
      auto slash = addr.find('/');
      if (addr.find(':') != std::string::npos) continue;  // IPv4 first
      net.ip = addr.substr(0, slash);
      net.prefix = slash == std::string::npos ? 32 : std::stoi(addr.substr(slash + 1));
      net.gateway = ip.value("gateway", "");
      break;
    }
  } catch (const std::exception& e) {
    return std::unexpected(api::Internal(std::string("cni bridge ADD: bad result: ") + e.what()));
  }
  if (net.ip.empty())
    return std::unexpected(api::Internal("cni bridge ADD: no IPv4 address in the result"));
  return net;
}

}  // namespace

api::Result<PodNetwork> Cni::Cached(const std::string& container_id) const {
  auto text = ReadFile(o_.state_dir + "/result-" + container_id + ".json");
  if (!text)
    return std::unexpected(
        api::MakeError(api::Reason::kNotFound, "no cached CNI result for " + container_id));
  try {
    return ParseResult(Json::parse(*text));
  } catch (const std::exception& e) {
    return std::unexpected(api::Internal(std::string("cached CNI result: ") + e.what()));
  }
}

api::Result<PodNetwork> Cni::Setup(const std::string& container_id,
                                   const std::string& netns_path) const {
  MakeDirs(o_.state_dir + "/ipam", 0700);
  // What the loopback plugin does (lo up; the kernel adds 127.0.0.1 and ::1), without an exec.
  if (auto st = LoopbackUp(netns_path); !st) return std::unexpected(st.error());
  Json conf = BridgeConfig();
  conf["cniVersion"] = "1.0.0";
  conf["name"] = o_.network_name;
  auto res = Invoke("bridge", "ADD", conf, container_id, netns_path, "eth0");
  if (!res) {
    (void)Invoke("bridge", "DEL", conf, container_id, netns_path, "eth0");
    return std::unexpected(res.error());
  }
  WriteFileAtomic(o_.state_dir + "/result-" + container_id + ".json", res->dump(), 0600,
                  /*durable=*/false);
  return ParseResult(*res);
}

api::Status Cni::Check(const std::string& container_id, const std::string& netns_path) const {
  Json conf = BridgeConfig();
  conf["cniVersion"] = "1.0.0";
  conf["name"] = o_.network_name;
  auto prev = ReadFile(o_.state_dir + "/result-" + container_id + ".json");
  if (!prev)
    return std::unexpected(
        api::MakeError(api::Reason::kNotFound, "cni check: no cached result for " + container_id));
  try {
    conf["prevResult"] = Json::parse(*prev);
  } catch (...) {
  }
  auto r = Invoke("bridge", "CHECK", conf, container_id, netns_path, "eth0");
  if (!r) return std::unexpected(r.error());
  return {};
}

api::Status Cni::Teardown(const std::string& container_id, const std::string& netns_path) const {
  Json conf = BridgeConfig();
  conf["cniVersion"] = "1.0.0";
  conf["name"] = o_.network_name;
  struct stat sb;
  // With the namespace gone the veth went with it; DEL still releases the address.
  std::string ns = stat(netns_path.c_str(), &sb) == 0 ? netns_path : "";
  auto r = Invoke("bridge", "DEL", conf, container_id, ns, "eth0");
  unlink((o_.state_dir + "/result-" + container_id + ".json").c_str());
  if (!r) return std::unexpected(r.error());
  return {};
}

}  // namespace keelson::runtime
