#include "proxy/config/loader.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "proxy/config/check_config.h"
#include "proxy/config/diagnostics.h"
#include "proxy/config/schema.h"
#include "proxy/config/yaml_documents.h"

namespace resplit::config {

std::string ConfigError::to_string() const {
  std::string out = file;
  if (line > 0) out += ":" + std::to_string(line) + ":" + std::to_string(column);
  out += ": ";
  if (!path.empty()) out += path + ": ";
  out += message;
  return out;
}

LoadResult load_string(std::string_view yaml, std::string_view file_name,
                       const SecretSource& secrets) {
  Diagnostics diag(std::string(file_name), true);
  LoadResult result;
  YAML::Node document;
  DocumentScan scan;
  try {
    scan = scan_documents(yaml);
    if (!scan.stuck_at) document = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    diag.error_at(position_of(e.mark), "", "YAML syntax error: " + e.msg);
    result.errors = diag.take_sorted();
    return result;
  }
  if (scan.stuck_at) {
    diag.error_at(position_of(*scan.stuck_at), "",
                  "YAML syntax error: unexpected character where a key or value should start");
    result.errors = diag.take_sorted();
    return result;
  }
  if (!scan.second_document && document.IsNull()) {
    diag.error_at(Position{1, 1}, "",
                  "the file is empty: expected a map with at least master or sentinel");
    result.errors = diag.take_sorted();
    return result;
  }
  if (scan.second_document) {
    diag.error_at(position_of(*scan.second_document), "",
                  "more than one YAML document: put the whole configuration in one");
  }
  Config config;
  config.source = std::string(file_name);
  read_config(document, diag, secrets, config);
  check_config(config, diag);
  result.errors = diag.take_sorted();
  if (result.errors.empty()) result.config = std::move(config);
  return result;
}

LoadResult load_file(const std::filesystem::path& path, const SecretSource& secrets) {
  auto fail = [&](std::string why) {
    LoadResult result;
    result.errors.push_back(ConfigError{path.string(), 0, 0, "", std::move(why)});
    return result;
  };
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return fail("cannot read: it is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(std::string("cannot read: ") + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return fail("cannot read the whole file");
  return load_string(text.str(), path.string(), secrets);
}

std::vector<ConfigError> validate(const Config& config) {
  Diagnostics diag(config.source, false);
  check_config(config, diag);
  return diag.take_sorted();
}

}  // namespace resplit::config
