#include "tests/testing/tls_kit.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/wait.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>

#include "tests/testing/child_process.h"

namespace resplit::testkit {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using asio::ip::tcp;
using boost::system::error_code;

ToolRun run_tool(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  TempDir dir("tool");
  const std::string output = dir.file("output.txt");
  ToolRun run;
  ChildProcess child;
  child.start(argv, output, dir.path());
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!child.exited() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (child.exited()) {
    const int status = child.reap();
    if (status >= 0 && WIFEXITED(status)) run.exit_code = WEXITSTATUS(status);
  } else {
    child.kill9();
  }
  std::ifstream in(output);
  std::ostringstream text;
  text << in.rdbuf();
  run.output = text.str();
  return run;
}

namespace {

const std::string kOpenssl = "/usr/bin/openssl";

void must(const std::vector<std::string>& argv) {
  const ToolRun run = run_tool(argv, std::chrono::seconds(30));
  if (run.exit_code != 0) throw std::runtime_error("openssl failed: " + run.output);
}

}  // namespace

TlsFiles::TlsFiles() : dir_(std::make_unique<TempDir>("tls")) {
  for (const std::string ca : {"ca", "other-ca"}) {
    must({kOpenssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", file(ca + ".key"),
          "-out", file(ca + ".crt"), "-days", "2", "-subj", "/CN=resplit test " + ca});
  }
  {
    std::ofstream san(file("server.ext"));
    san << "subjectAltName=IP:127.0.0.1,DNS:localhost\n";
  }
  issue("server", "/CN=localhost", "ca", true);
  issue("client", "/CN=client", "ca", false);
  issue("stranger", "/CN=stranger", "other-ca", false);
}

void TlsFiles::issue_server(const std::string& name, const std::string& common_name) const {
  issue(name, "/CN=" + common_name, "ca", true);
}

void TlsFiles::issue(const std::string& name, const std::string& subject,
                     const std::string& ca_name, bool server) const {
  must({kOpenssl, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", file(name + ".key"), "-out",
        file(name + ".csr"), "-subj", subject});
  std::vector<std::string> sign = {kOpenssl, "x509", "-req", "-in", file(name + ".csr"), "-CA",
                                   file(ca_name + ".crt"), "-CAkey", file(ca_name + ".key"),
                                   "-CAcreateserial", "-out", file(name + ".crt"), "-days", "2"};
  if (server) {
    sign.push_back("-extfile");
    sign.push_back(file("server.ext"));
  }
  must(sign);
}

struct TlsTestClient::State {
  explicit State(std::chrono::milliseconds t) : timeout(t) {}
  std::chrono::milliseconds timeout;
  asio::io_context io;
  ssl::context context{ssl::context::tls_client};
  std::unique_ptr<ssl::stream<tcp::socket>> stream;
  std::string in;

  // Runs what `start` began until it reports done, within the deadline; closes on timeout.
  template <typename Start>
  error_code run(Start start) {
    bool done = false;
    error_code result;
    start([&](error_code ec) {
      done = true;
      result = ec;
    });
    io.restart();
    io.run_for(timeout);
    if (done) return result;
    error_code ignored;
    stream->lowest_layer().close(ignored);
    io.restart();
    io.run_for(std::chrono::milliseconds(200));
    return asio::error::timed_out;
  }
};

TlsTestClient::TlsTestClient(uint16_t port, const std::string& ca_file,
                             const std::string& cert_file, const std::string& key_file,
                             std::chrono::milliseconds timeout)
    : state_(std::make_unique<State>(timeout)) {
  State& s = *state_;
  try {
    s.context.load_verify_file(ca_file);
    if (!cert_file.empty()) {
      s.context.use_certificate_chain_file(cert_file);
      s.context.use_private_key_file(key_file, ssl::context::pem);
    }
  } catch (const std::exception& e) {
    error_ = e.what();
    return;
  }
  s.stream = std::make_unique<ssl::stream<tcp::socket>>(s.io, s.context);
  s.stream->set_verify_mode(ssl::verify_peer);
  const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
  error_code ec = s.run([&](auto done) { s.stream->lowest_layer().async_connect(endpoint, done); });
  if (!ec) {
    ec = s.run([&](auto done) { s.stream->async_handshake(ssl::stream_base::client, done); });
  }
  if (ec) {
    error_ = ec.message();
    return;
  }
  handshake_ok_ = true;
  if (X509* cert = SSL_get1_peer_certificate(s.stream->native_handle())) {
    char name[256] = {};
    X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, name, sizeof name);
    server_name_ = name;
    X509_free(cert);
  }
}

TlsTestClient::~TlsTestClient() = default;

std::string TlsTestClient::command(const std::vector<std::string>& args) {
  State& s = *state_;
  if (!handshake_ok_ || !s.stream->lowest_layer().is_open()) return {};
  std::string out = "*" + std::to_string(args.size()) + "\r\n";
  for (const std::string& a : args) out += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
  error_code ec = s.run([&](auto done) {
    asio::async_write(*s.stream, asio::buffer(out), [done](error_code e, size_t) { done(e); });
  });
  // A complete reply: one line, or a bulk string's header line plus its bytes.
  auto complete = [&]() -> size_t {
    const size_t eol = s.in.find("\r\n");
    if (eol == std::string::npos) return 0;
    if (s.in[0] != '$') return eol + 2;
    const long n = std::stol(s.in.substr(1, eol - 1));
    const size_t need = n < 0 ? eol + 2 : eol + 2 + static_cast<size_t>(n) + 2;
    return s.in.size() >= need ? need : 0;
  };
  char buffer[4096];
  while (!ec && complete() == 0) {
    ec = s.run([&](auto done) {
      s.stream->async_read_some(asio::buffer(buffer), [&, done](error_code e, size_t n) {
        s.in.append(buffer, n);
        done(e);
      });
    });
  }
  if (ec) {
    error_ = ec.message();
    error_code ignored;
    s.stream->lowest_layer().close(ignored);
    return {};
  }
  const size_t size = complete();
  std::string reply = s.in.substr(0, size);
  s.in.erase(0, size);
  return reply;
}

}  // namespace resplit::testkit
