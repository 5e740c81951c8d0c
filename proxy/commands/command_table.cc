#include "proxy/commands/command_table.h"

#include <algorithm>
#include <bit>

namespace resplit::commands {
namespace {

constexpr char ascii_lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c;
}

// FNV-1a over the lowercased bytes. Names are lowercased while hashing and compared byte by byte
// against the stored lowercase name, so a lookup needs no copy of the name at all.
constexpr std::uint32_t kFnvOffset = 2166136261u;
constexpr std::uint32_t kFnvPrime = 16777619u;

constexpr std::uint32_t hash_more(std::uint32_t h, std::string_view s) noexcept {
  for (char c : s) {
    h ^= static_cast<unsigned char>(ascii_lower(c));
    h *= kFnvPrime;
  }
  return h;
}

constexpr std::string_view kSeparator = "|";

bool matches_lowered(std::string_view stored, std::string_view any) noexcept {
  for (std::size_t i = 0; i < any.size(); ++i) {
    if (stored[i] != ascii_lower(any[i])) return false;
  }
  return true;
}

void lowercase(std::string& s) {
  for (char& c : s) c = ascii_lower(c);
}

bool by_name(const CommandInfo& a, const CommandInfo& b) { return a.name < b.name; }
bool same_name(const CommandInfo& a, const CommandInfo& b) { return a.name == b.name; }

// Sorts rows by name and drops empty names and all but the first row of each name.
void canonical_order(std::vector<CommandInfo>& rows) {
  std::erase_if(rows, [](const CommandInfo& row) { return row.name.empty(); });
  std::stable_sort(rows.begin(), rows.end(), by_name);
  rows.erase(std::unique(rows.begin(), rows.end(), same_name), rows.end());
}

}  // namespace

CommandTable::CommandTable(std::vector<CommandInfo> commands) : commands_(std::move(commands)) {
  std::size_t rows = 0;
  for (CommandInfo& command : commands_) {
    lowercase(command.name);
    const std::string prefix = command.name + std::string(kSeparator);
    for (CommandInfo& sub : command.subcommands) {
      lowercase(sub.name);
      if (!sub.name.empty() && !sub.name.starts_with(prefix)) sub.name.insert(0, prefix);
      sub.subcommands.clear();  // Redis has one level of subcommands; the index has no more
    }
  }
  canonical_order(commands_);
  for (CommandInfo& command : commands_) {
    canonical_order(command.subcommands);
    rows += 1 + command.subcommands.size();
    subcommand_count_ += command.subcommands.size();
  }

  // At most half full keeps linear probes short.
  const std::size_t capacity = std::bit_ceil(std::max<std::size_t>(16, rows * 2));
  slots_.resize(capacity);
  mask_ = capacity - 1;
  for (const CommandInfo& command : commands_) {
    index(&command, false);
    for (const CommandInfo& sub : command.subcommands) index(&sub, true);
  }
}

void CommandTable::index(const CommandInfo* info, bool subcommand) {
  max_name_length_ = std::max(max_name_length_, info->name.size());
  const std::uint32_t h = hash_more(kFnvOffset, info->name);
  for (std::size_t i = h & mask_;; i = (i + 1) & mask_) {
    if (slots_[i].info == nullptr) {
      slots_[i] = Slot{h, subcommand, info};
      return;
    }
  }
}

const CommandInfo* CommandTable::probe(std::uint32_t h, std::string_view name,
                                       std::string_view subcommand,
                                       bool with_subcommand) const noexcept {
  const std::size_t length =
      with_subcommand ? name.size() + kSeparator.size() + subcommand.size() : name.size();
  if (length == 0 || length > max_name_length_) return nullptr;
  // The table is at most half full, so an empty slot always ends the probe.
  for (std::size_t i = h & mask_;; i = (i + 1) & mask_) {
    const Slot& slot = slots_[i];
    if (slot.info == nullptr) return nullptr;
    if (slot.hash != h || slot.subcommand != with_subcommand || slot.info->name.size() != length) {
      continue;
    }
    const std::string_view stored = slot.info->name;
    if (!matches_lowered(stored, name)) continue;
    if (with_subcommand &&
        (stored[name.size()] != kSeparator[0] ||
         !matches_lowered(stored.substr(name.size() + kSeparator.size()), subcommand))) {
      continue;
    }
    return slot.info;
  }
}

const CommandInfo* CommandTable::find(std::string_view name) const noexcept {
  if (name.size() > max_name_length_) return nullptr;
  return probe(hash_more(kFnvOffset, name), name, {}, false);
}

const CommandInfo* CommandTable::find(std::string_view name,
                                      std::string_view subcommand) const noexcept {
  if (name.size() > max_name_length_) return nullptr;
  const std::uint32_t h = hash_more(kFnvOffset, name);
  const CommandInfo* container = probe(h, name, {}, false);
  if (container == nullptr || container->subcommands.empty()) return container;
  // "container|sub" hashes on from the container's own hash.
  if (subcommand.size() > max_name_length_) return container;
  const CommandInfo* sub = probe(hash_more(hash_more(h, kSeparator), subcommand), name,
                                 subcommand, true);
  return sub != nullptr ? sub : container;
}

}  // namespace resplit::commands
