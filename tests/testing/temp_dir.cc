#include "tests/testing/temp_dir.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <vector>

namespace resplit::testkit {

TempDir::TempDir(std::string_view prefix) {
  const char* root = std::getenv("TEST_TMPDIR");
  std::string pattern = (root != nullptr && *root != '\0') ? root : "/tmp";
  pattern += '/';
  pattern += prefix;
  pattern += "-XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (::mkdtemp(buffer.data()) == nullptr) {
    throw std::runtime_error("mkdtemp " + pattern + ": " + std::strerror(errno));
  }
  path_ = buffer.data();
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string TempDir::file(std::string_view name) const {
  std::string result = path_;
  result += '/';
  result += name;
  return result;
}

}  // namespace resplit::testkit
