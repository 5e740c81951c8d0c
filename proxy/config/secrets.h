// Secret references in the config ({env: NAME} or {file: PATH}) and their resolution through a
// SecretSource. A secret's value is never part of any message.
#pragma once

#include <string>

#include <yaml-cpp/yaml.h>

#include "proxy/config/diagnostics.h"
#include "proxy/config/loader.h"
#include "proxy/config/object_reader.h"

namespace resplit::config {

// Reads the reference at `path` and resolves it; null leaves no secret. A plain string is refused:
// the file itself must never hold a password.
void read_secret(const YAML::Node& node, const std::string& path, Diagnostics& diag,
                 const SecretSource& source, SecretRef& out);

// {username: NAME, password: {env|file: ...}}
void read_credentials(ObjectReader& reader, const SecretSource& source, Credentials& out);

}  // namespace resplit::config
