// The command table that routing reads: per command (and subcommand) its arity, flags, ACL
// categories and legacy key positions, found by name without allocating. Immutable once built.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "proxy/commands/command_flags.h"

namespace resplit::commands {

// One row of Redis's COMMAND reply.
struct CommandInfo {
  // Canonical lowercase name; a subcommand is "container|sub" ("client|setname"), as in Redis 7.
  std::string name;
  // Argument count including the command name (and the subcommand name); negative means at least
  // -arity.
  int arity = 0;
  CommandFlags flags;
  AclCategories categories;
  // Legacy key positions: first and last key argument (last -1 = the last argument, -2 = the one
  // before it) and the step between keys; all 0 when the command takes no fixed keys (see
  // kMovablekeys).
  int first_key = 0;
  int last_key = 0;
  int key_step = 0;
  // Sorted by name; empty for commands without subcommands (and for everything a Redis 6 reports).
  std::vector<CommandInfo> subcommands;

  bool has(CommandFlag flag) const noexcept { return flags.has(flag); }
  bool in(AclCategory category) const noexcept { return categories.has(category); }

  friend bool operator==(const CommandInfo&, const CommandInfo&) = default;
};

class CommandTable {
 public:
  // Canonicalises the rows: names lowercased (ASCII), subcommand names prefixed with
  // "container|" when they are bare, rows sorted by name; of rows with the same name the first is
  // kept. Rows with empty names and subcommands of subcommands are dropped.
  explicit CommandTable(std::vector<CommandInfo> commands);

  // The index points into the rows, so a table stays where it was built (share it by pointer).
  CommandTable(const CommandTable&) = delete;
  CommandTable& operator=(const CommandTable&) = delete;

  // Redis 7.0's own table (builtin_table.inc), built on first use and shared.
  static std::shared_ptr<const CommandTable> builtin();

  // Case-insensitive (ASCII); nullptr when unknown.
  const CommandInfo* find(std::string_view name) const noexcept;
  // The container's subcommand `subcommand`; the container itself when it has no such
  // subcommand (or none at all); nullptr when the container is unknown.
  const CommandInfo* find(std::string_view name, std::string_view subcommand) const noexcept;

  // Top-level rows, sorted by name.
  std::span<const CommandInfo> commands() const noexcept { return commands_; }
  std::size_t subcommand_count() const noexcept { return subcommand_count_; }

 private:
  struct Slot {
    std::uint32_t hash = 0;
    bool subcommand = false;  // keeps find("client|kill") from answering with a subcommand
    const CommandInfo* info = nullptr;  // nullptr: empty slot
  };

  void index(const CommandInfo* info, bool subcommand);
  // `h` is the hash of name, or of "name|subcommand" when with_subcommand.
  const CommandInfo* probe(std::uint32_t h, std::string_view name, std::string_view subcommand,
                           bool with_subcommand) const noexcept;

  std::vector<CommandInfo> commands_;
  std::vector<Slot> slots_;  // open addressing, linear probing, power-of-two size
  std::size_t mask_ = 0;
  std::size_t subcommand_count_ = 0;
  std::size_t max_name_length_ = 0;  // longer names are unknown without hashing them
};

}  // namespace resplit::commands
