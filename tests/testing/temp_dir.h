// A private directory for one test server (data, logs, generated configs), created under
// $TEST_TMPDIR (Bazel) or /tmp and removed with everything in it when the object goes away. A test
// binary killed by a signal leaves it behind; Bazel clears $TEST_TMPDIR before the next run.
#pragma once

#include <string>
#include <string_view>

namespace resplit::testkit {

class TempDir {
 public:
  // Throws std::runtime_error when the directory cannot be created.
  explicit TempDir(std::string_view prefix);
  ~TempDir();

  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // `path()/name`.
  std::string file(std::string_view name) const;

 private:
  std::string path_;
};

}  // namespace resplit::testkit
