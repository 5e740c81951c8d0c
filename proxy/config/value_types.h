// The scalar types of the config schema: each pairs the name used in "expected ..." messages
// with the parser from units.h, so every field of a type is read and reported the same way.
#pragma once

#include <cstdint>
#include <limits>
#include <string>

#include "proxy/config/enum_names.h"
#include "proxy/config/object_reader.h"
#include "proxy/config/units.h"

namespace resplit::config {

inline ScalarType<Duration> duration_type() {
  return {"a duration such as 250ms or 5s", parse_duration};
}

inline ScalarType<uint64_t> size_type() { return {"a size such as 64MiB", parse_size}; }

inline ScalarType<bool> bool_type() { return {"true or false", parse_bool}; }

inline ScalarType<HostPort> host_port_type() { return {"host:port", parse_host_port}; }

inline ScalarType<std::string> string_type() {
  return {"a string", [](std::string_view s) { return Parsed<std::string>::ok(std::string(s)); }};
}

// Ranges that mean something are checked with the other rules (check_config); here only what
// the field's type can hold.
inline ScalarType<uint32_t> u32_type() {
  return {"a whole number", [](std::string_view s) {
            Parsed<uint64_t> n = parse_uint(s, 0, std::numeric_limits<uint32_t>::max());
            if (!n.value) return Parsed<uint32_t>::fail(n.error);
            return Parsed<uint32_t>::ok(static_cast<uint32_t>(*n.value));
          }};
}

inline ScalarType<uint64_t> u64_type() {
  return {"a whole number", [](std::string_view s) {
            return parse_uint(s, 0, std::numeric_limits<uint64_t>::max());
          }};
}

template <typename E>
ScalarType<E> enum_type() {
  return {enum_choices<E>(), parse_enum<E>};
}

}  // namespace resplit::config
