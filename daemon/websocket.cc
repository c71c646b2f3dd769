#include "daemon/websocket.h"

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "api/base64.h"
#include "runtime/process.h"

namespace keelson::daemon::ws {
namespace {

constexpr std::string_view kGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

std::string Lower(std::string_view s) {
  std::string out(s);
  std::ranges::transform(out, out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Splits a comma-separated header value into trimmed, non-empty tokens.
std::vector<std::string> Tokens(std::string_view v) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= v.size()) {
    size_t comma = v.find(',', start);
    if (comma == std::string_view::npos) comma = v.size();
    auto tok = Trim(v.substr(start, comma - start));
    if (!tok.empty()) out.emplace_back(tok);
    start = comma + 1;
  }
  return out;
}

std::string Frame(Opcode op, std::string_view payload, const uint8_t* mask, bool fin) {
  std::string f;
  f.reserve(payload.size() + 14);
  f.push_back(static_cast<char>((fin ? 0x80 : 0) | static_cast<uint8_t>(op)));
  uint8_t mask_bit = mask ? 0x80 : 0;
  if (payload.size() < 126) {
    f.push_back(static_cast<char>(mask_bit | payload.size()));
  } else if (payload.size() <= 0xffff) {
    f.push_back(static_cast<char>(mask_bit | 126));
    f.push_back(static_cast<char>(payload.size() >> 8));
    f.push_back(static_cast<char>(payload.size() & 0xff));
  } else {
    f.push_back(static_cast<char>(mask_bit | 127));
    for (int i = 7; i >= 0; --i) f.push_back(static_cast<char>((payload.size() >> (8 * i)) & 0xff));
  }
  if (mask) {
    f.append(reinterpret_cast<const char*>(mask), 4);
    for (size_t i = 0; i < payload.size(); ++i) f.push_back(payload[i] ^ mask[i % 4]);
  } else {
    f.append(payload);
  }
  return f;
}

}  // namespace

bool IsUpgrade(const UpgradeRequest& req) {
  if (Lower(Trim(req.upgrade)) != "websocket") return false;
  for (auto& tok : Tokens(req.connection)) {
    if (Lower(tok) == "upgrade") return true;
  }
  return false;
}

std::string AcceptKey(std::string_view key) {
  std::string in = std::string(key) + std::string(kGuid);
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(in.data()), in.size(), digest);
  return api::Base64Encode(std::string_view(reinterpret_cast<char*>(digest), SHA_DIGEST_LENGTH));
}

api::Result<HandshakeResult> Handshake(const UpgradeRequest& req,
                                       const std::vector<std::string>& supported) {
  if (!IsUpgrade(req)) {
    return std::unexpected(
        api::BadRequest("not a WebSocket upgrade: want \"Upgrade: websocket\" and "
                        "\"Connection: Upgrade\""));
  }
  if (Trim(req.version) != "13") {
    return std::unexpected(
        api::BadRequest("unsupported Sec-WebSocket-Version \"" + req.version + "\": want 13"));
  }
  auto key = Trim(req.key);
  // The key is 16 random bytes in base64: 24 characters.
  if (key.size() != 24) {
    return std::unexpected(api::BadRequest("missing or malformed Sec-WebSocket-Key"));
  }
  HandshakeResult out;
  auto offered = Tokens(req.protocols);
  for (auto& p : offered) {
    if (std::ranges::find(supported, p) != supported.end()) {
      out.protocol = p;
      break;
    }
  }
  if (!offered.empty() && out.protocol.empty()) {
    std::string want;
    for (auto& s : supported) want += (want.empty() ? "" : ", ") + s;
    return std::unexpected(api::BadRequest("none of the requested subprotocols [" + req.protocols +
                                           "] is supported; want one of [" + want + "]"));
  }
  out.response =
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Accept: " +
      AcceptKey(key) + "\r\n";
  if (!out.protocol.empty()) out.response += "Sec-WebSocket-Protocol: " + out.protocol + "\r\n";
  out.response += "\r\n";
  return out;
}

SslTransport::~SslTransport() {
  // The session is over: close the TLS stream and the socket so that whatever the HTTP server
  // writes next fails and it drops the connection.
  auto* ssl = static_cast<SSL*>(ssl_);
  SSL_shutdown(ssl);
  ::shutdown(SSL_get_fd(ssl), SHUT_RDWR);
}

long SslTransport::Read(void* buf, size_t len) {
  int n = SSL_read(static_cast<SSL*>(ssl_), buf, static_cast<int>(std::min<size_t>(len, 1 << 30)));
  return n > 0 ? n : (SSL_get_error(static_cast<SSL*>(ssl_), n) == SSL_ERROR_ZERO_RETURN ? 0 : -1);
}

int SslTransport::Fd() const { return SSL_get_fd(static_cast<SSL*>(ssl_)); }

bool SslTransport::Pending() const { return SSL_pending(static_cast<SSL*>(ssl_)) > 0; }

bool SslTransport::Write(const void* buf, size_t len) {
  auto* p = static_cast<const char*>(buf);
  while (len > 0) {
    int n = SSL_write(static_cast<SSL*>(ssl_), p, static_cast<int>(std::min<size_t>(len, 1 << 30)));
    if (n <= 0) return false;
    p += n;
    len -= static_cast<size_t>(n);
  }
  return true;
}

bool Conn::ReadFull(void* buf, size_t len) {
  auto* p = static_cast<char*>(buf);
  while (len > 0) {
    long n = t_.Read(p, len);
    if (n <= 0) return false;
    p += n;
    len -= static_cast<size_t>(n);
  }
  return true;
}

api::Result<Message> Conn::Read() {
  Message msg;
  bool in_message = false;
  for (;;) {
    uint8_t h[2];
    if (!ReadFull(h, 2)) {
      return std::unexpected(api::Internal("websocket connection ended"));
    }
    bool fin = h[0] & 0x80;
    if (h[0] & 0x70) return std::unexpected(api::BadRequest("websocket: reserved bits set"));
    auto op = static_cast<Opcode>(h[0] & 0x0f);
    if (!(h[1] & 0x80)) {
      return std::unexpected(api::BadRequest("websocket: client frame is not masked"));
    }
    uint64_t len = h[1] & 0x7f;
    if (len == 126) {
      uint8_t e[2];
      if (!ReadFull(e, 2)) return std::unexpected(api::Internal("websocket: short frame"));
      len = (uint64_t{e[0]} << 8) | e[1];
    } else if (len == 127) {
      uint8_t e[8];
      if (!ReadFull(e, 8)) return std::unexpected(api::Internal("websocket: short frame"));
      len = 0;
      for (auto b : e) len = (len << 8) | b;
    }
    uint8_t mask[4];
    if (!ReadFull(mask, 4)) return std::unexpected(api::Internal("websocket: short frame"));
    bool control = static_cast<uint8_t>(op) & 0x08;
    if (control && (len > 125 || !fin)) {
      return std::unexpected(api::BadRequest("websocket: malformed control frame"));
    }
    size_t have = control ? 0 : msg.payload.size();
    if (len > max_ || have + len > max_) {
      return std::unexpected(
          api::BadRequest("websocket: message larger than " + std::to_string(max_) + " bytes"));
    }
    std::string payload(static_cast<size_t>(len), '\0');
    if (len > 0 && !ReadFull(payload.data(), payload.size())) {
      return std::unexpected(api::Internal("websocket: short frame"));
    }
    for (size_t i = 0; i < payload.size(); ++i) payload[i] ^= static_cast<char>(mask[i % 4]);

    switch (op) {
      case Opcode::kPing:
        if (!Write(Opcode::kPong, payload)) {
          return std::unexpected(api::Internal("websocket connection broke"));
        }
        continue;
      case Opcode::kPong:
        continue;
      case Opcode::kClose: {
        Message c;
        c.opcode = Opcode::kClose;
        c.close_code = 1005;
        if (payload.size() >= 2) {
          c.close_code = static_cast<uint16_t>((uint8_t(payload[0]) << 8) | uint8_t(payload[1]));
          c.payload = payload.substr(2);
        }
        return c;
      }
      case Opcode::kText:
      case Opcode::kBinary:
        if (in_message) {
          return std::unexpected(api::BadRequest("websocket: new message inside a fragment"));
        }
        msg.opcode = op;
        msg.payload = std::move(payload);
        in_message = true;
        break;
      case Opcode::kContinuation:
        if (!in_message) {
          return std::unexpected(api::BadRequest("websocket: continuation without a start"));
        }
        msg.payload += payload;
        break;
      default:
        return std::unexpected(
            api::BadRequest("websocket: unknown opcode " + std::to_string(static_cast<int>(op))));
    }
    if (fin) return msg;
  }
}

bool Conn::Write(Opcode op, std::string_view payload) {
  auto f = Frame(op, payload, nullptr, true);
  return t_.Write(f.data(), f.size());
}

bool Conn::Close(uint16_t code, std::string_view reason) {
  std::string p;
  p.push_back(static_cast<char>(code >> 8));
  p.push_back(static_cast<char>(code & 0xff));
  p.append(reason.substr(0, 123));
  return Write(Opcode::kClose, p);
}

std::string EncodeClientFrame(Opcode op, std::string_view payload, uint32_t mask_key, bool fin) {
  uint8_t mask[4] = {static_cast<uint8_t>(mask_key >> 24), static_cast<uint8_t>(mask_key >> 16),
                     static_cast<uint8_t>(mask_key >> 8), static_cast<uint8_t>(mask_key)};
  return Frame(op, payload, mask, fin);
}

std::string ExitStatusJson(int exit_code, std::string_view command) {
  nlohmann::json s = {{"metadata", nlohmann::json::object()}};
  if (exit_code == 0) {
    s["status"] = "Success";
    return s.dump();
  }
  s["status"] = "Failure";
  s["message"] = "command terminated with non-zero exit code: error executing command [" +
                 std::string(command) + "], exit code " + std::to_string(exit_code);
  s["reason"] = "NonZeroExitCode";
  s["details"] = {{"causes", nlohmann::json::array({{{"reason", "ExitCode"},
                                                     {"message", std::to_string(exit_code)}}})}};
  return s.dump();
}

api::Status ServeRemoteCommand(
    Conn& conn, const RemoteCommandOptions& opts,
    const std::function<api::Result<RemoteCommandResult>(const std::string& stdin_data)>& run) {
  auto send = [&](uint8_t channel, std::string_view data) {
    std::string p(1, static_cast<char>(channel));
    p.append(data);
    return conn.Write(Opcode::kBinary, p);
  };
  auto broke = [] { return std::unexpected(api::Internal("websocket connection broke")); };

  std::string stdin_data;
  if (opts.stdin) {
    for (;;) {
      auto m = conn.Read();
      if (!m) {
        // The connection ended before stdin closed: nothing to run for anyone.
        return std::unexpected(m.error());
      }
      if (m->opcode == Opcode::kClose) break;  // the end of the socket ends stdin too
      if (m->payload.empty()) continue;
      auto channel = static_cast<uint8_t>(m->payload[0]);
      if (channel == kStdin) {
        stdin_data.append(m->payload, 1);
      } else if (channel == kCloseStream && m->payload.size() >= 2 &&
                 static_cast<uint8_t>(m->payload[1]) == kStdin) {
        break;
      }
      // Resize (4) and anything else carry nothing for a non-interactive exec.
    }
  }

  auto result = run(stdin_data);
  std::string status;
  if (!result) {
    status = result.error().ToStatus().dump();
  } else {
    if (opts.stdout && !result->out.empty() && !send(kStdout, result->out)) return broke();
    if (opts.stderr && !result->err.empty() && !send(kStderr, result->err)) return broke();
    status = ExitStatusJson(result->exit_code, opts.command);
  }
  if (!send(kError, status)) return broke();
  conn.Close(1000);
  return {};
}

namespace {

bool WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Ends a process whose client went away: SIGTERM, then SIGKILL after 2 s; returns its status.
int EndProcess(int pid) {
  kill(pid, SIGTERM);
  for (int i = 0; i < 40; ++i) {
    int st = 0;
    if (waitpid(pid, &st, WNOHANG) == pid) return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  kill(pid, SIGKILL);
  return runtime::WaitCommand(pid);
}

}  // namespace

api::Status ServeRemoteCommandStream(Conn& conn, const RemoteCommandOptions& opts,
                                     runtime::ExecProcess proc) {
  auto send = [&](uint8_t channel, std::string_view data) {
    std::string p(1, static_cast<char>(channel));
    p.append(data);
    return conn.Write(Opcode::kBinary, p);
  };
  // Outputs: the terminal (tty) or the stdout and stderr pipes.
  struct Output {
    int fd;
    uint8_t channel;
  };
  std::vector<Output> outputs;
  int input = proc.terminal >= 0 ? proc.terminal : proc.in;
  if (proc.terminal >= 0) {
    outputs.push_back({proc.terminal, kStdout});
  } else {
    if (proc.out >= 0) outputs.push_back({proc.out, kStdout});
    if (proc.err >= 0) outputs.push_back({proc.err, kStderr});
  }
  bool input_open = input >= 0;
  if (!opts.stdin && proc.in >= 0) {
    close(proc.in);
    input_open = false;
  }
  auto close_all = [&] {
    for (auto& o : outputs) close(o.fd);
    if (proc.in >= 0 && input_open && proc.terminal < 0) close(proc.in);
  };
  bool client_gone = false;
  char buf[32768];
  while (!outputs.empty()) {
    std::vector<pollfd> fds;
    fds.push_back({conn.transport().Fd(), POLLIN, 0});
    for (auto& o : outputs) fds.push_back({o.fd, POLLIN, 0});
    int timeout = conn.transport().Pending() ? 0 : -1;
    int r = ::poll(fds.data(), fds.size(), timeout);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) break;
    if (fds[0].revents || conn.transport().Pending()) {
      auto m = conn.Read();
      if (!m || m->opcode == Opcode::kClose) {
        client_gone = true;
        break;
      }
      if (!m->payload.empty()) {
        auto channel = static_cast<uint8_t>(m->payload[0]);
        std::string_view data(m->payload);
        data.remove_prefix(1);
        if (channel == kStdin && input_open && opts.stdin) {
          if (!WriteAll(input, data) && proc.terminal < 0) {
            close(proc.in);
            input_open = false;
          }
        } else if (channel == kResize && proc.terminal >= 0) {
          auto size = nlohmann::json::parse(data, nullptr, false);
          if (size.is_object()) {
            winsize ws{};
            ws.ws_col = size.value("Width", 0);
            ws.ws_row = size.value("Height", 0);
            ioctl(proc.terminal, TIOCSWINSZ, &ws);
          }
        } else if (channel == kCloseStream && data.size() == 1 &&
                   static_cast<uint8_t>(data[0]) == kStdin && input_open) {
          if (proc.terminal >= 0) {
            WriteAll(proc.terminal, "\x04");  // end of input on a terminal is ^D
          } else {
            close(proc.in);
          }
          input_open = false;
        }
      }
    }
    for (size_t i = 1; i < fds.size(); ++i) {
      if (!fds[i].revents) continue;
      int fd = fds[i].fd;
      auto it = std::ranges::find_if(outputs, [&](const Output& o) { return o.fd == fd; });
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n > 0) {
        bool wanted = it->channel == kStdout ? opts.stdout : opts.stderr;
        if (wanted && !send(it->channel, std::string_view(buf, static_cast<size_t>(n)))) {
          client_gone = true;
          break;
        }
        continue;
      }
      // End of output (EIO on a terminal whose last writer closed).
      close(fd);
      outputs.erase(it);
    }
    if (client_gone) break;
  }
  if (client_gone) {
    close_all();
    EndProcess(proc.pid);
    return std::unexpected(api::Internal("the exec client went away"));
  }
  close_all();
  int code = runtime::WaitCommand(proc.pid);
  if (!send(kError, ExitStatusJson(code, opts.command))) {
    return std::unexpected(api::Internal("websocket connection broke"));
  }
  conn.Close(1000);
  return {};
}

}  // namespace keelson::daemon::ws
