// kill -9 durability: a child process writes in a loop and acknowledges each write to the parent,
// the parent SIGKILLs it mid-stream, reopens the store and finds every acknowledged write.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <set>
#include <string>

#include "store/store.h"
#include "tests/store/store_test_util.h"

namespace keelson::store {
namespace {

using testing::ConfigMap;
using testing::TempDir;

// Runs in the forked child: never returns.
[[noreturn]] void WriteForever(const std::string& dir, int ack_fd) {
  auto s = OpenSqlite(dir);
  if (!s) {
    int32_t fail = -1;
    (void)!write(ack_fd, &fail, sizeof fail);
    _exit(2);
  }
  for (int32_t i = 0;; ++i) {
    api::Object cm = ConfigMap("default", "k" + std::to_string(i));
    auto r = (*s)->Create("configmaps", cm);
    if (!r) _exit(3);
    // Updates too: the acknowledged value must be the one found after the crash.
    api::Object u = *r;
    u.json()["data"]["k"] = "updated";
    if (!(*s)->Update("configmaps", u)) _exit(4);
    if (write(ack_fd, &i, sizeof i) != sizeof i) _exit(5);
  }
}

TEST(SqliteDurability, KillNineLosesNoAcknowledgedWrite) {
  TempDir dir;
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(fds[0]);
    WriteForever(dir.path(), fds[1]);
  }
  close(fds[1]);
  std::set<int32_t> acked;
  bool killed = false;
  for (;;) {
    int32_t i;
    ssize_t n = read(fds[0], &i, sizeof i);
    if (n != sizeof i) break;  // EOF after the kill
    if (i < 0) {
      ADD_FAILURE() << "child could not open the store";
      break;
    }
    acked.insert(i);
    if (!killed && acked.size() >= 150) {
      ASSERT_EQ(kill(child, SIGKILL), 0);
      killed = true;
    }
  }
  close(fds[0]);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "status " << status;
  ASSERT_GE(acked.size(), 150u);

  auto s = OpenSqlite(dir.path());
  ASSERT_TRUE(s) << s.error().message;
  for (int32_t i : acked) {
    auto cm = (*s)->Get("configmaps", "default", "k" + std::to_string(i));
    ASSERT_TRUE(cm) << "acknowledged write k" << i << " lost: " << cm.error().message;
    EXPECT_EQ(cm->data()["k"], "updated") << "k" << i;
  }
  auto list = (*s)->List("configmaps", "default");
  ASSERT_TRUE(list);
  EXPECT_GE(list->items.size(), acked.size());
  // The revision counter continues after the last durable write.
  auto next = (*s)->Create("configmaps", ConfigMap("default", "after-crash"));
  ASSERT_TRUE(next) << next.error().message;
  EXPECT_EQ(next->resource_version(), std::to_string(list->revision + 1));
}

}  // namespace
}  // namespace keelson::store
