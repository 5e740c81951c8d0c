// Collects configuration errors with their file positions, and remembers where each key was found
// so that checks spanning several keys can point at the right line (or at the nearest parent).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "proxy/config/loader.h"

namespace resplit::config {

struct Position {
  int line = 0;    // 1-based; 0: no position (a Config that did not come from a file)
  int column = 0;  // 1-based
};

Position position_of(const YAML::Mark& mark);

// Key paths as the errors print them: "routing.read_policy", "auth.clients[0].password".
std::string child_path(std::string_view parent, std::string_view key);
std::string item_path(std::string_view parent, size_t index);
std::string parent_path(std::string_view path);  // "" for a top-level key

class Diagnostics {
 public:
  // `from_document`: positions refer to a parsed file, so a key that is missing everywhere is
  // reported at 1:1; otherwise such errors carry no position.
  Diagnostics(std::string file, bool from_document);

  void record(const std::string& path, Position where);
  // Where `path` was found, else where its nearest recorded parent was.
  Position where(std::string_view path) const;

  void error(std::string path, std::string message);  // at where(path)
  void error_at(Position where, std::string path, std::string message);

  // Whether an error was already reported for `path`, a key below it or a map above it; checks
  // across keys skip values that did not parse rather than pile up follow-on errors.
  bool failed(std::string_view path) const;

  const std::vector<ConfigError>& errors() const { return errors_; }
  // The errors in file order (errors without a position first).
  std::vector<ConfigError> take_sorted();

 private:
  std::string file_;
  bool from_document_;
  std::map<std::string, Position, std::less<>> positions_;
  std::vector<ConfigError> errors_;
};

}  // namespace resplit::config
