// keelctl image import|ls|rm: the node's image store through /apis/keelson.dev/v1/images.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <set>

#include "api/codec.h"
#include "api/jsonpath.h"
#include "cli/commands.h"
#include "cli/image_format.h"
#include "cli/printers.h"

namespace keelson::cli {
namespace {

using api::Json;

constexpr const char* kImagesPath = "/apis/keelson.dev/v1/images";

struct ImageFlags {
  std::vector<std::string> files;
  std::vector<std::string> refs;
  std::string output;
  bool quiet = false;
  bool no_trunc = false;
};

// The ImageList items of a 2xx response. Errors: the server's Status, or a body that is not an
// ImageList.
api::Result<Json> ImageItems(const HttpResponse& r, const std::string& what) {
  if (r.status < 200 || r.status >= 300) return std::unexpected(RestClient::ErrorFromResponse(r));
  Json list = Json::parse(r.body, nullptr, false);
  if (list.is_discarded() || !list.is_object() || !list.contains("items") ||
      !list["items"].is_array()) {
    return std::unexpected(api::Internal("error: " + what +
                                         ": the server returned no ImageList (HTTP " +
                                         std::to_string(r.status) + ")"));
  }
  return list;
}

int RunImport(Env& env, const ImageFlags& f) {
  if (f.files.empty()) return env.FailUsage("image import", "at least one FILE (or -) is required");
  auto client = env.Client();
  if (!client) return env.Fail(client.error());
  for (const auto& file : f.files) {
    api::Result<HttpResponse> r;
    if (file == "-") {
      r = (*client)->Upload("POST", kImagesPath, env.in, std::nullopt, "application/x-tar");
    } else {
      std::error_code ec;
      if (std::filesystem::is_directory(file, ec)) {
        return env.Fail("open " + file + ": is a directory");
      }
      std::ifstream in(file, std::ios::binary);
      if (!in) return env.Fail("open " + file + ": " + std::strerror(errno));
      uint64_t size = std::filesystem::file_size(file, ec);
      if (ec) return env.Fail("stat " + file + ": " + ec.message());
      r = (*client)->Upload("POST", kImagesPath, in, size, "application/x-tar");
    }
    if (!r) return env.Fail(r.error());
    auto list = ImageItems(*r, "import " + file);
    if (!list) return env.Fail(list.error());
    for (const auto& img : (*list)["items"]) {
      bool tagged = false;
      if (img.contains("repoTags") && img["repoTags"].is_array()) {
        for (const auto& t : img["repoTags"]) {
          env.out << "Loaded image: " << t.get<std::string>() << "\n";
          tagged = true;
        }
      }
      if (!tagged) env.out << "Loaded image ID: " << img.value("id", "") << "\n";
    }
  }
  return 0;
}

int RunList(Env& env, const ImageFlags& f) {
  if (!f.output.empty() && f.output != "json" && f.output != "yaml") {
    return env.Fail("unable to match a printer suitable for the output format \"" + f.output +
                    "\", allowed formats are: json,yaml");
  }
  auto client = env.Client();
  if (!client) return env.Fail(client.error());
  auto r = (*client)->Do("GET", kImagesPath);
  if (!r) return env.Fail(r.error());
  auto list = ImageItems(*r, "list images");
  if (!list) return env.Fail(list.error());
  if (f.output == "json") {
    env.out << api::GoJsonMarshalIndent(*list, "    ") << "\n";
    return 0;
  }
  if (f.output == "yaml") {
    env.out << api::EncodeYaml(*list);
    return 0;
  }
  auto rows = ImageRows((*list)["items"], std::chrono::system_clock::now(), f.no_trunc);
  if (f.quiet) {
    std::set<std::string> seen;
    for (const auto& row : rows) {
      if (seen.insert(row.id).second) env.out << row.id << "\n";
    }
    return 0;
  }
  env.out << FormatImageTable(rows);
  return 0;
}

int RunRemove(Env& env, const ImageFlags& f) {
  if (f.refs.empty()) return env.FailUsage("image rm", "at least one image reference is required");
  auto client = env.Client();
  if (!client) return env.Fail(client.error());
  int code = 0;
  for (const auto& ref : f.refs) {
    auto r = (*client)->Do("DELETE", std::string(kImagesPath) + "/" + RestClient::QueryEscape(ref));
    if (!r) return env.Fail(r.error());
    if (r->status < 200 || r->status >= 300) {
      code = env.Fail(RestClient::ErrorFromResponse(*r));
      continue;  // like docker rmi: report each failure, try the rest
    }
    env.out << "Deleted: " << ref << "\n";
  }
  return code;
}

}  // namespace

void RegisterImage(CLI::App& app, Env& env) {
  auto f = std::make_shared<ImageFlags>();
  CLI::App* image = app.add_subcommand("image", "Manage the node's container images");
  image->require_subcommand(1);

  CLI::App* imp = image->add_subcommand(
      "import", "Import images from docker-save or OCI archives (FILE, or - for stdin)");
  imp->alias("load");
  imp->add_option("files", f->files, "Image archives");
  imp->callback([&env, f] { env.exit_code = RunImport(env, *f); });

  CLI::App* ls = image->add_subcommand("ls", "List images");
  ls->alias("list");
  ls->add_option("-o,--output", f->output, "json|yaml");
  ls->add_flag("-q,--quiet", f->quiet, "Only show image IDs");
  ls->add_flag("--no-trunc", f->no_trunc, "Don't truncate image IDs");
  ls->callback([&env, f] { env.exit_code = RunList(env, *f); });

  CLI::App* rm = image->add_subcommand("rm", "Remove images by reference or ID");
  rm->alias("remove");
  rm->add_option("refs", f->refs, "Image references (name:tag, name@digest or ID)");
  rm->callback([&env, f] { env.exit_code = RunRemove(env, *f); });
}

}  // namespace keelson::cli
