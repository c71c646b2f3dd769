// keelctl get: server-side tables printed like kubectl, -o formats, -l/--field-selector, -A,
// -w.
#include <CLI/CLI.hpp>
#include <condition_variable>
#include <iostream>
#include <mutex>

#include "api/table.h"
#include "cli/commands.h"
#include "cli/printers.h"

namespace keelson::cli {
namespace {

using api::Json;

struct GetFlags {
  std::vector<std::string> args;
  std::string output;
  std::string selector;
  std::string field_selector;
  std::vector<std::string> filenames;
  bool recursive = false;
  bool watch = false;
  bool watch_only = false;
  bool show_labels = false;
  bool no_headers = false;
  std::vector<std::string> label_columns;
  bool all_namespaces = false;
};

std::string WithQuery(std::string path, const GetFlags& f) {
  auto add = [&](const char* k, const std::string& v) {
    path += path.find('?') == std::string::npos ? '?' : '&';
    path += k;
    path += '=';
    path += RestClient::QueryEscape(v);
  };
  if (!f.selector.empty()) add("labelSelector", f.selector);
  if (!f.field_selector.empty()) add("fieldSelector", f.field_selector);
  return path;
}

// What one resource type produced.
struct Fetched {
  ResourceRef ref;
  std::string ns;                    // namespace queried ("" = all or cluster-scoped)
  Json table;                        // for table output
  std::vector<api::Object> objects;  // for other outputs
  std::string resource_version;
};

int RunWatch(Env& env, RestClient& client, const Fetched& f, const GetFlags& flags,
             const OutputFormat& fmt, ColumnWriter& writer, const TableOptions& topts,
             bool header_printed) {
  std::string path = RestClient::ResourcePath(f.ref.kind, f.ns);
  path = WithQuery(path, flags);
  path += path.find('?') == std::string::npos ? "?watch=1" : "&watch=1";
  if (!f.resource_version.empty()) {
    path += "&resourceVersion=" + RestClient::QueryEscape(f.resource_version);
  }
  if (f.ref.names.size() == 1) {
    path += "&fieldSelector=" + RestClient::QueryEscape("metadata.name=" + f.ref.names[0]);
  }
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  std::optional<api::Error> failure;
  api::GroupVersionKind gvk = f.ref.kind.gvk();
  auto handle = client.Stream(
      path, "application/json",
      [&](std::string_view line) {
        Json ev = Json::parse(line, nullptr, false);
        if (ev.is_discarded() || !ev.is_object()) return true;
        std::string type = ev.value("type", "");
        Json obj = ev.contains("object") ? ev["object"] : Json::object();
        if (type == "ERROR") {
          std::lock_guard<std::mutex> lock(mu);
          failure = api::Error::FromStatus(obj, 500);
          done = true;
          cv.notify_all();
          return false;
        }
        if (type == "BOOKMARK") return true;
        if (!obj.contains("apiVersion")) obj["apiVersion"] = f.ref.kind.api_version();
        if (!obj.contains("kind")) obj["kind"] = f.ref.kind.kind;
        std::string text;
        if (fmt.kind == OutputKind::kDefault || fmt.kind == OutputKind::kWide) {
          auto table = api::BuildTable(gvk, {api::Object(obj)}, {});
          if (!table) return true;
          TableOptions o = topts;
          o.no_headers = header_printed || topts.no_headers;
          header_printed = true;
          auto rows = TableRows(*table, o);
          if (!rows) return true;
          text = writer.Write(*rows);
        } else {
          auto printed = PrintObjects({api::Object(obj)}, fmt, false, true);
          if (!printed) return true;
          text = *printed;
          if (fmt.kind == OutputKind::kYaml) text = "---\n" + text;
        }
        std::lock_guard<std::mutex> lock(mu);
        env.out << text << std::flush;
        return true;
      },
      [&](std::optional<api::Error> err) {
        std::lock_guard<std::mutex> lock(mu);
        failure = err;
        done = true;
        cv.notify_all();
      });
  if (!handle) return env.Fail(handle.error());
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return done; });
  lock.unlock();
  handle->reset();
  if (failure) return env.Fail(*failure);
  return 0;
}

int RunGet(Env& env, GetFlags& flags) {
  auto fmt = ParseOutputFormat(flags.output);
  if (!fmt) return env.Fail(fmt.error());
  auto client_or = env.Client();
  if (!client_or) return env.Fail(client_or.error());
  RestClient& client = **client_or;
  bool table_output = fmt->kind == OutputKind::kDefault || fmt->kind == OutputKind::kWide;

  std::vector<ResourceRef> refs;
  if (!flags.filenames.empty()) {
    auto objs = ReadManifests(flags.filenames, flags.recursive, env.in);
    if (!objs) return env.Fail(objs.error());
    for (auto& m : *objs) {
      auto k = client.KindFor(m.object.gvk());
      if (!k) return env.Fail(k.error());
      refs.push_back({*k, {m.object.name()}});
      if (k->namespaced && !m.object.namespace_().empty() && !env.NamespaceExplicit()) {
        refs.back().names = {m.object.name()};
        env.flags.namespace_ = m.object.namespace_();
      }
    }
  } else {
    auto parsed = ParseResourceArgs(client, flags.args);
    if (!parsed) return env.Fail(parsed.error());
    refs = std::move(*parsed);
  }
  bool with_kind = false;
  for (size_t i = 1; i < refs.size(); ++i) {
    if (refs[i].kind.group != refs[0].kind.group || refs[i].kind.kind != refs[0].kind.kind) {
      with_kind = true;
    }
  }
  if (flags.watch && refs.size() > 1) {
    return env.Fail("you may only specify a single resource type");
  }
  bool single_named = refs.size() == 1 && refs[0].names.size() == 1 && flags.filenames.empty();

  std::vector<Fetched> fetched;
  std::vector<api::Error> errors;
  for (auto& ref : refs) {
    Fetched f{ref, "", Json(), {}, ""};
    if (ref.kind.namespaced && !flags.all_namespaces) f.ns = env.Namespace();
    if (ref.names.empty()) {
      if (flags.watch_only) {
        fetched.push_back(std::move(f));
        continue;
      }
      std::string path = WithQuery(RestClient::ResourcePath(ref.kind, f.ns), flags);
      auto j = client.GetJson(path, table_output ? kTableAccept : "application/json");
      if (!j) {
        errors.push_back(j.error());
        continue;
      }
      if (j->contains("metadata") && (*j)["metadata"].is_object()) {
        f.resource_version = (*j)["metadata"].value("resourceVersion", "");
      }
      if (table_output) {
        f.table = std::move(*j);
      } else if (j->contains("items")) {
        for (auto& item : (*j)["items"]) {
          if (!item.contains("apiVersion")) item["apiVersion"] = ref.kind.api_version();
          if (!item.contains("kind")) item["kind"] = ref.kind.kind;
          f.objects.emplace_back(std::move(item));
        }
      }
    } else {
      for (const auto& name : ref.names) {
        std::string path = RestClient::ResourcePath(ref.kind, f.ns, name);
        auto j = client.GetJson(path, table_output ? kTableAccept : "application/json");
        if (!j) {
          errors.push_back(j.error());
          continue;
        }
        if (table_output) {
          if (f.table.is_null()) {
            f.table = std::move(*j);
          } else if (j->contains("rows")) {
            for (auto& r : (*j)["rows"]) f.table["rows"].push_back(std::move(r));
          }
        } else {
          f.objects.emplace_back(std::move(*j));
        }
      }
    }
    fetched.push_back(std::move(f));
  }

  TableOptions topts;
  topts.wide = fmt->kind == OutputKind::kWide;
  topts.no_headers = flags.no_headers;
  topts.with_namespace = flags.all_namespaces;
  topts.show_labels = flags.show_labels;
  topts.label_columns = flags.label_columns;
  ColumnWriter writer(flags.watch);
  size_t printed_rows = 0;
  if (table_output) {
    bool first = true;
    for (const auto& f : fetched) {
      if (f.table.is_null() || !f.table.contains("rows") || f.table["rows"].empty()) continue;
      TableOptions o = topts;
      o.with_namespace = topts.with_namespace && f.ref.kind.namespaced;
      if (with_kind) o.kind_prefix = KindName(f.ref.kind);
      auto rows = TableRows(f.table, o);
      if (!rows) return env.Fail(rows.error());
      if (!first) env.out << "\n";
      first = false;
      env.out << (flags.watch ? writer.Write(*rows) : ColumnWriter().Write(*rows));
      printed_rows += f.table["rows"].size();
    }
  } else {
    std::vector<api::Object> all;
    for (auto& f : fetched) {
      for (auto& o : f.objects) all.push_back(o);
    }
    printed_rows = all.size();
    if (!(flags.watch_only) &&
        (!all.empty() || fmt->kind == OutputKind::kYaml || fmt->kind == OutputKind::kJson ||
         fmt->kind == OutputKind::kJsonPath)) {
      if (!(all.empty() && single_named)) {
        auto text = PrintObjects(all, *fmt, !single_named, flags.no_headers);
        if (!text) return env.Fail(text.error());
        env.out << *text;
      }
    }
  }
  env.out << std::flush;
  for (const auto& e : errors) env.Fail(e);
  if (printed_rows == 0 && errors.empty() && !flags.watch_only && !flags.watch && table_output) {
    bool any_namespaced = false;
    for (const auto& f : fetched) any_namespaced |= f.ref.kind.namespaced;
    if (any_namespaced && !flags.all_namespaces) {
      env.err << "No resources found in " << env.Namespace() << " namespace.\n";
    } else {
      env.err << "No resources found\n";
    }
  }
  if (!errors.empty()) return 1;
  if (flags.watch || flags.watch_only) {
    return RunWatch(env, client, fetched.front(), flags, *fmt, writer, topts, printed_rows > 0);
  }
  return 0;
}

}  // namespace

void RegisterGet(CLI::App& app, Env& env) {
  auto flags = std::make_shared<GetFlags>();
  CLI::App* cmd = app.add_subcommand("get", "Display one or many resources");
  cmd->add_option("args", flags->args, "TYPE[.GROUP] [NAME...] | TYPE/NAME...");
  cmd->add_option("-o,--output", flags->output,
                  "Output format: yaml|json|wide|name|jsonpath=...|jsonpath-file=...|"
                  "custom-columns=...");
  cmd->add_option("-l,--selector", flags->selector, "Label selector (e.g. app=web,tier!=db)");
  cmd->add_option("--field-selector", flags->field_selector,
                  "Field selector (metadata.name, metadata.namespace, status.phase, "
                  "spec.nodeName)");
  cmd->add_option("-f,--filename", flags->filenames, "Files identifying the resources");
  cmd->add_flag("-R,--recursive", flags->recursive, "Process directories recursively");
  cmd->add_flag("-w,--watch", flags->watch, "After listing, watch for changes");
  cmd->add_flag("--watch-only", flags->watch_only, "Watch for changes without listing first");
  cmd->add_flag("--show-labels", flags->show_labels, "Show labels as the last column");
  cmd->add_flag("--no-headers", flags->no_headers, "Do not print headers");
  cmd->add_option("-L,--label-columns", flags->label_columns, "Label keys to show as columns")
      ->delimiter(',');
  cmd->add_flag("-A,--all-namespaces", flags->all_namespaces, "List across all namespaces");
  cmd->callback([&env, flags] {
    env.flags.all_namespaces = flags->all_namespaces;
    env.exit_code = RunGet(env, *flags);
  });
}

}  // namespace keelson::cli
