#include "proxy/resp/inline_splitter.h"

namespace resplit::resp {
namespace {

// C's isspace in the "C" locale, which Redis uses to skip blanks and to end a quoted argument.
constexpr bool is_c_space(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

constexpr int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Builds one argument: while its bytes are a contiguous run of the line it is only a range of the
// line (no copy); the first escape or skipped quote moves it to the scratch.
class ArgBuilder {
 public:
  ArgBuilder(std::string_view line, std::string& scratch) : line_(line), scratch_(scratch) {}

  void take(std::size_t at) {
    if (!in_scratch_ && (length_ == 0 || at == start_ + length_)) {
      if (length_ == 0) start_ = at;
      ++length_;
      return;
    }
    to_scratch();
    scratch_.push_back(line_[at]);
  }

  void put(char c) {
    to_scratch();
    scratch_.push_back(c);
  }

  ArgSlot slot() const {
    if (in_scratch_) return {start_, scratch_.size() - start_, true};
    return {start_, length_, false};
  }

 private:
  void to_scratch() {
    if (in_scratch_) return;
    const std::size_t scratch_start = scratch_.size();
    scratch_.append(line_.substr(start_, length_));
    start_ = scratch_start;
    in_scratch_ = true;
  }

  std::string_view line_;
  std::string& scratch_;
  std::size_t start_ = 0;
  std::size_t length_ = 0;
  bool in_scratch_ = false;
};

}  // namespace

bool InlineSplitter::split(std::string_view line, std::vector<ArgSlot>& slots) {
  scratch_.clear();
  // Redis reads the line as a C string: a NUL ends it. The request parser never passes one (a NUL
  // stops its line search, as strchr stops Redis's), but the rule stays exact for any caller.
  auto at = [line](std::size_t i) { return i < line.size() ? line[i] : '\0'; };
  std::size_t p = 0;
  while (true) {
    while (is_c_space(at(p))) ++p;
    if (at(p) == '\0') return true;
    ArgBuilder arg(line, scratch_);
    bool in_double = false;
    bool in_single = false;
    bool done = false;
    while (!done) {
      const char c = at(p);
      if (in_double) {
        if (c == '\\' && at(p + 1) == 'x' && hex_value(at(p + 2)) >= 0 &&
            hex_value(at(p + 3)) >= 0) {
          arg.put(static_cast<char>(hex_value(at(p + 2)) * 16 + hex_value(at(p + 3))));
          p += 3;
        } else if (c == '\\' && at(p + 1) != '\0') {
          ++p;
          switch (at(p)) {
            case 'n': arg.put('\n'); break;
            case 'r': arg.put('\r'); break;
            case 't': arg.put('\t'); break;
            case 'b': arg.put('\b'); break;
            case 'a': arg.put('\a'); break;
            default: arg.put(at(p)); break;
          }
        } else if (c == '"') {
          // A closing quote must be followed by a space or the end of the line.
          if (at(p + 1) != '\0' && !is_c_space(at(p + 1))) return false;
          done = true;
        } else if (c == '\0') {
          return false;
        } else {
          arg.take(p);
        }
      } else if (in_single) {
        if (c == '\\' && at(p + 1) == '\'') {
          ++p;
          arg.put('\'');
        } else if (c == '\'') {
          if (at(p + 1) != '\0' && !is_c_space(at(p + 1))) return false;
          done = true;
        } else if (c == '\0') {
          return false;
        } else {
          arg.take(p);
        }
      } else {
        switch (c) {
          // Unquoted arguments end only here; '\v' and '\f' belong to the argument (Redis does so).
          case ' ': case '\n': case '\r': case '\t': case '\0': done = true; break;
          case '"': in_double = true; break;
          case '\'': in_single = true; break;
          default: arg.take(p); break;
        }
      }
      if (at(p) != '\0') ++p;
    }
    slots.push_back(arg.slot());
  }
}

}  // namespace resplit::resp
