// Malformed and unusual inline requests (quoting, escapes, line ends) and binary arguments.
// Every expectation was checked against redis-server 7.0.15.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "proxy/base/error_text.h"
#include "tests/resp/request_corpus.h"

namespace resplit::resp::testing {
namespace {

using namespace std::string_literals;

const std::vector<CorpusCase>& inline_cases() {
  static const std::vector<CorpusCase> cases = {
    {"short hex escape", "GET \"x\\x4\"\r\n"s, {{"GET"s, "xx4"s}}, End::kConsumed},
    {"unbalanced double quote", "SET \"a b\r\n"s, {}, text::kUnbalancedQuotes},
    {"text after closing double quote", "ECHO \"a\"b\r\n"s, {}, text::kUnbalancedQuotes},
    {"text after closing single quote", "ECHO 'a'b\r\n"s, {}, text::kUnbalancedQuotes},
    {"quote inside a word", "ECHO a\"b c\"\r\n"s, {{"ECHO"s, "ab c"s}}, End::kConsumed},
    {"double-quote escapes",
     "ECHO \"\\x41\\x4g\\q\\\\\\\"\\b\\a\\t\\n\\r\"\r\n"s,
     {{"ECHO"s, "Ax4gq\\\"\010\007\t\n\r"s}}, End::kConsumed},
    {"single quotes keep backslashes", "ECHO 'a\\nb'\r\n"s, {{"ECHO"s, "a\\nb"s}}, End::kConsumed},
    {"escaped single quote", "ECHO 'it\\'s'\r\n"s, {{"ECHO"s, "it's"s}}, End::kConsumed},
    {"single quote ends after backslash pair", "ECHO 'a\\\\' x\r\n"s, {}, text::kUnbalancedQuotes},
    {"empty double quotes", "ECHO \"\"\r\n"s, {{"ECHO"s, ""s}}, End::kConsumed},
    {"empty single quotes", "ECHO ''\r\n"s, {{"ECHO"s, ""s}}, End::kConsumed},
    {"tab after closing quote", "ECHO \"a\"\tb\r\n"s, {{"ECHO"s, "a"s, "b"s}}, End::kConsumed},
    {"vertical tab after closing quote",
     "ECHO \"a\"\013b\r\n"s,
     {{"ECHO"s, "a"s, "b"s}}, End::kConsumed},
    {"vertical tab inside a word", "\013ECHO a\013b\r\n"s, {{"ECHO"s, "a\013b"s}}, End::kConsumed},
    {"backslash before end of quote", "ECHO \"abc\\\r\n"s, {}, text::kUnbalancedQuotes},
    {"escaped closing quote", "ECHO \"a\\\"\r\n"s, {}, text::kUnbalancedQuotes},
    {"bad hex digits", "ECHO \"\\xZZ\"\r\n"s, {{"ECHO"s, "xZZ"s}}, End::kConsumed},
    {"hex escape NUL", "ECHO \"a\\x00b\"\r\n"s, {{"ECHO"s, "a\000b"s}}, End::kConsumed},
    {"double quote inside single quotes", "ECHO 'a\"b'\r\n"s, {{"ECHO"s, "a\"b"s}}, End::kConsumed},
    {"single quote inside double quotes", "ECHO \"a'b\"\r\n"s, {{"ECHO"s, "a'b"s}}, End::kConsumed},
    {"UTF-8 argument",
     "ECHO \303\251t\303\251\r\n"s,
     {{"ECHO"s, "\303\251t\303\251"s}}, End::kConsumed},
    {"zero-length command name", "\"\" x\r\n"s, {{""s, "x"s}}, End::kConsumed},
    {"spaces only", "   \t \r\n*1\r\n$4\r\nPING\r\n"s, {{"PING"s}}, End::kConsumed},
    {"too big inline request", std::string(70000, 'A'), {}, text::kTooBigInlineRequest},
    {"NUL hides the inline line end", "PING\000\r\n"s, {}, End::kWaits},
    {"leading NUL", "\000PING\r\n"s, {}, End::kWaits},
    {"bulk header as inline", "$4\r\n"s, {{"$4"s}}, End::kConsumed},
    {"simple string as inline", "+PING\r\n"s, {{"+PING"s}}, End::kConsumed},
    {"integer as inline", ":1\r\n"s, {{":1"s}}, End::kConsumed},
    {"RESP3 map header as inline", "%1\r\n"s, {{"%1"s}}, End::kConsumed},
    {"three arguments", "ECHO \"a\" \"b\"\r\n"s, {{"ECHO"s, "a"s, "b"s}}, End::kConsumed},
  };
  return cases;
}

TEST(RequestCorpusTest, InlineQuoting) {
  for (const CorpusCase& c : inline_cases()) check_corpus_case(c);
}

const std::vector<CorpusCase>& binary_cases() {
  static const std::vector<CorpusCase> cases = {
    {"NUL in a bulk argument",
     "*2\r\n$4\r\nECHO\r\n$3\r\na\000b\r\n"s,
     {{"ECHO"s, "a\000b"s}}, End::kConsumed},
    {"zero-length command name", "*1\r\n$0\r\n\r\n"s, {{""s}}, End::kConsumed},
    {"NUL cuts an argument in the error",
     "*3\r\n$3\r\nFOO\r\n$3\r\nb\000r\r\n$1\r\nc\r\n"s,
     {{"FOO"s, "b\000r"s, "c"s}}, End::kConsumed},
    {"high bytes",
     "*2\r\n$4\r\nECHO\r\n$4\r\n\200\376\377\000\r\n"s,
     {{"ECHO"s, "\200\376\377\000"s}}, End::kConsumed},
    {"1 MiB command name",
     "*1\r\n$1048576\r\n"s + std::string(1048576, 'A') + "\r\n"s,
     {{std::string(1048576, 'A')}}, End::kConsumed},
    {"CRLF in argument shown as spaces",
     "*2\r\n$3\r\nFOO\r\n$3\r\na\r\n\r\n"s,
     {{"FOO"s, "a\r\n"s}}, End::kConsumed},
    {"long arguments cut at 128",
     "*4\r\n$3\r\nFOO\r\n$100\r\n"s + std::string(100, 'a') + "\r\n$100\r\n"s +
         std::string(100, 'b') + "\r\n$3\r\nccc\r\n"s,
     {{"FOO"s, std::string(100, 'a'), std::string(100, 'b'), "ccc"s}},
     End::kConsumed},
  };
  return cases;
}

TEST(RequestCorpusTest, BinaryArguments) {
  for (const CorpusCase& c : binary_cases()) check_corpus_case(c);
}

}  // namespace
}  // namespace resplit::resp::testing
