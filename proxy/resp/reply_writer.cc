#include "proxy/resp/reply_writer.h"

#include <algorithm>
#include <charconv>

#include "proxy/base/error_text.h"

namespace resplit::resp {
namespace {

constexpr std::string_view kCrlf = "\r\n";
// Redis prints user input in these errors with "%.128s".
constexpr std::size_t kQuotedLimit = 128;

// What printf's "%.Ns" prints of `s`: up to the first NUL, at most `limit` bytes.
std::string_view c_string_prefix(std::string_view s, std::size_t limit) {
  return s.substr(0, std::min(s.find('\0'), limit));
}

}  // namespace

void ReplyWriter::append_number(char prefix, std::int64_t value) {
  char digits[24];
  digits[0] = prefix;
  const auto [end, ec] = std::to_chars(digits + 1, digits + sizeof(digits), value);
  out_->append(digits, end);
  out_->append(kCrlf);
}

void ReplyWriter::append_mapped(std::string_view text) {
  const std::size_t start = out_->size();
  out_->append(text);
  std::replace_if(out_->begin() + static_cast<std::ptrdiff_t>(start), out_->end(),
                  [](char c) { return c == '\r' || c == '\n'; }, ' ');
}

ReplyWriter& ReplyWriter::simple_string(std::string_view text) {
  out_->push_back('+');
  out_->append(text);
  out_->append(kCrlf);
  return *this;
}

ReplyWriter& ReplyWriter::error_line(std::string_view line) {
  out_->append(line);
  return *this;
}

ReplyWriter& ReplyWriter::error(std::string_view text) {
  out_->push_back('-');
  append_mapped(text);
  out_->append(kCrlf);
  return *this;
}

ReplyWriter& ReplyWriter::integer(std::int64_t value) {
  append_number(':', value);
  return *this;
}

ReplyWriter& ReplyWriter::bulk(std::string_view data) {
  append_number('$', static_cast<std::int64_t>(data.size()));
  out_->append(data);
  out_->append(kCrlf);
  return *this;
}

ReplyWriter& ReplyWriter::null_bulk() {
  out_->append("$-1\r\n");
  return *this;
}

ReplyWriter& ReplyWriter::null_array() {
  out_->append("*-1\r\n");
  return *this;
}

ReplyWriter& ReplyWriter::array_header(std::size_t count) {
  append_number('*', static_cast<std::int64_t>(count));
  return *this;
}

ReplyWriter& ReplyWriter::expected_dollar(char got) {
  out_->append(text::kExpectedDollarPrefix);
  append_mapped(std::string_view(&got, 1));
  out_->append(text::kExpectedDollarSuffix);
  return *this;
}

ReplyWriter& ReplyWriter::unknown_command(std::span<const std::string_view> args) {
  out_->append(text::kUnknownCommandPrefix);
  if (!args.empty()) append_mapped(c_string_prefix(args[0], kQuotedLimit));
  out_->append(text::kUnknownCommandArgs);
  // Redis adds "'arg' " while the list is shorter than 128 bytes, each cut to what is left.
  std::size_t listed = 0;
  for (std::size_t i = 1; i < args.size() && listed < kQuotedLimit; ++i) {
    const std::string_view arg = c_string_prefix(args[i], kQuotedLimit - listed);
    out_->push_back('\'');
    append_mapped(arg);
    out_->append("' ");
    listed += arg.size() + 3;
  }
  out_->append(kCrlf);
  return *this;
}

ReplyWriter& ReplyWriter::unknown_subcommand(std::string_view container,
                                             std::string_view subcommand) {
  out_->append(text::kUnknownSubcommandPrefix);
  append_mapped(c_string_prefix(subcommand, kQuotedLimit));
  out_->append(text::kUnknownSubcommandTry);
  const std::size_t start = out_->size();
  append_mapped(c_string_prefix(container, container.size()));
  std::transform(out_->begin() + static_cast<std::ptrdiff_t>(start), out_->end(),
                 out_->begin() + static_cast<std::ptrdiff_t>(start), [](char c) {
                   // Redis's toupper runs in the "C" locale: ASCII letters only.
                   return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
                 });
  out_->append(text::kUnknownSubcommandSuffix);
  return *this;
}

ReplyWriter& ReplyWriter::wrong_arity(std::string_view full_name) {
  out_->append(text::kWrongArityPrefix);
  out_->append(full_name);
  out_->append(text::kWrongAritySuffix);
  return *this;
}

ReplyWriter& ReplyWriter::command(std::span<const std::string_view> args) {
  append_number('*', static_cast<std::int64_t>(args.size()));
  for (const std::string_view arg : args) bulk(arg);
  return *this;
}

ReplyWriter& ReplyWriter::command(std::initializer_list<std::string_view> args) {
  return command(std::span<const std::string_view>(args.begin(), args.size()));
}

}  // namespace resplit::resp
