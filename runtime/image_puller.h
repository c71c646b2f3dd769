// The kubelet's image manager for pod workers: imagePullPolicy, imagePullSecrets, pulls that run
// in the background (one per image at a time, shared by every pod that waits for it), the image
// pull back-off, and the kubelet's waiting reasons and events.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "api/client.h"
#include "api/error.h"
#include "runtime/clock.h"
#include "runtime/image_store.h"
#include "runtime/registry.h"

namespace keelson::runtime {

struct ImagePullJob;

// Per-container pull state a pod worker keeps between syncs (not thread-safe: the worker's).
struct ImagePullState {
  RestartBackoff backoff;             // 10 s doubling to 300 s between failed pulls, as the kubelet
  std::shared_ptr<ImagePullJob> job;  // the pull this container waits for
  std::chrono::steady_clock::time_point waiting_since{};
  std::string failure;  // the last pull error, shown as ErrImagePull for a while
  std::chrono::steady_clock::time_point failed_at{};
  std::string last_event;  // suppresses repeating the same event every sync
};

class ImagePuller {
 public:
  // How long a failed pull shows as ErrImagePull before ImagePullBackOff (the kubelet shows it
  // until its next sync of the pod, which status updates do not trigger).
  static constexpr std::chrono::seconds kErrImagePullHold{2};

  // `store`, `client` and `clock` outlive the puller.
  ImagePuller(ImageStore* store, api::Client* client, RegistryOptions opts, Clock* clock);
  // Cancels running pulls and waits for their threads.
  ~ImagePuller();

  // What a pod worker should do with a container whose image is `container.image`.
  struct Outcome {
    std::optional<ImageInfo> image;  // set: start the container from it
    std::string reason;   // else the waiting reason ("" = ContainerCreating while pulling,
                          // ErrImagePull, ImagePullBackOff, ErrImageNeverPull, InvalidImageName)
    std::string message;  // the waiting message, as the kubelet words it
  };
  using EventSink = std::function<void(const std::string& type, const std::string& reason,
                                       const std::string& message)>;

  // Decides by imagePullPolicy (defaulted like the API server: Always for ":latest" or no tag,
  // else IfNotPresent) whether the image must be pulled; if so starts (or joins) a background
  // pull with the pod's imagePullSecrets and returns at once: call again on a later sync to
  // collect the result. Emits the kubelet's events through `event` (Pulling, Pulled, Failed,
  // BackOff, ErrImageNeverPull, InspectFailed), each once per change. Never blocks on the
  // network; reads the pod's pull secrets through the client.
  Outcome Ensure(const api::Object& pod, const api::Json& container, ImagePullState& state,
                 const EventSink& event);

  // Pulls `ref` now (joining a pull of the same image already running) and waits for it. For
  // the CLI, tests and benchmarks. Errors: as ImageStore::Pull.
  api::Result<ImageInfo> Pull(std::string_view ref, const std::vector<RegistryAuth>& credentials);

  // "Always" for images tagged latest (or untagged, without digest), else "IfNotPresent".
  static std::string DefaultPullPolicy(const ImageReference& ref);

  // The credentials a pod's imagePullSecrets give for `ref`; missing or malformed secrets are
  // reported in `problems` (the kubelet goes on without them).
  std::vector<RegistryAuth> CredentialsFor(const api::Object& pod, const ImageReference& ref,
                                           std::vector<std::string>* problems);

 private:
  std::shared_ptr<ImagePullJob> StartOrJoin(const ImageReference& ref,
                                            std::vector<RegistryAuth> credentials);

  ImageStore* store_;
  api::Client* client_;
  RegistryOptions opts_;
  Clock* clock_;
  std::atomic<bool> cancel_{false};
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<ImagePullJob>> running_;  // by normalized reference
  std::vector<std::shared_ptr<ImagePullJob>> threads_;            // to join
};

// Go's time.Duration.String for a duration truncated to milliseconds ("523ms", "1.2s",
// "2m3.5s").
std::string GoDuration(std::chrono::milliseconds d);

}  // namespace keelson::runtime
