// Shared helpers for the store tests: temp dirs, objects, event collectors.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "api/object.h"
#include "store/store.h"

namespace keelson::store::testing {

// A fresh directory under $TMPDIR, removed when the fixture ends.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "keelson-store-XXXXXX").string();
    char* p = mkdtemp(tmpl.data());
    if (p == nullptr) std::abort();
    path_ = p;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline api::Object ConfigMap(std::string_view ns, std::string_view name,
                             api::Json data = api::Json{{"k", "v"}}) {
  return api::Object(api::Json{{"apiVersion", "v1"},
                               {"kind", "ConfigMap"},
                               {"metadata", {{"name", name}, {"namespace", ns}}},
                               {"data", std::move(data)}});
}

// Collects watch events delivered on the store's threads.
class Collector {
 public:
  std::function<void(const WatchEvent&)> Callback() {
    return [this](const WatchEvent& e) {
      std::lock_guard l(mu_);
      events_.push_back(e);
      cv_.notify_all();
    };
  }
  std::function<void(const api::Error&)> ErrorCallback() {
    return [this](const api::Error& e) {
      std::lock_guard l(mu_);
      errors_.push_back(e);
      cv_.notify_all();
    };
  }
  // Waits until at least n events arrived (or the timeout); returns a copy of all events.
  std::vector<WatchEvent> WaitFor(size_t n,
                                  std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::unique_lock l(mu_);
    cv_.wait_for(l, timeout, [&] { return events_.size() >= n; });
    return events_;
  }
  std::vector<api::Error> WaitForError(
      std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::unique_lock l(mu_);
    cv_.wait_for(l, timeout, [&] { return !errors_.empty(); });
    return errors_;
  }
  size_t size() {
    std::lock_guard l(mu_);
    return events_.size();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<WatchEvent> events_;
  std::vector<api::Error> errors_;
};

}  // namespace keelson::store::testing
