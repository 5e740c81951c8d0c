// The TLS contexts of one configuration: resplit as a TLS server facing clients (client_tls) and as
// a TLS client facing Redis and Sentinel (server_tls). They are built here and nowhere else, from
// the certificate files read once, so a bad file is a configuration error that names it. A reload
// builds new contexts; connections opened before keep the ones they started with.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <boost/asio/ssl/context.hpp>

#include "proxy/config/config.h"
#include "proxy/config/loader.h"
#include "proxy/net/stream.h"

namespace resplit::net {

struct TlsServer {
  std::shared_ptr<boost::asio::ssl::context> context;
  std::string fingerprint;  // the settings and file contents it was built from
};

struct TlsClient {
  std::shared_ptr<boost::asio::ssl::context> context;
  bool verify = true;
  std::string sni;  // empty: each server's host name
  std::string fingerprint;
};

struct TlsContexts {
  std::shared_ptr<const TlsServer> server;  // null: client_tls is off
  std::shared_ptr<const TlsClient> client;  // null: server_tls is off
};

struct TlsBuild {
  TlsContexts contexts;
  std::vector<config::ConfigError> errors;  // non-empty: nothing was built
};

// Reads the files that `config` names and builds its contexts. A side whose settings and files are
// unchanged from `previous` keeps the previous context, so that a reload that changes nothing
// about TLS does not make the monitor reconnect.
TlsBuild build_tls(const config::Config& config, const TlsContexts* previous = nullptr);

// Puts `stream` (connected to `host`) into client TLS as `tls` says: SNI (never for an IP
// literal, as RFC 6066 asks), and with `verify` the certificate chain and the host name (or `sni`).
void start_client_tls(Stream& stream, const TlsClient& tls, const std::string& host);

}  // namespace resplit::net
