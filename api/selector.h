// Label selectors (equality and set-based; string form and matchLabels/matchExpressions) and
// field selectors. Value types, thread-safe after parsing.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "api/error.h"
#include "api/object.h"

namespace keelson::api {

class LabelSelector {
 public:
  // kGreaterThan/kLessThan ("replicas>3") compare integer values; only the string form has them.
  enum class Op {
    kEquals,
    kNotEquals,
    kIn,
    kNotIn,
    kExists,
    kDoesNotExist,
    kGreaterThan,
    kLessThan
  };
  struct Requirement {
    std::string key;
    Op op;
    std::vector<std::string> values;
  };

  // Parses "app=web,tier!=db,env in (a,b),!legacy,release". Empty string selects everything.
  // Errors: BadRequest naming the bad part.
  static Result<LabelSelector> Parse(std::string_view text);
  // From a metav1.LabelSelector JSON object ({matchLabels, matchExpressions}). A null/empty
  // object selects everything. Errors: BadRequest/Invalid with the field path.
  static Result<LabelSelector> FromJson(const Json& selector);

  bool Matches(const std::map<std::string, std::string>& labels) const;
  bool Empty() const { return requirements_.empty(); }
  std::string ToString() const;
  const std::vector<Requirement>& requirements() const { return requirements_; }

 private:
  std::vector<Requirement> requirements_;
};

class FieldSelector {
 public:
  // Parses "metadata.name=x,status.phase!=Running" (=, ==, !=). Errors: BadRequest.
  static Result<FieldSelector> Parse(std::string_view text);
  // Matches by reading each field path from the object (metadata.name, metadata.namespace,
  // status.phase, spec.nodeName, or any dotted path); a missing field reads as "".
  bool Matches(const Object& obj) const;
  bool Empty() const { return terms_.empty(); }

 private:
  struct Term {
    std::string field;
    bool negate;
    std::string value;
  };
  std::vector<Term> terms_;
};

}  // namespace keelson::api
