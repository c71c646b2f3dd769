// ImagePuller: pull policy, secrets, deduplicated background pulls, back-off and events.
#include "runtime/image_puller.h"

#include <spdlog/spdlog.h>

#include <condition_variable>
#include <thread>

namespace keelson::runtime {

using api::Json;
using Steady = std::chrono::steady_clock;

// One running (or finished) pull, shared by every container waiting for the image.
struct ImagePullJob {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  api::Result<ImageInfo> result = std::unexpected(api::Internal("pull not finished"));
  Steady::duration took{};
  std::thread thread;
};

std::string GoDuration(std::chrono::milliseconds d) {
  int64_t ms = d.count();
  if (ms == 0) return "0s";
  std::string sign = ms < 0 ? "-" : "";
  if (ms < 0) ms = -ms;
  if (ms < 1000) return sign + std::to_string(ms) + "ms";
  int64_t h = ms / 3600000, m = ms / 60000 % 60, s = ms / 1000 % 60, frac = ms % 1000;
  std::string out = sign;
  if (h > 0) out += std::to_string(h) + "h";
  if (h > 0 || m > 0) out += std::to_string(m) + "m";
  out += std::to_string(s);
  if (frac > 0) {
    char buf[8];
    snprintf(buf, sizeof buf, ".%03lld", static_cast<long long>(frac));
    std::string f = buf;
    while (f.back() == '0') f.pop_back();
    out += f;
  }
  return out + "s";
}

ImagePuller::ImagePuller(ImageStore* store, api::Client* client, RegistryOptions opts, Clock* clock)
    : store_(store), client_(client), opts_(std::move(opts)), clock_(clock) {
  opts_.cancel = &cancel_;
}

ImagePuller::~ImagePuller() {
  cancel_ = true;
  std::vector<std::shared_ptr<ImagePullJob>> jobs;
  {
    std::lock_guard lock(mu_);
    jobs.swap(threads_);
  }
  for (auto& j : jobs)
    if (j->thread.joinable()) j->thread.join();
}

std::string ImagePuller::DefaultPullPolicy(const ImageReference& ref) {
  return ref.tag == "latest" ? "Always" : "IfNotPresent";
}

std::vector<RegistryAuth> ImagePuller::CredentialsFor(const api::Object& pod,
                                                      const ImageReference& ref,
                                                      std::vector<std::string>* problems) {
  DockerKeyring keyring;
  const Json* secrets = pod.Find("spec.imagePullSecrets");
  if (secrets == nullptr || !secrets->is_array()) return {};
  for (const auto& s : *secrets) {
    std::string name = s.is_object() ? s.value("name", "") : "";
    if (name.empty()) continue;
    auto secret = client_->Get({"", "v1", "Secret"}, pod.namespace_(), name);
    if (!secret) {
      problems->push_back(name);
      continue;
    }
    if (auto st = keyring.AddSecret(*secret); !st) {
      spdlog::warn("image pull secret unusable pod={}/{} secret={} error=\"{}\"", pod.namespace_(),
                   pod.name(), name, st.error().message);
      problems->push_back(name);
    }
  }
  return keyring.Lookup(ref);
}

std::shared_ptr<ImagePullJob> ImagePuller::StartOrJoin(const ImageReference& ref,
                                                       std::vector<RegistryAuth> credentials) {
  std::lock_guard lock(mu_);
  std::string key = ref.String();
  if (auto it = running_.find(key); it != running_.end()) return it->second;
  // Reap the threads of finished pulls.
  std::erase_if(threads_, [](const std::shared_ptr<ImagePullJob>& j) {
    std::lock_guard jl(j->mu);
    if (!j->done) return false;
    if (j->thread.joinable()) j->thread.join();
    return true;
  });
  auto job = std::make_shared<ImagePullJob>();
  running_[key] = job;
  threads_.push_back(job);
  job->thread = std::thread([this, job, key, credentials = std::move(credentials)] {
    auto start = Steady::now();
    auto r = store_->Pull(key, credentials, opts_);
    {
      std::lock_guard l(mu_);
      running_.erase(key);
    }
    std::lock_guard jl(job->mu);
    job->result = std::move(r);
    job->took = Steady::now() - start;
    job->done = true;
    job->cv.notify_all();
  });
  return job;
}

api::Result<ImageInfo> ImagePuller::Pull(std::string_view ref_in,
                                         const std::vector<RegistryAuth>& credentials) {
  auto ref = ParseImageReference(ref_in);
  if (!ref) return std::unexpected(ref.error());
  auto job = StartOrJoin(*ref, credentials);
  std::unique_lock lock(job->mu);
  job->cv.wait(lock, [&] { return job->done; });
  return job->result;
}

ImagePuller::Outcome ImagePuller::Ensure(const api::Object& pod, const Json& container,
                                         ImagePullState& state, const EventSink& event) {
  auto emit = [&](const std::string& type, const std::string& reason, const std::string& msg) {
    std::string key = reason + "\n" + msg;
    if (key == state.last_event) return;
    state.last_event = key;
    event(type, reason, msg);
  };
  std::string image = container.value("image", "");
  Outcome out;
  auto ref = ParseImageReference(image);
  if (!ref) {
    out.reason = "InvalidImageName";
    out.message = "Failed to apply default image tag \"" + image + "\": " + ref.error().message;
    emit("Warning", "InspectFailed", out.message);
    return out;
  }
  std::string policy = container.value("imagePullPolicy", "");
  if (policy.empty()) policy = DefaultPullPolicy(*ref);
  auto present = store_->Resolve(ref->String());
  if (policy != "Always" && !state.job) {
    if (present) {
      emit("Normal", "Pulled", "Container image \"" + image + "\" already present on machine");
      out.image = std::move(*present);
      return out;
    }
    if (policy == "Never") {
      out.reason = "ErrImageNeverPull";
      out.message = "Container image \"" + image + "\" is not present with pull policy of Never";
      emit("Warning", "ErrImageNeverPull", out.message);
      return out;
    }
  }
  auto now = clock_->Now();
  if (state.job) {
    std::shared_ptr<ImagePullJob> job = state.job;
    api::Result<ImageInfo> result = std::unexpected(api::Internal("pull not finished"));
    Steady::duration took{};
    {
      std::lock_guard lock(job->mu);
      if (!job->done) return out;  // still pulling: ContainerCreating
      result = job->result;
      took = job->took;
    }
    state.job.reset();
    if (result) {
      auto ms = [](Steady::duration d) {
        return std::chrono::duration_cast<std::chrono::milliseconds>(d);
      };
      emit("Normal", "Pulled",
           "Successfully pulled image \"" + image + "\" in " + GoDuration(ms(took)) + " (" +
               GoDuration(ms(Steady::now() - state.waiting_since)) +
               " including waiting). Image size: " + std::to_string(result->size) + " bytes.");
      state.backoff = RestartBackoff();
      state.failure.clear();
      out.image = std::move(*result);
      return out;
    }
    state.backoff.Restarted(now);
    state.failure = result.error().message;
    state.failed_at = now;
    out.reason = "ErrImagePull";
    out.message = result.error().message;
    emit("Warning", "Failed", "Failed to pull image \"" + image + "\": " + out.message);
    return out;
  }
  if (state.backoff.Remaining(now) > Steady::duration::zero()) {
    if (!state.failure.empty() && now - state.failed_at < kErrImagePullHold) {
      out.reason = "ErrImagePull";
      out.message = state.failure;
      return out;
    }
    out.reason = "ImagePullBackOff";
    out.message = "Back-off pulling image \"" + image + "\"";
    emit("Normal", "BackOff", out.message);
    return out;
  }
  std::vector<std::string> problems;
  auto creds = CredentialsFor(pod, *ref, &problems);
  if (!problems.empty()) {
    std::string names;
    for (auto& p : problems) names += (names.empty() ? "" : ", ") + p;
    emit("Warning", "FailedToRetrieveImagePullSecret",
         "Unable to retrieve some image pull secrets (" + names +
             "); attempting to pull the image may not succeed.");
  }
  emit("Normal", "Pulling", "Pulling image \"" + image + "\"");
  state.waiting_since = Steady::now();
  state.job = StartOrJoin(*ref, std::move(creds));
  return out;
}

}  // namespace keelson::runtime
