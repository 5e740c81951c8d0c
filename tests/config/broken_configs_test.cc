// Each tests/config/broken/<name>.yaml must fail to load with exactly the lines of <name>.expected,
// where `{file}` stands for the path the file was loaded from. The real SecretSource is used, as
// `resplit --check-config` would: no variable or file these configs name exists.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "proxy/config/loader.h"
#include "tests/config/fake_secret_source.h"

namespace resplit::config {
namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxFiles = 1000;
const fs::path kDir = "tests/config/broken";

std::vector<fs::path> files_with_extension(const std::string& extension) {
  std::vector<fs::path> files;
  for (const fs::directory_entry& entry : fs::directory_iterator(kDir)) {
    if (files.size() >= kMaxFiles) break;
    if (entry.path().extension() == extension) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<std::string> expected_lines(const fs::path& path, const std::string& file) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  std::string line;
  while (lines.size() < kMaxFiles && std::getline(in, line)) {
    if (line.empty()) continue;
    for (size_t at = line.find("{file}"); at != std::string::npos; at = line.find("{file}", at)) {
      line.replace(at, 6, file);
      at += file.size();
    }
    lines.push_back(line);
  }
  return lines;
}

TEST(BrokenConfigs, EachFailsWithExactlyItsExpectedErrors) {
  const std::vector<fs::path> configs = files_with_extension(".yaml");
  EXPECT_GE(configs.size(), 24u);
  for (const fs::path& config : configs) {
    fs::path expected_path = config;
    expected_path.replace_extension(".expected");
    ASSERT_TRUE(fs::exists(expected_path)) << expected_path;
    const std::vector<std::string> expected = expected_lines(expected_path, config.string());
    ASSERT_FALSE(expected.empty()) << expected_path << " is empty";
    LoadResult result = load_file(config);
    EXPECT_FALSE(result.ok()) << config;
    EXPECT_EQ(error_lines(result), expected) << config;
  }
}

TEST(BrokenConfigs, EveryExpectationHasItsConfig) {
  for (const fs::path& expected : files_with_extension(".expected")) {
    fs::path config = expected;
    config.replace_extension(".yaml");
    EXPECT_TRUE(fs::exists(config)) << expected << " has no " << config;
  }
}

}  // namespace
}  // namespace resplit::config
