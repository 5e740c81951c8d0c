// Structured logging on spdlog: one line per event, either a JSON object (`{"ts":..,"level":..,
// "msg":..,<fields>}`) or `ts level msg key=value ...` text. Events are short snake_case names;
// details go in fields so that log pipelines can filter on them. Nothing logs per request at info.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <spdlog/spdlog.h>

namespace resplit::log {

enum class Format { kJson, kText };
enum class Level { kTrace, kDebug, kInfo, kWarn, kError, kOff };

// Parses "trace|debug|info|warn|error|off" (also "warning"); nullopt otherwise.
std::optional<Level> parse_level(std::string_view name);
std::optional<Format> parse_format(std::string_view name);
std::string_view level_name(Level level);
std::string_view format_name(Format format);

// Sets up the process logger on stderr. Safe to call again (e.g. on config reload).
void init(Level level, Format format);
void set_level(Level level);
bool enabled(Level level);

struct Field {
  using Value = std::variant<std::string_view, int64_t, uint64_t, double, bool>;
  Field(std::string_view k, std::string_view v) : key(k), value(v) {}
  Field(std::string_view k, const char* v) : key(k), value(std::string_view(v)) {}
  Field(std::string_view k, const std::string& v) : key(k), value(std::string_view(v)) {}
  Field(std::string_view k, bool v) : key(k), value(v) {}
  Field(std::string_view k, double v) : key(k), value(v) {}
  template <typename T>
    requires std::is_integral_v<T> && (!std::is_same_v<T, bool>)
  Field(std::string_view k, T v)
      : key(k), value(std::is_signed_v<T> ? Value(int64_t(v)) : Value(uint64_t(v))) {}

  std::string_view key;
  Value value;
};
using Fields = std::initializer_list<Field>;

// Formats one event line body (everything after timestamp and level) in the current format.
// Exposed for tests.
std::string format_event(Format format, std::string_view event, Fields fields);

void write(Level level, std::string_view event, Fields fields = {});

inline void debug(std::string_view event, Fields fields = {}) {
  if (enabled(Level::kDebug)) write(Level::kDebug, event, fields);
}
inline void info(std::string_view event, Fields fields = {}) { write(Level::kInfo, event, fields); }
inline void warn(std::string_view event, Fields fields = {}) { write(Level::kWarn, event, fields); }
inline void error(std::string_view event, Fields fields = {}) {
  write(Level::kError, event, fields);
}

}  // namespace resplit::log
