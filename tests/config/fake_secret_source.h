// A SecretSource over in-memory maps, so tests never touch the process environment or the disk,
// and a helper that turns a LoadResult's errors into their printed lines.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "proxy/config/loader.h"

namespace resplit::config {

class FakeSecretSource : public SecretSource {
 public:
  std::map<std::string, std::string> envs;
  std::map<std::string, std::string> files;

  std::optional<std::string> env(const std::string& name) const override {
    auto it = envs.find(name);
    if (it == envs.end()) return std::nullopt;
    return it->second;
  }
  std::optional<std::string> file(const std::string& path) const override {
    auto it = files.find(path);
    if (it == files.end()) return std::nullopt;
    return it->second;
  }
};

inline std::vector<std::string> error_lines(const std::vector<ConfigError>& errors) {
  std::vector<std::string> lines;
  for (const ConfigError& e : errors) lines.push_back(e.to_string());
  return lines;
}

inline std::vector<std::string> error_lines(const LoadResult& result) {
  return error_lines(result.errors);
}

}  // namespace resplit::config
