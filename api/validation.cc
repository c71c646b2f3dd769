// Validation of built-in kinds with Kubernetes' field paths and messages
// (k8s.io/apimachinery/pkg/util/validation, pkg/apis/*/validation).
#include "api/validation.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>

#include "api/kinds.h"
#include "api/quantity.h"
#include "api/schema.h"

namespace keelson::api {
namespace {

// ---- name and key rules (k8s.io/apimachinery/pkg/util/validation) ----

std::string RegexError(const std::string& msg, const std::string& fmt,
                       std::initializer_list<const char*> examples) {
  if (examples.size() == 0) return msg + " (regex used for validation is '" + fmt + "')";
  std::string out = msg + " (e.g. ";
  bool first = true;
  for (const char* e : examples) {
    if (!first) out += " or ";
    first = false;
    out += "'" + std::string(e) + "', ";
  }
  return out + "regex used for validation is '" + fmt + "')";
}

std::string MaxLenError(size_t n) {
  return "must be no more than " + std::to_string(n) + " characters";
}

const std::string kDns1123LabelFmt = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const std::string kDns1123SubdomainFmt = kDns1123LabelFmt + "(\\." + kDns1123LabelFmt + ")*";
const std::string kDns1035LabelFmt = "[a-z]([-a-z0-9]*[a-z0-9])?";
const std::string kQualifiedNameFmt = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const std::string kLabelValueFmt = "(" + kQualifiedNameFmt + ")?";
const std::string kConfigKeyFmt = "[-._a-zA-Z0-9]+";

// The validation regexes, as character-class checks: linear time and no recursion, whatever the
// input length (std::regex recurses per character).
bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlnum(char c) { return IsLower(c) || IsDigit(c) || (c >= 'A' && c <= 'Z'); }
bool IsLowerAlnum(char c) { return IsLower(c) || IsDigit(c); }

// [a-z0-9]([-a-z0-9]*[a-z0-9])?, or with a leading [a-z] for DNS-1035.
bool MatchesLabel(std::string_view s, bool dns1035 = false) {
  if (s.empty() || !IsLowerAlnum(s.front()) || !IsLowerAlnum(s.back())) return false;
  if (dns1035 && !IsLower(s.front())) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return IsLowerAlnum(c) || c == '-'; });
}

bool MatchesSubdomain(std::string_view s) {
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    if (!MatchesLabel(s.substr(start, dot == std::string_view::npos ? dot : dot - start))) {
      return false;
    }
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

// ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]
bool MatchesQualifiedName(std::string_view s) {
  if (s.empty() || !IsAlnum(s.front()) || !IsAlnum(s.back())) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return IsAlnum(c) || c == '-' || c == '_' || c == '.'; });
}

// [-._a-zA-Z0-9]+
bool MatchesConfigKey(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return IsAlnum(c) || c == '-' || c == '_' || c == '.';
  });
}

// [0-9]+%
bool MatchesPercent(std::string_view s) {
  return s.size() >= 2 && s.back() == '%' &&
         std::all_of(s.begin(), s.end() - 1, [](char c) { return IsDigit(c); });
}

std::vector<std::string> Dns1035Label(std::string_view v) {
  std::vector<std::string> errs;
  if (v.size() > 63) errs.push_back(MaxLenError(63));
  if (!MatchesLabel(v, true)) {
    errs.push_back(RegexError(
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
        "alphabetic character, and end with an alphanumeric character",
        kDns1035LabelFmt, {"my-name", "abc-123"}));
  }
  return errs;
}

std::vector<std::string> QualifiedName(std::string_view value) {
  std::vector<std::string> errs;
  std::string_view name = value;
  const size_t slashes = std::count(value.begin(), value.end(), '/');
  if (slashes > 1) {
    errs.push_back(RegexError("a qualified name must consist of alphanumeric characters, '-', '_' "
                              "or '.', and must start and end with an alphanumeric character",
                              kQualifiedNameFmt, {"MyName", "my.name", "123-abc"}) +
                   " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
    return errs;
  }
  if (slashes == 1) {
    auto slash = value.find('/');
    std::string_view prefix = value.substr(0, slash);
    name = value.substr(slash + 1);
    if (prefix.empty()) {
      errs.push_back("prefix part must be non-empty");
    } else {
      for (const auto& m : ValidateDns1123Subdomain(prefix)) errs.push_back("prefix part " + m);
    }
  }
  if (name.empty()) {
    errs.push_back("name part must be non-empty");
  } else if (name.size() > 63) {
    errs.push_back("name part " + MaxLenError(63));
  }
  if (!MatchesQualifiedName(name)) {
    errs.push_back(
        RegexError("name part must consist of alphanumeric characters, '-', '_' or '.', "
                   "and must start and end with an alphanumeric character",
                   kQualifiedNameFmt, {"MyName", "my.name", "123-abc"}));
  }
  return errs;
}

std::vector<std::string> LabelValue(std::string_view v) {
  std::vector<std::string> errs;
  if (v.size() > 63) errs.push_back(MaxLenError(63));
  if (!v.empty() && !MatchesQualifiedName(v)) {
    errs.push_back(
        RegexError("a valid label must be an empty string or consist of alphanumeric "
                   "characters, '-', '_' or '.', and must start and end with an "
                   "alphanumeric character",
                   kLabelValueFmt, {"MyValue", "my_value", "12345"}));
  }
  return errs;
}

std::vector<std::string> ConfigMapKey(std::string_view v) {
  std::vector<std::string> errs;
  if (v.size() > 253) errs.push_back(MaxLenError(253));
  if (!MatchesConfigKey(v)) {
    errs.push_back(
        RegexError("a valid config key must consist of alphanumeric characters, '-', "
                   "'_' or '.'",
                   kConfigKeyFmt, {"key.name", "KEY_NAME", "key-name"}));
  }
  if (v == ".") {
    errs.push_back("must not be '.'");
  } else if (v == "..") {
    errs.push_back("must not be '..'");
  } else if (v.substr(0, 2) == "..") {
    errs.push_back("must not start with '..'");
  }
  return errs;
}

std::vector<std::string> PathSegmentName(std::string_view v) {
  if (v == ".") return {"may not be '.'"};
  if (v == "..") return {"may not be '..'"};
  std::vector<std::string> errs;
  if (v.find('/') != std::string_view::npos) errs.push_back("may not contain '/'");
  if (v.find('%') != std::string_view::npos) errs.push_back("may not contain '%'");
  return errs;
}

// IsValidPortName (IANA_SVC_NAME).
std::vector<std::string> PortName(std::string_view port) {
  std::vector<std::string> errs;
  if (port.size() < 1 || port.size() > 15) errs.push_back("must be no more than 15 characters");
  bool alnum_hyphen = true, letter = false;
  for (char c : port) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) alnum_hyphen = false;
    if (c >= 'a' && c <= 'z') letter = true;
  }
  if (!alnum_hyphen) {
    errs.push_back("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  }
  if (!letter) errs.push_back("must contain at least one letter (a-z)");
  if (port.find("--") != std::string_view::npos) {
    errs.push_back("must not contain consecutive hyphens");
  }
  if (!port.empty() && (port.front() == '-' || port.back() == '-')) {
    errs.push_back("must not begin or end with a hyphen");
  }
  return errs;
}

// ---- error collection with Kubernetes' field.Error formatting ----

// Go's %q of a string.
std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          out += buf;
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  return out + "\"";
}

// How field.Error prints a bad value: strings quoted, numbers and booleans plain.
std::string GoValue(const Json& v) {
  if (v.is_string()) return Quote(v.get<std::string>());
  if (v.is_null()) return "null";
  return v.dump();
}

// Go's %#v of map[string]string (keys sorted).
std::string GoStringMap(const Json& m) {
  if (!m.is_object()) return "map[string]string(nil)";
  std::string out = "map[string]string{";
  bool first = true;
  for (auto it = m.begin(); it != m.end(); ++it) {
    if (!first) out += ", ";
    first = false;
    out += Quote(it.key()) + ":" + (it->is_string() ? Quote(it->get<std::string>()) : it->dump());
  }
  return out + "}";
}

// Go's %#v of a metav1.LabelSelector.
std::string GoLabelSelector(const Json& sel) {
  std::string out = "v1.LabelSelector{MatchLabels:";
  out += sel.is_object() && sel.contains("matchLabels") ? GoStringMap(sel["matchLabels"])
                                                        : "map[string]string(nil)";
  out += ", MatchExpressions:";
  if (sel.is_object() && sel.contains("matchExpressions") && sel["matchExpressions"].is_array() &&
      !sel["matchExpressions"].empty()) {
    out += "[]v1.LabelSelectorRequirement{";
    bool first = true;
    for (const auto& e : sel["matchExpressions"]) {
      if (!first) out += ", ";
      first = false;
      out += "v1.LabelSelectorRequirement{Key:" + Quote(e.value("key", "")) +
             ", Operator:" + Quote(e.value("operator", "")) + ", Values:[]string{";
      bool f2 = true;
      if (e.contains("values") && e["values"].is_array()) {
        for (const auto& v : e["values"]) {
          if (!f2) out += ", ";
          f2 = false;
          out += Quote(v.is_string() ? v.get<std::string>() : v.dump());
        }
      }
      out += "}}";
    }
    out += "}";
  } else {
    out += "[]v1.LabelSelectorRequirement(nil)";
  }
  return out + "}";
}

class Errors {
 public:
  void Required(const std::string& path, const std::string& detail = "") {
    Add("FieldValueRequired", path, "Required value", detail);
  }
  void Invalid(const std::string& path, const Json& value, const std::string& detail) {
    InvalidRaw(path, GoValue(value), detail);
  }
  void InvalidRaw(const std::string& path, const std::string& printed, const std::string& detail) {
    Add("FieldValueInvalid", path, "Invalid value: " + printed, detail);
  }
  void NotSupported(const std::string& path, const Json& value,
                    std::initializer_list<const char*> supported) {
    std::string detail = "supported values: ";
    bool first = true;
    for (const char* s : supported) {
      if (!first) detail += ", ";
      first = false;
      detail += Quote(s);
    }
    Add("FieldValueNotSupported", path, "Unsupported value: " + GoValue(value), detail);
  }
  void Duplicate(const std::string& path, const Json& value) { DuplicateRaw(path, GoValue(value)); }
  void DuplicateRaw(const std::string& path, const std::string& printed) {
    Add("FieldValueDuplicate", path, "Duplicate value: " + printed, "");
  }
  void Forbidden(const std::string& path, const std::string& detail) {
    Add("FieldValueForbidden", path, "Forbidden", detail);
  }
  void NotFound(const std::string& path, const Json& value) {
    Add("FieldValueNotFound", path, "Not found: " + GoValue(value), "");
  }
  void TooLong(const std::string& path, size_t max) {
    Add("FieldValueTooLong", path, "Too long",
        "may not be more than " + std::to_string(max) + " bytes");
  }
  // Each message of a name/key rule as an Invalid error.
  void Each(const std::string& path, const Json& value, const std::vector<std::string>& msgs) {
    for (const auto& m : msgs) Invalid(path, value, m);
  }
  std::vector<Cause> Take() { return std::move(out_); }

 private:
  void Add(const char* type, const std::string& path, std::string body, const std::string& detail) {
    if (!detail.empty()) body += ": " + detail;
    out_.push_back({type, path, path.empty() ? body : path + ": " + body});
  }
  std::vector<Cause> out_;
};

// ---- JSON accessors ----

const Json kNull;

const Json& At(const Json& j, const char* key) {
  if (!j.is_object()) return kNull;
  auto it = j.find(key);
  return it == j.end() ? kNull : *it;
}
std::string Str(const Json& j, const char* key) {
  const Json& v = At(j, key);
  return v.is_string() ? v.get<std::string>() : "";
}
bool Has(const Json& j, const char* key) { return !At(j, key).is_null(); }
std::string Idx(const std::string& path, size_t i) { return path + "[" + std::to_string(i) + "]"; }
std::string Key(const std::string& path, const std::string& k) { return path + "[" + k + "]"; }
std::string Dot(const std::string& path, const char* k) {
  return path.empty() ? k : path + "." + k;
}

template <typename F>
void EachItem(const Json& j, const char* key, const std::string& path, F&& f) {
  const Json& list = At(j, key);
  if (!list.is_array()) return;
  for (size_t i = 0; i < list.size(); ++i) f(list[i], Idx(Dot(path, key), i));
}

void NonNegative(Errors& e, const Json& j, const char* key, const std::string& path) {
  const Json& v = At(j, key);
  if (v.is_number() && v.get<double>() < 0) {
    e.Invalid(Dot(path, key), v, "must be greater than or equal to 0");
  }
}

void PortRange(Errors& e, const Json& v, const std::string& path) {
  if (v.is_number_integer() && (v.get<int64_t>() < 1 || v.get<int64_t>() > 65535)) {
    e.Invalid(path, v, "must be between 1 and 65535, inclusive");
  }
}

// IntOrString port: a number in range or an IANA service name.
void IntOrStringPort(Errors& e, const Json& v, const std::string& path) {
  if (v.is_number_integer()) {
    PortRange(e, v, path);
  } else if (v.is_string()) {
    e.Each(path, v, PortName(v.get<std::string>()));
  }
}

void Labels(Errors& e, const Json& labels, const std::string& path) {
  if (!labels.is_object()) return;
  for (auto it = labels.begin(); it != labels.end(); ++it) {
    e.Each(path, it.key(), QualifiedName(it.key()));
    if (it->is_string()) e.Each(path, *it, LabelValue(it->get<std::string>()));
  }
}

void Selector(Errors& e, const Json& sel, const std::string& path) {
  if (!sel.is_object()) return;
  Labels(e, At(sel, "matchLabels"), Dot(path, "matchLabels"));
  EachItem(sel, "matchExpressions", path, [&](const Json& req, const std::string& p) {
    const std::string op = Str(req, "operator");
    const Json& values = At(req, "values");
    const size_t n = values.is_array() ? values.size() : 0;
    if (op == "In" || op == "NotIn") {
      if (n == 0) {
        e.Required(Dot(p, "values"), "must be specified when `operator` is 'In' or 'NotIn'");
      }
    } else if (op == "Exists" || op == "DoesNotExist") {
      if (n > 0) {
        e.Forbidden(Dot(p, "values"),
                    "may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
      }
    } else {
      e.Invalid(Dot(p, "operator"), Json(op), "not a valid selector operator");
    }
    e.Each(Dot(p, "key"), At(req, "key"), QualifiedName(Str(req, "key")));
  });
}

// Whether a label selector selects the given labels (matchLabels and matchExpressions).
bool SelectorMatches(const Json& sel, const Json& labels) {
  auto label = [&](const std::string& k) -> const Json& { return At(labels, k.c_str()); };
  const Json& ml = At(sel, "matchLabels");
  if (ml.is_object()) {
    for (auto it = ml.begin(); it != ml.end(); ++it) {
      if (label(it.key()) != *it) return false;
    }
  }
  const Json& me = At(sel, "matchExpressions");
  if (me.is_array()) {
    for (const auto& req : me) {
      const std::string key = Str(req, "key"), op = Str(req, "operator");
      const Json& v = label(key);
      bool in = false;
      const Json& values = At(req, "values");
      if (values.is_array()) {
        for (const auto& x : values) in |= v.is_string() && x == v;
      }
      if ((op == "In" && !in) || (op == "NotIn" && in) || (op == "Exists" && v.is_null()) ||
          (op == "DoesNotExist" && !v.is_null())) {
        return false;
      }
    }
  }
  return true;
}

bool SelectorEmpty(const Json& sel) {
  const Json& ml = At(sel, "matchLabels");
  const Json& me = At(sel, "matchExpressions");
  return (!ml.is_object() || ml.empty()) && (!me.is_array() || me.empty());
}

// ---- metadata ----

enum class NameRule { kSubdomain, kLabel, kDns1035, kPathSegment };

// Used for kinds the registry does not know.
const std::set<std::string> kClusterScoped = {"Namespace",
                                              "Node",
                                              "PersistentVolume",
                                              "ClusterRole",
                                              "ClusterRoleBinding",
                                              "StorageClass",
                                              "IngressClass",
                                              "PriorityClass",
                                              "CustomResourceDefinition",
                                              "APIService",
                                              "CSIDriver",
                                              "CSINode",
                                              "VolumeAttachment",
                                              "RuntimeClass",
                                              "MutatingWebhookConfiguration",
                                              "ValidatingWebhookConfiguration",
                                              "ComponentStatus",
                                              "SelfSubjectAccessReview",
                                              "SubjectAccessReview",
                                              "TokenReview",
                                              "CertificateSigningRequest"};

void ObjectMeta(Errors& e, const Object& obj, NameRule rule) {
  const Json& meta = obj.metadata();
  const std::string name = obj.name();
  if (name.empty() && obj.generate_name().empty()) {
    e.Required("metadata.name", "name or generateName is required");
  } else if (!name.empty()) {
    std::vector<std::string> msgs;
    switch (rule) {
      case NameRule::kSubdomain:
        msgs = ValidateDns1123Subdomain(name);
        break;
      case NameRule::kLabel:
        msgs = ValidateDns1123Label(name);
        break;
      case NameRule::kDns1035:
        msgs = Dns1035Label(name);
        break;
      case NameRule::kPathSegment:
        msgs = PathSegmentName(name);
        break;
    }
    e.Each("metadata.name", Json(name), msgs);
  }
  const std::string ns = obj.namespace_();
  const KindInfo* info = Kinds::Default().ByGvk(obj.gvk());
  const bool cluster_scoped = info ? !info->namespaced : kClusterScoped.count(obj.kind()) > 0;
  if (cluster_scoped) {
    if (!ns.empty()) e.Forbidden("metadata.namespace", "not allowed on this type");
  } else if (!ns.empty()) {
    e.Each("metadata.namespace", Json(ns), ValidateDns1123Label(ns));
  }
  Labels(e, At(meta, "labels"), "metadata.labels");
  const Json& ann = At(meta, "annotations");
  if (ann.is_object()) {
    size_t total = 0;
    for (auto it = ann.begin(); it != ann.end(); ++it) {
      std::string lower = it.key();
      for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      e.Each("metadata.annotations", Json(it.key()), QualifiedName(lower));
      total += it.key().size() + (it->is_string() ? it->get<std::string>().size() : 0);
    }
    if (total > 256 * 1024) e.TooLong("metadata.annotations", 256 * 1024);
  }
  EachItem(meta, "finalizers", "metadata", [&](const Json& f, const std::string& p) {
    if (!f.is_string()) return;
    const std::string s = f.get<std::string>();
    auto msgs = QualifiedName(s);
    if (!msgs.empty()) {
      e.Each(p, f, msgs);
    } else if (s.find('/') == std::string::npos && s != "kubernetes" && s != "orphan" &&
               s != "foregroundDeletion") {
      e.Invalid(p, f, "name is neither a standard finalizer name nor is it fully qualified");
    }
  });
  int controllers = 0;
  EachItem(meta, "ownerReferences", "metadata", [&](const Json& r, const std::string& p) {
    if (Str(r, "apiVersion").empty()) {
      e.Invalid(Dot(p, "apiVersion"), Json(""), "version must not be empty");
    }
    if (Str(r, "kind").empty()) e.Invalid(Dot(p, "kind"), Json(""), "kind must not be empty");
    if (Str(r, "name").empty()) e.Invalid(Dot(p, "name"), Json(""), "name must not be empty");
    if (Str(r, "uid").empty()) e.Invalid(Dot(p, "uid"), Json(""), "uid must not be empty");
    if (At(r, "controller") == true) ++controllers;
  });
  if (controllers > 1) {
    e.Invalid("metadata.ownerReferences", Json(""),
              "Only one reference can have Controller set to true");
  }
}

void ObjectMetaUpdate(Errors& e, const Object& obj, const Object& old) {
  auto immutable = [&](const char* key, const std::string& now, const std::string& before) {
    if (now != before) e.Invalid(std::string("metadata.") + key, Json(now), "field is immutable");
  };
  immutable("name", obj.name(), old.name());
  immutable("namespace", obj.namespace_(), old.namespace_());
  if (!obj.uid().empty() && !old.uid().empty()) immutable("uid", obj.uid(), old.uid());
  if (!obj.creation_timestamp().empty() && !old.creation_timestamp().empty()) {
    immutable("creationTimestamp", obj.creation_timestamp(), old.creation_timestamp());
  }
}

// ---- pods ----

void Quantities(Errors& e, const Json& m, const std::string& path) {
  if (!m.is_object()) return;
  for (auto it = m.begin(); it != m.end(); ++it) {
    const std::string p = Key(path, it.key());
    auto q = Quantity::FromJson(*it);
    if (!q) {
      e.Invalid(p, *it, q.error().message);
    } else if (q->Sign() < 0) {
      e.InvalidRaw(p, q->String(), "must be greater than or equal to 0");
    }
  }
}

void Resources(Errors& e, const Json& r, const std::string& path) {
  if (!r.is_object()) return;
  const Json& limits = At(r, "limits");
  const Json& requests = At(r, "requests");
  Quantities(e, limits, Dot(path, "limits"));
  Quantities(e, requests, Dot(path, "requests"));
  if (!requests.is_object() || !limits.is_object()) return;
  for (auto it = requests.begin(); it != requests.end(); ++it) {
    auto lim = limits.find(it.key());
    if (lim == limits.end()) continue;
    auto rq = Quantity::FromJson(*it);
    auto lq = Quantity::FromJson(*lim);
    if (rq && lq && *rq > *lq) {
      e.InvalidRaw(Key(Dot(path, "requests"), it.key()), Quote(rq->String()),
                   "must be less than or equal to " + it.key() + " limit of " + lq->String());
    }
  }
}

int HandlerCount(const Json& h, std::initializer_list<const char*> kinds, std::string* first) {
  int n = 0;
  for (const char* k : kinds) {
    if (Has(h, k)) {
      if (n == 0 && first) *first = k;
      ++n;
    }
  }
  return n;
}

void Handler(Errors& e, const Json& h, const std::string& path, bool probe) {
  std::string first;
  const int n = probe ? HandlerCount(h, {"exec", "httpGet", "tcpSocket", "grpc"}, &first)
                      : HandlerCount(h, {"exec", "httpGet", "tcpSocket", "sleep"}, &first);
  if (n == 0) {
    e.Required(path, "must specify a handler type");
    return;
  }
  if (n > 1) {
    // Upstream reports each extra handler as Forbidden.
    for (const char* k : {"exec", "httpGet", "tcpSocket", "grpc", "sleep"}) {
      if (k != first && Has(h, k))
        e.Forbidden(Dot(path, k), "may not specify more than 1 handler type");
    }
  }
  if (Has(h, "exec") && !At(At(h, "exec"), "command").is_array()) {
    e.Required(Dot(Dot(path, "exec"), "command"));
  }
  if (Has(h, "httpGet")) {
    const Json& g = At(h, "httpGet");
    IntOrStringPort(e, At(g, "port"), Dot(Dot(path, "httpGet"), "port"));
    const std::string scheme = Str(g, "scheme");
    if (!scheme.empty() && scheme != "HTTP" && scheme != "HTTPS") {
      e.NotSupported(Dot(Dot(path, "httpGet"), "scheme"), Json(scheme), {"HTTP", "HTTPS"});
    }
  }
  if (Has(h, "tcpSocket")) {
    IntOrStringPort(e, At(At(h, "tcpSocket"), "port"), Dot(Dot(path, "tcpSocket"), "port"));
  }
  if (Has(h, "grpc")) PortRange(e, At(At(h, "grpc"), "port"), Dot(Dot(path, "grpc"), "port"));
}

void Probe(Errors& e, const Json& c, const char* key, const std::string& cpath) {
  const Json& p = At(c, key);
  if (!p.is_object()) return;
  const std::string path = Dot(cpath, key);
  Handler(e, p, path, true);
  for (const char* f : {"initialDelaySeconds", "timeoutSeconds", "periodSeconds",
                        "successThreshold", "failureThreshold"}) {
    NonNegative(e, p, f, path);
  }
  const Json& st = At(p, "successThreshold");
  if (std::string(key) != "readinessProbe" && st.is_number_integer() && st.get<int64_t>() != 1) {
    e.Invalid(Dot(path, "successThreshold"), st, "must be 1");
  }
}

void Container(Errors& e, const Json& c, const std::string& path,
               const std::set<std::string>& volumes, bool is_pod) {
  const std::string name = Str(c, "name");
  if (name.empty()) {
    e.Required(Dot(path, "name"));
  } else {
    e.Each(Dot(path, "name"), Json(name), ValidateDns1123Label(name));
  }
  if (is_pod && Str(c, "image").empty()) e.Required(Dot(path, "image"));
  const Json& ipp = At(c, "imagePullPolicy");
  if (ipp.is_string() && ipp != "Always" && ipp != "IfNotPresent" && ipp != "Never") {
    e.NotSupported(Dot(path, "imagePullPolicy"), ipp, {"Always", "IfNotPresent", "Never"});
  }
  const Json& tmp = At(c, "terminationMessagePolicy");
  if (tmp.is_string() && tmp != "File" && tmp != "FallbackToLogsOnError") {
    e.NotSupported(Dot(path, "terminationMessagePolicy"), tmp, {"File", "FallbackToLogsOnError"});
  }
  std::set<std::string> port_names;
  EachItem(c, "ports", path, [&](const Json& p, const std::string& pp) {
    const Json& cp = At(p, "containerPort");
    if (!cp.is_number_integer() || cp == 0) {
      e.Required(Dot(pp, "containerPort"));
    } else {
      PortRange(e, cp, Dot(pp, "containerPort"));
    }
    const Json& hp = At(p, "hostPort");
    if (hp.is_number_integer() && hp != 0) PortRange(e, hp, Dot(pp, "hostPort"));
    const std::string pname = Str(p, "name");
    if (!pname.empty()) {
      e.Each(Dot(pp, "name"), Json(pname), PortName(pname));
      if (!port_names.insert(pname).second) e.Duplicate(Dot(pp, "name"), Json(pname));
    }
    const Json& proto = At(p, "protocol");
    if (proto.is_string() && proto != "TCP" && proto != "UDP" && proto != "SCTP") {
      e.NotSupported(Dot(pp, "protocol"), proto, {"SCTP", "TCP", "UDP"});
    }
  });
  EachItem(c, "env", path, [&](const Json& v, const std::string& vp) {
    const std::string ename = Str(v, "name");
    if (ename.empty()) {
      e.Required(Dot(vp, "name"));
    } else {
      bool ok = true;
      for (unsigned char ch : ename) ok &= ch >= 32 && ch <= 126 && ch != '=';
      if (!ok) {
        e.Invalid(Dot(vp, "name"), Json(ename),
                  "a valid environment variable name must consist only of printable ASCII "
                  "characters other than '='");
      }
    }
    const Json& from = At(v, "valueFrom");
    if (from.is_object()) {
      if (!Str(v, "value").empty()) {
        e.Invalid(Dot(vp, "valueFrom"), Json(""), "may not be specified when `value` is not empty");
      }
      int n = HandlerCount(
          from, {"fieldRef", "resourceFieldRef", "configMapKeyRef", "secretKeyRef"}, nullptr);
      if (n == 0) {
        e.Invalid(Dot(vp, "valueFrom"), Json(""),
                  "must specify one of: `fieldRef`, "
                  "`resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`");
      } else if (n > 1) {
        e.Invalid(Dot(vp, "valueFrom"), Json(""),
                  "may not have more than one field specified at a time");
      }
      for (const char* ref : {"configMapKeyRef", "secretKeyRef"}) {
        const Json& r = At(from, ref);
        if (!r.is_object()) continue;
        const std::string rp = Dot(Dot(vp, "valueFrom"), ref);
        if (Str(r, "key").empty()) {
          e.Required(Dot(rp, "key"));
        } else {
          e.Each(Dot(rp, "key"), At(r, "key"), ConfigMapKey(Str(r, "key")));
        }
        if (Str(r, "name").empty()) e.Required(Dot(rp, "name"));
      }
      const Json& fr = At(from, "fieldRef");
      if (fr.is_object() && Str(fr, "fieldPath").empty()) {
        e.Required(Dot(Dot(Dot(vp, "valueFrom"), "fieldRef"), "fieldPath"));
      }
    }
  });
  std::set<std::string> mount_paths;
  EachItem(c, "volumeMounts", path, [&](const Json& m, const std::string& mp) {
    const std::string vname = Str(m, "name");
    if (vname.empty()) {
      e.Required(Dot(mp, "name"));
    } else if (!volumes.count(vname)) {
      e.NotFound(Dot(mp, "name"), Json(vname));
    }
    const std::string mpath = Str(m, "mountPath");
    if (mpath.empty()) {
      e.Required(Dot(mp, "mountPath"));
    } else if (!mount_paths.insert(mpath).second) {
      e.Invalid(Dot(mp, "mountPath"), Json(mpath), "must be unique");
    }
    const std::string sub = Str(m, "subPath");
    if (!sub.empty() && (sub[0] == '/' || ("/" + sub + "/").find("/../") != std::string::npos)) {
      e.Invalid(Dot(mp, "subPath"), Json(sub),
                sub[0] == '/' ? "must be a relative path" : "must not contain '..'");
    }
  });
  Resources(e, At(c, "resources"), Dot(path, "resources"));
  Probe(e, c, "livenessProbe", path);
  Probe(e, c, "readinessProbe", path);
  Probe(e, c, "startupProbe", path);
  const Json& lc = At(c, "lifecycle");
  for (const char* hook : {"postStart", "preStop"}) {
    if (At(lc, hook).is_object())
      Handler(e, At(lc, hook), Dot(Dot(path, "lifecycle"), hook), false);
  }
}

int VolumeSourceCount(const Json& v, std::string* first) {
  int n = 0;
  for (const char* s : VolumeSourceNames()) {
    if (Has(v, s)) {
      if (n == 0 && first) *first = s;
      ++n;
    }
  }
  return n;
}

void DefaultMode(Errors& e, const Json& src, const std::string& path, const char* key) {
  const Json& m = At(src, key);
  if (m.is_number_integer() && (m.get<int64_t>() < 0 || m.get<int64_t>() > 0777)) {
    e.Invalid(Dot(path, key), m, "must be a number between 0 and 0777 (octal), both inclusive");
  }
}

void KeyToPaths(Errors& e, const Json& src, const std::string& path) {
  EachItem(src, "items", path, [&](const Json& it, const std::string& ip) {
    if (Str(it, "key").empty()) e.Required(Dot(ip, "key"));
    const std::string p = Str(it, "path");
    if (p.empty()) {
      e.Required(Dot(ip, "path"));
    } else if (p[0] == '/') {
      e.Invalid(Dot(ip, "path"), Json(p), "must be a relative path");
    } else if (("/" + p + "/").find("/../") != std::string::npos) {
      e.Invalid(Dot(ip, "path"), Json(p), "must not contain '..'");
    }
    DefaultMode(e, it, ip, "mode");
  });
}

std::set<std::string> Volumes(Errors& e, const Json& spec, const std::string& spec_path) {
  std::set<std::string> names;
  EachItem(spec, "volumes", spec_path, [&](const Json& v, const std::string& vp) {
    const std::string name = Str(v, "name");
    if (name.empty()) {
      e.Required(Dot(vp, "name"));
    } else {
      e.Each(Dot(vp, "name"), Json(name), ValidateDns1123Label(name));
      if (!names.insert(name).second) e.Duplicate(Dot(vp, "name"), Json(name));
    }
    std::string first;
    const int n = VolumeSourceCount(v, &first);
    if (n == 0) {
      e.Required(vp, "must specify a volume type");
    } else if (n > 1) {
      std::string dummy;
      bool seen_first = false;
      for (auto it = v.begin(); it != v.end(); ++it) {
        if (it.key() == "name" || it->is_null()) continue;
        Json probe = Json::object();
        probe[it.key()] = *it;
        if (VolumeSourceCount(probe, &dummy) == 0) continue;
        if (it.key() == first && !seen_first) {
          seen_first = true;
          continue;
        }
        e.Forbidden(Dot(vp, it.key().c_str()), "may not specify more than 1 volume type");
      }
    }
    if (const Json& cm = At(v, "configMap"); cm.is_object()) {
      if (Str(cm, "name").empty()) e.Required(Dot(Dot(vp, "configMap"), "name"));
      DefaultMode(e, cm, Dot(vp, "configMap"), "defaultMode");
      KeyToPaths(e, cm, Dot(vp, "configMap"));
    }
    if (const Json& s = At(v, "secret"); s.is_object()) {
      if (Str(s, "secretName").empty()) e.Required(Dot(Dot(vp, "secret"), "secretName"));
      DefaultMode(e, s, Dot(vp, "secret"), "defaultMode");
      KeyToPaths(e, s, Dot(vp, "secret"));
    }
    if (const Json& h = At(v, "hostPath"); h.is_object()) {
      if (Str(h, "path").empty()) e.Required(Dot(Dot(vp, "hostPath"), "path"));
      const Json& t = At(h, "type");
      if (t.is_string() && t != "" && t != "DirectoryOrCreate" && t != "Directory" &&
          t != "FileOrCreate" && t != "File" && t != "Socket" && t != "CharDevice" &&
          t != "BlockDevice") {
        e.NotSupported(Dot(Dot(vp, "hostPath"), "type"), t,
                       {"", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File",
                        "FileOrCreate", "Socket"});
      }
    }
    if (const Json& ed = At(v, "emptyDir"); ed.is_object()) {
      const Json& m = At(ed, "medium");
      if (m.is_string() && m != "" && m != "Memory" && m != "HugePages") {
        e.NotSupported(Dot(Dot(vp, "emptyDir"), "medium"), m, {"", "HugePages", "Memory"});
      }
      if (Has(ed, "sizeLimit")) {
        auto q = Quantity::FromJson(At(ed, "sizeLimit"));
        if (!q)
          e.Invalid(Dot(Dot(vp, "emptyDir"), "sizeLimit"), At(ed, "sizeLimit"), q.error().message);
      }
    }
    if (const Json& pvc = At(v, "persistentVolumeClaim"); pvc.is_object()) {
      if (Str(pvc, "claimName").empty()) {
        e.Required(Dot(Dot(vp, "persistentVolumeClaim"), "claimName"));
      }
    }
    if (const Json& da = At(v, "downwardAPI"); da.is_object()) {
      DefaultMode(e, da, Dot(vp, "downwardAPI"), "defaultMode");
    }
    if (const Json& pr = At(v, "projected"); pr.is_object()) {
      DefaultMode(e, pr, Dot(vp, "projected"), "defaultMode");
    }
    if (const Json& nfs = At(v, "nfs"); nfs.is_object()) {
      if (Str(nfs, "server").empty()) e.Required(Dot(Dot(vp, "nfs"), "server"));
      if (Str(nfs, "path").empty()) e.Required(Dot(Dot(vp, "nfs"), "path"));
    }
  });
  return names;
}

// ValidatePodSpec. `restart_policies`: what the owner allows (Pods: all three).
void PodSpec(Errors& e, const Json& spec, const std::string& path, bool is_pod,
             std::initializer_list<const char*> restart_policies) {
  const std::set<std::string> volumes = Volumes(e, spec, path);
  std::set<std::string> names;
  const Json& containers = At(spec, "containers");
  if (!containers.is_array() || containers.empty()) e.Required(Dot(path, "containers"));
  EachItem(spec, "containers", path, [&](const Json& c, const std::string& cp) {
    Container(e, c, cp, volumes, is_pod);
    if (Has(c, "restartPolicy")) {
      e.Forbidden(Dot(cp, "restartPolicy"), "may not be set for non-init containers");
    }
    const std::string name = Str(c, "name");
    if (!name.empty() && !names.insert(name).second) e.Duplicate(Dot(cp, "name"), Json(name));
  });
  EachItem(spec, "initContainers", path, [&](const Json& c, const std::string& cp) {
    Container(e, c, cp, volumes, is_pod);
    const std::string name = Str(c, "name");
    if (!name.empty() && !names.insert(name).second) e.Duplicate(Dot(cp, "name"), Json(name));
    const Json& crp = At(c, "restartPolicy");
    if (crp.is_string() && crp != "Always") {
      e.NotSupported(Dot(cp, "restartPolicy"), crp, {"Always"});
    }
    for (const char* probe : {"livenessProbe", "readinessProbe", "startupProbe"}) {
      if (Has(c, probe) && Str(c, "restartPolicy") != "Always") {
        e.Forbidden(Dot(cp, probe),
                    "may not be set for init containers without restartPolicy=Always");
      }
    }
  });
  const Json& rp = At(spec, "restartPolicy");
  if (rp.is_string()) {
    if (rp == "") {
      e.Required(Dot(path, "restartPolicy"));
    } else if (std::none_of(restart_policies.begin(), restart_policies.end(),
                            [&](const char* p) { return rp == p; })) {
      e.NotSupported(Dot(path, "restartPolicy"), rp, restart_policies);
    }
  }
  const Json& dns = At(spec, "dnsPolicy");
  if (dns.is_string() && dns != "ClusterFirstWithHostNet" && dns != "ClusterFirst" &&
      dns != "Default" && dns != "None") {
    e.NotSupported(Dot(path, "dnsPolicy"), dns,
                   {"ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"});
  }
  if (dns == "None" && !At(spec, "dnsConfig").is_object()) {
    e.Required(Dot(path, "dnsConfig"), "must provide `dnsConfig` when `dnsPolicy` is None");
  }
  const Json& ads = At(spec, "activeDeadlineSeconds");
  if (ads.is_number_integer() && (ads.get<int64_t>() < 1 || ads.get<int64_t>() > 2147483647)) {
    e.Invalid(Dot(path, "activeDeadlineSeconds"), ads,
              "must be between 1 and 2147483647, inclusive");
  }
  NonNegative(e, spec, "terminationGracePeriodSeconds", path);
  Labels(e, At(spec, "nodeSelector"), Dot(path, "nodeSelector"));
  const std::string sa = Str(spec, "serviceAccountName");
  if (!sa.empty()) e.Each(Dot(path, "serviceAccountName"), Json(sa), ValidateDns1123Subdomain(sa));
  const std::string host = Str(spec, "hostname");
  if (!host.empty()) e.Each(Dot(path, "hostname"), Json(host), ValidateDns1123Label(host));
  const std::string sub = Str(spec, "subdomain");
  if (!sub.empty()) e.Each(Dot(path, "subdomain"), Json(sub), ValidateDns1123Label(sub));
  EachItem(spec, "tolerations", path, [&](const Json& t, const std::string& tp) {
    const std::string op = Str(t, "operator");
    if (!op.empty() && op != "Equal" && op != "Exists") {
      e.NotSupported(Dot(tp, "operator"), Json(op), {"Equal", "Exists"});
    }
    if (op == "Exists" && !Str(t, "value").empty()) {
      e.Invalid(Dot(tp, "operator"), Json(op), "value must be empty when `operator` is 'Exists'");
    }
    const std::string eff = Str(t, "effect");
    if (!eff.empty() && eff != "NoSchedule" && eff != "PreferNoSchedule" && eff != "NoExecute") {
      e.NotSupported(Dot(tp, "effect"), Json(eff), {"NoSchedule", "PreferNoSchedule", "NoExecute"});
    }
    if (Str(t, "key").empty() && op != "Exists") {
      e.Invalid(Dot(tp, "operator"), Json(op),
                "operator must be Exists when `key` is empty, which means \"match all values and "
                "all keys\"");
    }
  });
}

void PodTemplate(Errors& e, const Json& tmpl, const std::string& path,
                 std::initializer_list<const char*> restart_policies) {
  if (!tmpl.is_object()) {
    e.Required(path);
    return;
  }
  Labels(e, At(At(tmpl, "metadata"), "labels"), Dot(path, "metadata.labels"));
  PodSpec(e, At(tmpl, "spec"), Dot(path, "spec"), false, restart_policies);
}

// Selector present, non-empty and matching the template's labels (Deployment, ReplicaSet,
// StatefulSet, DaemonSet).
void SelectorMatchesTemplate(Errors& e, const Json& spec, const char* kind_word) {
  const Json& sel = At(spec, "selector");
  if (!sel.is_object()) {
    e.Required("spec.selector");
    return;
  }
  Selector(e, sel, "spec.selector");
  if (SelectorEmpty(sel)) {
    e.InvalidRaw("spec.selector", GoLabelSelector(sel),
                 std::string("empty selector is invalid for ") + kind_word);
    return;
  }
  const Json& labels = At(At(At(spec, "template"), "metadata"), "labels");
  if (!SelectorMatches(sel, labels)) {
    e.InvalidRaw("spec.template.metadata.labels", GoStringMap(labels),
                 "`selector` does not match template `labels`");
  }
}

void IntOrPercent(Errors& e, const Json& v, const std::string& path) {
  if (v.is_number_integer()) {
    if (v.get<int64_t>() < 0) e.Invalid(path, v, "must be greater than or equal to 0");
  } else if (v.is_string()) {
    const std::string s = v.get<std::string>();
    if (!MatchesPercent(s)) {
      e.Invalid(path, v,
                RegexError("a valid percent string must be a numeric string followed by "
                           "an ending '%'",
                           "[0-9]+%", {"1%", "93%"}));
    } else if (std::stoll(s.substr(0, s.size() - 1)) > 100) {
      e.InvalidRaw(path, s, "must not be greater than 100%");
    }
  }
}

bool IsZeroIntOrPercent(const Json& v) { return v == 0 || v == "0%"; }
std::string IntStrString(const Json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

void Deployment(Errors& e, const Json& spec) {
  NonNegative(e, spec, "replicas", "spec");
  NonNegative(e, spec, "minReadySeconds", "spec");
  NonNegative(e, spec, "revisionHistoryLimit", "spec");
  SelectorMatchesTemplate(e, spec, "deployment");
  PodTemplate(e, At(spec, "template"), "spec.template", {"Always"});
  const Json& strategy = At(spec, "strategy");
  const std::string type = Str(strategy, "type");
  if (!type.empty() && type != "Recreate" && type != "RollingUpdate") {
    e.NotSupported("spec.strategy.type", Json(type), {"Recreate", "RollingUpdate"});
  }
  const Json& ru = At(strategy, "rollingUpdate");
  if (type == "Recreate" && ru.is_object()) {
    e.Forbidden("spec.strategy.rollingUpdate",
                "may not be specified when strategy `type` is 'Recreate'");
  }
  if (ru.is_object()) {
    const Json& mu = At(ru, "maxUnavailable");
    const Json& ms = At(ru, "maxSurge");
    IntOrPercent(e, mu, "spec.strategy.rollingUpdate.maxUnavailable");
    IntOrPercent(e, ms, "spec.strategy.rollingUpdate.maxSurge");
    if (!mu.is_null() && !ms.is_null() && IsZeroIntOrPercent(ms) && IsZeroIntOrPercent(mu)) {
      e.InvalidRaw("spec.strategy.rollingUpdate.maxUnavailable", IntStrString(mu),
                   "may not be 0 when `maxSurge` is 0");
    }
  }
  const Json& pds = At(spec, "progressDeadlineSeconds");
  if (pds.is_number_integer()) {
    NonNegative(e, spec, "progressDeadlineSeconds", "spec");
    const Json& mrs = At(spec, "minReadySeconds");
    const int64_t min_ready = mrs.is_number_integer() ? mrs.get<int64_t>() : 0;
    if (pds.get<int64_t>() <= min_ready) {
      e.Invalid("spec.progressDeadlineSeconds", pds, "must be greater than minReadySeconds");
    }
  }
}

void ImmutableSelector(Errors& e, const Json& spec, const Json& old_spec) {
  const Json& sel = At(spec, "selector");
  const Json& old_sel = At(old_spec, "selector");
  if (!old_sel.is_null() && sel != old_sel) {
    e.InvalidRaw("spec.selector", GoLabelSelector(sel), "field is immutable");
  }
}

void JobSpec(Errors& e, const Json& spec, const std::string& path, bool generated_selector) {
  for (const char* f : {"parallelism", "completions", "backoffLimit", "ttlSecondsAfterFinished"}) {
    NonNegative(e, spec, f, path);
  }
  const Json& ads = At(spec, "activeDeadlineSeconds");
  if (ads.is_number_integer() && ads.get<int64_t>() <= 0) {
    e.Invalid(Dot(path, "activeDeadlineSeconds"), ads, "must be greater than 0");
  }
  if (At(spec, "manualSelector") == true || !generated_selector) {
    const Json& sel = At(spec, "selector");
    if (At(spec, "manualSelector") == true && !sel.is_object()) {
      e.Required(Dot(path, "selector"));
    } else if (sel.is_object()) {
      Selector(e, sel, Dot(path, "selector"));
      const Json& labels = At(At(At(spec, "template"), "metadata"), "labels");
      if (!SelectorMatches(sel, labels)) {
        e.InvalidRaw(Dot(path, "template.metadata.labels"), GoStringMap(labels),
                     "`selector` does not match template `labels`");
      }
    }
  }
  const Json& cm = At(spec, "completionMode");
  if (cm.is_string() && cm != "NonIndexed" && cm != "Indexed") {
    e.NotSupported(Dot(path, "completionMode"), cm, {"NonIndexed", "Indexed"});
  }
  PodTemplate(e, At(spec, "template"), Dot(path, "template"), {"OnFailure", "Never"});
}

// Standard five-field cron or a @descriptor (robfig/cron's ParseStandard).
void CronSchedule(Errors& e, const Json& v, const std::string& path) {
  const std::string s = v.is_string() ? v.get<std::string>() : "";
  if (s.empty()) {
    e.Required(path);
    return;
  }
  std::string spec = s;
  if (spec.rfind("TZ=", 0) == 0 || spec.rfind("CRON_TZ=", 0) == 0) {
    e.Invalid(path, v, "cannot use TZ or CRON_TZ in schedule, use timeZone field instead");
    return;
  }
  if (spec[0] == '@') {
    static const std::set<std::string> kDescriptors = {
        "@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"};
    if (!kDescriptors.count(spec) && spec.rfind("@every ", 0) != 0) {
      e.Invalid(path, v, "unrecognized descriptor: " + spec);
    }
    return;
  }
  std::istringstream in(spec);
  std::vector<std::string> fields;
  for (std::string f; in >> f;) fields.push_back(f);
  if (fields.size() != 5) {
    std::string joined;
    for (size_t i = 0; i < fields.size(); ++i) joined += (i ? " " : "") + fields[i];
    e.Invalid(
        path, v,
        "expected exactly 5 fields, found " + std::to_string(fields.size()) + ": [" + joined + "]");
    return;
  }
  for (const auto& f : fields) {
    if (f.empty() || !std::all_of(f.begin(), f.end(), [](char c) {
          return IsAlnum(c) || c == '*' || c == '?' || c == '/' || c == ',' || c == '-';
        })) {
      e.Invalid(path, v, "failed to parse int from " + f);
      return;
    }
  }
}

void Service(Errors& e, const Json& spec) {
  const std::string type = Str(spec, "type");
  if (!type.empty() && type != "ClusterIP" && type != "ExternalName" && type != "LoadBalancer" &&
      type != "NodePort") {
    e.NotSupported("spec.type", Json(type),
                   {"ClusterIP", "ExternalName", "LoadBalancer", "NodePort"});
  }
  const std::string affinity = Str(spec, "sessionAffinity");
  if (!affinity.empty() && affinity != "ClientIP" && affinity != "None") {
    e.NotSupported("spec.sessionAffinity", Json(affinity), {"ClientIP", "None"});
  }
  const bool external_name = type == "ExternalName";
  const bool headless = Str(spec, "clusterIP") == "None";
  if (external_name) {
    const std::string en = Str(spec, "externalName");
    if (en.empty()) {
      e.Required("spec.externalName");
    } else {
      std::string trimmed = en.back() == '.' ? en.substr(0, en.size() - 1) : en;
      e.Each("spec.externalName", Json(en), ValidateDns1123Subdomain(trimmed));
    }
  }
  const Json& ports = At(spec, "ports");
  if ((!ports.is_array() || ports.empty()) && !external_name && !headless) {
    e.Required("spec.ports");
  }
  std::set<std::string> names;
  std::set<std::string> port_protos;
  EachItem(spec, "ports", "spec", [&](const Json& p, const std::string& pp) {
    const std::string name = Str(p, "name");
    if (ports.size() > 1 && name.empty()) {
      e.Required(Dot(pp, "name"));
    } else if (!name.empty()) {
      e.Each(Dot(pp, "name"), Json(name), ValidateDns1123Label(name));
      if (!names.insert(name).second) e.Duplicate(Dot(pp, "name"), Json(name));
    }
    const Json& port = At(p, "port");
    if (!port.is_number_integer() || port == 0) {
      e.Invalid(Dot(pp, "port"), port.is_null() ? Json(0) : port,
                "must be between 1 and 65535, inclusive");
    } else {
      PortRange(e, port, Dot(pp, "port"));
    }
    const Json& proto = At(p, "protocol");
    if (proto.is_string() && proto != "TCP" && proto != "UDP" && proto != "SCTP") {
      e.NotSupported(Dot(pp, "protocol"), proto, {"SCTP", "TCP", "UDP"});
    }
    const std::string proto_s = proto.is_string() ? proto.get<std::string>() : "";
    if (!port_protos.insert(port.dump() + "/" + proto_s).second) {
      // Go's %#v of the core.ServicePort key {Protocol, Port}.
      e.DuplicateRaw(pp, "core.ServicePort{Name:\"\", Protocol:" + Quote(proto_s) +
                             ", AppProtocol:(*string)(nil), Port:" + port.dump() +
                             ", TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}, "
                             "NodePort:0}");
    }
    const Json& tp = At(p, "targetPort");
    if (tp.is_number_integer()) {
      PortRange(e, tp, Dot(pp, "targetPort"));
    } else if (tp.is_string()) {
      // The IntOrString itself is the bad value: printed through its String() method, unquoted.
      for (const auto& m : PortName(tp.get<std::string>())) {
        e.InvalidRaw(Dot(pp, "targetPort"), tp.get<std::string>(), m);
      }
    }
    const Json& np = At(p, "nodePort");
    if (np.is_number_integer() && np != 0) {
      if (type == "ClusterIP" || type.empty()) {
        e.Forbidden(Dot(pp, "nodePort"), "may not be used when `type` is 'ClusterIP'");
      } else {
        PortRange(e, np, Dot(pp, "nodePort"));
      }
    }
  });
  Labels(e, At(spec, "selector"), "spec.selector");
  const std::string etp = Str(spec, "externalTrafficPolicy");
  if (!etp.empty() && etp != "Cluster" && etp != "Local") {
    e.NotSupported("spec.externalTrafficPolicy", Json(etp), {"Cluster", "Local"});
  }
}

void DataKeys(Errors& e, const Json& obj, const char* other) {
  const Json& data = At(obj, "data");
  if (data.is_object()) {
    for (auto it = data.begin(); it != data.end(); ++it) {
      e.Each(Key("data", it.key()), Json(it.key()), ConfigMapKey(it.key()));
      if (other && At(obj, other).is_object() && At(obj, other).contains(it.key())) {
        e.Invalid(Key("data", it.key()), Json(it.key()),
                  std::string("duplicate of key present in ") + other);
      }
    }
  }
  if (other) {
    const Json& bd = At(obj, other);
    if (bd.is_object()) {
      for (auto it = bd.begin(); it != bd.end(); ++it) {
        e.Each(Key(other, it.key()), Json(it.key()), ConfigMapKey(it.key()));
      }
    }
  }
}

size_t DataSize(const Json& obj, std::initializer_list<const char*> fields) {
  size_t total = 0;
  for (const char* f : fields) {
    const Json& d = At(obj, f);
    if (!d.is_object()) continue;
    for (auto it = d.begin(); it != d.end(); ++it) {
      total += it->is_string() ? it->get<std::string>().size() : it->dump().size();
    }
  }
  return total;
}

bool IsBase64(const std::string& s) {
  if (s.size() % 4 != 0) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '/' || (c == '=' && i + 2 >= s.size());
    if (!ok) return false;
  }
  return true;
}

void Secret(Errors& e, const Json& obj) {
  DataKeys(e, obj, nullptr);
  const Json& data = At(obj, "data");
  if (data.is_object()) {
    for (auto it = data.begin(); it != data.end(); ++it) {
      if (!it->is_string() || !IsBase64(it->get<std::string>())) {
        e.Invalid(Key("data", it.key()), Json("<secret contents redacted>"), "illegal base64 data");
      }
    }
  }
  const std::string type = Str(obj, "type");
  auto require = [&](const char* key) {
    if (!data.is_object() || !data.contains(key)) e.Required(Key("data", key));
  };
  if (type == "kubernetes.io/tls") {
    require("tls.crt");
    require("tls.key");
  } else if (type == "kubernetes.io/dockerconfigjson") {
    require(".dockerconfigjson");
  } else if (type == "kubernetes.io/dockercfg") {
    require(".dockercfg");
  } else if (type == "kubernetes.io/basic-auth") {
    if (!data.is_object() || (!data.contains("username") && !data.contains("password"))) {
      e.Required(Key("data", "username"));
      e.Required(Key("data", "password"));
    }
  } else if (type == "kubernetes.io/ssh-auth") {
    require("ssh-privatekey");
  } else if (type == "kubernetes.io/service-account-token") {
    if (!Object(obj).annotation("kubernetes.io/service-account.name")) {
      e.Required("metadata.annotations[kubernetes.io/service-account.name]");
    }
  }
  if (DataSize(obj, {"data"}) > 1024 * 1024) e.TooLong("data", 1024 * 1024);
}

void ImmutableData(Errors& e, const Json& obj, const Json& old,
                   std::initializer_list<const char*> fields) {
  if (At(old, "immutable") != true) return;
  if (At(obj, "immutable") != true) {
    e.Forbidden("immutable", "field is immutable when `immutable` is set");
  }
  for (const char* f : fields) {
    const Json& a = At(obj, f);
    const Json& b = At(old, f);
    const bool empty_a = a.is_null() || (a.is_object() && a.empty());
    const bool empty_b = b.is_null() || (b.is_object() && b.empty());
    if (a != b && !(empty_a && empty_b)) {
      e.Forbidden(f, "field is immutable when `immutable` is set");
    }
  }
}

void PolicyRules(Errors& e, const Json& obj) {
  EachItem(obj, "rules", "", [&](const Json& r, const std::string& rp) {
    const Json& verbs = At(r, "verbs");
    if (!verbs.is_array() || verbs.empty()) {
      e.Required(Dot(rp, "verbs"), "verbs must contain at least one value");
    }
    const Json& urls = At(r, "nonResourceURLs");
    if (urls.is_array() && !urls.empty()) {
      const Json& groups = At(r, "apiGroups");
      const Json& res = At(r, "resources");
      if ((groups.is_array() && !groups.empty()) || (res.is_array() && !res.empty())) {
        std::string printed = "[]string{";
        for (size_t i = 0; i < urls.size(); ++i) {
          printed += (i ? ", " : "") + Quote(urls[i].is_string() ? urls[i].get<std::string>() : "");
        }
        e.InvalidRaw(Dot(rp, "nonResourceURLs"), printed + "}",
                     "rules cannot apply to both regular resources and non-resource URLs");
      }
      return;
    }
    const Json& groups = At(r, "apiGroups");
    if (!groups.is_array() || groups.empty()) {
      e.Required(Dot(rp, "apiGroups"), "resource rules must supply at least one api group");
    }
    const Json& res = At(r, "resources");
    if (!res.is_array() || res.empty()) {
      e.Required(Dot(rp, "resources"), "resource rules must supply at least one resource");
    }
  });
}

std::string GoRoleRef(const Json& r) {
  return "rbac.RoleRef{APIGroup:" + Quote(Str(r, "apiGroup")) + ", Kind:" + Quote(Str(r, "kind")) +
         ", Name:" + Quote(Str(r, "name")) + "}";
}

void Binding(Errors& e, const Json& obj, bool cluster) {
  const Json& ref = At(obj, "roleRef");
  const std::string group = Str(ref, "apiGroup");
  if (group != "rbac.authorization.k8s.io") {
    e.NotSupported("roleRef.apiGroup", Json(group), {"rbac.authorization.k8s.io"});
  }
  const std::string kind = Str(ref, "kind");
  if (cluster && kind != "ClusterRole") {
    e.NotSupported("roleRef.kind", Json(kind), {"ClusterRole"});
  } else if (!cluster && kind != "Role" && kind != "ClusterRole") {
    e.NotSupported("roleRef.kind", Json(kind), {"Role", "ClusterRole"});
  }
  const std::string name = Str(ref, "name");
  if (name.empty()) {
    e.Required("roleRef.name");
  } else {
    e.Each("roleRef.name", Json(name), PathSegmentName(name));
  }
  EachItem(obj, "subjects", "", [&](const Json& s, const std::string& sp) {
    const std::string sk = Str(s, "kind");
    const std::string sn = Str(s, "name");
    if (sn.empty()) e.Required(Dot(sp, "name"));
    if (sk == "ServiceAccount") {
      if (!sn.empty()) e.Each(Dot(sp, "name"), Json(sn), ValidateDns1123Subdomain(sn));
      if (!Str(s, "apiGroup").empty()) {
        e.NotSupported(Dot(sp, "apiGroup"), At(s, "apiGroup"), {""});
      }
      if (cluster && Str(s, "namespace").empty()) e.Required(Dot(sp, "namespace"));
    } else if (sk == "User" || sk == "Group") {
      if (Str(s, "apiGroup") != "rbac.authorization.k8s.io") {
        e.NotSupported(Dot(sp, "apiGroup"),
                       At(s, "apiGroup").is_null() ? Json("") : At(s, "apiGroup"),
                       {"rbac.authorization.k8s.io"});
      }
    } else {
      e.NotSupported(Dot(sp, "kind"), Json(sk), {"ServiceAccount", "User", "Group"});
    }
  });
}

NameRule RuleFor(const GroupVersionKind& gvk) {
  const std::string& k = gvk.kind;
  if (gvk.group.empty()) {
    if (k == "Service") return NameRule::kDns1035;
    if (k == "Namespace") return NameRule::kLabel;
    if (k == "PersistentVolume") return NameRule::kPathSegment;
  }
  if (gvk.group == "rbac.authorization.k8s.io") return NameRule::kPathSegment;
  return NameRule::kSubdomain;
}

}  // namespace

std::vector<std::string> ValidateDns1123Subdomain(std::string_view value) {
  std::vector<std::string> errs;
  if (value.size() > 253) errs.push_back(MaxLenError(253));
  if (!MatchesSubdomain(value)) {
    errs.push_back(
        RegexError("a lowercase RFC 1123 subdomain must consist of lower case "
                   "alphanumeric characters, '-' or '.', and must start and end with an "
                   "alphanumeric character",
                   kDns1123SubdomainFmt, {"example.com"}));
  }
  return errs;
}

std::vector<std::string> ValidateDns1123Label(std::string_view value) {
  std::vector<std::string> errs;
  if (value.size() > 63) errs.push_back(MaxLenError(63));
  if (!MatchesLabel(value)) {
    errs.push_back(
        RegexError("a lowercase RFC 1123 label must consist of lower case alphanumeric "
                   "characters or '-', and must start and end with an alphanumeric "
                   "character",
                   kDns1123LabelFmt, {"my-name", "123-abc"}));
  }
  return errs;
}

std::vector<Cause> Validate(const Object& obj, const Object* old) {
  Errors e;
  const GroupVersionKind gvk = obj.gvk();
  const Json& j = obj.json();
  ObjectMeta(e, obj, RuleFor(gvk));
  if (old) ObjectMetaUpdate(e, obj, *old);
  const Json& spec = At(j, "spec");
  const Json& old_j = old ? old->json() : kNull;
  const Json& old_spec = At(old_j, "spec");
  const std::string& g = gvk.group;
  const std::string& k = gvk.kind;
  if (g.empty()) {
    if (k == "Pod") {
      PodSpec(e, spec, "spec", true, {"Always", "OnFailure", "Never"});
      if (old && old_spec.is_object()) {
        // Pods are immutable but for images, activeDeadlineSeconds, added tolerations,
        // terminationGracePeriodSeconds and the binding of nodeName.
        Json a = spec, b = old_spec;
        for (Json* s : {&a, &b}) {
          for (const char* list : {"containers", "initContainers"}) {
            if (s->contains(list) && (*s)[list].is_array()) {
              for (auto& c : (*s)[list]) {
                if (c.is_object()) c.erase("image");
              }
            }
          }
          s->erase("activeDeadlineSeconds");
          s->erase("terminationGracePeriodSeconds");
          s->erase("tolerations");
        }
        if (Str(old_spec, "nodeName").empty()) a.erase("nodeName"), b.erase("nodeName");
        if (a != b) {
          e.Forbidden("spec",
                      "pod updates may not change fields other than `spec.containers[*].image`,"
                      "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,"
                      "`spec.tolerations` (only additions to existing tolerations),"
                      "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was "
                      "previously negative)");
        }
      }
    } else if (k == "PodTemplate") {
      PodTemplate(e, At(j, "template"), "template", {"Always", "OnFailure", "Never"});
    } else if (k == "Service") {
      Service(e, spec);
      if (old) {
        const std::string ip = Str(spec, "clusterIP"), old_ip = Str(old_spec, "clusterIP");
        if (Str(spec, "type") != "ExternalName" && Str(old_spec, "type") != "ExternalName" &&
            !old_ip.empty() && !ip.empty() && ip != old_ip) {
          e.Invalid("spec.clusterIP", Json(ip), "field is immutable");
        }
      }
    } else if (k == "ConfigMap") {
      DataKeys(e, j, "binaryData");
      if (DataSize(j, {"data", "binaryData"}) > 1024 * 1024) e.TooLong("", 1024 * 1024);
      if (old) ImmutableData(e, j, old_j, {"data", "binaryData"});
    } else if (k == "Secret") {
      Secret(e, j);
      if (old) {
        if (Str(j, "type") != Str(old_j, "type")) {
          e.Invalid("type", At(j, "type"), "field is immutable");
        }
        ImmutableData(e, j, old_j, {"data"});
      }
    } else if (k == "Namespace") {
      EachItem(spec, "finalizers", "spec", [&](const Json& f, const std::string& p) {
        if (f.is_string()) {
          const std::string s = f.get<std::string>();
          auto msgs = QualifiedName(s);
          if (!msgs.empty()) {
            e.Each(p, f, msgs);
          } else if (s.find('/') == std::string::npos && s != "kubernetes") {
            e.Invalid(p, f, "name is neither a standard finalizer name nor is it fully qualified");
          }
        }
      });
    } else if (k == "PersistentVolumeClaim") {
      const Json& modes = At(spec, "accessModes");
      if (!modes.is_array() || modes.empty()) {
        e.Required("spec.accessModes", "at least 1 access mode is required");
      }
      EachItem(spec, "accessModes", "spec", [&](const Json& m, const std::string& mp) {
        if (m != "ReadWriteOnce" && m != "ReadOnlyMany" && m != "ReadWriteMany" &&
            m != "ReadWriteOncePod") {
          e.NotSupported(mp, m,
                         {"ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"});
        }
      });
      const Json& req = At(At(spec, "resources"), "requests");
      if (!req.is_object() || !req.contains("storage")) {
        e.Required("spec.resources[storage]");
      } else {
        Quantities(e, req, "spec.resources.requests");
      }
    } else if (k == "PersistentVolume") {
      const Json& cap = At(spec, "capacity");
      if (!cap.is_object() || !cap.contains("storage")) {
        e.Required("spec.capacity");
      } else {
        Quantities(e, cap, "spec.capacity");
      }
      static const char* kPvSources[] = {"hostPath", "nfs", "local",  "csi",      "iscsi",
                                         "fc",       "rbd", "cephfs", "glusterfs"};
      int n = 0;
      for (const char* s : kPvSources) n += Has(spec, s) ? 1 : 0;
      if (n == 0) e.Required("spec", "must specify a volume type");
      const Json& modes = At(spec, "accessModes");
      if (!modes.is_array() || modes.empty()) e.Required("spec.accessModes");
    } else if (k == "ResourceQuota") {
      Quantities(e, At(spec, "hard"), "spec.hard");
    } else if (k == "LimitRange") {
      EachItem(spec, "limits", "spec", [&](const Json& item, const std::string& ip) {
        for (const char* f : {"max", "min", "default", "defaultRequest", "maxLimitRequestRatio"}) {
          Quantities(e, At(item, f), Dot(ip, f));
        }
      });
    }
  } else if (g == "apps") {
    if (k == "Deployment") {
      Deployment(e, spec);
      if (old) ImmutableSelector(e, spec, old_spec);
    } else if (k == "ReplicaSet") {
      NonNegative(e, spec, "replicas", "spec");
      NonNegative(e, spec, "minReadySeconds", "spec");
      SelectorMatchesTemplate(e, spec, "replicaset");
      PodTemplate(e, At(spec, "template"), "spec.template", {"Always"});
      if (old) ImmutableSelector(e, spec, old_spec);
    } else if (k == "StatefulSet") {
      NonNegative(e, spec, "replicas", "spec");
      SelectorMatchesTemplate(e, spec, "statefulset");
      PodTemplate(e, At(spec, "template"), "spec.template", {"Always"});
      const Json& pmp = At(spec, "podManagementPolicy");
      if (pmp.is_string() && pmp != "OrderedReady" && pmp != "Parallel") {
        e.NotSupported("spec.podManagementPolicy", pmp, {"OrderedReady", "Parallel"});
      }
      const Json& ust = At(At(spec, "updateStrategy"), "type");
      if (ust.is_string() && ust != "RollingUpdate" && ust != "OnDelete") {
        e.NotSupported("spec.updateStrategy.type", ust, {"OnDelete", "RollingUpdate"});
      }
      if (old && old_spec.is_object()) {
        Json a = spec, b = old_spec;
        for (Json* s : {&a, &b}) {
          for (const char* f : {"replicas", "ordinals", "template", "updateStrategy",
                                "persistentVolumeClaimRetentionPolicy", "minReadySeconds"}) {
            s->erase(f);
          }
        }
        if (a != b) {
          e.Forbidden("spec",
                      "updates to statefulset spec for fields other than 'replicas', 'ordinals', "
                      "'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and "
                      "'minReadySeconds' are forbidden");
        }
      }
    } else if (k == "DaemonSet") {
      SelectorMatchesTemplate(e, spec, "daemonset");
      PodTemplate(e, At(spec, "template"), "spec.template", {"Always"});
      const Json& ust = At(At(spec, "updateStrategy"), "type");
      if (ust.is_string() && ust != "RollingUpdate" && ust != "OnDelete") {
        e.NotSupported("spec.updateStrategy.type", ust, {"OnDelete", "RollingUpdate"});
      }
      if (old) ImmutableSelector(e, spec, old_spec);
    }
  } else if (g == "batch") {
    if (k == "Job") {
      JobSpec(e, spec, "spec", true);
      if (old && old_spec.is_object()) {
        // The pod template is immutable (except for suspended jobs, not modelled here).
        if (At(spec, "template") != At(old_spec, "template") && At(old_spec, "suspend") != true) {
          e.Invalid("spec.template", Json("<pod template>"), "field is immutable");
        }
        const Json& sel = At(spec, "selector");
        if (!At(old_spec, "selector").is_null() && !sel.is_null() &&
            sel != At(old_spec, "selector")) {
          e.InvalidRaw("spec.selector", GoLabelSelector(sel), "field is immutable");
        }
        if (Has(old_spec, "completions") &&
            At(spec, "completions") != At(old_spec, "completions") &&
            Str(spec, "completionMode") != "Indexed") {
          e.Invalid("spec.completions", At(spec, "completions"), "field is immutable");
        }
      }
    } else if (k == "CronJob") {
      CronSchedule(e, At(spec, "schedule"), "spec.schedule");
      const Json& cp = At(spec, "concurrencyPolicy");
      if (cp.is_string() && cp != "Allow" && cp != "Forbid" && cp != "Replace") {
        e.NotSupported("spec.concurrencyPolicy", cp, {"Allow", "Forbid", "Replace"});
      }
      for (const char* f :
           {"startingDeadlineSeconds", "successfulJobsHistoryLimit", "failedJobsHistoryLimit"}) {
        NonNegative(e, spec, f, "spec");
      }
      if (obj.name().size() > 52) {
        e.Invalid("metadata.name", Json(obj.name()), "must be no more than 52 characters");
      }
      const Json& jt = At(spec, "jobTemplate");
      if (!jt.is_object()) {
        e.Required("spec.jobTemplate");
      } else {
        JobSpec(e, At(jt, "spec"), "spec.jobTemplate.spec", true);
      }
    }
  } else if (g == "rbac.authorization.k8s.io") {
    if (k == "Role" || k == "ClusterRole") {
      PolicyRules(e, j);
    } else if (k == "RoleBinding" || k == "ClusterRoleBinding") {
      Binding(e, j, k == "ClusterRoleBinding");
      if (old && At(j, "roleRef") != At(old_j, "roleRef")) {
        e.InvalidRaw("roleRef", GoRoleRef(At(j, "roleRef")), "cannot change roleRef");
      }
    }
  } else if (g == "autoscaling" && k == "HorizontalPodAutoscaler") {
    const Json& ref = At(spec, "scaleTargetRef");
    if (Str(ref, "kind").empty()) e.Required("spec.scaleTargetRef.kind");
    if (Str(ref, "name").empty()) e.Required("spec.scaleTargetRef.name");
    const Json& maxr = At(spec, "maxReplicas");
    const Json& minr = At(spec, "minReplicas");
    if (!maxr.is_number_integer() || maxr.get<int64_t>() < 1) {
      e.Invalid("spec.maxReplicas", maxr.is_null() ? Json(0) : maxr,
                "must be greater than or equal to 1");
    }
    if (minr.is_number_integer()) {
      if (minr.get<int64_t>() < 1) {
        e.Invalid("spec.minReplicas", minr, "must be greater than or equal to 1");
      } else if (maxr.is_number_integer() && minr.get<int64_t>() > maxr.get<int64_t>()) {
        e.Invalid("spec.minReplicas", minr, "must be less than or equal to maxReplicas");
      }
    }
  } else if (g == "policy" && k == "PodDisruptionBudget") {
    if (Has(spec, "minAvailable") && Has(spec, "maxUnavailable")) {
      e.InvalidRaw("spec", "policy.PodDisruptionBudgetSpec{...}",
                   "minAvailable and maxUnavailable cannot be both set");
    }
    IntOrPercent(e, At(spec, "minAvailable"), "spec.minAvailable");
    IntOrPercent(e, At(spec, "maxUnavailable"), "spec.maxUnavailable");
    Selector(e, At(spec, "selector"), "spec.selector");
  } else if (g == "networking.k8s.io" && k == "Ingress") {
    EachItem(spec, "rules", "spec", [&](const Json& r, const std::string& rp) {
      EachItem(At(r, "http"), "paths", Dot(rp, "http"), [&](const Json& p, const std::string& pp) {
        const Json& pt = At(p, "pathType");
        if (pt.is_null()) {
          e.Required(Dot(pp, "pathType"), "pathType must be specified");
        } else if (pt != "Exact" && pt != "Prefix" && pt != "ImplementationSpecific") {
          e.NotSupported(Dot(pp, "pathType"), pt, {"Exact", "ImplementationSpecific", "Prefix"});
        }
        const std::string path = Str(p, "path");
        if ((pt == "Exact" || pt == "Prefix") && (path.empty() || path[0] != '/')) {
          e.Invalid(Dot(pp, "path"), Json(path), "must be an absolute path");
        }
        const Json& svc = At(At(p, "backend"), "service");
        if (svc.is_object() && Str(svc, "name").empty()) {
          e.Required(Dot(pp, "backend.service.name"));
        }
      });
    });
  } else if (g == "networking.k8s.io" && k == "NetworkPolicy") {
    Selector(e, At(spec, "podSelector"), "spec.podSelector");
    EachItem(spec, "policyTypes", "spec", [&](const Json& t, const std::string& tp) {
      if (t != "Ingress" && t != "Egress") e.NotSupported(tp, t, {"Ingress", "Egress"});
    });
  } else if (g == "keelson.dev" && k == "Application") {
    const Json& sources = At(spec, "sources");
    if (sources.is_array() && !sources.empty()) {
      EachItem(spec, "sources", "spec", [&](const Json& src, const std::string& sp) {
        if (Str(src, "repoURL").empty()) e.Required(Dot(sp, "repoURL"));
      });
    } else if (Str(At(spec, "source"), "repoURL").empty()) {
      e.Required("spec.source.repoURL");
    }
    const std::string dest_ns = Str(At(spec, "destination"), "namespace");
    if (!dest_ns.empty()) {
      e.Each("spec.destination.namespace", Json(dest_ns), ValidateDns1123Label(dest_ns));
    }
    const std::string sa = Str(spec, "serviceAccountName");
    if (!sa.empty()) e.Each("spec.serviceAccountName", Json(sa), ValidateDns1123Subdomain(sa));
    const Json& retry = At(At(spec, "syncPolicy"), "retry");
    const Json& limit = At(retry, "limit");
    if (limit.is_number_integer() && limit.get<int64_t>() < -1) {
      e.Invalid("spec.syncPolicy.retry.limit", limit, "must be greater than or equal to -1");
    }
  }
  return e.Take();
}

std::vector<std::string> UnknownFields(const Object& obj) {
  const SchemaNode* root = SchemaFor(obj.gvk());
  if (!root) return {};
  struct Collector : SchemaVisitor {
    std::vector<std::string> out;
    void Unknown(const std::string& path) override { out.push_back(path); }
    void Mismatch(const std::string&, const SchemaNode&, const Json&) override {}
  } c;
  WalkSchema(*root, obj.json(), "", c);
  return c.out;
}

}  // namespace keelson::api
