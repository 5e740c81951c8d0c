// Turns YAML text into a validated Config. Every problem is reported with the file, line and column
// of the offending node, the key path and what was expected; unknown keys are errors (a misspelt key
// must never be silently ignored). Secrets are resolved from their env var or file here.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proxy/config/config.h"

namespace resplit::config {

struct ConfigError {
  std::string file;
  int line = 0;    // 1-based; 0 when the error is about the file as a whole
  int column = 0;  // 1-based
  std::string path;     // key path, e.g. "routing.max_replication_lag"
  std::string message;  // what was wrong and what was expected

  // "file:line:column: path: message"
  std::string to_string() const;
};

struct LoadResult {
  std::optional<Config> config;  // set only when errors is empty
  std::vector<ConfigError> errors;
  bool ok() const { return config.has_value(); }
};

// Where secrets come from; tests replace it to avoid touching the process environment.
struct SecretSource {
  virtual ~SecretSource() = default;
  virtual std::optional<std::string> env(const std::string& name) const;
  virtual std::optional<std::string> file(const std::string& path) const;  // trailing newline cut
};

LoadResult load_file(const std::filesystem::path& path, const SecretSource& secrets = {});
LoadResult load_string(std::string_view yaml, std::string_view file_name,
                       const SecretSource& secrets = {});

// Checks rules that span keys (e.g. exactly one of master and sentinel; static discovery needs
// addresses). Called by the loaders and after command-line overrides; returns the errors.
std::vector<ConfigError> validate(const Config& config);

}  // namespace resplit::config
