#include "proxy/config/secrets.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "proxy/config/value_types.h"

namespace resplit::config {

std::optional<std::string> SecretSource::env(const std::string& name) const {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

std::optional<std::string> SecretSource::file(const std::string& path) const {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) return std::nullopt;
  std::string value = content.str();
  // Files written by `echo` or editors end in a newline that is not part of the secret.
  if (!value.empty() && value.back() == '\n') value.pop_back();
  if (!value.empty() && value.back() == '\r') value.pop_back();
  return value;
}

void read_secret(const YAML::Node& node, const std::string& path, Diagnostics& diag,
                 const SecretSource& source, SecretRef& out) {
  if (node.IsNull()) {
    out = SecretRef{};
    return;
  }
  if (node.IsScalar()) {
    // The text is likely the password itself: say nothing about it.
    diag.error(path, "secrets must come from env or file: write {env: NAME} or {file: PATH}");
    return;
  }
  if (!node.IsMap()) {
    diag.error(path, "expected {env: NAME} or {file: PATH}, got " + describe_node(node));
    return;
  }
  SecretRef ref;
  read_map(node, path, diag, [&](ObjectReader& r) {
    r.read("env", ref.env, string_type());
    r.read("file", ref.file, string_type());
  });
  if (diag.failed(path)) return;
  if (ref.env.empty() == ref.file.empty()) {
    diag.error(path, "set exactly one of env and file");
    return;
  }
  if (!ref.env.empty()) {
    std::optional<std::string> value = source.env(ref.env);
    if (!value) {
      diag.error(child_path(path, "env"), "environment variable " + ref.env + " is not set");
      return;
    }
    if (value->empty()) {
      diag.error(child_path(path, "env"), "environment variable " + ref.env + " is empty");
      return;
    }
    ref.value = std::move(*value);
  } else {
    std::optional<std::string> value = source.file(ref.file);
    if (!value) {
      diag.error(child_path(path, "file"), "cannot read secret file " + ref.file);
      return;
    }
    if (value->empty()) {
      diag.error(child_path(path, "file"), "secret file " + ref.file + " is empty");
      return;
    }
    ref.value = std::move(*value);
  }
  out = std::move(ref);
}

void read_credentials(ObjectReader& reader, const SecretSource& source, Credentials& out) {
  reader.read("username", out.username, string_type());
  if (auto v = reader.take("password")) {
    read_secret(*v, reader.path_of("password"), reader.diag(), source, out.password);
  }
}

}  // namespace resplit::config
