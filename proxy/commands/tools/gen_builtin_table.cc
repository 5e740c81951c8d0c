// Asks a running redis-server for COMMAND and prints proxy/commands/builtin_table.inc, one line per
// command and subcommand; with --raw it prints the reply's exact bytes instead (loader test data).
//
//   gen_builtin_table [--raw] HOST PORT > FILE
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <hiredis/hiredis.h>

#include "proxy/commands/command_reply_loader.h"
#include "proxy/commands/command_table.h"

namespace resplit::commands {
namespace {

constexpr std::size_t kMaxReplyBytes = 64 << 20;  // the 7.0 reply is about 90 KB
constexpr timeval kTimeout = {10, 0};

struct ContextFree {
  void operator()(redisContext* c) const { redisFree(c); }
};
struct ReaderFree {
  void operator()(redisReader* r) const { redisReaderFree(r); }
};
struct ReplyFree {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using ReplyPtr = std::unique_ptr<redisReply, ReplyFree>;

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "gen_builtin_table: %s\n", what.c_str());
  std::exit(1);
}

std::string server_version(redisContext* c) {
  ReplyPtr info(static_cast<redisReply*>(redisCommand(c, "INFO server")));
  if (!info || info->type != REDIS_REPLY_STRING) die("INFO server failed");
  const std::string_view text(info->str, info->len);
  constexpr std::string_view kKey = "redis_version:";
  const std::size_t at = text.find(kKey);
  if (at == std::string_view::npos) die("INFO server has no redis_version");
  const std::size_t from = at + kKey.size();
  return std::string(text.substr(from, text.find_first_of("\r\n", from) - from));
}

// Sends COMMAND on the context's socket and reads until hiredis sees one whole reply, keeping the
// bytes exactly as they came (hiredis's own read path would not give them back).
std::string command_reply_bytes(redisContext* c) {
  constexpr std::string_view kRequest = "*1\r\n$7\r\nCOMMAND\r\n";
  if (write(c->fd, kRequest.data(), kRequest.size()) != static_cast<ssize_t>(kRequest.size())) {
    die(std::string("write failed: ") + std::strerror(errno));
  }
  std::unique_ptr<redisReader, ReaderFree> reader(redisReaderCreate());
  std::string bytes;
  char chunk[64 * 1024];
  while (bytes.size() < kMaxReplyBytes) {
    const ssize_t n = read(c->fd, chunk, sizeof chunk);  // SO_RCVTIMEO bounds each wait
    if (n <= 0) die(n == 0 ? "server closed the connection" : "read failed or timed out");
    bytes.append(chunk, static_cast<std::size_t>(n));
    if (redisReaderFeed(reader.get(), chunk, static_cast<std::size_t>(n)) != REDIS_OK) {
      die("hiredis could not parse the reply");
    }
    void* reply = nullptr;
    if (redisReaderGetReply(reader.get(), &reply) != REDIS_OK) die(reader->errstr);
    if (reply != nullptr) {
      freeReplyObject(reply);
      return bytes;
    }
  }
  die("reply larger than " + std::to_string(kMaxReplyBytes) + " bytes");
}

ReplyPtr parse(const std::string& bytes) {
  std::unique_ptr<redisReader, ReaderFree> reader(redisReaderCreate());
  void* reply = nullptr;
  if (redisReaderFeed(reader.get(), bytes.data(), bytes.size()) != REDIS_OK ||
      redisReaderGetReply(reader.get(), &reply) != REDIS_OK || reply == nullptr) {
    die("hiredis could not parse the reply");
  }
  return ReplyPtr(static_cast<redisReply*>(reply));
}

// "no_mandatory_keys" -> "kNoMandatoryKeys", "@sortedset" -> "kSortedset" (command_flags.h).
std::string identifier(std::string_view wire_name) {
  std::string out = "k";
  bool upper = true;
  for (char c : wire_name) {
    if (c == '@') continue;
    if (c == '_') {
      upper = true;
      continue;
    }
    out += (upper && c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
    upper = false;
  }
  return out;
}

template <typename E, typename NameOf>
std::string set_literal(EnumSet<E> set, E count, std::string_view alias, NameOf name_of) {
  std::string out = "{";
  for (unsigned i = 0; i < static_cast<unsigned>(count); ++i) {
    const E e = static_cast<E>(i);
    if (!set.has(e)) continue;
    if (out.size() > 1) out += ", ";
    out += std::string(alias) + "::" + identifier(name_of(e));
  }
  return out + "}";
}

void print_row(const CommandInfo& info) {
  for (char c : info.name) {
    if (c == '"' || c == '\\' || c < ' ' || c > '~') die("unprintable command name " + info.name);
  }
  const std::string flags = set_literal(info.flags, CommandFlag::kCount, "F", flag_name);
  const std::string categories =
      set_literal(info.categories, AclCategory::kCount, "C", category_name);
  std::printf("{\"%s\", %d, %s, %s, %d, %d, %d},\n", info.name.c_str(), info.arity, flags.c_str(),
              categories.c_str(), info.first_key, info.last_key, info.key_step);
}

void print_table(const CommandTable& table, const std::string& version) {
  std::printf(
      "// Generated from redis-server %s's COMMAND reply (%zu commands, %zu subcommands) by\n"
      "// //proxy/commands/tools:gen_builtin_table; do not edit. To regenerate, start that server\n"
      "// on 127.0.0.1:6379 and run from the workspace root:\n"
      "//   bazel run //proxy/commands/tools:gen_builtin_table -- 127.0.0.1 6379 > "
      "proxy/commands/builtin_table.inc\n"
      "// Columns: name, arity, flags, ACL categories, first key, last key, key step. Each\n"
      "// container comes right before its subcommands.\n",
      version.c_str(), table.commands().size(), table.subcommand_count());
  for (const CommandInfo& command : table.commands()) {
    print_row(command);
    for (const CommandInfo& sub : command.subcommands) print_row(sub);
  }
}

int run(int argc, char** argv) {
  const bool raw = argc > 1 && std::string_view(argv[1]) == "--raw";
  const int first = raw ? 2 : 1;
  if (argc - first != 2) die("usage: gen_builtin_table [--raw] HOST PORT");
  const int port = std::atoi(argv[first + 1]);

  std::unique_ptr<redisContext, ContextFree> c(
      redisConnectWithTimeout(argv[first], port, kTimeout));
  if (!c || c->err != 0) die(c ? c->errstr : "cannot allocate a hiredis context");
  if (redisSetTimeout(c.get(), kTimeout) != REDIS_OK) die("cannot set the socket timeout");

  const std::string version = server_version(c.get());
  const std::string bytes = command_reply_bytes(c.get());
  if (raw) {
    std::fwrite(bytes.data(), 1, bytes.size(), stdout);
    return 0;
  }
  const ReplyPtr reply = parse(bytes);
  const CommandReplyLoad load = load_command_reply(*reply);
  if (!load.ok()) die("malformed COMMAND reply: " + load.error);
  // A name this build does not know would silently vanish from the table: add it to
  // command_flags.h first.
  if (load.stats.unknown_flags != 0 || load.stats.unknown_categories != 0) {
    die("the server reports flags or categories unknown to command_flags.h");
  }
  print_table(*load.table, version);
  return 0;
}

}  // namespace
}  // namespace resplit::commands

int main(int argc, char** argv) { return resplit::commands::run(argc, argv); }
