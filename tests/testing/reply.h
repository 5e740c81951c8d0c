// An owned copy of one Redis reply that tests compare with == and gtest prints readably; the test
// clients also use it to report a timeout or a broken connection instead of a server reply.
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace resplit::testkit {

struct Reply {
  enum class Type {
    kString,  // bulk string
    kStatus,  // +OK
    kError,   // -ERR ... (text without the '-')
    kInteger,
    kNil,
    kArray,
    kTimeout,         // no reply within the client's timeout; `str` says what failed
    kTransportError,  // connect failure, EOF, protocol error; `str` has the client's message
  };

  Type type = Type::kNil;
  std::string str;
  long long integer = 0;
  std::vector<Reply> elements;

  static Reply bulk(std::string value);
  static Reply status(std::string value);
  static Reply error(std::string message);
  static Reply number(long long value);
  static Reply nil();
  static Reply array(std::vector<Reply> elements);
  static Reply timeout(std::string what);
  static Reply transport_error(std::string what);

  // True for replies that came from the server (including -ERR), false for timeouts and failures.
  bool from_server() const { return type != Type::kTimeout && type != Type::kTransportError; }
  bool is_error() const { return type == Type::kError; }

  bool operator==(const Reply& other) const = default;
};

std::string_view type_name(Reply::Type type);
// One line, redis-cli-like: "v" (escaped), +OK, -ERR x, :3, (nil), [a, b], <timeout: ...>.
std::string to_string(const Reply& reply);
std::ostream& operator<<(std::ostream& out, const Reply& reply);
std::ostream& operator<<(std::ostream& out, Reply::Type type);
// For gtest's failure messages.
void PrintTo(const Reply& reply, std::ostream* out);

}  // namespace resplit::testkit
