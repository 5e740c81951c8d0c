#include "proxy/cli/command_line.h"

#include <CLI/CLI.hpp>

#include "proxy/config/units.h"

namespace resplit::cli {
namespace {

constexpr const char* kDescription =
    "resplit: a Redis proxy that sends writes to the master and reads to replicas, knows each "
    "replica's lag, and answers every client in request order.";

// A flag's host:port, or the usage error it causes.
std::optional<config::HostPort> host_port_flag(const std::string& flag, const std::string& value,
                                               std::vector<config::ConfigError>& errors) {
  auto parsed = config::parse_host_port(value);
  if (parsed.value) return parsed.value;
  errors.push_back({"<command line>", 0, 0, flag, parsed.error});
  return std::nullopt;
}

}  // namespace

ParsedCommandLine parse_command_line(int argc, const char* const argv[]) {
  CLI::App app(kDescription, "resplit");
  Options o;
  bool check = false, dump = false, version = false, describe = false;
  std::string level, format;
  std::string positional_config;
  app.add_option("-c,--config", o.config_path, "YAML configuration file")->type_name("PATH");
  // As redis-server takes its config file: `resplit --check-config config/resplit.yaml`.
  app.add_option("CONFIG", positional_config, "YAML configuration file, as with --config")
      ->type_name("PATH");
  app.add_flag("-t,--check-config", check,
               "parse and check the configuration, print OK or the errors, touch no network");
  app.add_flag("--dump-config", dump,
               "print the effective configuration (defaults filled in, secrets as references)");
  app.add_flag("-V,--version", version, "print the version and git revision");
  app.add_flag("--describe-metrics", describe, "print every metric with its type, labels and help");
  app.add_option("--log-level", level, "trace|debug|info|warn|error|off (overrides the file)");
  app.add_option("--log-format", format, "json|text (overrides the file)");
  app.add_option("--listen", o.listen, "client address HOST:PORT (overrides listen.address)");
  app.add_option("--admin", o.admin,
                 "admin HTTP address HOST:PORT, '' to disable (overrides admin.address)");
  app.add_option("--master", o.master, "master HOST:PORT (overrides master and sentinel)");
  app.add_option("--replica", o.replicas,
                 "replica HOST:PORT, repeatable (overrides replicas with a static list)");
  std::string await_url = "http://127.0.0.1:9121/readyz", await_timeout = "60s";
  CLI::App* await_ready = app.add_subcommand(
      "await-ready", "wait until an admin URL answers 200 (a classic sidecar's postStart hook)");
  await_ready->add_option("--url", await_url, "the URL to poll")->capture_default_str();
  await_ready->add_option("--timeout", await_timeout, "give up after this long (exit 1)")
      ->capture_default_str();

  ParsedCommandLine result;
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    result.output = app.help();
    result.exit_code = kExitOk;
    return result;
  } catch (const CLI::ParseError& e) {
    result.output = std::string(e.what()) + "\nRun with --help for usage.\n";
    result.exit_code = kExitUsage;
    return result;
  }
  if (await_ready->parsed()) {
    std::string error;
    auto url = parse_http_url(await_url, error);
    auto timeout = config::parse_duration(await_timeout);
    if (!url || !timeout.value) {
      result.output = "await-ready: " + (url ? "--timeout: " + timeout.error : error) + "\n";
      result.exit_code = kExitUsage;
      return result;
    }
    o.action = Action::kAwaitReady;
    o.await_url = std::move(*url);
    o.await_timeout = *timeout.value;
    result.options = std::move(o);
    return result;
  }
  if (!positional_config.empty()) {
    if (!o.config_path.empty() && o.config_path != positional_config) {
      result.output = "give the configuration file once: either --config or as an argument\n";
      result.exit_code = kExitUsage;
      return result;
    }
    o.config_path = positional_config;
  }
  if (int(check) + int(dump) + int(version) + int(describe) > 1) {
    result.output = "choose one of --check-config, --dump-config, --version, --describe-metrics\n";
    result.exit_code = kExitUsage;
    return result;
  }
  if (!level.empty()) {
    o.log_level = log::parse_level(level);
    if (!o.log_level) {
      result.output = "--log-level: expected trace|debug|info|warn|error|off, got '" + level + "'\n";
      result.exit_code = kExitUsage;
      return result;
    }
  }
  if (!format.empty()) {
    o.log_format = log::parse_format(format);
    if (!o.log_format) {
      result.output = "--log-format: expected json|text, got '" + format + "'\n";
      result.exit_code = kExitUsage;
      return result;
    }
  }
  o.action = check      ? Action::kCheckConfig
             : dump     ? Action::kDumpConfig
             : version  ? Action::kVersion
             : describe ? Action::kDescribeMetrics
                        : Action::kRun;
  result.options = std::move(o);
  return result;
}

config::LoadResult effective_config(const Options& o, const config::SecretSource& secrets) {
  config::LoadResult result;
  config::Config c;
  if (!o.config_path.empty()) {
    result = config::load_file(o.config_path, secrets);
    if (!result.ok()) return result;
    c = std::move(*result.config);
    result.config.reset();
  } else {
    c.source = "<command line>";
  }
  std::vector<config::ConfigError>& errors = result.errors;
  if (o.listen) {
    if (auto hp = host_port_flag("--listen", *o.listen, errors)) c.listen.address = *hp;
  }
  if (o.admin) {
    if (o.admin->empty()) {
      c.admin.address.reset();
    } else if (auto hp = host_port_flag("--admin", *o.admin, errors)) {
      c.admin.address = *hp;
    }
  }
  if (o.master) {
    if (auto hp = host_port_flag("--master", *o.master, errors)) {
      c.master = *hp;
      c.sentinel.reset();
    }
  }
  if (!o.replicas.empty()) {
    c.replicas = config::Replicas{};
    c.replicas.discovery = config::Discovery::kStatic;
    for (const std::string& r : o.replicas) {
      if (auto hp = host_port_flag("--replica", r, errors)) c.replicas.addresses.push_back(*hp);
    }
  }
  if (o.log_level) c.logging.level = *o.log_level;
  if (o.log_format) c.logging.format = *o.log_format;
  if (!errors.empty()) return result;
  result.errors = config::validate(c);
  if (result.errors.empty()) result.config = std::move(c);
  return result;
}

}  // namespace resplit::cli
