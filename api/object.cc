// Object accessors and time helpers.
#include "api/object.h"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace keelson::api {
namespace {
const Json& Null() {
  static const Json kNull;
  return kNull;
}
}  // namespace

std::pair<std::string, std::string> SplitApiVersion(std::string_view api_version) {
  auto slash = api_version.find('/');
  if (slash == std::string_view::npos) return {"", std::string(api_version)};
  return {std::string(api_version.substr(0, slash)), std::string(api_version.substr(slash + 1))};
}

GroupVersionKind Object::gvk() const {
  auto [g, v] = SplitApiVersion(api_version());
  return {g, v, kind()};
}

std::string Object::Str(const char* key) const {
  auto it = json_.find(key);
  return it != json_.end() && it->is_string() ? it->get<std::string>() : std::string();
}

const Json& Object::metadata() const { return Field("metadata"); }

Json& Object::MutableMeta() {
  Json& m = json_["metadata"];
  if (!m.is_object()) m = Json::object();
  return m;
}

const Json& Object::Field(const char* key) const {
  if (!json_.is_object()) return Null();
  auto it = json_.find(key);
  return it != json_.end() ? *it : Null();
}

std::string Object::Meta(const char* key) const {
  const Json& m = metadata();
  if (!m.is_object()) return "";
  auto it = m.find(key);
  return it != m.end() && it->is_string() ? it->get<std::string>() : std::string();
}

int64_t Object::generation() const {
  const Json& m = metadata();
  if (!m.is_object()) return 0;
  auto it = m.find("generation");
  return it != m.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}

std::map<std::string, std::string> Object::StringMap(const char* key) const {
  std::map<std::string, std::string> out;
  const Json& m = metadata();
  if (!m.is_object()) return out;
  auto it = m.find(key);
  if (it == m.end() || !it->is_object()) return out;
  for (const auto& [k, v] : it->items()) {
    if (v.is_string()) out.emplace(k, v.get<std::string>());
  }
  return out;
}

std::optional<std::string> Object::label(std::string_view key) const {
  auto l = labels();
  auto it = l.find(std::string(key));
  if (it == l.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> Object::annotation(std::string_view key) const {
  const Json& m = metadata();
  if (!m.is_object() || !m.contains("annotations")) return std::nullopt;
  const Json& a = m["annotations"];
  auto it = a.find(std::string(key));
  if (it == a.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

void Object::set_label(std::string_view key, std::string_view value) {
  MutableMeta()["labels"][std::string(key)] = value;
}

void Object::set_annotation(std::string_view key, std::string_view value) {
  MutableMeta()["annotations"][std::string(key)] = value;
}

void Object::remove_label(std::string_view key) {
  Json& m = MutableMeta();
  if (!m.contains("labels")) return;
  m["labels"].erase(std::string(key));
  if (m["labels"].empty()) m.erase("labels");
}

void Object::remove_annotation(std::string_view key) {
  Json& m = MutableMeta();
  if (!m.contains("annotations")) return;
  m["annotations"].erase(std::string(key));
  if (m["annotations"].empty()) m.erase("annotations");
}

std::vector<std::string> Object::finalizers() const {
  std::vector<std::string> out;
  const Json& m = metadata();
  if (!m.is_object() || !m.contains("finalizers") || !m["finalizers"].is_array()) return out;
  for (const auto& f : m["finalizers"]) {
    if (f.is_string()) out.push_back(f.get<std::string>());
  }
  return out;
}

void Object::set_finalizers(const std::vector<std::string>& f) {
  if (f.empty()) {
    MutableMeta().erase("finalizers");
  } else {
    MutableMeta()["finalizers"] = f;
  }
}

std::vector<OwnerReference> Object::owner_references() const {
  std::vector<OwnerReference> out;
  const Json& m = metadata();
  if (!m.is_object() || !m.contains("ownerReferences") || !m["ownerReferences"].is_array()) {
    return out;
  }
  for (const auto& r : m["ownerReferences"]) {
    if (!r.is_object()) continue;
    out.push_back({r.value("apiVersion", ""), r.value("kind", ""), r.value("name", ""),
                   r.value("uid", ""), r.value("controller", false),
                   r.value("blockOwnerDeletion", false)});
  }
  return out;
}

void Object::add_owner_reference(const OwnerReference& ref) {
  Json r = {
      {"apiVersion", ref.api_version}, {"kind", ref.kind}, {"name", ref.name}, {"uid", ref.uid}};
  if (ref.controller) r["controller"] = true;
  if (ref.block_owner_deletion) r["blockOwnerDeletion"] = true;
  MutableMeta()["ownerReferences"].push_back(std::move(r));
}

const Json* Object::Find(std::string_view dotted_path) const {
  const Json* cur = &json_;
  size_t start = 0;
  while (start <= dotted_path.size()) {
    size_t dot = dotted_path.find('.', start);
    std::string key(dotted_path.substr(
        start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(key);
    if (it == cur->end()) return nullptr;
    cur = &*it;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return cur;
}

std::string FormatTime(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string NowTimestamp() {
  return FormatTime(std::chrono::duration_cast<std::chrono::seconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count());
}

std::optional<int64_t> ParseTime(std::string_view s) {
  std::tm tm{};
  int y, mo, d, h, mi, sec;
  std::string str(s);
  int consumed = 0;
  if (std::sscanf(str.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec,
                  &consumed) != 6) {
    return std::nullopt;
  }
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = sec;
  int64_t t = timegm(&tm);
  std::string_view rest = std::string_view(str).substr(consumed);
  if (!rest.empty() && rest[0] == '.') {
    size_t i = 1;
    while (i < rest.size() && isdigit(static_cast<unsigned char>(rest[i]))) ++i;
    rest = rest.substr(i);
  }
  if (rest == "Z" || rest == "z") return t;
  int oh, om;
  if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') &&
      std::sscanf(std::string(rest.substr(1)).c_str(), "%2d:%2d", &oh, &om) == 2) {
    int64_t off = (oh * 3600 + om * 60) * (rest[0] == '+' ? 1 : -1);
    return t - off;
  }
  return std::nullopt;
}

}  // namespace keelson::api
