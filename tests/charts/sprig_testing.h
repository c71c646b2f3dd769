// Test helpers for the Sprig function tests: a FuncContext double and a caller over the FuncMap.
#pragma once

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "charts/funcs.h"
#include "charts/gofmt.h"

namespace keelson::charts::testing {

// A FuncContext for functions that do not reach the engine (all of Sprig).
class NoEngineContext : public FuncContext {
 public:
  std::expected<std::string, std::string> ExecuteTemplate(std::string_view name,
                                                          const Value&) override {
    return std::unexpected("no template " + std::string(name));
  }
  std::expected<std::string, std::string> ExecuteText(std::string_view, const Value&) override {
    return std::unexpected("no engine");
  }
  std::string CurrentTemplateName() const override { return "test"; }
};

// Sprig's functions, callable by name.
class Sprig {
 public:
  Sprig() { AddSprigFunctions(funcs_); }
  std::expected<Value, std::string> Call(const std::string& name, std::vector<Value> args) {
    auto it = funcs_.find(name);
    if (it == funcs_.end()) return std::unexpected("function " + name + " not defined");
    NoEngineContext ctx;
    return it->second(ctx, args);
  }
  // The call's result, failing the test on error.
  Value Ok(const std::string& name, std::vector<Value> args) {
    auto r = Call(name, std::move(args));
    EXPECT_TRUE(r.has_value()) << name << ": " << r.error();
    return r ? *r : Value();
  }
  // The call's error, failing the test on success.
  std::string Err(const std::string& name, std::vector<Value> args) {
    auto r = Call(name, std::move(args));
    EXPECT_FALSE(r.has_value()) << name << " returned " << r->dump();
    return r ? "" : r.error();
  }
  const FuncMap& funcs() const { return funcs_; }

 private:
  FuncMap funcs_;
};

inline Value List(std::vector<Value> v) { return Value(std::move(v)); }

}  // namespace keelson::charts::testing
