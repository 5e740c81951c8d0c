// Malformed and unusual RESP-array requests: counts, bulk lengths, line ends, element types.
// Every expectation was checked against redis-server 7.0.15.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "proxy/base/error_text.h"
#include "tests/resp/request_corpus.h"

namespace resplit::resp::testing {
namespace {

using namespace std::string_literals;

const std::vector<CorpusCase>& count_cases() {
  static const std::vector<CorpusCase> cases = {
    {"negative count skipped", "*-5\r\n*1\r\n$4\r\nPING\r\n"s, {{"PING"s}}, End::kConsumed},
    {"null array skipped", "*-1\r\n*1\r\n$4\r\nPING\r\n"s, {{"PING"s}}, End::kConsumed},
    {"empty array skipped", "*0\r\n*1\r\n$4\r\nPING\r\n"s, {{"PING"s}}, End::kConsumed},
    {"most negative count skipped",
     "*-9223372036854775808\r\n*1\r\n$4\r\nPING\r\n"s,
     {{"PING"s}}, End::kConsumed},
    {"leading zero", "*00\r\n"s, {}, text::kInvalidMultibulkLength},
    {"leading zero before digit", "*01\r\n"s, {}, text::kInvalidMultibulkLength},
    {"plus sign", "*+1\r\n"s, {}, text::kInvalidMultibulkLength},
    {"leading space", "* 1\r\n"s, {}, text::kInvalidMultibulkLength},
    {"trailing space", "*1 \r\n"s, {}, text::kInvalidMultibulkLength},
    {"empty", "*\r\n"s, {}, text::kInvalidMultibulkLength},
    {"minus zero", "*-0\r\n"s, {}, text::kInvalidMultibulkLength},
    {"minus only", "*-\r\n"s, {}, text::kInvalidMultibulkLength},
    {"letters", "*abc\r\n"s, {}, text::kInvalidMultibulkLength},
    {"hex", "*0x1\r\n"s, {}, text::kInvalidMultibulkLength},
    {"digit then letter", "*1x\r\n"s, {}, text::kInvalidMultibulkLength},
    {"20-digit overflow", "*99999999999999999999\r\n"s, {}, text::kInvalidMultibulkLength},
    {"21 digits", "*100000000000000000000\r\n"s, {}, text::kInvalidMultibulkLength},
    {"int64 max", "*9223372036854775807\r\n"s, {}, text::kInvalidMultibulkLength},
    {"int max waits", "*2147483647\r\n"s, {}, End::kWaits},
    {"two billion waits", "*2000000000\r\n"s, {}, End::kWaits},
    {"int max plus one", "*2147483648\r\n"s, {}, text::kInvalidMultibulkLength},
    {"three billion", "*3000000000\r\n"s, {}, text::kInvalidMultibulkLength},
    {"no line end yet", "*1"s, {}, End::kWaits},
    {"CR without next byte", "*1\r"s, {}, End::kWaits},
    {"LF only is not a line end", "*1\n$4\r\nPING\r\n"s, {}, text::kInvalidMultibulkLength},
    {"byte after CR unchecked",
     "*1\rX$4\rXPING\r\n*1\r\n$4\r\nPING\r\n"s,
     {{"PING"s}, {"PING"s}}, End::kConsumed},
    {"NUL hides the line end", "*1\000\r\n"s, {}, End::kWaits},
    {"count line too long", "*"s + std::string(70000, '1'), {}, text::kTooBigMultibulkRequest},
    {"complete count, no args yet", "*2\r\n$4\r\nECHO\r\n"s, {}, End::kWaits},
  };
  return cases;
}

TEST(RequestCorpusTest, ArrayCounts) {
  for (const CorpusCase& c : count_cases()) check_corpus_case(c);
}

const std::vector<CorpusCase>& bulk_cases() {
  static const std::vector<CorpusCase> cases = {
    {"null bulk in a request", "*1\r\n$-1\r\n"s, {}, text::kInvalidBulkLength},
    {"negative bulk", "*1\r\n$-2\r\n"s, {}, text::kInvalidBulkLength},
    {"minus zero bulk", "*1\r\n$-0\r\n"s, {}, text::kInvalidBulkLength},
    {"plus sign bulk", "*1\r\n$+4\r\nPING\r\n"s, {}, text::kInvalidBulkLength},
    {"leading zero bulk", "*1\r\n$04\r\nPING\r\n"s, {}, text::kInvalidBulkLength},
    {"empty bulk length", "*1\r\n$\r\n"s, {}, text::kInvalidBulkLength},
    {"space before bulk length", "*1\r\n$ 4\r\nPING\r\n"s, {}, text::kInvalidBulkLength},
    {"space after bulk length", "*1\r\n$4 \r\nPING\r\n"s, {}, text::kInvalidBulkLength},
    {"letters in bulk length", "*1\r\n$four\r\nPING\r\n"s, {}, text::kInvalidBulkLength},
    {"20-digit bulk overflow", "*1\r\n$99999999999999999999\r\n"s, {}, text::kInvalidBulkLength},
    {"bulk at the 512 MiB limit waits", "*1\r\n$536870912\r\n"s, {}, End::kWaits},
    {"bulk over 512 MiB", "*1\r\n$536870913\r\n"s, {}, text::kInvalidBulkLength},
    {"bulk of 600 MB", "*1\r\n$600000000\r\n"s, {}, text::kInvalidBulkLength},
    {"NUL hides the bulk line end", "*1\r\n$4\000\r\nPING\r\n"s, {}, End::kWaits},
    {"bulk count line too long",
     "*1\r\n$"s + std::string(70000, '1'),
     {}, text::kTooBigBulkCountString},
    {"long bulk count line under the limit",
     "*1\r\n$"s + std::string(65530, '1') + "\r\n"s,
     {}, text::kInvalidBulkLength},
    {"byte after CR unchecked in bulk line", "*1\r\n$4\rXPING\r\n"s, {{"PING"s}}, End::kConsumed},
    {"bulk line incomplete", "*1\r\n$4"s, {}, End::kWaits},
    {"bulk data incomplete", "*2\r\n$4\r\nECHO\r\n$3\r\nabc"s, {}, End::kWaits},
    {"bulk CR incomplete", "*2\r\n$4\r\nECHO\r\n$3\r\nabc\r"s, {}, End::kWaits},
  };
  return cases;
}

TEST(RequestCorpusTest, BulkLengths) {
  for (const CorpusCase& c : bulk_cases()) check_corpus_case(c);
}

const std::vector<CorpusCase>& line_end_cases() {
  static const std::vector<CorpusCase> cases = {
    {"no CRLF after bulk",
     "*1\r\n$4\r\nPINGXY*1\r\n$4\r\nPING\r\n"s,
     {{"PING"s}, {"PING"s}}, End::kConsumed},
    {"LF only after bulk waits", "*1\r\n$4\r\nPING\n"s, {}, End::kWaits},
    {"CRLF inside bulk data",
     "*2\r\n$4\r\nECHO\r\n$3\r\na\r\n\r\n"s,
     {{"ECHO"s, "a\r\n"s}}, End::kConsumed},
    {"inline LF only", "PING\n"s, {{"PING"s}}, End::kConsumed},
    {"inline CRLF then LF", "PING\r\nPING\n"s, {{"PING"s}, {"PING"s}}, End::kConsumed},
    {"inline CR CR LF", "PING\r\r\n"s, {{"PING"s}}, End::kConsumed},
    {"inline CR only waits", "PING\r"s, {}, End::kWaits},
    {"blank lines skipped", "\r\n\n   \r\nPING\r\n"s, {{"PING"s}}, End::kConsumed},
    {"blank line after a command", "*1\r\n$4\r\nPING\r\n\r\n"s, {{"PING"s}}, End::kConsumed},
    {"CR inside inline line splits", "ECHO a\rb\r\n"s, {{"ECHO"s, "a"s, "b"s}}, End::kConsumed},
  };
  return cases;
}

TEST(RequestCorpusTest, LineEnds) {
  for (const CorpusCase& c : line_end_cases()) check_corpus_case(c);
}

const std::vector<CorpusCase>& element_cases() {
  static const std::vector<CorpusCase> cases = {
    {"nested array", "*1\r\n*1\r\n$4\r\nPING\r\n"s, {}, expected_dollar('*')},
    {"integer element", "*1\r\n:1\r\n"s, {}, expected_dollar(':')},
    {"simple string element", "*1\r\n+x\r\n"s, {}, expected_dollar('+')},
    {"error element", "*1\r\n-x\r\n"s, {}, expected_dollar('-')},
    {"RESP3 map element", "*2\r\n$4\r\nECHO\r\n%1\r\n"s, {}, expected_dollar('%')},
    {"RESP3 null element", "*1\r\n_\r\n"s, {}, expected_dollar('_')},
    {"empty element line", "*1\r\n\r\n"s, {}, expected_dollar(' ')},
    {"LF as type byte", "*1\r\n\n\r\n"s, {}, expected_dollar(' ')},
    {"CR then any byte", "*1\r\n\rX"s, {}, expected_dollar(' ')},
    {"control byte", "*1\r\n\001\r\n"s, {}, expected_dollar('\001')},
    {"high byte", "*1\r\n\377\r\n"s, {}, expected_dollar('\377')},
    {"element waits for its line end", "*1\r\n:1"s, {}, End::kWaits},
    {"second element bad", "*2\r\n$4\r\nECHO\r\n:1\r\n"s, {}, expected_dollar(':')},
  };
  return cases;
}

TEST(RequestCorpusTest, ElementTypes) {
  for (const CorpusCase& c : element_cases()) check_corpus_case(c);
}

}  // namespace
}  // namespace resplit::resp::testing
