#include "proxy/commands/command_reply_loader.h"

#include <climits>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace resplit::commands {
namespace {

// Positions in one row of the COMMAND reply.
enum Field : std::size_t {
  kName = 0,
  kArity = 1,
  kFlags = 2,
  kFirstKey = 3,
  kLastKey = 4,
  kKeyStep = 5,
  kCategories = 6,  // Redis 6+
  kTips = 7,        // Redis 7+
  kKeySpecs = 8,    // Redis 7+
  kSubcommands = 9,  // Redis 7+
};
constexpr std::size_t kMinFields = kKeyStep + 1;
constexpr std::size_t kMaxShownName = 64;

const redisReply* element(const redisReply& array, std::size_t i) noexcept {
  return (i < array.elements && array.element != nullptr) ? array.element[i] : nullptr;
}

bool is_array(const redisReply* r) noexcept {
  return r != nullptr && r->type == REDIS_REPLY_ARRAY && (r->elements == 0 || r->element != nullptr);
}

std::optional<std::string_view> text_of(const redisReply* r) noexcept {
  if (r == nullptr || (r->type != REDIS_REPLY_STRING && r->type != REDIS_REPLY_STATUS) ||
      (r->str == nullptr && r->len != 0)) {
    return std::nullopt;
  }
  return std::string_view(r->str, r->len);
}

std::optional<int> int_of(const redisReply* r) noexcept {
  if (r == nullptr || r->type != REDIS_REPLY_INTEGER || r->integer < INT_MIN ||
      r->integer > INT_MAX) {
    return std::nullopt;
  }
  return static_cast<int>(r->integer);
}

// Walks the reply; the first problem found is kept in error_ and stops the walk.
class ReplyReader {
 public:
  explicit ReplyReader(CommandReplyStats& stats) : stats_(stats) {}

  const std::string& error() const { return error_; }

  std::optional<std::vector<CommandInfo>> rows(const redisReply& reply) {
    if (reply.type == REDIS_REPLY_ERROR) {
      const std::string_view text =
          reply.str != nullptr ? std::string_view(reply.str, reply.len) : std::string_view();
      return fail("the server answered with an error: " + std::string(text.substr(0, 200)));
    }
    if (!is_array(&reply)) return fail("the reply is not an array");
    if (reply.elements == 0) return fail("the reply has no commands");
    std::vector<CommandInfo> out;
    out.reserve(reply.elements);
    for (std::size_t i = 0; i < reply.elements; ++i) {
      context_ = "entry " + std::to_string(i);
      std::optional<CommandInfo> row = read_row(element(reply, i), /*subcommand=*/false);
      if (!row) return std::nullopt;
      out.push_back(std::move(*row));
      ++stats_.commands;
    }
    return out;
  }

 private:
  std::nullopt_t fail(std::string what) {
    error_ = context_.empty() ? std::move(what) : context_ + ": " + what;
    return std::nullopt;
  }
  bool reject(std::string what) {
    fail(std::move(what));
    return false;
  }

  std::optional<CommandInfo> read_row(const redisReply* row, bool subcommand) {
    if (!is_array(row)) return fail("not an array");
    const std::optional<std::string_view> name = text_of(element(*row, kName));
    if (name && !name->empty()) {
      context_ += " (\"" + std::string(name->substr(0, kMaxShownName)) + "\")";
    }
    if (row->elements < kMinFields) {
      return fail("has " + std::to_string(row->elements) + " elements, at least " +
                  std::to_string(kMinFields) + " expected");
    }
    if (!name) return fail("the name is not a string");
    if (name->empty()) return fail("the name is empty");

    CommandInfo info;
    info.name = std::string(*name);
    const std::optional<int> arity = int_of(element(*row, kArity));
    const std::optional<int> first = int_of(element(*row, kFirstKey));
    const std::optional<int> last = int_of(element(*row, kLastKey));
    const std::optional<int> step = int_of(element(*row, kKeyStep));
    if (!arity) return fail("the arity is not an integer");
    if (!first || !last || !step) return fail("a key position is not an integer");
    info.arity = *arity;
    info.first_key = *first;
    info.last_key = *last;
    info.key_step = *step;

    if (!read_names(element(*row, kFlags), "flags", [&](std::string_view flag) {
          if (const std::optional<CommandFlag> f = parse_flag(flag)) {
            info.flags.add(*f);
          } else {
            ++stats_.unknown_flags;
          }
        })) {
      return std::nullopt;
    }
    if (row->elements > kCategories &&
        !read_names(element(*row, kCategories), "the ACL categories", [&](std::string_view c) {
          if (const std::optional<AclCategory> category = parse_category(c)) {
            info.categories.add(*category);
          } else {
            ++stats_.unknown_categories;
          }
        })) {
      return std::nullopt;
    }
    // Tips and key specs are not used, but a row whose shape is wrong there is not trusted either.
    if (row->elements > kTips && !is_array(element(*row, kTips))) {
      return fail("the tips are not an array");
    }
    if (row->elements > kKeySpecs && !is_array(element(*row, kKeySpecs))) {
      return fail("the key specs are not an array");
    }
    if (row->elements > kSubcommands && !read_subcommands(element(*row, kSubcommands), subcommand,
                                                          info.subcommands)) {
      return std::nullopt;
    }
    return info;
  }

  template <typename OnName>
  bool read_names(const redisReply* list, std::string_view what, OnName on_name) {
    if (!is_array(list)) return reject(std::string(what) + " are not an array");
    for (std::size_t i = 0; i < list->elements; ++i) {
      const std::optional<std::string_view> name = text_of(element(*list, i));
      if (!name) return reject(std::string(what) + " hold a non-string");
      on_name(*name);
    }
    return true;
  }

  bool read_subcommands(const redisReply* list, bool inside_subcommand,
                        std::vector<CommandInfo>& out) {
    if (!is_array(list)) return reject("the subcommands are not an array");
    if (list->elements == 0) return true;
    if (inside_subcommand) return reject("a subcommand has subcommands");
    const std::string container_context = context_;
    out.reserve(list->elements);
    for (std::size_t i = 0; i < list->elements; ++i) {
      context_ = container_context + " subcommand " + std::to_string(i);
      std::optional<CommandInfo> sub = read_row(element(*list, i), /*subcommand=*/true);
      if (!sub) return false;
      out.push_back(std::move(*sub));
      ++stats_.subcommands;
    }
    context_ = container_context;
    return true;
  }

  CommandReplyStats& stats_;
  std::string context_;
  std::string error_;
};

}  // namespace

CommandReplyLoad load_command_reply(const redisReply& reply) {
  CommandReplyLoad load;
  ReplyReader reader(load.stats);
  std::optional<std::vector<CommandInfo>> rows = reader.rows(reply);
  if (!rows) {
    load.error = reader.error();
    load.stats = {};
    return load;
  }
  load.table = std::make_shared<const CommandTable>(std::move(*rows));
  return load;
}

}  // namespace resplit::commands
