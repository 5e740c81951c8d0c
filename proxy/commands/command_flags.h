// Redis command flags and ACL categories as enums with their wire names, so that routing tests one
// bit instead of comparing strings. Each enumerator is `k` + its wire name in CamelCase
// ("no_mandatory_keys" -> kNoMandatoryKeys, "@sortedset" -> kSortedset); the generated built-in
// table relies on that rule.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "proxy/commands/enum_set.h"

namespace resplit::commands {

// Every flag a Redis 7 command can carry, plus the two that only Redis 6 reports (random,
// sort_for_script). Redis 7.0 hides some of them from COMMAND (may_replicate, sentinel,
// only_sentinel, protected, module_getkeys, module_no_cluster, module_getchannels,
// touches_arbitrary_keys); they are here so a table can still name them.
enum class CommandFlag : std::uint8_t {
  kWrite,
  kReadonly,
  kDenyoom,
  kModule,
  kAdmin,
  kPubsub,
  kNoscript,
  kBlocking,
  kLoading,
  kStale,
  kSkipMonitor,
  kSkipSlowlog,
  kAsking,
  kFast,
  kNoAuth,
  kMayReplicate,
  kSentinel,
  kOnlySentinel,
  kNoMandatoryKeys,
  kProtected,
  kModuleGetkeys,
  kModuleNoCluster,
  kNoAsyncLoading,
  kNoMulti,
  kMovablekeys,
  kAllowBusy,
  kModuleGetchannels,
  kTouchesArbitraryKeys,
  kRandom,
  kSortForScript,
  kCount,  // not a flag
};

// Redis's ACL categories (without the '@' they carry on the wire).
enum class AclCategory : std::uint8_t {
  kKeyspace,
  kRead,
  kWrite,
  kSet,
  kSortedset,
  kList,
  kHash,
  kString,
  kBitmap,
  kHyperloglog,
  kGeo,
  kStream,
  kPubsub,
  kAdmin,
  kFast,
  kSlow,
  kBlocking,
  kDangerous,
  kConnection,
  kTransaction,
  kScripting,
  kCount,  // not a category
};

static_assert(static_cast<unsigned>(CommandFlag::kCount) <= 64);
static_assert(static_cast<unsigned>(AclCategory::kCount) <= 64);

using CommandFlags = EnumSet<CommandFlag>;
using AclCategories = EnumSet<AclCategory>;

// Wire names: "no_mandatory_keys", "@read". Empty for kCount.
std::string_view flag_name(CommandFlag flag) noexcept;
std::string_view category_name(AclCategory category) noexcept;

// Inverse of the above, ignoring ASCII case; a category must carry its '@'. nullopt for names
// this build does not know (a newer Redis or a module may send some).
std::optional<CommandFlag> parse_flag(std::string_view name) noexcept;
std::optional<AclCategory> parse_category(std::string_view name) noexcept;

}  // namespace resplit::commands
