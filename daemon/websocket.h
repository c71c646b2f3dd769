// RFC 6455 WebSocket, server side, and the Kubernetes remote-command channel protocol
// (v5.channel.k8s.io / v4.channel.k8s.io) that `kubectl exec` speaks over it.
//
// Contract:
//   - Handshake() checks an upgrade request's headers and computes the 101 response; it never
//     touches a connection.
//   - Conn reads and writes frames over a Transport (the TLS connection the HTTP server accepted,
//     or a socketpair in tests). Reads answer pings with pongs and unmask client frames; every
//     read is bounded by `max_message`. Not thread-safe: one thread drives a connection.
//   - ServeRemoteCommand() runs one exec session: it collects stdin (channel 0) until the client
//     closes it (v5 close signal or end of the WebSocket), calls `run` with it, sends stdout
//     (channel 1) and stderr (channel 2), then the result as a metav1.Status on channel 3, and
//     closes the WebSocket with 1000. Exit codes travel the way kubectl decodes them
//     (reason NonZeroExitCode, cause ExitCode).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "api/error.h"
#include "runtime/container_runtime.h"

namespace keelson::daemon::ws {

// What the upgrade request carried (header values as sent; names are case-insensitive upstream).
struct UpgradeRequest {
  std::string upgrade;     // Upgrade: websocket
  std::string connection;  // Connection: Upgrade (a token list)
  std::string key;         // Sec-WebSocket-Key
  std::string version;     // Sec-WebSocket-Version: 13
  std::string protocols;   // Sec-WebSocket-Protocol: a, b (client's preference order)
};

struct HandshakeResult {
  std::string protocol;  // the chosen subprotocol ("" when none was offered)
  std::string response;  // the full "HTTP/1.1 101 Switching Protocols\r\n...\r\n\r\n" text
};

// True when the headers ask for a WebSocket upgrade at all.
bool IsUpgrade(const UpgradeRequest& req);

// Validates the request and picks the first of the client's protocols that `supported` lists.
// Errors: BadRequest naming the missing or wrong header, or the protocols when none is
// supported.
api::Result<HandshakeResult> Handshake(const UpgradeRequest& req,
                                       const std::vector<std::string>& supported);

// Sec-WebSocket-Accept for a key: base64(SHA-1(key + RFC 6455 GUID)).
std::string AcceptKey(std::string_view key);

// A byte stream: the accepted connection. Read returns bytes read, 0 at end of stream, < 0 on
// error; Write returns false on error.
class Transport {
 public:
  virtual ~Transport() = default;
  virtual long Read(void* buf, size_t len) = 0;
  virtual bool Write(const void* buf, size_t len) = 0;
  // The socket to poll for readability, and whether bytes are already buffered above it.
  virtual int Fd() const = 0;
  virtual bool Pending() const { return false; }
};

// A Transport over an accepted OpenSSL connection (`ssl` is an SSL*; the HTTP server keeps
// owning it). Destroying it shuts the TLS stream and the socket down, so that whatever the HTTP
// server writes afterwards fails and it drops the connection instead of writing a response into
// the WebSocket.
class SslTransport : public Transport {
 public:
  explicit SslTransport(void* ssl) : ssl_(ssl) {}
  ~SslTransport() override;
  long Read(void* buf, size_t len) override;
  bool Write(const void* buf, size_t len) override;
  int Fd() const override;
  bool Pending() const override;

 private:
  void* ssl_;
};

enum class Opcode : uint8_t {
  kContinuation = 0x0,
  kText = 0x1,
  kBinary = 0x2,
  kClose = 0x8,
  kPing = 0x9,
  kPong = 0xA
};

struct Message {
  Opcode opcode = Opcode::kBinary;  // kText, kBinary or kClose
  std::string payload;
  uint16_t close_code = 0;  // for kClose (1005 when the frame carried none)
};

class Conn {
 public:
  explicit Conn(Transport& t, size_t max_message = 16u << 20) : t_(t), max_(max_message) {}
  Transport& transport() { return t_; }
  // The next data or close message (fragments joined; pings answered; pongs skipped). Errors:
  // BadRequest (protocol violation: unmasked client frame, bad opcode, oversized message),
  // InternalError (the connection broke or ended).
  api::Result<Message> Read();
  // One unfragmented server frame (never masked). False when the connection broke.
  bool Write(Opcode op, std::string_view payload);
  // A close frame with `code` and `reason`.
  bool Close(uint16_t code, std::string_view reason = {});

 private:
  bool ReadFull(void* buf, size_t len);
  Transport& t_;
  size_t max_;
};

// The client's side of frames, for tests and tools: masks with `mask_key`.
std::string EncodeClientFrame(Opcode op, std::string_view payload, uint32_t mask_key = 0x1234abcd,
                              bool fin = true);

// Remote-command channels.
inline constexpr uint8_t kStdin = 0, kStdout = 1, kStderr = 2, kError = 3, kResize = 4,
                         kCloseStream = 255;

struct RemoteCommandOptions {
  bool stdin = false;
  bool stdout = true;
  bool stderr = true;
  bool tty = false;
  std::string command;  // the argv joined with spaces, for the exit Status message
};

struct RemoteCommandResult {
  int exit_code = 0;
  std::string out;
  std::string err;
};

// Runs one exec session as described above. `run` gets the collected stdin and returns the
// command's output, or an error that goes to the client as a Failure Status on channel 3.
// Returns an error only when the connection itself failed.
api::Status ServeRemoteCommand(
    Conn& conn, const RemoteCommandOptions& opts,
    const std::function<api::Result<RemoteCommandResult>(const std::string& stdin_data)>& run);

// Runs one interactive session over a started process (runtime::ContainerRuntime::ExecStart):
// stdin frames go to the process as they arrive (the v5 close signal closes its stdin), resize
// messages (channel 4, {"Width":w,"Height":h}) resize the terminal, output is sent as it is
// produced; when the output ends the exit status goes on channel 3 and the WebSocket closes.
// If the client goes away first the process is sent SIGTERM (SIGKILL after 2 s). Takes
// ownership of the process's fds and reaps it. Returns an error only when the connection failed.
api::Status ServeRemoteCommandStream(Conn& conn, const RemoteCommandOptions& opts,
                                     runtime::ExecProcess proc);

// The metav1.Status JSON kubectl expects on channel 3 for an exit code (Success for 0).
std::string ExitStatusJson(int exit_code, std::string_view command);

}  // namespace keelson::daemon::ws
