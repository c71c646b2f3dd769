// keelsond: the Keelson daemon.
#include <csignal>
#include <cstdio>

#include "daemon/config.h"
#include "daemon/daemon.h"
#include "daemon/log.h"

using namespace keelson;

int main(int argc, char** argv) {
  auto cfg = daemon::ParseArgs(argc, argv);
  if (!cfg) {
    if (cfg.error().name == "help") {
      std::fputs(cfg.error().message.c_str(), stdout);
      return 0;
    }
    std::fprintf(stderr, "keelsond: %s\n", cfg.error().message.c_str());
    return 2;
  }
  if (auto s = daemon::SetupLogging(cfg->log_format, cfg->log_level); !s) {
    std::fprintf(stderr, "keelsond: %s\n", s.error().message.c_str());
    return 2;
  }
  // Signals are taken by a sigwait below; every thread inherits the mask.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  auto d = daemon::Daemon::Create(*cfg);
  if (!d) {
    daemon::LogError("start failed", {{"error", d.error().message}});
    return 1;
  }
  (*d)->Start();
  int sig = 0;
  sigwait(&set, &sig);
  daemon::LogInfo("shutting down", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
  (*d)->Stop();
  d->reset();
  daemon::LogInfo("stopped");
  spdlog::shutdown();
  return 0;
}
