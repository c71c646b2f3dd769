#include "daemon/websocket.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <nlohmann/json.hpp>
#include <thread>

#include "runtime/process.h"

namespace keelson::daemon::ws {
namespace {

class FdTransport : public Transport {
 public:
  explicit FdTransport(int fd) : fd_(fd) {}
  long Read(void* buf, size_t len) override { return ::read(fd_, buf, len); }
  bool Write(const void* buf, size_t len) override {
    return ::write(fd_, buf, len) == static_cast<ssize_t>(len);
  }
  int Fd() const override { return fd_; }

 private:
  int fd_;
};

struct Pair {
  int fds[2];
  Pair() { EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0); }
  ~Pair() {
    close(fds[0]);
    close(fds[1]);
  }
  void ClientSend(const std::string& bytes) {
    ASSERT_EQ(::write(fds[1], bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  }
  // Reads one unmasked server frame from the client end.
  std::pair<int, std::string> ClientRead() {
    uint8_t h[2];
    if (::read(fds[1], h, 2) != 2) return {-1, ""};
    uint64_t len = h[1] & 0x7f;
    if (len == 126) {
      uint8_t e[2];
      EXPECT_EQ(::read(fds[1], e, 2), 2);
      len = (e[0] << 8) | e[1];
    } else if (len == 127) {
      uint8_t e[8];
      EXPECT_EQ(::read(fds[1], e, 8), 8);
      len = 0;
      for (auto b : e) len = (len << 8) | b;
    }
    std::string p(len, '\0');
    size_t got = 0;
    while (got < len) {
      auto n = ::read(fds[1], p.data() + got, len - got);
      if (n <= 0) break;
      got += static_cast<size_t>(n);
    }
    return {h[0] & 0x0f, p};
  }
};

TEST(WebSocketHandshake, AcceptKeyMatchesRfc6455Example) {
  EXPECT_EQ(AcceptKey("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(WebSocketHandshake, PicksTheClientsFirstSupportedProtocol) {
  UpgradeRequest req{"websocket", "keep-alive, Upgrade", "dGhlIHNhbXBsZSBub25jZQ==", "13",
                     "v5.channel.k8s.io, v4.channel.k8s.io"};
  auto r = Handshake(req, {"v4.channel.k8s.io", "v5.channel.k8s.io"});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->protocol, "v5.channel.k8s.io");
  EXPECT_NE(r->response.find("HTTP/1.1 101 Switching Protocols\r\n"), std::string::npos);
  EXPECT_NE(r->response.find("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"),
            std::string::npos);
  EXPECT_NE(r->response.find("Sec-WebSocket-Protocol: v5.channel.k8s.io\r\n"), std::string::npos);
  EXPECT_TRUE(r->response.ends_with("\r\n\r\n"));
}

TEST(WebSocketHandshake, RefusesBadRequestsWithTheHeaderNamed) {
  UpgradeRequest ok{"websocket", "Upgrade", "dGhlIHNhbXBsZSBub25jZQ==", "13", ""};
  auto no_upgrade = ok;
  no_upgrade.upgrade = "h2c";
  EXPECT_FALSE(IsUpgrade(no_upgrade));
  EXPECT_FALSE(Handshake(no_upgrade, {}));
  auto v8 = ok;
  v8.version = "8";
  auto r = Handshake(v8, {});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("Sec-WebSocket-Version"), std::string::npos);
  auto nokey = ok;
  nokey.key = "";
  r = Handshake(nokey, {});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("Sec-WebSocket-Key"), std::string::npos);
  auto proto = ok;
  proto.protocols = "v1.channel.k8s.io";
  r = Handshake(proto, {"v5.channel.k8s.io"});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("v1.channel.k8s.io"), std::string::npos);
}

TEST(WebSocketConn, JoinsFragmentsAnswersPingsAndUnmasks) {
  Pair p;
  FdTransport t(p.fds[0]);
  Conn conn(t);
  p.ClientSend(EncodeClientFrame(Opcode::kText, "hel", 0x01020304, false));
  p.ClientSend(EncodeClientFrame(Opcode::kPing, "beat"));
  p.ClientSend(EncodeClientFrame(Opcode::kContinuation, "lo", 0x0a0b0c0d, true));
  auto m = conn.Read();
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->opcode, Opcode::kText);
  EXPECT_EQ(m->payload, "hello");
  auto pong = p.ClientRead();
  EXPECT_EQ(pong.first, 0xA);
  EXPECT_EQ(pong.second, "beat");
}

TEST(WebSocketConn, LongPayloadLengthsRoundTrip) {
  Pair p;
  FdTransport t(p.fds[0]);
  Conn conn(t);
  std::string big(70000, 'x');
  std::thread writer([&] { p.ClientSend(EncodeClientFrame(Opcode::kBinary, big)); });
  auto m = conn.Read();
  writer.join();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->payload.size(), big.size());
  std::string mid(300, 'y');
  ASSERT_TRUE(conn.Write(Opcode::kBinary, mid));
  EXPECT_EQ(p.ClientRead().second, mid);
}

TEST(WebSocketConn, RefusesUnmaskedAndOversizedFrames) {
  {
    Pair p;
    FdTransport t(p.fds[0]);
    Conn conn(t);
    std::string unmasked = "\x82\x01x";
    p.ClientSend(unmasked);
    auto m = conn.Read();
    ASSERT_FALSE(m);
    EXPECT_NE(m.error().message.find("not masked"), std::string::npos);
  }
  {
    Pair p;
    FdTransport t(p.fds[0]);
    Conn conn(t, 10);
    p.ClientSend(EncodeClientFrame(Opcode::kBinary, std::string(11, 'z')));
    auto m = conn.Read();
    ASSERT_FALSE(m);
    EXPECT_NE(m.error().message.find("larger than 10 bytes"), std::string::npos);
  }
}

TEST(WebSocketRemoteCommand, StdinUntilCloseSignalThenOutputsAndExitStatus) {
  Pair p;
  FdTransport t(p.fds[0]);
  Conn conn(t);
  p.ClientSend(EncodeClientFrame(Opcode::kBinary, std::string("\x00", 1) + "line1\n"));
  p.ClientSend(EncodeClientFrame(Opcode::kBinary, std::string("\x00", 1) + "line2\n"));
  p.ClientSend(EncodeClientFrame(Opcode::kBinary, std::string("\xff\x00", 2)));
  std::string seen;
  RemoteCommandOptions opts;
  opts.stdin = true;
  opts.command = "sh -c exit 3";
  auto st = ServeRemoteCommand(conn, opts, [&](const std::string& in) {
    seen = in;
    return api::Result<RemoteCommandResult>(RemoteCommandResult{3, "out", "err"});
  });
  ASSERT_TRUE(st) << st.error().message;
  EXPECT_EQ(seen, "line1\nline2\n");
  auto out = p.ClientRead();
  EXPECT_EQ(out.second, std::string("\x01") + "out");
  auto err = p.ClientRead();
  EXPECT_EQ(err.second, std::string("\x02") + "err");
  auto status = p.ClientRead();
  ASSERT_EQ(status.second[0], '\x03');
  auto j = nlohmann::json::parse(status.second.substr(1));
  EXPECT_EQ(j["status"], "Failure");
  EXPECT_EQ(j["reason"], "NonZeroExitCode");
  EXPECT_EQ(j["details"]["causes"][0]["reason"], "ExitCode");
  EXPECT_EQ(j["details"]["causes"][0]["message"], "3");
  auto close = p.ClientRead();
  EXPECT_EQ(close.first, 0x8);
  EXPECT_EQ(close.second.substr(0, 2), std::string("\x03\xe8", 2));
}

TEST(WebSocketRemoteCommand, RunErrorsBecomeAFailureStatus) {
  Pair p;
  FdTransport t(p.fds[0]);
  Conn conn(t);
  auto st = ServeRemoteCommand(conn, {}, [](const std::string&) {
    return api::Result<RemoteCommandResult>(
        std::unexpected(api::BadRequest("container c is not running")));
  });
  ASSERT_TRUE(st);
  auto status = p.ClientRead();
  auto j = nlohmann::json::parse(status.second.substr(1));
  EXPECT_EQ(j["status"], "Failure");
  EXPECT_EQ(j["message"], "container c is not running");
  EXPECT_EQ(ExitStatusJson(0, "x"), R"({"metadata":{},"status":"Success"})");
}

TEST(WebSocketRemoteCommand, StreamsALiveProcessBothWays) {
  Pair p;
  FdTransport t(p.fds[0]);
  Conn conn(t);
  auto child =
      runtime::StartCommand({"sh", "-c", "echo ready; read x; echo got $x; echo e >&2; exit 2"});
  ASSERT_TRUE(child) << child.error().message;
  RemoteCommandOptions opts;
  opts.stdin = true;
  api::Status st;
  std::thread server([&] {
    st = ServeRemoteCommandStream(conn, opts, {child->pid, -1, child->in, child->out, child->err});
  });
  // The process speaks first; the client answers only after it saw that output.
  EXPECT_EQ(p.ClientRead().second, std::string("\x01") + "ready\n");
  p.ClientSend(EncodeClientFrame(Opcode::kBinary, std::string("\x00", 1) + "hi\n"));
  p.ClientSend(EncodeClientFrame(Opcode::kBinary, std::string("\xff\x00", 2)));
  std::string out, err, status;
  for (;;) {
    auto [op, payload] = p.ClientRead();
    if (op != 0x2) break;
    if (payload[0] == 1) out += payload.substr(1);
    if (payload[0] == 2) err += payload.substr(1);
    if (payload[0] == 3) status = payload.substr(1);
  }
  server.join();
  ASSERT_TRUE(st) << st.error().message;
  EXPECT_EQ(out, "got hi\n");
  EXPECT_EQ(err, "e\n");
  EXPECT_EQ(nlohmann::json::parse(status)["details"]["causes"][0]["message"], "2");
}

TEST(WebSocketRemoteCommand, AClientThatLeavesEndsTheProcess) {
  Pair p;
  FdTransport t(p.fds[0]);
  Conn conn(t);
  auto child = runtime::StartCommand({"sleep", "60"});
  ASSERT_TRUE(child);
  RemoteCommandOptions opts;
  opts.stdin = true;
  p.ClientSend(EncodeClientFrame(Opcode::kClose, std::string("\x03\xe8", 2)));
  auto start = std::chrono::steady_clock::now();
  auto st =
      ServeRemoteCommandStream(conn, opts, {child->pid, -1, child->in, child->out, child->err});
  EXPECT_FALSE(st);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_NE(kill(child->pid, 0), 0) << "the process was reaped";
}

}  // namespace
}  // namespace keelson::daemon::ws
