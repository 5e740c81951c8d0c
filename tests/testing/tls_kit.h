// TLS for tests: certificates made at run time with the openssl tool (a CA, a server certificate
// for 127.0.0.1 and localhost, a client certificate from the CA and one from an unrelated CA), a
// small synchronous TLS RESP client with deadlines, and a way to run a tool such as redis-cli.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tests/testing/temp_dir.h"

namespace resplit::testkit {

struct ToolRun {
  int exit_code = -1;  // -1: did not exit in time (killed)
  std::string output;  // stdout and stderr
};
// Runs `argv` (argv[0] an absolute path) with stdin from /dev/null, within `timeout`.
ToolRun run_tool(const std::vector<std::string>& argv,
                 std::chrono::milliseconds timeout = std::chrono::seconds(10));

class TlsFiles {
 public:
  // Generates everything (RSA 2048, valid for two days); throws std::runtime_error on failure.
  TlsFiles();
  const std::string& dir() const { return dir_->path(); }
  std::string ca() const { return dir_->file("ca.crt"); }
  std::string other_ca() const { return dir_->file("other-ca.crt"); }
  std::string server_cert() const { return dir_->file("server.crt"); }
  std::string server_key() const { return dir_->file("server.key"); }
  std::string client_cert() const { return dir_->file("client.crt"); }
  std::string client_key() const { return dir_->file("client.key"); }
  std::string stranger_cert() const { return dir_->file("stranger.crt"); }  // from other_ca()
  std::string stranger_key() const { return dir_->file("stranger.key"); }

  // A further certificate signed by ca(), with `common_name` and the server's subjectAltName;
  // writes `<name>.crt` and `<name>.key` and returns the directory's path for them.
  void issue_server(const std::string& name, const std::string& common_name) const;
  std::string file(const std::string& name) const { return dir_->file(name); }

 private:
  void issue(const std::string& name, const std::string& subject, const std::string& ca_name,
             bool server) const;
  std::unique_ptr<TempDir> dir_;
};

// A TLS client speaking RESP, for tests: every call has a deadline. Replies are the raw bytes of
// one reply (a simple line, or a bulk string with its header); empty on any failure.
class TlsTestClient {
 public:
  TlsTestClient(uint16_t port, const std::string& ca_file, const std::string& cert_file = "",
                const std::string& key_file = "",
                std::chrono::milliseconds timeout = std::chrono::seconds(3));
  ~TlsTestClient();

  bool handshake_ok() const { return handshake_ok_; }
  const std::string& error() const { return error_; }
  // The common name of the certificate the server presented.
  const std::string& server_name() const { return server_name_; }
  std::string command(const std::vector<std::string>& args);

 private:
  struct State;
  std::unique_ptr<State> state_;
  bool handshake_ok_ = false;
  std::string error_;
  std::string server_name_;
};

}  // namespace resplit::testkit
