// keelctl image and top against an in-test API server (tests/cli/fake_api.h), and top against the
// real kubectl where it is installed.
#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <regex>

#include "cli/image_format.h"
#include "fake_api.h"

namespace keelson::cli::testing {
namespace {

std::string Rfc3339(std::chrono::system_clock::time_point t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

class ImageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto now = std::chrono::system_clock::now();
    images_ = Json::array();
    images_.push_back({{"id", "sha256:" + std::string(64, 'a')},
                       {"repoTags", {"busybox:latest", "keelson.dev/busybox:test"}},
                       {"repoDigests", Json::array()},
                       {"size", 4261550},
                       {"created", Rfc3339(now - std::chrono::hours(3))}});
    images_.push_back({{"id", "sha256:" + std::string(64, 'b')},
                       {"repoTags", Json::array()},
                       {"repoDigests", Json::array()},
                       {"size", 512},
                       {"created", Rfc3339(now - std::chrono::hours(24 * 20))}});
    auto& s = api_.server();
    s.Get("/apis/keelson.dev/v1/images",
          [this](const httplib::Request& req, httplib::Response& res) {
            api_.Record(req);
            Json l = {{"kind", "ImageList"}, {"apiVersion", "keelson.dev/v1"}, {"items", images_}};
            res.set_content(l.dump(), "application/json");
          });
    s.Post("/apis/keelson.dev/v1/images", [this](const httplib::Request& req,
                                                 httplib::Response& res,
                                                 const httplib::ContentReader& reader) {
      std::string body;
      reader([&](const char* data, size_t len) {
        body.append(data, len);
        return true;
      });
      api_.Record(req, body.empty() ? "<empty>" : body);
      uploaded_length_header_ = req.get_header_value("Content-Length");
      if (body.rfind("not a tar", 0) == 0) {
        res.status = 400;
        res.set_content(
            StatusBody(400, "BadRequest", "image archive: no manifest.json or index.json found"),
            "application/json");
        return;
      }
      res.status = 201;
      Json l = {{"kind", "ImageList"},
                {"apiVersion", "keelson.dev/v1"},
                {"items", Json::array({images_[0]})}};
      res.set_content(l.dump(), "application/json");
    });
    s.Delete(R"(/apis/keelson.dev/v1/images/(.+))",
             [this](const httplib::Request& req, httplib::Response& res) {
               api_.Record(req);
               std::string ref = req.matches[1];
               deleted_.push_back(ref);
               if (ref == "busybox:latest") {
                 Json st = {{"kind", "Status"}, {"apiVersion", "v1"}, {"status", "Success"}};
                 res.set_content(st.dump(), "application/json");
               } else if (ref == "in-use:1") {
                 res.status = 409;
                 res.set_content(
                     StatusBody(409, "Conflict", "image \"in-use:1\" is in use by pod default/web"),
                     "application/json");
               } else {
                 res.status = 404;
                 res.set_content(StatusBody(404, "NotFound", "images \"" + ref + "\" not found"),
                                 "application/json");
               }
             });
    ASSERT_TRUE(api_.Start());
  }

  FakeApi api_;
  Json images_;
  std::string uploaded_length_header_;
  std::vector<std::string> deleted_;
};

TEST_F(ImageTest, ListPrintsDockerStyleTableNewestFirst) {
  RunResult r = api_.Keelctl({"image", "ls"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "REPOSITORY            TAG       IMAGE ID       SIZE      CREATED\n"
            "busybox               latest    aaaaaaaaaaaa   4.26MB    3 hours ago\n"
            "keelson.dev/busybox   test      aaaaaaaaaaaa   4.26MB    3 hours ago\n"
            "<none>                <none>    bbbbbbbbbbbb   512B      2 weeks ago\n");
  EXPECT_EQ(r.err, "");
}

TEST_F(ImageTest, ListQuietAndStructuredOutput) {
  RunResult r = api_.Keelctl({"image", "ls", "-q"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "aaaaaaaaaaaa\nbbbbbbbbbbbb\n");
  r = api_.Keelctl({"image", "ls", "-o", "json"});
  ASSERT_EQ(r.code, 0) << r.err;
  Json j = Json::parse(r.out);
  EXPECT_EQ(j["kind"], "ImageList");
  EXPECT_EQ(j["items"].size(), 2u);
  r = api_.Keelctl({"image", "ls", "-o", "yaml"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("kind: ImageList\n"), std::string::npos) << r.out;
  r = api_.Keelctl({"image", "ls", "-o", "wide"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err,
            "error: unable to match a printer suitable for the output format \"wide\", allowed "
            "formats are: json,yaml\n");
}

TEST_F(ImageTest, ImportStreamsTheFileWithItsLength) {
  std::string archive;
  for (int i = 0; i < 300000; ++i) archive += static_cast<char>('a' + i % 26);
  fs::path file = api_.dir() / "image.tar";
  std::ofstream(file, std::ios::binary) << archive;
  RunResult r = api_.Keelctl({"image", "import", file.string()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "Loaded image: busybox:latest\nLoaded image: keelson.dev/busybox:test\n");
  auto seen = api_.Last("/apis/keelson.dev/v1/images");
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->method, "POST");
  EXPECT_EQ(seen->content_type, "application/x-tar");
  EXPECT_EQ(seen->body, archive);
  EXPECT_EQ(uploaded_length_header_, std::to_string(archive.size()));
  EXPECT_FALSE(seen->chunked);
}

TEST_F(ImageTest, ImportFromStdinIsChunked) {
  RunResult r = api_.Keelctl({"image", "import", "-"}, "tar bytes from a pipe");
  ASSERT_EQ(r.code, 0) << r.err;
  auto seen = api_.Last("/apis/keelson.dev/v1/images");
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->body, "tar bytes from a pipe");
  EXPECT_TRUE(seen->chunked);
}

TEST_F(ImageTest, ImportErrors) {
  RunResult r = api_.Keelctl({"image", "import", (api_.dir() / "nope.tar").string()});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err,
            "error: open " + (api_.dir() / "nope.tar").string() + ": No such file or directory\n");
  EXPECT_FALSE(api_.Last("/apis/keelson.dev/v1/images"));
  r = api_.Keelctl({"image", "import", "-"}, "not a tar");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(
      r.err,
      "Error from server (BadRequest): image archive: no manifest.json or index.json found\n");
  r = api_.Keelctl({"image", "import"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err,
            "error: at least one FILE (or -) is required\nSee 'keelctl image import -h' for help "
            "and examples\n");
}

TEST_F(ImageTest, RemoveReportsEachReference) {
  RunResult r = api_.Keelctl({"image", "rm", "busybox:latest", "in-use:1", "ghost/x:1"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "Deleted: busybox:latest\n");
  EXPECT_EQ(r.err,
            "Error from server (Conflict): image \"in-use:1\" is in use by pod default/web\n"
            "Error from server (NotFound): images \"ghost/x:1\" not found\n");
  std::vector<std::string> want = {"busybox:latest", "in-use:1", "ghost/x:1"};
  EXPECT_EQ(deleted_, want);
}

TEST(ImageFormat, HumanSizeAndDurationLikeGoUnits) {
  EXPECT_EQ(HumanSize(0), "0B");
  EXPECT_EQ(HumanSize(999), "999B");
  EXPECT_EQ(HumanSize(1000), "1kB");
  EXPECT_EQ(HumanSize(4261550), "4.26MB");
  EXPECT_EQ(HumanSize(1.5e9), "1.5GB");
  using std::chrono::seconds;
  EXPECT_EQ(HumanDuration(seconds(0)), "Less than a second");
  EXPECT_EQ(HumanDuration(seconds(1)), "1 second");
  EXPECT_EQ(HumanDuration(seconds(59)), "59 seconds");
  EXPECT_EQ(HumanDuration(seconds(60)), "About a minute");
  EXPECT_EQ(HumanDuration(seconds(45 * 60)), "45 minutes");
  EXPECT_EQ(HumanDuration(seconds(3600)), "About an hour");
  EXPECT_EQ(HumanDuration(seconds(47 * 3600)), "47 hours");
  EXPECT_EQ(HumanDuration(seconds(3 * 86400)), "3 days");
  EXPECT_EQ(HumanDuration(seconds(20 * 86400)), "2 weeks");
  EXPECT_EQ(HumanDuration(seconds(90 * 86400)), "3 months");
  EXPECT_EQ(HumanDuration(seconds(800 * 86400)), "2 years");
}

// ---- top ----

class TopTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto& s = api_.server();
    Json nodes = Json::array();
    nodes.push_back(Node("node-a", "2", "4Gi"));
    nodes.push_back(Node("node-b", "4", "8Gi"));
    Json node_metrics = Json::array();
    node_metrics.push_back(NodeMetric("node-a", "250000000n", "1048576Ki"));
    node_metrics.push_back(NodeMetric("node-c", "1", "100Mi"));  // no Node object
    Json pm = Json::array();
    pm.push_back(
        PodMetric("default", "web", {{"app", "1500000n", "10Mi"}, {"sidecar", "30m", "20Mi"}}));
    pm.push_back(PodMetric("default", "solo", {{"main", "100m", "5Mi"}}));
    pm.push_back(PodMetric("kube-system", "dns", {{"coredns", "2m", "70Mi"}}));
    s.Get("/api/v1/nodes", [this, nodes](const httplib::Request& req, httplib::Response& res) {
      api_.Record(req);
      res.set_content(Json{{"kind", "NodeList"}, {"apiVersion", "v1"}, {"items", nodes}}.dump(),
                      "application/json");
    });
    s.Get(R"(/api/v1/nodes/([^/]+))",
          [this, nodes](const httplib::Request& req, httplib::Response& res) {
            api_.Record(req);
            for (const auto& n : nodes) {
              if (n["metadata"]["name"] == std::string(req.matches[1])) {
                res.set_content(n.dump(), "application/json");
                return;
              }
            }
            res.status = 404;
            res.set_content(StatusBody(404, "NotFound",
                                       "nodes \"" + std::string(req.matches[1]) + "\" not found"),
                            "application/json");
          });
    s.Get("/apis/metrics.k8s.io/v1beta1/nodes",
          [this, node_metrics](const httplib::Request& req, httplib::Response& res) {
            api_.Record(req);
            Json l = {{"kind", "NodeMetricsList"},
                      {"apiVersion", "metrics.k8s.io/v1beta1"},
                      {"metadata", Json::object()},
                      {"items", node_metrics}};
            res.set_content(l.dump(), "application/json");
          });
    s.Get(R"(/apis/metrics.k8s.io/v1beta1/nodes/([^/]+))",
          [this, node_metrics](const httplib::Request& req, httplib::Response& res) {
            api_.Record(req);
            for (const auto& n : node_metrics) {
              if (n["metadata"]["name"] == std::string(req.matches[1])) {
                res.set_content(n.dump(), "application/json");
                return;
              }
            }
            res.status = 404;
            res.set_content(StatusBody(404, "NotFound",
                                       "nodemetrics.metrics.k8s.io \"" +
                                           std::string(req.matches[1]) + "\" not found"),
                            "application/json");
          });
    auto pod_list = [this, pm](const httplib::Request& req, httplib::Response& res) {
      api_.Record(req);
      std::string ns = req.matches.size() > 1 ? std::string(req.matches[1]) : "";
      std::string sel = req.get_param_value("labelSelector");
      Json items = Json::array();
      for (const auto& m : pm) {
        if (!ns.empty() && m["metadata"]["namespace"] != ns) continue;
        if (!sel.empty() && sel != "app=" + m["metadata"]["name"].get<std::string>()) continue;
        items.push_back(m);
      }
      Json l = {{"kind", "PodMetricsList"},
                {"apiVersion", "metrics.k8s.io/v1beta1"},
                {"metadata", Json::object()},
                {"items", items}};
      res.set_content(l.dump(), "application/json");
    };
    s.Get("/apis/metrics.k8s.io/v1beta1/pods", pod_list);
    s.Get(R"(/apis/metrics.k8s.io/v1beta1/namespaces/([^/]+)/pods)", pod_list);
    s.Get(R"(/apis/metrics.k8s.io/v1beta1/namespaces/([^/]+)/pods/([^/]+))",
          [this, pm](const httplib::Request& req, httplib::Response& res) {
            api_.Record(req);
            for (const auto& m : pm) {
              if (m["metadata"]["namespace"] == std::string(req.matches[1]) &&
                  m["metadata"]["name"] == std::string(req.matches[2])) {
                res.set_content(m.dump(), "application/json");
                return;
              }
            }
            res.status = 404;
            res.set_content(
                StatusBody(404, "NotFound",
                           "podmetrics.metrics.k8s.io \"" + std::string(req.matches[1]) + "/" +
                               std::string(req.matches[2]) + "\" not found"),
                "application/json");
          });
    s.Get(R"(/api/v1/namespaces/([^/]+)/pods)", [this](const httplib::Request& req,
                                                       httplib::Response& res) {
      api_.Record(req);
      Json items = Json::array();
      if (std::string(req.matches[1]) == "fresh") {
        items.push_back({{"metadata",
                          {{"name", "new"},
                           {"namespace", "fresh"},
                           {"creationTimestamp", Rfc3339(std::chrono::system_clock::now())}}}});
      }
      res.set_content(Json{{"kind", "PodList"}, {"apiVersion", "v1"}, {"items", items}}.dump(),
                      "application/json");
    });
    ASSERT_TRUE(api_.Start());
  }

  static Json Node(const std::string& name, const std::string& cpu, const std::string& mem) {
    return {{"apiVersion", "v1"},
            {"kind", "Node"},
            {"metadata", {{"name", name}}},
            {"status",
             {{"allocatable", {{"cpu", cpu}, {"memory", mem}}},
              {"capacity", {{"cpu", "8"}, {"memory", "16Gi"}}}}}};
  }
  static Json NodeMetric(const std::string& name, const std::string& cpu, const std::string& mem) {
    return {{"metadata", {{"name", name}, {"creationTimestamp", "2026-01-01T00:00:00Z"}}},
            {"timestamp", "2026-01-01T00:00:00Z"},
            {"window", "10s"},
            {"usage", {{"cpu", cpu}, {"memory", mem}}}};
  }
  struct C {
    std::string name, cpu, mem;
  };
  static Json PodMetric(const std::string& ns, const std::string& name, std::vector<C> cs) {
    Json containers = Json::array();
    for (const auto& c : cs) {
      containers.push_back({{"name", c.name}, {"usage", {{"cpu", c.cpu}, {"memory", c.mem}}}});
    }
    return {{"metadata", {{"name", name}, {"namespace", ns}}},
            {"timestamp", "2026-01-01T00:00:00Z"},
            {"window", "10s"},
            {"containers", containers}};
  }

  FakeApi api_;
};

TEST_F(TopTest, PodsInOneNamespace) {
  RunResult r = api_.Keelctl({"top", "pod"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "NAME   CPU(cores)   MEMORY(bytes)   \n"
            "solo   100m         5Mi             \n"
            "web    32m          30Mi            \n");
}

TEST_F(TopTest, PodsAllNamespacesContainersSorted) {
  RunResult r = api_.Keelctl({"top", "pods", "-A", "--containers", "--sort-by=memory"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "NAMESPACE     POD    NAME      CPU(cores)   MEMORY(bytes)   \n"
            "kube-system   dns    coredns   2m           70Mi            \n"
            "default       web    sidecar   30m          20Mi            \n"
            "default       web    app       2m           10Mi            \n"
            "default       solo   main      100m         5Mi             \n");
}

TEST_F(TopTest, NodesWithPercentagesAndUnknowns) {
  RunResult r = api_.Keelctl({"top", "node"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "NAME     CPU(cores)   CPU(%)      MEMORY(bytes)   MEMORY(%)   \n"
            "node-a   250m         12%         1024Mi          25%         \n"
            "node-c   1000m        100Mi       \n"
            "node-b   <unknown>    <unknown>   <unknown>       <unknown>   \n");
  r = api_.Keelctl({"top", "node", "--sort-by=cpu"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "NAME     CPU(cores)   CPU(%)      MEMORY(bytes)   MEMORY(%)   \n"
            "node-c   1000m        100Mi       \n"
            "node-a   250m         12%         1024Mi          25%         \n"
            "node-b   <unknown>    <unknown>   <unknown>       <unknown>   \n");
}

TEST_F(TopTest, ErrorsLikeKubectl) {
  RunResult r = api_.Keelctl({"top", "pod", "--sort-by=name"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "error: --sort-by accepts only cpu or memory\n");
  r = api_.Keelctl({"top", "pod", "a", "b"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err,
            "error: pod [NAME | -l label]\nSee 'keelctl top pod -h' for help and examples\n");
  r = api_.Keelctl({"top", "pod", "-n", "empty"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "No resources found in empty namespace.\n");
  r = api_.Keelctl({"top", "pod", "-n", "fresh"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "error: metrics not available yet\n");
  api_.metrics_api = false;
  r = api_.Keelctl({"top", "node"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "error: Metrics API not available\n");
}

TEST_F(TopTest, GroupWithoutSubcommandPrintsHelp) {
  RunResult r = api_.Keelctl({"top"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("pod"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("node"), std::string::npos) << r.out;
  EXPECT_EQ(r.err, "");
}

TEST_F(TopTest, MatchesKubectl) {
  for (std::vector<std::string> args : std::vector<std::vector<std::string>>{
           {"top", "pod"},
           {"top", "pod", "-A"},
           {"top", "pod", "-A", "--containers"},
           {"top", "pod", "--sort-by=cpu"},
           {"top", "pod", "-A", "--sort-by=memory", "--no-headers"},
           {"top", "pod", "--sum"},
           {"top", "pod", "-A", "--containers", "--sum"},
           {"top", "pod", "web", "--containers"},
           {"top", "pod", "ghost"},
           {"top", "pod", "-l", "app=solo"},
           {"top", "pod", "-n", "empty"},
           {"top", "pod", "-n", "fresh"},
           {"top", "pod", "--sort-by=name"},
           {"top", "node"},
           {"top", "node", "node-a"},
           {"top", "node", "--sort-by=cpu"},
           {"top", "node", "--show-capacity", "--no-headers"},
           {"top", "node", "node-b"},
       }) {
    auto k = api_.Kubectl(args);
    if (!k) GTEST_SKIP() << "kubectl not installed";
    RunResult r = api_.Keelctl(args);
    std::string joined;
    for (const auto& a : args) joined += a + " ";
    EXPECT_EQ(r.out, k->out) << joined;
    EXPECT_EQ(r.err, std::regex_replace(k->err, std::regex("kubectl"), "keelctl")) << joined;
    EXPECT_EQ(r.code, k->code) << joined;
  }
  api_.metrics_api = false;
  auto k = api_.Kubectl({"top", "pod"});
  RunResult r = api_.Keelctl({"top", "pod"});
  EXPECT_EQ(r.err, k->err);
  EXPECT_EQ(r.code, k->code);
}

}  // namespace
}  // namespace keelson::cli::testing
