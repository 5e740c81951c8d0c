// The YAML spelling of every enum the config uses, in one table per enum, so that the loader's
// parser, its "expected one of ..." messages and the dumper cannot disagree.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "proxy/base/log.h"
#include "proxy/config/config.h"
#include "proxy/config/units.h"

namespace resplit::config {

template <typename E>
struct EnumNames;

template <>
struct EnumNames<Discovery> {
  static constexpr std::array kValues{Discovery::kStatic, Discovery::kDns, Discovery::kMaster,
                                      Discovery::kSentinel};
  static std::string_view name(Discovery v) { return to_string(v); }
};

template <>
struct EnumNames<ReadPolicy> {
  static constexpr std::array kValues{ReadPolicy::kMaster, ReadPolicy::kPreferMaster,
                                      ReadPolicy::kReplica, ReadPolicy::kPreferReplica,
                                      ReadPolicy::kAny};
  static std::string_view name(ReadPolicy v) { return to_string(v); }
};

template <>
struct EnumNames<ReplicaSelection> {
  static constexpr std::array kValues{ReplicaSelection::kLeastOutstanding,
                                      ReplicaSelection::kRoundRobin, ReplicaSelection::kWeighted};
  static std::string_view name(ReplicaSelection v) { return to_string(v); }
};

template <>
struct EnumNames<log::Level> {
  static constexpr std::array kValues{log::Level::kTrace, log::Level::kDebug, log::Level::kInfo,
                                      log::Level::kWarn,  log::Level::kError, log::Level::kOff};
  static std::string_view name(log::Level v) { return log::level_name(v); }
};

template <>
struct EnumNames<log::Format> {
  static constexpr std::array kValues{log::Format::kJson, log::Format::kText};
  static std::string_view name(log::Format v) { return log::format_name(v); }
};

template <typename E>
std::string_view enum_name(E value) {
  return EnumNames<E>::name(value);
}

// "one of a, b, c"
template <typename E>
std::string enum_choices() {
  std::string out = "one of ";
  bool first = true;
  for (E v : EnumNames<E>::kValues) {
    if (!first) out += ", ";
    out += enum_name(v);
    first = false;
  }
  return out;
}

template <typename E>
Parsed<E> parse_enum(std::string_view text) {
  for (E v : EnumNames<E>::kValues) {
    if (enum_name(v) == text) return Parsed<E>::ok(v);
  }
  return Parsed<E>::fail("expected " + enum_choices<E>() + "; got \"" + std::string(text) + "\"");
}

}  // namespace resplit::config
