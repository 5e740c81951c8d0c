// resplit: command line, start-up, signals.
#include <malloc.h>

#include <csignal>
#include <cstdio>
#include <iostream>

#include "proxy/app/control.h"
#include "proxy/base/log.h"
#include "proxy/base/version.h"
#include "proxy/cli/command_line.h"
#include "proxy/config/dump.h"
#include "proxy/metrics/families.h"
#include "proxy/net/tls_contexts.h"

namespace {

using namespace resplit;

int print_errors(const std::vector<config::ConfigError>& errors) {
  for (const auto& e : errors) std::cerr << e.to_string() << "\n";
  return cli::kExitError;
}

}  // namespace

int main(int argc, char* argv[]) {
  std::signal(SIGPIPE, SIG_IGN);
  // Buffers of 256 KiB and more (big replies, a slow reader's backlog) get their own mappings and
  // go back to the system when freed. glibc would otherwise raise this threshold after the first
  // such buffer is freed and serve the next ones from the heap, where a slow client's 64 MiB
  // stays in the process long after it left. Steady-state traffic keeps its buffers and allocates
  // nothing, so this costs it nothing.
  mallopt(M_MMAP_THRESHOLD, 256 * 1024);
  auto parsed = cli::parse_command_line(argc, argv);
  if (!parsed.options) {
    (parsed.exit_code == cli::kExitOk ? std::cout : std::cerr) << parsed.output;
    return parsed.exit_code;
  }
  const cli::Options& options = *parsed.options;
  if (options.action == cli::Action::kAwaitReady) {
    return cli::await_ready(options.await_url, options.await_timeout, std::cerr);
  }
  if (options.action == cli::Action::kVersion) {
    std::cout << "resplit " << kVersion << " (git " << git_revision() << ")\n";
    return cli::kExitOk;
  }
  if (options.action == cli::Action::kDescribeMetrics) {
    // One line per metric family: name, type, labels ("-" for none) and help, tab-separated.
    std::cout << metrics::describe_metrics();
    return cli::kExitOk;
  }

  auto loaded = cli::effective_config(options);
  if (!loaded.ok()) return print_errors(loaded.errors);
  auto config = std::make_shared<const config::Config>(std::move(*loaded.config));
  // Certificates and keys are read and checked here, so --check-config reports a bad file too.
  net::TlsBuild tls = net::build_tls(*config);
  if (!tls.errors.empty()) return print_errors(tls.errors);

  switch (options.action) {
    case cli::Action::kCheckConfig:
      std::cout << "OK\n"
                << "note: listen.address, listen.workers and admin.address take effect at start "
                   "only; a reload keeps their running values\n";
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
  app::Control control(options, config, std::move(tls.contexts));
  return control.run();
}
