#include "proxy/config/diagnostics.h"

#include <algorithm>

namespace resplit::config {

Position position_of(const YAML::Mark& mark) {
  if (mark.is_null() || mark.line < 0) return Position{1, 1};
  return Position{mark.line + 1, mark.column + 1};
}

std::string child_path(std::string_view parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  std::string out(parent);
  out += '.';
  out += key;
  return out;
}

std::string item_path(std::string_view parent, size_t index) {
  return std::string(parent) + "[" + std::to_string(index) + "]";
}

std::string parent_path(std::string_view path) {
  size_t cut = path.find_last_of(".[");
  return cut == std::string_view::npos ? std::string() : std::string(path.substr(0, cut));
}

Diagnostics::Diagnostics(std::string file, bool from_document)
    : file_(std::move(file)), from_document_(from_document) {}

void Diagnostics::record(const std::string& path, Position where) { positions_[path] = where; }

Position Diagnostics::where(std::string_view path) const {
  std::string p(path);
  while (!p.empty()) {
    if (auto it = positions_.find(p); it != positions_.end()) return it->second;
    p = parent_path(p);
  }
  return from_document_ ? Position{1, 1} : Position{};
}

void Diagnostics::error(std::string path, std::string message) {
  Position at = where(path);
  error_at(at, std::move(path), std::move(message));
}

void Diagnostics::error_at(Position where, std::string path, std::string message) {
  errors_.push_back(
      ConfigError{file_, where.line, where.column, std::move(path), std::move(message)});
}

namespace {

// `inner` is `outer` itself or a key below it.
bool within(std::string_view inner, std::string_view outer) {
  if (!inner.starts_with(outer)) return false;
  return inner.size() == outer.size() || outer.empty() || inner[outer.size()] == '.' ||
         inner[outer.size()] == '[';
}

}  // namespace

bool Diagnostics::failed(std::string_view path) const {
  for (const ConfigError& e : errors_) {
    if (within(e.path, path) || within(path, e.path)) return true;
  }
  return false;
}

std::vector<ConfigError> Diagnostics::take_sorted() {
  std::stable_sort(errors_.begin(), errors_.end(), [](const ConfigError& a, const ConfigError& b) {
    return a.line != b.line ? a.line < b.line : a.column < b.column;
  });
  return std::move(errors_);
}

}  // namespace resplit::config
