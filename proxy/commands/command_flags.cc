#include "proxy/commands/command_flags.h"

#include <array>
#include <cstddef>

namespace resplit::commands {
namespace {

// Indexed by enumerator; the static_asserts below keep the arrays and the enums in step.
constexpr std::array<std::string_view, static_cast<std::size_t>(CommandFlag::kCount)> kFlagNames = {
    "write",         "readonly",         "denyoom",          "module",
    "admin",         "pubsub",           "noscript",         "blocking",
    "loading",       "stale",            "skip_monitor",     "skip_slowlog",
    "asking",        "fast",             "no_auth",          "may_replicate",
    "sentinel",      "only_sentinel",    "no_mandatory_keys", "protected",
    "module_getkeys", "module_no_cluster", "no_async_loading", "no_multi",
    "movablekeys",   "allow_busy",       "module_getchannels", "touches_arbitrary_keys",
    "random",        "sort_for_script",
};

constexpr std::array<std::string_view, static_cast<std::size_t>(AclCategory::kCount)>
    kCategoryNames = {
        "@keyspace", "@read",        "@write",     "@set",       "@sortedset", "@list",
        "@hash",     "@string",      "@bitmap",    "@hyperloglog", "@geo",     "@stream",
        "@pubsub",   "@admin",       "@fast",      "@slow",      "@blocking",  "@dangerous",
        "@connection", "@transaction", "@scripting",
};

template <std::size_t N>
constexpr bool all_named(const std::array<std::string_view, N>& names) {
  for (std::string_view name : names) {
    if (name.empty()) return false;
  }
  return true;
}

static_assert(all_named(kFlagNames));
static_assert(all_named(kCategoryNames));
static_assert(kFlagNames[static_cast<std::size_t>(CommandFlag::kSortForScript)] ==
              "sort_for_script");
static_assert(kFlagNames[static_cast<std::size_t>(CommandFlag::kMovablekeys)] == "movablekeys");
static_assert(kCategoryNames[static_cast<std::size_t>(AclCategory::kScripting)] ==
              "@scripting");

constexpr char ascii_lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c;
}

bool equals_ignoring_case(std::string_view lower, std::string_view any) noexcept {
  if (lower.size() != any.size()) return false;
  for (std::size_t i = 0; i < lower.size(); ++i) {
    if (lower[i] != ascii_lower(any[i])) return false;
  }
  return true;
}

template <typename E, std::size_t N>
std::optional<E> parse(const std::array<std::string_view, N>& names, std::string_view name) {
  for (std::size_t i = 0; i < N; ++i) {
    if (equals_ignoring_case(names[i], name)) return static_cast<E>(i);
  }
  return std::nullopt;
}

}  // namespace

std::string_view flag_name(CommandFlag flag) noexcept {
  const auto i = static_cast<std::size_t>(flag);
  return i < kFlagNames.size() ? kFlagNames[i] : std::string_view();
}

std::string_view category_name(AclCategory category) noexcept {
  const auto i = static_cast<std::size_t>(category);
  return i < kCategoryNames.size() ? kCategoryNames[i] : std::string_view();
}

std::optional<CommandFlag> parse_flag(std::string_view name) noexcept {
  return parse<CommandFlag>(kFlagNames, name);
}

std::optional<AclCategory> parse_category(std::string_view name) noexcept {
  return parse<AclCategory>(kCategoryNames, name);
}

}  // namespace resplit::commands
