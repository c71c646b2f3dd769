// keelctl edit: open the object's YAML in $KUBE_EDITOR/$EDITOR and send the update.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "api/codec.h"
#include "cli/commands.h"
#include "cli/printers.h"

namespace keelson::cli {
namespace {

using api::Json;

constexpr const char* kHeader =
    "# Please edit the object below. Lines beginning with a '#' will be ignored,\n"
    "# and an empty file will abort the edit. If an error occurs while saving this file will be\n"
    "# reopened with the relevant failures.\n"
    "#\n";

struct EditFlags {
  std::vector<std::string> args;
  std::string output;
  std::string validate = "strict";
  std::vector<std::string> filenames;
};

std::string StripComments(const std::string& text) {
  std::istringstream in(text);
  std::string line, out;
  while (std::getline(in, line)) {
    size_t b = line.find_first_not_of(" \t");
    if (b != std::string::npos && line[b] == '#') continue;
    out += line + "\n";
  }
  return out;
}

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

int EditOne(Env& env, RestClient& client, const api::KindInfo& kind, const std::string& ns,
            const std::string& name, const EditFlags& f, const std::string& validation) {
  auto obj = client.Get(kind.gvk(), ns, name);
  if (!obj) return env.Fail(obj.error());
  std::string original = api::EncodeYaml(obj->json());
  const char* editor_env = std::getenv("KUBE_EDITOR");
  if (!editor_env || !*editor_env) editor_env = std::getenv("EDITOR");
  std::string editor = editor_env && *editor_env ? editor_env : "vi";

  std::string dir = std::filesystem::temp_directory_path().string();
  std::string tmpl = dir + "/keelctl-edit-XXXXXX.yaml";
  std::vector<char> path(tmpl.begin(), tmpl.end());
  path.push_back('\0');
  int fd = mkstemps(path.data(), 5);  // 0600
  if (fd < 0) return env.Fail("cannot create a temporary file in " + dir);
  std::string file(path.data());
  std::string content = std::string(kHeader) + original;
  bool wrote = ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size());
  ::close(fd);
  struct Cleanup {
    std::string path;
    ~Cleanup() { std::filesystem::remove(path); }
  } cleanup{file};
  if (!wrote) return env.Fail("cannot write " + file);
  std::string cmd = editor + " " + ShellQuote(file);
  int status = std::system(cmd.c_str());
  if (status != 0) {
    return env.Fail("there was a problem with the editor \"" + editor + "\"");
  }
  std::ifstream in(file);
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string edited = StripComments(ss.str());
  if (edited.find_first_not_of(" \t\r\n") == std::string::npos ||
      edited == StripComments(content)) {
    env.err << "Edit cancelled, no changes made.\n";
    return 0;
  }
  auto decoded = api::DecodeYaml(edited, "edited file");
  if (!decoded) return env.Fail(decoded.error().message);
  if (!decoded->is_object()) return env.Fail("edited file: expected an object");
  api::Object updated(std::move(*decoded));
  if (updated.name() != name) {
    return env.Fail("At least one of apiVersion, kind and name was changed");
  }
  api::WriteOptions wo;
  wo.field_validation = validation;
  wo.field_manager = "kubectl-edit";
  auto result = client.Update(updated, wo);
  if (!result) return env.Fail(result.error());
  auto fmt = ParseOutputFormat(f.output);
  if (fmt && fmt->kind != OutputKind::kDefault && fmt->kind != OutputKind::kWide) {
    auto text = PrintObjects({*result}, *fmt, false);
    if (text) env.out << *text;
    return 0;
  }
  env.out << KindName(kind) << "/" << name << " edited\n";
  return 0;
}

int RunEdit(Env& env, EditFlags& f) {
  auto validation = ParseValidate(f.validate);
  if (!validation) return env.Fail(validation.error());
  auto fmt = ParseOutputFormat(f.output);
  if (!fmt) return env.Fail(fmt.error());
  auto client_or = env.Client();
  if (!client_or) return env.Fail(client_or.error());
  RestClient& client = **client_or;
  int rc = 0;
  if (!f.filenames.empty()) {
    auto objs = ReadManifests(f.filenames, false, env.in);
    if (!objs) return env.Fail(objs.error());
    for (auto& m : *objs) {
      auto k = client.KindFor(m.object.gvk());
      if (!k) return env.Fail(k.error());
      std::string ns =
          k->namespaced ? (m.object.namespace_().empty() ? env.Namespace() : m.object.namespace_())
                        : "";
      rc |= EditOne(env, client, *k, ns, m.object.name(), f, *validation);
    }
    return rc;
  }
  auto refs = ParseResourceArgs(client, f.args);
  if (!refs) return env.Fail(refs.error());
  for (auto& r : *refs) {
    if (r.names.empty()) return env.Fail("resource(s) were provided, but no name was specified");
    for (auto& n : r.names) {
      rc |=
          EditOne(env, client, r.kind, r.kind.namespaced ? env.Namespace() : "", n, f, *validation);
    }
  }
  return rc;
}

}  // namespace

void RegisterEdit(CLI::App& app, Env& env) {
  auto f = std::make_shared<EditFlags>();
  CLI::App* cmd = app.add_subcommand("edit", "Edit a resource on the server");
  cmd->add_option("args", f->args, "TYPE NAME | TYPE/NAME");
  cmd->add_option("-o,--output", f->output, "Output format");
  cmd->add_option("--validate", f->validate, "strict|warn|ignore");
  cmd->add_option("-f,--filename", f->filenames, "Files identifying the resources");
  cmd->callback([&env, f] { env.exit_code = RunEdit(env, *f); });
}

}  // namespace keelson::cli
