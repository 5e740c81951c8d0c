// resplit: command line, start-up, signals.
#include <csignal>
#include <cstdio>
#include <iostream>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "proxy/base/log.h"
#include "proxy/base/version.h"
#include "proxy/cli/command_line.h"
#include "proxy/config/dump.h"
#include "proxy/server/server.h"
#include "proxy/server/shared_state.h"

namespace {

using namespace resplit;

int print_errors(const std::vector<config::ConfigError>& errors) {
  for (const auto& e : errors) std::cerr << e.to_string() << "\n";
  return cli::kExitError;
}

// Until the first poll, every configured node is taken at its configured role.
topology::TopologySnapshot seed_topology(const config::Config& c) {
  topology::TopologySnapshot t;
  topology::BackendId next = 0;
  auto add = [&](const config::HostPort& hp, topology::Role role) {
    topology::BackendState b;
    b.id = next++;
    b.address = {hp.host, hp.port};
    b.role = role;
    b.reachable = true;
    b.routable = true;
    b.exclusion = topology::Exclusion::kNone;
    t.backends.push_back(b);
    return t.backends.size() - 1;
  };
  if (c.master) t.master = add(*c.master, topology::Role::kMaster);
  for (const auto& r : c.replicas.addresses) {
    t.routable_replicas.push_back(add(r, topology::Role::kReplica));
  }
  return t;
}

int run(std::shared_ptr<const config::Config> config) {
  server::SharedState shared(config);
  shared.topology.publish(
      std::make_shared<const topology::TopologySnapshot>(seed_topology(*config)));
  server::Server server(shared);
  try {
    server.start();
  } catch (const std::exception& e) {
    log::error("start_failed", {{"error", e.what()}});
    return cli::kExitError;
  }

  boost::asio::io_context control;
  boost::asio::signal_set signals(control, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    log::info("stopping", {{"signal", signal}});
    control.stop();
  });
  control.run();
  server.stop();
  log::info("stopped");
  return cli::kExitOk;
}

}  // namespace

int main(int argc, char* argv[]) {
  std::signal(SIGPIPE, SIG_IGN);
  auto parsed = cli::parse_command_line(argc, argv);
  if (!parsed.options) {
    (parsed.exit_code == cli::kExitOk ? std::cout : std::cerr) << parsed.output;
    return parsed.exit_code;
  }
  const cli::Options& options = *parsed.options;
  if (options.action == cli::Action::kVersion) {
    std::cout << "resplit " << kVersion << " (git " << git_revision() << ")\n";
    return cli::kExitOk;
  }

  auto loaded = cli::effective_config(options);
  if (!loaded.ok()) return print_errors(loaded.errors);
  auto config = std::make_shared<const config::Config>(std::move(*loaded.config));

  switch (options.action) {
    case cli::Action::kCheckConfig:
      std::cout << "OK\n";
      return cli::kExitOk;
    case cli::Action::kDumpConfig:
      std::cout << config::dump(*config);
      return cli::kExitOk;
    default:
      break;
  }
  log::init(config->logging.level, config->logging.format);
  log::info("starting", {{"version", kVersion},
                         {"revision", git_revision()},
                         {"config", config->source}});
  return run(config);
}
