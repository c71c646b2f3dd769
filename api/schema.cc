// Builds the schema registry from the table in schema_types.cc and walks objects against it.
#include "api/schema.h"

#include <cstdio>
#include <cstdlib>
#include <deque>
#include <map>
#include <memory>
#include <sstream>

namespace keelson::api {
namespace schema_internal {
extern const std::string_view kSchemaTable;
}  // namespace schema_internal

namespace {

struct PendingField {
  std::string name;
  std::string type;  // unresolved type expression, or "...Name" for an inline include
  PatchMeta patch;
};

struct PendingDef {
  std::string name;  // type name, or "group/version/Kind" for kinds
  bool is_kind = false;
  std::vector<PendingField> fields;
};

[[noreturn]] void Die(const std::string& why) {
  // The table is compiled in: a malformed line is a programming error caught by the first test.
  std::fprintf(stderr, "keelson schema table: %s\n", why.c_str());
  std::abort();
}

class Registry {
 public:
  Registry() {
    Parse(schema_internal::kSchemaTable);
    for (auto& def : defs_) {
      if (!def.is_kind) structs_[def.name] = NewNode(FieldType::kStruct, def.name);
    }
    for (auto& def : defs_) {
      if (def.is_kind) {
        SchemaNode* node = NewNode(FieldType::kStruct, KindOf(def.name));
        FillKind(*node, def);
        kinds_[def.name] = node;
      }
    }
    for (auto& def : defs_) {
      if (!def.is_kind) Fill(*structs_.at(def.name), def, 0);
    }
  }

  const SchemaNode* Kind(const GroupVersionKind& gvk) const {
    auto it = kinds_.find(gvk.ApiVersion() + "/" + gvk.kind);
    return it == kinds_.end() ? nullptr : it->second;
  }
  const SchemaNode* Struct(std::string_view name) const {
    auto it = structs_.find(std::string(name));
    return it == structs_.end() ? nullptr : it->second;
  }
  std::vector<GroupVersionKind> Kinds() const {
    std::vector<GroupVersionKind> out;
    for (const auto& [key, node] : kinds_) {
      auto last = key.rfind('/');
      auto [group, version] = SplitApiVersion(key.substr(0, last));
      out.push_back({group, version, key.substr(last + 1)});
    }
    return out;
  }

 private:
  static std::string KindOf(const std::string& key) { return key.substr(key.rfind('/') + 1); }

  SchemaNode* NewNode(FieldType type, std::string type_name, const SchemaNode* element = nullptr) {
    nodes_.push_back(std::make_unique<SchemaNode>());
    SchemaNode* n = nodes_.back().get();
    n->type = type;
    n->type_name = std::move(type_name);
    n->element = element;
    return n;
  }

  void Parse(std::string_view table) {
    std::istringstream in{std::string(table)};
    std::string line;
    std::string joined;
    auto flush = [&] {
      if (!joined.empty()) ParseDefinition(joined);
      joined.clear();
    };
    while (std::getline(in, line)) {
      if (auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
      if (line.find_first_not_of(" \t") == std::string::npos) continue;
      if (line[0] == ' ' || line[0] == '\t') {
        if (joined.empty()) Die("continuation without a definition: " + line);
        joined += " " + line;
      } else {
        flush();
        joined = line;
      }
    }
    flush();
  }

  void ParseDefinition(const std::string& text) {
    auto colon = text.find(": ");
    if (colon == std::string::npos && text.back() != ':') Die("missing ':' in " + text);
    if (colon == std::string::npos) colon = text.size() - 1;
    PendingDef def;
    std::string head = text.substr(0, colon);
    if (head.rfind("kind ", 0) == 0) {
      def.is_kind = true;
      def.name = head.substr(5);
    } else {
      def.name = head;
    }
    std::istringstream fields(text.substr(colon + 1));
    std::string tok;
    while (fields >> tok) {
      PendingField f;
      if (tok.rfind("...", 0) == 0) {
        f.type = tok;
        def.fields.push_back(std::move(f));
        continue;
      }
      std::string strategy;
      if (auto at = tok.find('@'); at != std::string::npos) {
        strategy = tok.substr(at + 1);
        tok.resize(at);
      }
      if (auto c = tok.find(':'); c != std::string::npos) {
        f.name = tok.substr(0, c);
        f.type = tok.substr(c + 1);
      } else {
        f.name = tok;
        f.type = "string";
      }
      if (!strategy.empty()) {
        std::string key;
        if (auto eq = strategy.find('='); eq != std::string::npos) {
          key = strategy.substr(eq + 1);
          strategy.resize(eq);
        }
        f.patch.merge_key = key;
        if (strategy == "merge") {
          f.patch.merge = true;
        } else if (strategy == "retainKeys") {
          f.patch.retain_keys = true;
        } else if (strategy == "merge,retainKeys") {
          f.patch.merge = true;
          f.patch.retain_keys = true;
        } else if (strategy == "replace") {
          f.patch.replace = true;
        } else {
          Die("unknown strategy " + strategy + " in " + def.name);
        }
      }
      def.fields.push_back(std::move(f));
    }
    defs_.push_back(std::move(def));
  }

  const SchemaNode* Resolve(const std::string& type, const std::string& where) {
    static const std::map<std::string, std::pair<FieldType, const char*>> kScalars = {
        {"string", {FieldType::kString, "string"}},
        {"bytes", {FieldType::kBytes, "[]uint8"}},
        {"int", {FieldType::kInt32, "int32"}},
        {"int64", {FieldType::kInt64, "int64"}},
        {"num", {FieldType::kNumber, "float64"}},
        {"bool", {FieldType::kBool, "bool"}},
        {"time", {FieldType::kTime, "v1.Time"}},
        {"quantity", {FieldType::kQuantity, "resource.Quantity"}},
        {"intstr", {FieldType::kIntOrString, "intstr.IntOrString"}},
        {"any", {FieldType::kAny, "interface {}"}},
    };
    if (auto it = cache_.find(type); it != cache_.end()) return it->second;
    const SchemaNode* node = nullptr;
    if (auto s = kScalars.find(type); s != kScalars.end()) {
      node = NewNode(s->second.first, s->second.second);
    } else if (type.size() > 2 && type.front() == '[' && type.back() == ']') {
      const SchemaNode* el = Resolve(type.substr(1, type.size() - 2), where);
      node = NewNode(FieldType::kArray, "[]" + GoName(*el), el);
    } else if (type.size() > 2 && type.front() == '{' && type.back() == '}') {
      const SchemaNode* el = Resolve(type.substr(1, type.size() - 2), where);
      node = NewNode(FieldType::kMap, "map[string]" + GoName(*el), el);
    } else if (auto st = structs_.find(type); st != structs_.end()) {
      node = st->second;
    } else {
      Die("unknown type " + type + " in " + where);
    }
    cache_[type] = node;
    return node;
  }

  static std::string GoName(const SchemaNode& n) {
    return n.type == FieldType::kStruct ? "v1." + n.type_name : n.type_name;
  }

  void Fill(SchemaNode& node, const PendingDef& def, int depth) {
    if (!node.fields.empty() && depth == 0) return;  // already filled through an include
    if (depth > 8) Die("include cycle at " + def.name);
    for (const auto& f : def.fields) {
      if (f.type.rfind("...", 0) == 0) {
        std::string inc = f.type.substr(3);
        const PendingDef* d = FindDef(inc);
        if (!d) Die("unknown include " + inc + " in " + def.name);
        Fill(node, *d, depth + 1);
        continue;
      }
      node.fields.push_back({f.name, Resolve(f.type, def.name), f.patch});
    }
  }

  void FillKind(SchemaNode& node, const PendingDef& def) {
    node.fields.push_back({"apiVersion", Resolve("string", def.name), {}});
    node.fields.push_back({"kind", Resolve("string", def.name), {}});
    bool has_meta = false;
    for (const auto& f : def.fields) has_meta |= f.name == "metadata";
    if (!has_meta) node.fields.push_back({"metadata", Resolve("ObjectMeta", def.name), {}});
    Fill(node, def, 1);
  }

  const PendingDef* FindDef(const std::string& name) const {
    for (const auto& d : defs_) {
      if (!d.is_kind && d.name == name) return &d;
    }
    return nullptr;
  }

  std::deque<PendingDef> defs_;
  std::vector<std::unique_ptr<SchemaNode>> nodes_;
  std::map<std::string, SchemaNode*> structs_;
  std::map<std::string, const SchemaNode*> kinds_;
  std::map<std::string, const SchemaNode*> cache_;
};

const Registry& Reg() {
  static const Registry* r = new Registry();  // never destroyed: used until exit
  return *r;
}

std::string Join(const std::string& prefix, const std::string& key) {
  return prefix.empty() ? key : prefix + "." + key;
}

bool Fits(const SchemaNode& node, const Json& v) {
  switch (node.type) {
    case FieldType::kString:
    case FieldType::kBytes:
    case FieldType::kTime:
      return v.is_string();
    case FieldType::kInt32:
    case FieldType::kInt64:
      return v.is_number_integer();
    case FieldType::kNumber:
      return v.is_number();
    case FieldType::kBool:
      return v.is_boolean();
    case FieldType::kQuantity:
      return v.is_string() || v.is_number();
    case FieldType::kIntOrString:
      return v.is_string() || v.is_number_integer();
    case FieldType::kAny:
      return true;
    case FieldType::kStruct:
    case FieldType::kMap:
      return v.is_object();
    case FieldType::kArray:
      return v.is_array();
  }
  return true;
}

}  // namespace

const SchemaField* SchemaNode::Field(std::string_view name) const {
  for (const auto& f : fields) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

const SchemaNode* SchemaFor(const GroupVersionKind& gvk) { return Reg().Kind(gvk); }
const SchemaNode* SchemaType(std::string_view type_name) { return Reg().Struct(type_name); }
std::vector<GroupVersionKind> SchemaKinds() { return Reg().Kinds(); }

void WalkSchema(const SchemaNode& node, const Json& value, const std::string& prefix,
                SchemaVisitor& visitor) {
  if (value.is_null()) return;
  if (!Fits(node, value)) {
    visitor.Mismatch(prefix, node, value);
    return;
  }
  switch (node.type) {
    case FieldType::kStruct:
      for (auto it = value.begin(); it != value.end(); ++it) {
        const SchemaField* f = node.Field(it.key());
        if (!f) {
          visitor.Unknown(Join(prefix, it.key()));
        } else {
          WalkSchema(*f->node, *it, Join(prefix, it.key()), visitor);
        }
      }
      break;
    case FieldType::kArray:
      for (size_t i = 0; i < value.size(); ++i) {
        WalkSchema(*node.element, value[i], prefix + "[" + std::to_string(i) + "]", visitor);
      }
      break;
    case FieldType::kMap:
      for (auto it = value.begin(); it != value.end(); ++it) {
        WalkSchema(*node.element, *it, Join(prefix, it.key()), visitor);
      }
      break;
    default:
      break;
  }
}

std::vector<std::string> TypeMismatches(const Object& obj) {
  const SchemaNode* root = SchemaFor(obj.gvk());
  if (!root) return {};
  // Go's encoding/json names the innermost struct and the field path without list indices.
  struct Collector : SchemaVisitor {
    const SchemaNode* root;
    std::vector<std::string> out;
    void Unknown(const std::string&) override {}
    void Mismatch(const std::string& path, const SchemaNode& expected, const Json& got) override {
      std::string field;
      for (size_t i = 0; i < path.size(); ++i) {
        if (path[i] == '[') {
          i = path.find(']', i);
          if (i == std::string::npos) break;
          continue;
        }
        field.push_back(path[i]);
      }
      // Walk the path from the root: Go names the innermost struct and lists only struct fields
      // (no map keys, no list indices).
      const SchemaNode* holder = root;
      const SchemaNode* cur = root;
      std::string go_path;
      std::string key;
      std::istringstream parts(field);
      while (std::getline(parts, key, '.')) {
        while (cur && cur->type == FieldType::kArray) cur = cur->element;
        if (!cur) break;
        if (cur->type == FieldType::kMap) {
          cur = cur->element;
          continue;
        }
        if (cur->type != FieldType::kStruct) break;
        holder = cur;
        go_path += (go_path.empty() ? "" : ".") + key;
        const SchemaField* f = cur->Field(key);
        cur = f ? f->node : nullptr;
      }
      std::string what = got.is_string()    ? "string"
                         : got.is_number()  ? "number"
                         : got.is_boolean() ? "bool"
                         : got.is_array()   ? "array"
                                            : "object";
      std::string type =
          expected.type == FieldType::kStruct ? "v1." + expected.type_name : expected.type_name;
      out.push_back("json: cannot unmarshal " + what + " into Go struct field " +
                    holder->type_name + "." + go_path + " of type " + type);
    }
  } collector;
  collector.root = root;
  WalkSchema(*root, obj.json(), "", collector);
  return collector.out;
}

namespace {
constexpr std::array<const char*, 30> kVolumeSources = {
    "hostPath",
    "emptyDir",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "secret",
    "nfs",
    "iscsi",
    "glusterfs",
    "persistentVolumeClaim",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "downwardAPI",
    "fc",
    "azureFile",
    "configMap",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "projected",
    "portworxVolume",
    "scaleIO",
    "storageos",
    "csi",
    "ephemeral",
    "image",
};
}  // namespace

std::span<const char* const> VolumeSourceNames() { return kVolumeSources; }

}  // namespace keelson::api
