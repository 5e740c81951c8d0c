// The release version and the git revision this binary was built from (stamped by Bazel).
#pragma once

#include <string_view>

namespace resplit {

inline constexpr std::string_view kVersion = "0.1.0";

// Git revision, "-dirty" when built from a modified tree, or "unknown".
std::string_view git_revision() noexcept;

}  // namespace resplit
