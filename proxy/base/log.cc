#include "proxy/base/log.h"

#include <atomic>
#include <cstdio>
#include <mutex>

#include <spdlog/sinks/stdout_sinks.h>

namespace resplit::log {
namespace {

std::atomic<Format> g_format{Format::kText};

spdlog::level::level_enum to_spdlog(Level level) {
  switch (level) {
    case Level::kTrace: return spdlog::level::trace;
    case Level::kDebug: return spdlog::level::debug;
    case Level::kInfo: return spdlog::level::info;
    case Level::kWarn: return spdlog::level::warn;
    case Level::kError: return spdlog::level::err;
    case Level::kOff: return spdlog::level::off;
  }
  return spdlog::level::info;
}

void append_json_string(std::string& out, std::string_view s) {
  out.push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out.push_back('"');
}

bool needs_quotes(std::string_view s) {
  if (s.empty()) return true;
  for (unsigned char c : s) {
    if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c >= 0x7f) return true;
  }
  return false;
}

void append_value(std::string& out, Format format, const Field::Value& value) {
  if (const auto* s = std::get_if<std::string_view>(&value)) {
    if (format == Format::kJson || needs_quotes(*s)) {
      append_json_string(out, *s);
    } else {
      out += *s;
    }
  } else if (const auto* i = std::get_if<int64_t>(&value)) {
    out += std::to_string(*i);
  } else if (const auto* u = std::get_if<uint64_t>(&value)) {
    out += std::to_string(*u);
  } else if (const auto* d = std::get_if<double>(&value)) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", *d);
    out += buf;
  } else {
    out += std::get<bool>(value) ? "true" : "false";
  }
}

std::shared_ptr<spdlog::logger> make_logger(Format format) {
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  auto logger = std::make_shared<spdlog::logger>("resplit", sink);
  // The event body is formatted by format_event(); spdlog adds time and level.
  const char* pattern = format == Format::kJson
                            ? R"({"ts":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l",%v})"
                            : "%Y-%m-%dT%H:%M:%S.%fZ %l %v";
  logger->set_pattern(pattern, spdlog::pattern_time_type::utc);
  logger->flush_on(spdlog::level::trace);
  return logger;
}

std::once_flag g_default_once;

spdlog::logger& logger() {
  std::call_once(g_default_once, [] {
    if (!spdlog::get("resplit")) init(Level::kInfo, Format::kText);
  });
  return *spdlog::get("resplit");
}

}  // namespace

std::optional<Level> parse_level(std::string_view name) {
  if (name == "trace") return Level::kTrace;
  if (name == "debug") return Level::kDebug;
  if (name == "info") return Level::kInfo;
  if (name == "warn" || name == "warning") return Level::kWarn;
  if (name == "error") return Level::kError;
  if (name == "off") return Level::kOff;
  return std::nullopt;
}

std::optional<Format> parse_format(std::string_view name) {
  if (name == "json") return Format::kJson;
  if (name == "text") return Format::kText;
  return std::nullopt;
}

std::string_view level_name(Level level) {
  switch (level) {
    case Level::kTrace: return "trace";
    case Level::kDebug: return "debug";
    case Level::kInfo: return "info";
    case Level::kWarn: return "warn";
    case Level::kError: return "error";
    case Level::kOff: return "off";
  }
  return "info";
}

std::string_view format_name(Format format) { return format == Format::kJson ? "json" : "text"; }

void init(Level level, Format format) {
  g_format.store(format);
  auto logger = make_logger(format);
  logger->set_level(to_spdlog(level));
  spdlog::drop("resplit");
  spdlog::register_logger(logger);
}

void set_level(Level level) { logger().set_level(to_spdlog(level)); }

bool enabled(Level level) { return logger().should_log(to_spdlog(level)); }

std::string format_event(Format format, std::string_view event, Fields fields) {
  std::string line;
  line.reserve(64 + fields.size() * 24);
  if (format == Format::kJson) {
    line += "\"msg\":";
    append_json_string(line, event);
    for (const Field& f : fields) {
      line.push_back(',');
      append_json_string(line, f.key);
      line.push_back(':');
      append_value(line, format, f.value);
    }
  } else {
    line += event;
    for (const Field& f : fields) {
      line.push_back(' ');
      line += f.key;
      line.push_back('=');
      append_value(line, format, f.value);
    }
  }
  return line;
}

void write(Level level, std::string_view event, Fields fields) {
  spdlog::logger& l = logger();
  const auto spd_level = to_spdlog(level);
  if (!l.should_log(spd_level)) return;
  l.log(spd_level, "{}", format_event(g_format.load(std::memory_order_relaxed), event, fields));
}

}  // namespace resplit::log
