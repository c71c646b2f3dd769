// keelctl template / keelctl lint: render a Helm chart locally exactly as `helm template` prints
// it, and lint it as `helm lint` does. All rendering is charts::RenderChart (a library call).
#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <sstream>

#include "charts/chart.h"
#include "charts/render.h"
#include "cli/commands.h"

namespace keelson::cli {
namespace {

struct TemplateFlags {
  std::vector<std::string> args;  // [NAME] CHART
  std::vector<std::string> values_files;
  std::vector<std::string> set;
  std::vector<std::string> set_string;
  std::vector<std::string> set_file;
  std::vector<std::string> set_json;
  std::vector<std::string> show_only;
  std::vector<std::string> api_versions;
  std::string kube_version;
  bool include_crds = false;
  bool skip_tests = false;
  bool no_hooks = false;
  bool render_subchart_notes = false;
};

api::Result<std::string> ReadPath(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::unexpected(api::NotFound("files", path).Wrap("open " + path));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int HelmFail(Env& env, const std::string& msg) {
  env.err << "Error: " << msg << "\n";
  env.exit_code = 1;
  return 1;
}

api::Result<charts::RenderOptions> Options(Env& env, const TemplateFlags& f,
                                           std::string* chart_path) {
  charts::RenderOptions opts;
  if (f.args.size() == 1) {
    *chart_path = f.args[0];
  } else if (f.args.size() == 2) {
    opts.release_name = f.args[0];
    *chart_path = f.args[1];
  } else {
    return std::unexpected(
        api::BadRequest("\"keelctl template\" requires at least 1 argument\n\nUsage:  "
                        "keelctl template [NAME] [CHART] [flags]"));
  }
  opts.namespace_name = env.flags.namespace_.empty() ? "default" : env.flags.namespace_;
  for (const auto& p : f.values_files) {
    auto data = ReadPath(p);
    if (!data) return std::unexpected(data.error());
    opts.values_files.push_back({p, *data});
  }
  opts.set = f.set;
  opts.set_string = f.set_string;
  opts.set_json = f.set_json;
  opts.set_file = f.set_file;
  opts.read_file = ReadPath;
  opts.show_only = f.show_only;
  opts.api_versions = f.api_versions;
  opts.kube_version = f.kube_version;
  opts.include_crds = f.include_crds;
  opts.skip_tests = f.skip_tests;
  opts.disable_hooks = f.no_hooks;
  opts.render_subchart_notes = f.render_subchart_notes;
  return opts;
}

int RunTemplate(Env& env, const TemplateFlags& f) {
  std::string path;
  auto opts = Options(env, f, &path);
  if (!opts) return HelmFail(env, opts.error().message);
  auto chart = charts::LoadChart(path);
  if (!chart) return HelmFail(env, chart.error().message);
  auto r = charts::RenderChart(**chart, *opts);
  if (!r) {
    std::string msg = r.error().message;
    // Helm returns a partial release with render-stage errors; `helm template` then suggests
    // --debug.
    if (r.error().kind == charts::kRenderStageKind)
      msg += "\n\nUse --debug flag to render out invalid YAML";
    return HelmFail(env, msg);
  }
  env.out << r->output;
  return 0;
}

int RunLint(Env& env, const TemplateFlags& f) {
  std::string path = f.args.empty() ? "." : f.args.back();
  env.out << "==> Linting " << path << "\n";
  std::vector<std::string> msgs;
  auto chart = charts::LoadChart(path);
  if (!chart) {
    msgs.push_back("[ERROR] Chart.yaml: " + chart.error().message);
  } else {
    TemplateFlags copy = f;
    copy.args = {"release-name", path};
    std::string ignored;
    auto opts = Options(env, copy, &ignored);
    if (!opts) return HelmFail(env, opts.error().message);
    msgs = charts::LintChart(**chart, *opts);
  }
  bool failed = false;
  for (const auto& m : msgs) {
    env.out << m << "\n";
    if (m.starts_with("[ERROR]")) failed = true;
  }
  env.out << "\n";
  if (failed) return HelmFail(env, "1 chart(s) linted, 1 chart(s) failed");
  env.out << "1 chart(s) linted, 0 chart(s) failed\n";
  return 0;
}

void AddValueFlags(CLI::App* cmd, TemplateFlags& f) {
  cmd->add_option("-f,--values", f.values_files, "Values files (YAML), merged left to right");
  cmd->add_option("--set", f.set, "Set values (a.b=c,x={1,2})");
  cmd->add_option("--set-string", f.set_string, "Set STRING values");
  cmd->add_option("--set-file", f.set_file, "Set values from files (key=path)");
  cmd->add_option("--set-json", f.set_json, "Set JSON values (key=jsonval)");
  cmd->add_option("--kube-version", f.kube_version, "Kubernetes version for .Capabilities");
  cmd->add_option("-a,--api-versions", f.api_versions, "Extra API versions for .Capabilities");
}

}  // namespace

void RegisterTemplate(CLI::App& app, Env& env) {
  auto f = std::make_shared<TemplateFlags>();
  CLI::App* cmd =
      app.add_subcommand("template", "Render a Helm chart locally as `helm template` does");
  cmd->add_option("args", f->args, "[NAME] CHART");
  AddValueFlags(cmd, *f);
  cmd->add_option("-s,--show-only", f->show_only,
                  "Only show manifests rendered from these templates");
  cmd->add_flag("--include-crds", f->include_crds, "Include CRDs in the output");
  cmd->add_flag("--skip-tests", f->skip_tests, "Skip test hooks");
  cmd->add_flag("--no-hooks", f->no_hooks, "Do not print hooks");
  cmd->add_flag("--render-subchart-notes", f->render_subchart_notes, "Render subchart notes");
  cmd->callback([&env, f] { env.exit_code = RunTemplate(env, *f); });
}

void RegisterLint(CLI::App& app, Env& env) {
  auto f = std::make_shared<TemplateFlags>();
  CLI::App* cmd = app.add_subcommand("lint", "Examine a Helm chart for possible issues");
  cmd->add_option("args", f->args, "CHART");
  AddValueFlags(cmd, *f);
  cmd->callback([&env, f] { env.exit_code = RunLint(env, *f); });
}

}  // namespace keelson::cli
