#include "proxy/net/tls_contexts.h"

#include <openssl/ssl.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>

#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>

namespace resplit::net {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;

namespace {

// Files of one side, read once: a context is built from these bytes, never from a second read that
// could see a half-replaced file.
class SideFiles {
 public:
  SideFiles(const config::Config& config, std::string section,
            std::vector<config::ConfigError>& errors)
      : config_(config), section_(std::move(section)), errors_(errors) {}

  // The file's bytes; empty (and an error) when it cannot be read or is empty.
  std::string read(const std::string& key, const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      fail(key, "cannot read '" + path + "': " + std::strerror(errno));
      return {};
    }
    std::ostringstream text;
    text << in.rdbuf();
    if (text.str().empty()) fail(key, "'" + path + "' is empty");
    fingerprint_ += key + "=" + path + "\n" + text.str() + "\n";
    return text.str();
  }

  // Runs one step of building the context; an OpenSSL failure is an error about `key`'s file.
  void step(const std::string& key, const std::string& path, const std::string& what,
            const std::function<void()>& action) {
    bool ok = true;
    step(key, path, what, action, ok);
  }
  // As above; `ok` turns false on failure.
  void step(const std::string& key, const std::string& path, const std::string& what,
            const std::function<void()>& action, bool& ok) {
    try {
      action();
    } catch (const boost::system::system_error& e) {
      ok = false;
      fail(key, what + " '" + path + "': " + e.code().message());
    }
  }

  void fail(const std::string& key, std::string message) {
    errors_.push_back(config::ConfigError{config_.source, 0, 0, section_ + "." + key,
                                          std::move(message)});
  }
  void note(const std::string& setting) { fingerprint_ += setting + "\n"; }
  const std::string& fingerprint() const { return fingerprint_; }

 private:
  const config::Config& config_;
  std::string section_;
  std::vector<config::ConfigError>& errors_;
  std::string fingerprint_;
};

void load_key_pair(ssl::context& context, SideFiles& files, const std::string& cert_file,
                   const std::string& key_file) {
  const std::string cert = files.read("cert_file", cert_file);
  const std::string key = files.read("key_file", key_file);
  if (cert.empty() || key.empty()) return;
  // The key first: OpenSSL refuses a key that does not match a loaded certificate with a
  // message about the key's format, while the other order leaves the mismatch to the check below.
  bool loaded = true;
  files.step("key_file", key_file, "no PEM private key in", [&] {
    context.use_private_key(asio::buffer(key), ssl::context::pem);
  }, loaded);
  files.step("cert_file", cert_file, "no PEM certificate chain in", [&] {
    context.use_certificate_chain(asio::buffer(cert));
  }, loaded);
  if (loaded && SSL_CTX_check_private_key(context.native_handle()) != 1) {
    files.fail("key_file", "'" + key_file + "' is not the key of the certificate in '" +
                               cert_file + "'");
  }
}

void load_ca(ssl::context& context, SideFiles& files, const std::string& ca_file) {
  const std::string ca = files.read("ca_file", ca_file);
  if (ca.empty()) return;
  files.step("ca_file", ca_file, "no PEM CA certificate in",
             [&] { context.add_certificate_authority(asio::buffer(ca)); });
}

ssl::context base_context(ssl::context::method method) {
  ssl::context context(method);
  context.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                      ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                      ssl::context::no_tlsv1_1);
  return context;
}

std::shared_ptr<const TlsServer> build_server(const config::Config& config,
                                              const TlsContexts* previous,
                                              std::vector<config::ConfigError>& errors) {
  const config::TlsServerSide& s = config.client_tls;
  const size_t errors_before = errors.size();
  SideFiles files(config, "client_tls", errors);
  auto context = std::make_shared<ssl::context>(base_context(ssl::context::tls_server));
  load_key_pair(*context, files, s.cert_file, s.key_file);
  if (!s.ca_file.empty()) load_ca(*context, files, s.ca_file);
  files.note(s.verify_client ? "verify_client" : "no verify_client");
  if (s.verify_client) {
    context->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
  }
  // Session resumption with client certificates needs a context id.
  static constexpr unsigned char kSessionContext[] = "resplit";
  SSL_CTX_set_session_id_context(context->native_handle(), kSessionContext,
                                 sizeof kSessionContext - 1);
  if (errors.size() != errors_before) return nullptr;
  if (previous && previous->server && previous->server->fingerprint == files.fingerprint()) {
    return previous->server;
  }
  return std::make_shared<const TlsServer>(TlsServer{std::move(context), files.fingerprint()});
}

std::shared_ptr<const TlsClient> build_client(const config::Config& config,
                                              const TlsContexts* previous,
                                              std::vector<config::ConfigError>& errors) {
  const config::TlsClientSide& s = config.server_tls;
  const size_t errors_before = errors.size();
  SideFiles files(config, "server_tls", errors);
  auto context = std::make_shared<ssl::context>(base_context(ssl::context::tls_client));
  if (s.ca_file.empty()) {
    files.step("ca_file", "(system default)", "cannot load the system's trust store",
               [&] { context->set_default_verify_paths(); });
  } else {
    load_ca(*context, files, s.ca_file);
  }
  if (!s.cert_file.empty() && !s.key_file.empty()) {
    load_key_pair(*context, files, s.cert_file, s.key_file);
  }
  files.note(s.verify ? "verify" : "no verify");
  files.note("sni=" + s.sni);
  if (errors.size() != errors_before) return nullptr;
  if (previous && previous->client && previous->client->fingerprint == files.fingerprint()) {
    return previous->client;
  }
  return std::make_shared<const TlsClient>(
      TlsClient{std::move(context), s.verify, s.sni, files.fingerprint()});
}

}  // namespace

TlsBuild build_tls(const config::Config& config, const TlsContexts* previous) {
  TlsBuild out;
  if (config.client_tls.enabled) out.contexts.server = build_server(config, previous, out.errors);
  if (config.server_tls.enabled) out.contexts.client = build_client(config, previous, out.errors);
  if (!out.errors.empty()) out.contexts = TlsContexts{};
  return out;
}

void start_client_tls(Stream& stream, const TlsClient& tls, const std::string& host) {
  stream.start_tls(tls.context);
  const std::string& name = tls.sni.empty() ? host : tls.sni;
  boost::system::error_code ec;
  asio::ip::make_address(name, ec);
  const bool is_ip = !ec;
  if (!is_ip) SSL_set_tlsext_host_name(stream.tls().native_handle(), name.c_str());
  if (tls.verify) {
    stream.tls().set_verify_mode(ssl::verify_peer, ec);
    stream.tls().set_verify_callback(ssl::host_name_verification(name), ec);
  } else {
    stream.tls().set_verify_mode(ssl::verify_none, ec);
  }
}

}  // namespace resplit::net
