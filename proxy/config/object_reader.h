// Reads one YAML map against the keys a schema asks for: each key read is marked used, whatever
// is left at the end is reported as unknown (with a guess at the intended key), and a key that
// appears twice is an error. Typed values go through ScalarType parsers with uniform messages.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "proxy/config/diagnostics.h"
#include "proxy/config/units.h"

namespace resplit::config {

// How a scalar is named in messages ("a duration") and how its text is parsed.
template <typename T>
struct ScalarType {
  std::string what;
  std::function<Parsed<T>(std::string_view)> parse;
};

// "a map", "a list", "null", "the scalar \"x\"": what was found where something else was expected.
std::string describe_node(const YAML::Node& node);

// Reads one scalar value at `path`; reports an error and leaves `out` alone when it is not one.
template <typename T>
bool read_scalar(const YAML::Node& node, const std::string& path, Diagnostics& diag,
                 const ScalarType<T>& type, T& out) {
  if (!node.IsScalar()) {
    diag.error(path, "expected " + type.what + ", got " + describe_node(node));
    return false;
  }
  Parsed<T> parsed = type.parse(node.Scalar());
  if (!parsed.value) {
    diag.error(path, parsed.error);
    return false;
  }
  out = std::move(*parsed.value);
  return true;
}

class ObjectReader {
 public:
  // A null node reads as an empty map (a section whose keys are all commented out); anything else
  // that is not a map is reported, and the reader then yields no keys.
  ObjectReader(const YAML::Node& node, std::string path, Diagnostics& diag);

  // Reports every key nobody asked for. Call once, after the last read.
  void finish();

  const std::string& path() const { return path_; }
  Diagnostics& diag() { return diag_; }
  std::string path_of(std::string_view key) const { return child_path(path_, key); }

  // The value under `key`, marked used and its position recorded; nullopt when absent.
  std::optional<YAML::Node> take(std::string_view key);

  // Whether the map has `key`, without marking it used.
  bool has(std::string_view key) const;

  template <typename T>
  void read(std::string_view key, T& out, const ScalarType<T>& type) {
    if (auto v = take(key)) read_scalar(*v, path_of(key), diag_, type, out);
  }

  // Like read(), but a missing key is an error ("required: <why>"), reported at this map.
  template <typename T>
  bool read_required(std::string_view key, T& out, const ScalarType<T>& type,
                     std::string_view why) {
    auto v = take(key);
    if (!v) {
      diag_.error(path_of(key), "required: " + std::string(why));
      return false;
    }
    return read_scalar(*v, path_of(key), diag_, type, out);
  }

  // null or "" leaves the value unset.
  template <typename T>
  void read_optional(std::string_view key, std::optional<T>& out, const ScalarType<T>& type) {
    auto v = take(key);
    if (!v) return;
    if (v->IsNull() || (v->IsScalar() && v->Scalar().empty())) {
      out.reset();
      return;
    }
    T value{};
    if (read_scalar(*v, path_of(key), diag_, type, value)) out = std::move(value);
  }

  // A nested map read by `fn`; absent keeps the defaults.
  void section(std::string_view key, const std::function<void(ObjectReader&)>& fn);

  // A list whose items `fn` reads (item node, item path); null is an empty list.
  void list(std::string_view key, std::string_view item_what,
            const std::function<void(const YAML::Node&, const std::string&)>& fn);

  template <typename T>
  void read_list(std::string_view key, std::vector<T>& out, const ScalarType<T>& type) {
    std::vector<T> values;
    bool ok = true;
    list(key, type.what, [&](const YAML::Node& item, const std::string& path) {
      T value{};
      if (read_scalar(item, path, diag_, type, value)) {
        values.push_back(std::move(value));
      } else {
        ok = false;
      }
    });
    if (ok && !diag_.failed(path_of(key))) out = std::move(values);
  }

 private:
  struct Entry {
    std::string key;
    YAML::Node key_node;
    YAML::Node value;
    bool used = false;
  };

  std::string path_;
  Diagnostics& diag_;
  std::vector<Entry> entries_;
  std::vector<std::string> asked_;  // every key the schema looked for, for "did you mean"
};

// Runs `fn` on a reader for `node` and reports its unknown keys: the usual way to read a map.
void read_map(const YAML::Node& node, const std::string& path, Diagnostics& diag,
              const std::function<void(ObjectReader&)>& fn);

}  // namespace resplit::config
