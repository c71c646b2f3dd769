// The real kubectl (v1.32, /usr/bin/kubectl) against keelsond with DIR/admin.conf unchanged.
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <thread>

#include <gtest/gtest.h>

#include "tests/daemon/keelsond_process.h"

namespace keelson::testing {
namespace {

constexpr const char* kKubectl = "/usr/bin/kubectl";

struct KubectlRun {
  int code = -1;
  std::string out;  // stdout and stderr
};

class KubectlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (access(kKubectl, X_OK) != 0) GTEST_SKIP() << "kubectl not installed at /usr/bin/kubectl";
    std::filesystem::create_directories(dir_.path() + "/data");
    d_ = std::make_unique<Keelsond>(dir_.path() + "/data");
    ASSERT_TRUE(d_->Start()) << d_->error();
  }

  // Runs kubectl with the admin kubeconfig; `env` is prepended (e.g. "EDITOR=...").
  KubectlRun Kubectl(const std::string& args, const std::string& env = "",
                     const std::string& stdin_text = "") {
    std::string in_file = dir_.path() + "/stdin";
    WriteAll(in_file, stdin_text);
    std::string cmd = env + " " + kKubectl + " --kubeconfig " + d_->kubeconfig() +
                      " --request-timeout=20s " + args + " <" + in_file + " 2>&1";
    KubectlRun r;
    FILE* p = popen(cmd.c_str(), "r");
    if (p == nullptr) return r;
    std::array<char, 4096> buf;
    size_t n;
    while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
    int st = pclose(p);
    r.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return r;
  }

  std::string File(const std::string& name, const std::string& content) {
    std::string path = dir_.path() + "/" + name;
    WriteAll(path, content);
    return path;
  }

  TempDir dir_;
  std::unique_ptr<Keelsond> d_;
};

const char* kConfigMapYaml = R"(apiVersion: v1
kind: ConfigMap
metadata:
  name: app-config
  labels:
    app: shop
data:
  color: blue
)";

const char* kDeploymentYaml = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        ports:
        - containerPort: 80
)";

TEST_F(KubectlTest, Version) {
  auto r = Kubectl("version -o json");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("v1.32.0-keelson"), std::string::npos) << r.out;
}

TEST_F(KubectlTest, ApiResources) {
  auto r = Kubectl("api-resources");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("configmaps"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("deployments"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("deploy"), std::string::npos) << r.out;
}

TEST_F(KubectlTest, CreateGetDescribeDelete) {
  auto c = Kubectl("create -f " + File("cm.yaml", kConfigMapYaml));
  ASSERT_EQ(c.code, 0) << c.out;
  EXPECT_NE(c.out.find("configmap/app-config created"), std::string::npos) << c.out;

  auto g = Kubectl("get configmaps");
  ASSERT_EQ(g.code, 0) << g.out;
  EXPECT_NE(g.out.find("NAME"), std::string::npos) << g.out;
  EXPECT_NE(g.out.find("DATA"), std::string::npos) << g.out;
  EXPECT_NE(g.out.find("app-config"), std::string::npos) << g.out;

  auto y = Kubectl("get cm app-config -o yaml");
  ASSERT_EQ(y.code, 0) << y.out;
  EXPECT_NE(y.out.find("color: blue"), std::string::npos) << y.out;
  auto j = Kubectl("get cm app-config -o json");
  ASSERT_EQ(j.code, 0) << j.out;
  EXPECT_EQ(nlohmann::json::parse(j.out)["data"]["color"], "blue");
  auto jp = Kubectl("get cm app-config -o jsonpath={.data.color}");
  ASSERT_EQ(jp.code, 0) << jp.out;
  EXPECT_EQ(jp.out, "blue");
  auto l = Kubectl("get cm -l app=shop --show-labels");
  ASSERT_EQ(l.code, 0) << l.out;
  EXPECT_NE(l.out.find("app=shop"), std::string::npos) << l.out;

  auto d = Kubectl("describe configmap app-config");
  ASSERT_EQ(d.code, 0) << d.out;
  EXPECT_NE(d.out.find("Name:"), std::string::npos) << d.out;
  EXPECT_NE(d.out.find("color"), std::string::npos) << d.out;

  auto del = Kubectl("delete configmap app-config");
  ASSERT_EQ(del.code, 0) << del.out;
  EXPECT_NE(del.out.find("configmap \"app-config\" deleted"), std::string::npos) << del.out;
  auto nf = Kubectl("get configmap app-config");
  EXPECT_NE(nf.code, 0);
  EXPECT_NE(nf.out.find("Error from server (NotFound): configmaps \"app-config\" not found"),
            std::string::npos)
      << nf.out;
}

TEST_F(KubectlTest, CreateConfigMapFromLiteral) {
  auto r = Kubectl("create configmap lit --from-literal=a=1 --from-literal=b=two");
  ASSERT_EQ(r.code, 0) << r.out;
  auto jp = Kubectl("get cm lit -o jsonpath={.data.b}");
  EXPECT_EQ(jp.out, "two");
}

TEST_F(KubectlTest, ReplaceLabelAnnotatePatch) {
  ASSERT_EQ(Kubectl("create -f " + File("cm.yaml", kConfigMapYaml)).code, 0);
  std::string replaced = std::string(kConfigMapYaml);
  replaced.replace(replaced.find("blue"), 4, "green");
  auto rep = Kubectl("replace -f " + File("cm2.yaml", replaced));
  ASSERT_EQ(rep.code, 0) << rep.out;
  EXPECT_EQ(Kubectl("get cm app-config -o jsonpath={.data.color}").out, "green");

  auto lab = Kubectl("label cm app-config tier=front");
  ASSERT_EQ(lab.code, 0) << lab.out;
  EXPECT_EQ(Kubectl("get cm app-config -o jsonpath={.metadata.labels.tier}").out, "front");
  auto ann = Kubectl("annotate cm app-config owner=team-a");
  ASSERT_EQ(ann.code, 0) << ann.out;
  EXPECT_EQ(Kubectl("get cm app-config -o jsonpath={.metadata.annotations.owner}").out, "team-a");
  auto p = Kubectl("patch cm app-config --type merge -p {\\\"data\\\":{\\\"size\\\":\\\"xl\\\"}}");
  ASSERT_EQ(p.code, 0) << p.out;
  EXPECT_EQ(Kubectl("get cm app-config -o jsonpath={.data.size}").out, "xl");
}

TEST_F(KubectlTest, ApplyTwiceCreatesThenPatches) {
  std::string f = File("deploy.yaml", kDeploymentYaml);
  auto a1 = Kubectl("apply -f " + f);
  ASSERT_EQ(a1.code, 0) << a1.out;
  EXPECT_NE(a1.out.find("deployment.apps/web created"), std::string::npos) << a1.out;
  std::string changed = kDeploymentYaml;
  changed.replace(changed.find("replicas: 2"), 11, "replicas: 3");
  WriteAll(f, changed);
  auto a2 = Kubectl("apply -f " + f);
  ASSERT_EQ(a2.code, 0) << a2.out;
  EXPECT_NE(a2.out.find("deployment.apps/web configured"), std::string::npos) << a2.out;
  EXPECT_EQ(Kubectl("get deploy web -o jsonpath={.spec.replicas}").out, "3");
  EXPECT_EQ(Kubectl("get deploy web -o jsonpath={.spec.template.spec.containers[0].image}").out,
            "nginx:1.27");
  auto a3 = Kubectl("apply -f " + f);
  ASSERT_EQ(a3.code, 0) << a3.out;
  EXPECT_NE(a3.out.find("unchanged"), std::string::npos) << a3.out;
  auto g = Kubectl("get deployments");
  ASSERT_EQ(g.code, 0) << g.out;
  EXPECT_NE(g.out.find("READY"), std::string::npos) << g.out;
}

TEST_F(KubectlTest, StrictValidationRejectsTypo) {
  std::string bad = kDeploymentYaml;
  bad.replace(bad.find("replicas: 2"), 11, "replica: 2");
  auto r = Kubectl("create -f " + File("bad.yaml", bad));
  EXPECT_NE(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("unknown field \"spec.replica\""), std::string::npos) << r.out;
}

TEST_F(KubectlTest, EditWithSedEditor) {
  ASSERT_EQ(Kubectl("create -f " + File("cm.yaml", kConfigMapYaml)).code, 0);
  std::string editor = File("editor.sh", "#!/bin/sh\nsed -i 's/color: blue/color: red/' \"$1\"\n");
  chmod(editor.c_str(), 0755);
  auto e = Kubectl("edit cm app-config", "EDITOR=" + editor);
  ASSERT_EQ(e.code, 0) << e.out;
  EXPECT_EQ(Kubectl("get cm app-config -o jsonpath={.data.color}").out, "red");
}

TEST_F(KubectlTest, GetWatchSeesChanges) {
  ASSERT_EQ(Kubectl("create configmap w1 --from-literal=a=1").code, 0);
  KubectlRun watch;
  // `timeout` bounds the watch; kubectl exits 124 when it is cut off.
  std::thread t([&] { watch = Kubectl("get cm -w", "timeout 5"); });
  std::this_thread::sleep_for(std::chrono::milliseconds(2000));
  auto c = Kubectl("create configmap w2 --from-literal=a=1");
  t.join();
  ASSERT_EQ(c.code, 0) << c.out;
  EXPECT_NE(watch.out.find("w1"), std::string::npos) << watch.out;
  EXPECT_NE(watch.out.find("w2"), std::string::npos) << watch.out;
  EXPECT_EQ(watch.out.find("rror"), std::string::npos) << watch.out;
}

}  // namespace
}  // namespace keelson::testing
