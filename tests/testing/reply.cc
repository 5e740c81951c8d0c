#include "tests/testing/reply.h"

#include <cstdio>
#include <utility>

namespace resplit::testkit {
namespace {

void append_escaped(std::string& out, std::string_view bytes) {
  out += '"';
  for (unsigned char c : bytes) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c >= 0x20 && c < 0x7f) {
          out += static_cast<char>(c);
        } else {
          char hex[5];
          std::snprintf(hex, sizeof(hex), "\\x%02x", c);
          out += hex;
        }
    }
  }
  out += '"';
}

void append(std::string& out, const Reply& reply) {
  switch (reply.type) {
    case Reply::Type::kString:
      append_escaped(out, reply.str);
      break;
    case Reply::Type::kStatus:
      out += '+' + reply.str;
      break;
    case Reply::Type::kError:
      out += '-' + reply.str;
      break;
    case Reply::Type::kInteger:
      out += ':' + std::to_string(reply.integer);
      break;
    case Reply::Type::kNil:
      out += "(nil)";
      break;
    case Reply::Type::kArray:
      out += '[';
      for (size_t i = 0; i < reply.elements.size(); ++i) {
        if (i > 0) out += ", ";
        append(out, reply.elements[i]);
      }
      out += ']';
      break;
    case Reply::Type::kTimeout:
      out += "<timeout: " + reply.str + '>';
      break;
    case Reply::Type::kTransportError:
      out += "<transport error: " + reply.str + '>';
      break;
  }
}

Reply make(Reply::Type type, std::string str) {
  Reply reply;
  reply.type = type;
  reply.str = std::move(str);
  return reply;
}

}  // namespace

Reply Reply::bulk(std::string value) { return make(Type::kString, std::move(value)); }
Reply Reply::status(std::string value) { return make(Type::kStatus, std::move(value)); }
Reply Reply::error(std::string message) { return make(Type::kError, std::move(message)); }
Reply Reply::nil() { return Reply{}; }
Reply Reply::timeout(std::string what) { return make(Type::kTimeout, std::move(what)); }
Reply Reply::transport_error(std::string what) {
  return make(Type::kTransportError, std::move(what));
}

Reply Reply::number(long long value) {
  Reply reply;
  reply.type = Type::kInteger;
  reply.integer = value;
  return reply;
}

Reply Reply::array(std::vector<Reply> elements) {
  Reply reply;
  reply.type = Type::kArray;
  reply.elements = std::move(elements);
  return reply;
}

std::string_view type_name(Reply::Type type) {
  switch (type) {
    case Reply::Type::kString:
      return "string";
    case Reply::Type::kStatus:
      return "status";
    case Reply::Type::kError:
      return "error";
    case Reply::Type::kInteger:
      return "integer";
    case Reply::Type::kNil:
      return "nil";
    case Reply::Type::kArray:
      return "array";
    case Reply::Type::kTimeout:
      return "timeout";
    case Reply::Type::kTransportError:
      return "transport_error";
  }
  return "unknown";
}

std::string to_string(const Reply& reply) {
  std::string out;
  append(out, reply);
  return out;
}

std::ostream& operator<<(std::ostream& out, const Reply& reply) { return out << to_string(reply); }
std::ostream& operator<<(std::ostream& out, Reply::Type type) { return out << type_name(type); }
void PrintTo(const Reply& reply, std::ostream* out) { *out << to_string(reply); }

}  // namespace resplit::testkit
