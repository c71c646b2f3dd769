// Tests for the discovery documents: shapes checked field by field, content negotiation, and the
// real kubectl (when installed) listing api-resources from them over a loopback HTTP server.
#include "api/discovery.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <set>
#include <thread>

#include <gtest/gtest.h>

namespace keelson::api {
namespace {

const Json* FindResource(const Json& list, std::string_view name) {
  for (const auto& r : list["resources"]) {
    if (r["name"] == name) return &r;
  }
  return nullptr;
}

TEST(Discovery, ApiVersions) {
  Json doc = BuildApiVersions("127.0.0.1:6443");
  EXPECT_EQ(doc, Json::parse(R"({"kind":"APIVersions","versions":["v1"],
      "serverAddressByClientCIDRs":[{"clientCIDR":"0.0.0.0/0","serverAddress":"127.0.0.1:6443"}]})"));
}

TEST(Discovery, CoreResourceListWithSubresources) {
  Json doc = BuildResourceList(Kinds::Default(), "", "v1");
  ASSERT_TRUE(doc.is_object());
  EXPECT_EQ(doc["kind"], "APIResourceList");
  EXPECT_EQ(doc["groupVersion"], "v1");
  const Json* pods = FindResource(doc, "pods");
  ASSERT_NE(pods, nullptr);
  EXPECT_EQ(*pods, Json::parse(R"({"name":"pods","singularName":"pod","namespaced":true,
      "kind":"Pod","verbs":["create","delete","deletecollection","get","list","patch","update",
      "watch"],"shortNames":["po"],"categories":["all"]})"));
  const Json* status = FindResource(doc, "pods/status");
  ASSERT_NE(status, nullptr);
  EXPECT_EQ(*status, Json::parse(R"({"name":"pods/status","singularName":"","namespaced":true,
      "kind":"Pod","verbs":["get","patch","update"]})"));
  const Json* log = FindResource(doc, "pods/log");
  ASSERT_NE(log, nullptr);
  EXPECT_EQ((*log)["verbs"], Json::parse(R"(["get"])"));
  const Json* eviction = FindResource(doc, "pods/eviction");
  ASSERT_NE(eviction, nullptr);
  EXPECT_EQ((*eviction)["group"], "policy");
  EXPECT_EQ((*eviction)["kind"], "Eviction");
  const Json* token = FindResource(doc, "serviceaccounts/token");
  ASSERT_NE(token, nullptr);
  EXPECT_EQ((*token)["kind"], "TokenRequest");
  EXPECT_EQ((*token)["verbs"], Json::parse(R"(["create"])"));
  const Json* ns = FindResource(doc, "namespaces");
  ASSERT_NE(ns, nullptr);
  EXPECT_FALSE((*ns)["namespaced"].get<bool>());
  EXPECT_FALSE(ns->contains("categories"));
  // Sorted by name, subresources right after their resource.
  std::vector<std::string> names;
  for (const auto& r : doc["resources"]) names.push_back(r["name"]);
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  EXPECT_TRUE(BuildResourceList(Kinds::Default(), "", "v2").is_null());
}

TEST(Discovery, GroupResourceListAndGroups) {
  Json apps = BuildResourceList(Kinds::Default(), "apps", "v1");
  EXPECT_EQ(apps["apiVersion"], "v1");
  EXPECT_EQ(apps["groupVersion"], "apps/v1");
  const Json* scale = FindResource(apps, "deployments/scale");
  ASSERT_NE(scale, nullptr);
  EXPECT_EQ(*scale, Json::parse(R"({"name":"deployments/scale","singularName":"",
      "namespaced":true,"group":"autoscaling","version":"v1","kind":"Scale",
      "verbs":["get","patch","update"]})"));

  Json autoscaling = BuildApiGroup(Kinds::Default(), "autoscaling");
  EXPECT_EQ(autoscaling, Json::parse(R"({"kind":"APIGroup","apiVersion":"v1","name":"autoscaling",
      "versions":[{"groupVersion":"autoscaling/v2","version":"v2"},
                  {"groupVersion":"autoscaling/v1","version":"v1"}],
      "preferredVersion":{"groupVersion":"autoscaling/v2","version":"v2"}})"));
  EXPECT_TRUE(BuildApiGroup(Kinds::Default(), "").is_null());
  EXPECT_TRUE(BuildApiGroup(Kinds::Default(), "nope.io").is_null());

  Json list = BuildApiGroupList(Kinds::Default());
  EXPECT_EQ(list["kind"], "APIGroupList");
  std::set<std::string> names;
  for (const auto& g : list["groups"]) {
    names.insert(g["name"]);
    EXPECT_FALSE(g.contains("kind"));
    EXPECT_EQ(g["preferredVersion"], g["versions"][0]);
  }
  for (const char* g :
       {"apps", "batch", "rbac.authorization.k8s.io", "networking.k8s.io", "autoscaling", "policy",
        "storage.k8s.io", "coordination.k8s.io", "events.k8s.io", "apiextensions.k8s.io",
        "authorization.k8s.io", "authentication.k8s.io", "discovery.k8s.io", "keelson.dev"}) {
    EXPECT_TRUE(names.count(g)) << g;
  }
  EXPECT_FALSE(names.count(""));
}

TEST(Discovery, AggregatedV2Shape) {
  Json core = BuildAggregatedDiscovery(Kinds::Default(), true, AggregatedVersion::kV2);
  EXPECT_EQ(core["kind"], "APIGroupDiscoveryList");
  EXPECT_EQ(core["apiVersion"], "apidiscovery.k8s.io/v2");
  ASSERT_EQ(core["items"].size(), 1u);
  const Json& v1 = core["items"][0]["versions"][0];
  EXPECT_FALSE(core["items"][0]["metadata"].contains("name"));
  EXPECT_EQ(v1["version"], "v1");
  EXPECT_EQ(v1["freshness"], "Current");
  const Json* pods = nullptr;
  for (const auto& r : v1["resources"]) {
    if (r["resource"] == "pods") pods = &r;
  }
  ASSERT_NE(pods, nullptr);
  EXPECT_EQ((*pods)["responseKind"], Json::parse(R"({"group":"","version":"","kind":"Pod"})"));
  EXPECT_EQ((*pods)["scope"], "Namespaced");
  EXPECT_EQ((*pods)["singularResource"], "pod");
  EXPECT_EQ((*pods)["shortNames"], Json::parse(R"(["po"])"));
  bool saw_eviction = false;
  for (const auto& s : (*pods)["subresources"]) {
    if (s["subresource"] == "eviction") {
      saw_eviction = true;
      EXPECT_EQ(s["responseKind"],
                Json::parse(R"({"group":"policy","version":"v1","kind":"Eviction"})"));
      EXPECT_EQ(s["verbs"], Json::parse(R"(["create"])"));
    }
  }
  EXPECT_TRUE(saw_eviction);

  Json apis = BuildAggregatedDiscovery(Kinds::Default(), false, AggregatedVersion::kV2Beta1);
  EXPECT_EQ(apis["apiVersion"], "apidiscovery.k8s.io/v2beta1");
  bool saw_apps = false;
  for (const auto& item : apis["items"]) {
    ASSERT_TRUE(item["metadata"].contains("name"));
    if (item["metadata"]["name"] == "apps") {
      saw_apps = true;
      EXPECT_EQ(item["versions"][0]["version"], "v1");
    }
    if (item["metadata"]["name"] == "autoscaling") {
      EXPECT_EQ(item["versions"][0]["version"], "v2");
    }
  }
  EXPECT_TRUE(saw_apps);
}

TEST(Discovery, Negotiation) {
  const char* kubectl =
      "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/"
      "json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";
  EXPECT_EQ(NegotiateDiscovery(kubectl), DiscoveryFormat::kAggregatedV2);
  EXPECT_EQ(NegotiateDiscovery(
                "application/json; g=apidiscovery.k8s.io; v=v2beta1; as=APIGroupDiscoveryList"),
            DiscoveryFormat::kAggregatedV2Beta1);
  EXPECT_EQ(NegotiateDiscovery("application/json, */*"), DiscoveryFormat::kLegacy);
  EXPECT_EQ(NegotiateDiscovery(""), DiscoveryFormat::kLegacy);
  EXPECT_EQ(
      NegotiateDiscovery("application/json;g=apidiscovery.k8s.io;v=v3;as=APIGroupDiscoveryList"),
      DiscoveryFormat::kLegacy);
  EXPECT_EQ(DiscoveryContentType(DiscoveryFormat::kAggregatedV2),
            "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList");
  EXPECT_EQ(DiscoveryContentType(DiscoveryFormat::kLegacy), "application/json");
}

TEST(Discovery, CacheServesEveryDocument) {
  DiscoveryCache cache(Kinds::Default(), "127.0.0.1:6443");
  EXPECT_EQ(Json::parse(cache.Api(DiscoveryFormat::kLegacy)), BuildApiVersions("127.0.0.1:6443"));
  EXPECT_EQ(Json::parse(cache.Apis(DiscoveryFormat::kAggregatedV2)),
            BuildAggregatedDiscovery(Kinds::Default(), false, AggregatedVersion::kV2));
  ASSERT_NE(cache.ResourceList("", "v1"), nullptr);
  ASSERT_NE(cache.ResourceList("autoscaling", "v1"), nullptr);
  EXPECT_EQ(cache.ResourceList("apps", "v2"), nullptr);
  ASSERT_NE(cache.Group("keelson.dev"), nullptr);
  EXPECT_EQ(cache.Group(""), nullptr);
}

// A loopback HTTP/1.1 server that answers discovery paths from a DiscoveryCache, one request per
// connection. Stops and joins in the destructor.
class DiscoveryServer {
 public:
  // `legacy_only` answers /api and /apis in the legacy format whatever the client accepts, as an
  // older API server would.
  DiscoveryServer(const DiscoveryCache& cache, bool legacy_only)
      : cache_(cache), legacy_only_(legacy_only) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    listen(fd_, 16);
    socklen_t len = sizeof addr;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~DiscoveryServer() {
    stop_ = true;
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    thread_.join();
  }
  int port() const { return port_; }
  std::vector<std::string> paths() const { return paths_; }

 private:
  void Serve() {
    while (!stop_) {
      int c = accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      std::string req;
      char buf[4096];
      while (req.find("\r\n\r\n") == std::string::npos) {
        ssize_t n = read(c, buf, sizeof buf);
        if (n <= 0) break;
        req.append(buf, static_cast<size_t>(n));
      }
      std::string path = req.substr(4, req.find(' ', 4) - 4);
      path = path.substr(0, path.find('?'));
      std::string accept;
      for (size_t p = req.find("\r\n"); p != std::string::npos;) {
        size_t e = req.find("\r\n", p + 2);
        std::string line = req.substr(p + 2, e == std::string::npos ? e : e - p - 2);
        if (line.size() > 7 && strncasecmp(line.c_str(), "accept:", 7) == 0) {
          accept = line.substr(7);
        }
        p = e;
        if (line.empty()) break;
      }
      paths_.push_back(path);
      const DiscoveryFormat format =
          legacy_only_ ? DiscoveryFormat::kLegacy : NegotiateDiscovery(accept);
      const std::string* body = nullptr;
      std::string type = "application/json";
      if (path == "/api") {
        body = &cache_.Api(format);
        type = DiscoveryContentType(format);
      } else if (path == "/apis") {
        body = &cache_.Apis(format);
        type = DiscoveryContentType(format);
      } else if (path == "/api/v1") {
        body = cache_.ResourceList("", "v1");
      } else if (path.rfind("/apis/", 0) == 0) {
        std::string rest = path.substr(6);
        size_t slash = rest.find('/');
        body = slash == std::string::npos
                   ? cache_.Group(rest)
                   : cache_.ResourceList(rest.substr(0, slash), rest.substr(slash + 1));
      }
      std::string resp;
      if (body) {
        resp = "HTTP/1.1 200 OK\r\nContent-Type: " + type +
               "\r\nConnection: close\r\nContent-Length: " + std::to_string(body->size()) +
               "\r\n\r\n" + *body;
      } else {
        const std::string nf = R"({"kind":"Status","apiVersion":"v1","status":"Failure",)"
                               R"("reason":"NotFound","code":404})";
        resp =
            "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nConnection: "
            "close\r\nContent-Length: " +
            std::to_string(nf.size()) + "\r\n\r\n" + nf;
      }
      for (size_t off = 0; off < resp.size();) {
        ssize_t n = write(c, resp.data() + off, resp.size() - off);
        if (n <= 0) break;
        off += static_cast<size_t>(n);
      }
      close(c);
    }
  }

  const DiscoveryCache& cache_;
  const bool legacy_only_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::vector<std::string> paths_;
  std::thread thread_;
};

std::string RunCommand(const std::string& cmd, int& status) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) {
    status = -1;
    return out;
  }
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  status = pclose(p);
  return out;
}

// Runs `kubectl api-resources` against a server for the cache; returns its output.
std::string KubectlApiResources(const DiscoveryServer& server, int& status) {
  const std::string home = ::testing::TempDir() + "/kubectl-home-" + std::to_string(getpid());
  std::filesystem::create_directories(home);
  const std::string out = RunCommand(
      "HOME=" + home + " KUBECONFIG=/dev/null /usr/bin/kubectl --server=http://127.0.0.1:" +
          std::to_string(server.port()) + " --request-timeout=10s api-resources 2>&1",
      status);
  std::filesystem::remove_all(home);
  if (getenv("KEELSON_SHOW_KUBECTL") != nullptr) std::cerr << out;
  return out;
}

void ExpectBuiltinsListed(const std::string& out) {
  // kubectl's own rendering of our documents.
  EXPECT_NE(out.find("pods                              po           v1 "), std::string::npos)
      << out;
  for (const char* want :
       {"deployments", "deploy", "apps/v1", "horizontalpodautoscalers", "autoscaling/v2",
        "applications", "keelson.dev/v1", "customresourcedefinitions", "crd,crds",
        "selfsubjectaccessreviews", "authorization.k8s.io/v1"}) {
    EXPECT_NE(out.find(want), std::string::npos) << want << "\n" << out;
  }
}

TEST(DiscoveryKubectl, ApiResourcesFromAggregatedDiscovery) {
  if (!std::filesystem::exists("/usr/bin/kubectl")) {
    GTEST_SKIP() << "kubectl is not installed at /usr/bin/kubectl";
  }
  DiscoveryCache cache(Kinds::Default(), "127.0.0.1:6443");
  DiscoveryServer server(cache, /*legacy_only=*/false);
  int status = 0;
  const std::string out = KubectlApiResources(server, status);
  ASSERT_EQ(status, 0) << out;
  ExpectBuiltinsListed(out);
  // Aggregated discovery: kubectl needs /api and /apis only (and asks /version, which 404s).
  for (const auto& p : server.paths()) {
    EXPECT_TRUE(p == "/api" || p == "/apis" || p == "/version") << p;
  }
}

TEST(DiscoveryKubectl, ApiResourcesFromLegacyDiscovery) {
  if (!std::filesystem::exists("/usr/bin/kubectl")) {
    GTEST_SKIP() << "kubectl is not installed at /usr/bin/kubectl";
  }
  DiscoveryCache cache(Kinds::Default(), "127.0.0.1:6443");
  DiscoveryServer server(cache, /*legacy_only=*/true);
  int status = 0;
  const std::string out = KubectlApiResources(server, status);
  ASSERT_EQ(status, 0) << out;
  ExpectBuiltinsListed(out);
  // Legacy discovery: kubectl walks every group version.
  const auto paths = server.paths();
  EXPECT_NE(std::find(paths.begin(), paths.end(), "/api/v1"), paths.end());
  EXPECT_NE(std::find(paths.begin(), paths.end(), "/apis/apps/v1"), paths.end());
}

}  // namespace
}  // namespace keelson::api
