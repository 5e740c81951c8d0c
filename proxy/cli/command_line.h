// resplit's command line: what to do (run, check or dump the config, print the version) and the
// flags that build or override a configuration, turned into a checked Config.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "proxy/base/log.h"
#include "proxy/cli/await_ready.h"
#include "proxy/config/loader.h"

namespace resplit::cli {

enum class Action {
  kRun,
  kCheckConfig,
  kDumpConfig,
  kVersion,
  kHelp,
  kDescribeMetrics,
  kAwaitReady
};

struct Options {
  Action action = Action::kRun;
  std::string config_path;  // empty: build the config from flags alone
  std::optional<log::Level> log_level;
  std::optional<log::Format> log_format;
  std::optional<std::string> listen;
  std::optional<std::string> admin;
  std::optional<std::string> master;
  std::vector<std::string> replicas;
  // await-ready: the admin URL to poll and for how long.
  HttpUrl await_url;
  config::Duration await_timeout{std::chrono::seconds(60)};
};

// Exit codes: 0 ok, 1 configuration or runtime error, 2 bad usage.
inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;
inline constexpr int kExitUsage = 2;

struct ParsedCommandLine {
  std::optional<Options> options;  // unset when the program should exit at once
  int exit_code = kExitOk;
  std::string output;  // help text or usage errors, for stdout (exit 0) or stderr
};

ParsedCommandLine parse_command_line(int argc, const char* const argv[]);

// The file's configuration (or the defaults) with the command-line flags applied, then checked.
config::LoadResult effective_config(const Options& options,
                                    const config::SecretSource& secrets = {});

}  // namespace resplit::cli
