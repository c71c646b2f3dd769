// keelctl logs and exec against an in-test API server (tests/cli/fake_api.h), and logs against
// the real kubectl where it is installed.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <regex>

#include "api/base64.h"
#include "cli/flags.h"
#include "cli/kubeconfig.h"
#include "fake_api.h"

namespace keelson::cli::testing {
namespace {

Json Pod(const std::string& name, std::vector<std::string> containers,
         std::vector<std::string> inits = {}, const std::string& phase = "Running") {
  Json cs = Json::array(), is = Json::array();
  for (const auto& c : containers) cs.push_back({{"name", c}, {"image", "busybox"}});
  for (const auto& c : inits) is.push_back({{"name", c}, {"image", "busybox"}});
  Json spec = {{"containers", cs}, {"nodeName", "node-a"}};
  if (!is.empty()) spec["initContainers"] = is;
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata",
           {{"name", name},
            {"namespace", "default"},
            {"labels", {{"app", name == "web" ? "frontend" : name}}},
            {"creationTimestamp", "2026-01-01T00:00:00Z"},
            {"uid", "uid-" + name}}},
          {"spec", spec},
          {"status", {{"phase", phase}}}};
}

class LogsExecTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pods_["web"] = Pod("web", {"app", "sidecar"}, {"init"});
    pods_["solo"] = Pod("solo", {"main"});
    pods_["done"] = Pod("done", {"main"}, {}, "Succeeded");
    auto& s = api_.server();
    s.Get(R"(/api/v1/namespaces/([^/]+)/pods/([^/]+))",
          [this](const httplib::Request& req, httplib::Response& res) {
            api_.Record(req);
            auto it = pods_.find(req.matches[2]);
            if (it == pods_.end()) {
              res.status = 404;
              res.set_content(StatusBody(404, "NotFound",
                                         "pods \"" + std::string(req.matches[2]) + "\" not found"),
                              "application/json");
              return;
            }
            res.set_content(it->second.dump(), "application/json");
          });
    s.Get(R"(/api/v1/namespaces/([^/]+)/pods)", [this](const httplib::Request& req,
                                                       httplib::Response& res) {
      api_.Record(req);
      Json items = Json::array();
      if (req.get_param_value("labelSelector") == "app=frontend") {
        items.push_back(pods_["web"]);
      }
      res.set_content(Json{{"kind", "PodList"}, {"apiVersion", "v1"}, {"items", items}}.dump(),
                      "application/json");
    });
    s.Get(R"(/apis/apps/v1/namespaces/([^/]+)/deployments/([^/]+))",
          [this](const httplib::Request& req, httplib::Response& res) {
            api_.Record(req);
            Json d = {{"apiVersion", "apps/v1"},
                      {"kind", "Deployment"},
                      {"metadata", {{"name", req.matches[2]}, {"namespace", "default"}}},
                      {"spec", {{"selector", {{"matchLabels", {{"app", "frontend"}}}}}}}};
            res.set_content(d.dump(), "application/json");
          });
    s.Get(R"(/api/v1/namespaces/([^/]+)/pods/([^/]+)/log)",
          [this](const httplib::Request& req, httplib::Response& res) {
            api_.Record(req);
            std::string c = req.get_param_value("container");
            if (c == "nope") {
              res.status = 400;
              res.set_content(StatusBody(400, "BadRequest",
                                         "container \"nope\" is not valid for pod \"" +
                                             std::string(req.matches[2]) + "\""),
                              "application/json");
              return;
            }
            if (req.get_param_value("follow") != "true") {
              res.set_content("hello from " + c + "\nsecond line\n", "text/plain");
              return;
            }
            res.set_chunked_content_provider("text/plain", [this](size_t, httplib::DataSink& sink) {
              std::string l1 = "line 1\n";
              sink.write(l1.data(), l1.size());
              // The second line only goes out once the client has shown the first.
              std::unique_lock<std::mutex> lock(follow_mu_);
              bool seen = follow_cv_.wait_for(lock, std::chrono::seconds(5),
                                              [this] { return first_line_shown_; });
              follow_waited_ok_ = seen;
              lock.unlock();
              std::string l2 = "line 2\n";
              sink.write(l2.data(), l2.size());
              sink.done();
              return true;
            });
          });
    s.Post(R"(/api/v1/namespaces/([^/]+)/pods/([^/]+)/exec)",
           [this](const httplib::Request& req, httplib::Response& res) {
             api_.Record(req);
             std::vector<std::string> cmd;
             for (size_t i = 0; i < req.get_param_value_count("command"); ++i) {
               cmd.push_back(req.get_param_value("command", i));
             }
             if (req.get_param_value("container") == "ghost") {
               res.status = 404;
               res.set_content(StatusBody(404, "NotFound", "container \"ghost\" not found in pod"),
                               "application/json");
               return;
             }
             std::string out, err;
             int code = 0;
             if (!cmd.empty() && cmd[0] == "fail") {
               out = "partial\n";
               err = "bad thing\n";
               code = 3;
             } else if (req.get_param_value("stdin") == "true") {
               out = req.body;
             } else {
               for (const auto& a : cmd) out += a + "|";
             }
             Json r = {{"kind", "ExecResult"},
                       {"apiVersion", "keelson.dev/v1"},
                       {"exitCode", code},
                       {"stdout", api::Base64Encode(out)},
                       {"stderr", api::Base64Encode(err)}};
             res.set_content(r.dump(), "application/json");
           });
    ASSERT_TRUE(api_.Start());
  }

  std::string LogPath(const std::string& pod) {
    return "/api/v1/namespaces/default/pods/" + pod + "/log";
  }
  std::string ExecPath(const std::string& pod) {
    return "/api/v1/namespaces/default/pods/" + pod + "/exec";
  }

  FakeApi api_;
  std::map<std::string, Json> pods_;
  std::mutex follow_mu_;
  std::condition_variable follow_cv_;
  bool first_line_shown_ = false;
  bool follow_waited_ok_ = false;
};

TEST_F(LogsExecTest, LogsDefaultsToFirstContainerWithKubectlNotice) {
  RunResult r = api_.Keelctl({"logs", "web"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "hello from app\nsecond line\n");
  EXPECT_EQ(r.err, "Defaulted container \"app\" out of: app, sidecar, init (init)\n");
  auto seen = api_.Last(LogPath("web"));
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->params.size(), 1u);
  EXPECT_EQ(seen->params.find("container")->second, "app");
}

TEST_F(LogsExecTest, LogsSingleContainerPodPrintsNoNotice) {
  RunResult r = api_.Keelctl({"logs", "pod/solo"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "hello from main\nsecond line\n");
  EXPECT_EQ(r.err, "");
}

TEST_F(LogsExecTest, LogsSendsEveryOptionAsTheKubernetesQuery) {
  RunResult r = api_.Keelctl({"logs", "solo", "-c", "main", "--tail", "5", "--timestamps", "-p",
                              "--limit-bytes=100", "--since=1500ms"});
  ASSERT_EQ(r.code, 0) << r.err;
  auto seen = api_.Last(LogPath("solo"));
  ASSERT_TRUE(seen);
  std::multimap<std::string, std::string> want = {{"container", "main"},  {"tailLines", "5"},
                                                  {"timestamps", "true"}, {"previous", "true"},
                                                  {"limitBytes", "100"},  {"sinceSeconds", "2"}};
  EXPECT_EQ(seen->params, want);
}

TEST_F(LogsExecTest, LogsInlineContainerArgument) {
  RunResult r = api_.Keelctl({"logs", "web", "sidecar"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "hello from sidecar\nsecond line\n");
  EXPECT_EQ(r.err, "");
}

TEST_F(LogsExecTest, LogsFromADeploymentUsesItsPod) {
  RunResult r = api_.Keelctl({"logs", "deploy/frontend", "-c", "sidecar"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "hello from sidecar\nsecond line\n");
  auto list = api_.Last("/api/v1/namespaces/default/pods");
  ASSERT_TRUE(list);
  EXPECT_EQ(list->params.find("labelSelector")->second, "app=frontend");
}

TEST_F(LogsExecTest, LogsRejectsBadInputWithKubectlMessages) {
  struct Case {
    std::vector<std::string> args;
    std::string err;
  };
  std::vector<Case> cases = {
      {{"logs"},
       "error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a "
       "required argument for the logs command\nSee 'keelctl logs -h' for help and examples\n"},
      {{"logs", "a", "b", "c"},
       "error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a "
       "required argument for the logs command\nSee 'keelctl logs -h' for help and examples\n"},
      {{"logs", "--tail=x", "a"},
       "Error: invalid argument \"x\" for \"--tail\" flag: strconv.ParseInt: parsing \"x\": "
       "invalid syntax\nSee 'keelctl logs --help' for usage.\n"},
      {{"logs", "a", "--since=5x"},
       "Error: invalid argument \"5x\" for \"--since\" flag: time: unknown unit \"x\" in duration "
       "\"5x\"\nSee 'keelctl logs --help' for usage.\n"},
      {{"logs", "a", "--tail=-2"}, "error: --tail must be greater than or equal to -1\n"},
      {{"logs", "a", "--limit-bytes=-1"}, "error: --limit-bytes must be greater than 0\n"},
      {{"logs", "a", "--since=-1s"}, "error: --since must be greater than 0\n"},
      {{"logs", "a", "--since=1s", "--since-time=2020-01-01T00:00:00Z"},
       "error: at most one of `sinceTime` or `sinceSeconds` may be specified\n"},
      {{"logs", "a", "b", "-c", "c"},
       "error: only one of -c or an inline [CONTAINER] arg is allowed\n"},
  };
  for (const auto& c : cases) {
    RunResult r = api_.Keelctl(c.args);
    EXPECT_EQ(r.code, 1) << c.args.back();
    EXPECT_EQ(r.err, c.err) << c.args.back();
    EXPECT_EQ(r.out, "");
  }
  EXPECT_FALSE(api_.Last(LogPath("a"))) << "nothing may reach the server";
}

TEST_F(LogsExecTest, LogsServerErrorsPrintAsKubectlDoes) {
  RunResult r = api_.Keelctl({"logs", "missing"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err,
            "error: error from server (NotFound): pods \"missing\" not found in namespace "
            "\"default\"\n");
  // kubectl checks the container name against the pod before asking for its log.
  r = api_.Keelctl({"logs", "solo", "-c", "nope"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "error: container nope is not valid for pod solo\n");
  EXPECT_EQ(r.out, "");
  EXPECT_FALSE(api_.Last(LogPath("solo")));
}

// An ostream that tells the test when the first followed line reached keelctl's stdout.
class SignallingBuf : public std::stringbuf {
 public:
  explicit SignallingBuf(std::function<void(const std::string&)> on_sync)
      : on_sync_(std::move(on_sync)) {}
  int sync() override {
    on_sync_(str());
    return 0;
  }

 private:
  std::function<void(const std::string&)> on_sync_;
};

TEST_F(LogsExecTest, LogsFollowWritesEachLineAsItArrives) {
  SignallingBuf buf([this](const std::string& so_far) {
    if (so_far.find("line 1\n") == std::string::npos) return;
    std::lock_guard<std::mutex> lock(follow_mu_);
    first_line_shown_ = true;
    follow_cv_.notify_all();
  });
  std::ostream out(&buf);
  std::ostringstream err;
  std::istringstream in;
  auto start = std::chrono::steady_clock::now();
  int code = RunKeelctl({"--kubeconfig", (api_.dir() / "config").string(), "logs", "-f", "solo"},
                        in, out, err);
  EXPECT_EQ(code, 0) << err.str();
  EXPECT_EQ(buf.str(), "line 1\nline 2\n");
  EXPECT_TRUE(follow_waited_ok_) << "line 1 was not shown before line 2 was sent";
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(4));
  auto seen = api_.Last(LogPath("solo"));
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->params.find("follow")->second, "true");
}

TEST_F(LogsExecTest, LogsMatchesKubectl) {
  for (std::vector<std::string> args :
       std::vector<std::vector<std::string>>{{"logs", "web"},
                                             {"logs", "solo", "--tail=1"},
                                             {"logs", "pod/web", "-c", "sidecar"},
                                             {"logs", "missing"},
                                             {"logs", "solo", "-c", "nope"},
                                             {"logs", "solo", "--tail=-2"},
                                             {"logs"}}) {
    auto k = api_.Kubectl(args);
    if (!k) GTEST_SKIP() << "kubectl not installed";
    RunResult r = api_.Keelctl(args);
    std::string kerr = std::regex_replace(k->err, std::regex("kubectl"), "keelctl");
    EXPECT_EQ(r.out, k->out) << args.back();
    EXPECT_EQ(r.err, kerr) << args.back();
    EXPECT_EQ(r.code, k->code) << args.back();
  }
}

TEST_F(LogsExecTest, ExecReplaysOutputAndExitCode) {
  RunResult r = api_.Keelctl({"exec", "solo", "--", "fail", "now"});
  EXPECT_EQ(r.code, 3);
  EXPECT_EQ(r.out, "partial\n");
  EXPECT_EQ(r.err, "bad thing\ncommand terminated with exit code 3\n");
}

TEST_F(LogsExecTest, ExecSendsCommandContainerAndStdin) {
  RunResult r = api_.Keelctl({"exec", "-i", "web", "-c", "sidecar", "--", "cat", "-n", "a b"},
                             "piped input\n");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "piped input\n");
  EXPECT_EQ(r.err, "");
  auto seen = api_.Last(ExecPath("web"));
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->method, "POST");
  EXPECT_EQ(seen->body, "piped input\n");
  std::multimap<std::string, std::string> want = {{"container", "sidecar"},
                                                  {"command", "cat"},
                                                  {"command", "-n"},
                                                  {"command", "a b"},
                                                  {"stdin", "true"}};
  EXPECT_EQ(seen->params, want);
}

TEST_F(LogsExecTest, ExecWithoutStdinSendsNoBodyAndDefaultsTheContainer) {
  RunResult r = api_.Keelctl({"exec", "web", "--", "ls", "-la"}, "ignored");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "ls|-la|");
  EXPECT_EQ(r.err, "Defaulted container \"app\" out of: app, sidecar, init (init)\n");
  auto seen = api_.Last(ExecPath("web"));
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->body, "");
  EXPECT_EQ(seen->params.find("stdin")->second, "false");
  r = api_.Keelctl({"exec", "-q", "web", "--", "ls"});
  EXPECT_EQ(r.err, "") << "-q silences the notice";
}

TEST_F(LogsExecTest, ExecRejectsBadInputWithKubectlMessages) {
  struct Case {
    std::vector<std::string> args;
    std::string err;
  };
  std::vector<Case> cases = {
      {{"exec"}, "error: pod, type/name or --filename must be specified\n"},
      {{"exec", "--", "ls"}, "error: pod, type/name or --filename must be specified\n"},
      {{"exec", "solo"}, "error: you must specify at least one command for the container\n"},
      {{"exec", "solo", "--"}, "error: you must specify at least one command for the container\n"},
      {{"exec", "solo", "ls"},
       "error: exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] "
       "instead\nSee 'keelctl exec -h' for help and examples\n"},
      {{"exec", "done", "--", "ls"},
       "error: cannot exec into a container in a completed pod; current phase is Succeeded\n"},
      {{"exec", "missing", "--", "ls"},
       "Error from server (NotFound): pods \"missing\" not found\n"},
      {{"exec", "solo", "-c", "ghost", "--", "ls"},
       "Error from server (NotFound): container \"ghost\" not found in pod\n"},
  };
  for (const auto& c : cases) {
    RunResult r = api_.Keelctl(c.args);
    EXPECT_EQ(r.code, 1) << c.args.size();
    EXPECT_EQ(r.err, c.err);
    EXPECT_EQ(r.out, "");
  }
}

TEST_F(LogsExecTest, ExecMatchesKubectlArgumentErrors) {
  for (std::vector<std::string> args : std::vector<std::vector<std::string>>{
           {"exec"}, {"exec", "solo"}, {"exec", "solo", "ls"}, {"exec", "--", "ls"}}) {
    auto k = api_.Kubectl(args);
    if (!k) GTEST_SKIP() << "kubectl not installed";
    RunResult r = api_.Keelctl(args);
    EXPECT_EQ(r.err, std::regex_replace(k->err, std::regex("kubectl"), "keelctl"));
    EXPECT_EQ(r.code, k->code);
  }
}

TEST(GoFlags, DurationsAndIntegersParseLikeGo) {
  EXPECT_EQ(*ParseGoDuration("1h30m"), 5400LL * 1000000000LL);
  EXPECT_EQ(*ParseGoDuration("1.5s"), 1500000000LL);
  EXPECT_EQ(*ParseGoDuration("-2m"), -120LL * 1000000000LL);
  EXPECT_EQ(*ParseGoDuration("0"), 0);
  EXPECT_EQ(*ParseGoDuration("300ms"), 300000000LL);
  EXPECT_EQ(ParseGoDuration("5").error().message, "time: missing unit in duration \"5\"");
  EXPECT_EQ(ParseGoDuration("").error().message, "time: invalid duration \"\"");
  EXPECT_EQ(ParseGoDuration("x").error().message, "time: invalid duration \"x\"");
  EXPECT_EQ(*ParseGoInt64("-1"), -1);
  EXPECT_EQ(*ParseGoInt64("0x10"), 16);
  EXPECT_EQ(ParseGoInt64("99999999999999999999").error().message,
            "strconv.ParseInt: parsing \"99999999999999999999\": value out of range");
  EXPECT_EQ(ParseGoInt64("1.5").error().message,
            "strconv.ParseInt: parsing \"1.5\": invalid syntax");
}

}  // namespace
}  // namespace keelson::cli::testing
