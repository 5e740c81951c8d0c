#include "tests/chaos/malformed_corpus.h"

#include <cstdio>

namespace resplit::testkit::chaos {
namespace {

using namespace std::string_literals;

const std::string kPing = "*1\r\n$4\r\nPING\r\n";

// Counts that are malformed, out of range or on the edge of what Redis accepts.
const std::vector<std::pair<std::string, std::string>>& odd_counts() {
  static const std::vector<std::pair<std::string, std::string>> counts = {
      {"negative", "-5"},         {"minus one", "-1"},        {"zero", "0"},
      {"one over INT_MAX", "2147483648"},                     {"2e9", "2000000000"},
      {"3e9", "3000000000"},      {"non-digits", "abc"},      {"digits then text", "1x"},
      {"empty", ""},              {"plus sign", "+1"},        {"leading space", " 1"},
      {"20-digit overflow", "99999999999999999999"},          {"minus zero", "-0"},
      {"leading zeros", "0001"},  {"INT_MIN", "-2147483648"},
  };
  return counts;
}

void add(std::vector<InputCase>& out, const std::string& group, const std::string& name,
         std::string input) {
  out.push_back({group, group + ": " + name, std::move(input)});
}

void type_bytes(std::vector<InputCase>& out) {
  for (int b = 0; b < 256; ++b) {
    char name[16];
    std::snprintf(name, sizeof name, "0x%02x", b);
    add(out, "first byte", name, std::string(1, char(b)) + "PING\r\n");
  }
}

void array_lengths(std::vector<InputCase>& out) {
  for (const auto& [name, count] : odd_counts()) {
    add(out, "array length", name, "*" + count + "\r\n" + kPing);
  }
  add(out, "array length", "count larger than the elements sent", "*3\r\n$4\r\nPING\r\n");
  add(out, "array length", "66 KiB of digits", "*" + std::string(66 * 1024, '1') + "\r\n");
  add(out, "array length", "100 KiB of digits", "*" + std::string(100 * 1024, '1') + "\r\n");
}

void bulk_lengths(std::vector<InputCase>& out) {
  for (const auto& [name, count] : odd_counts()) {
    add(out, "bulk length", name, "*1\r\n$" + count + "\r\nPING\r\n" + kPing);
  }
  add(out, "bulk length", "$-1 as an argument", "*2\r\n$4\r\nECHO\r\n$-1\r\n");
  add(out, "bulk length", "512 MiB exactly", "*1\r\n$536870912\r\n");
  add(out, "bulk length", "512 MiB plus one", "*1\r\n$536870913\r\n");
  add(out, "bulk length", "600 MB", "*1\r\n$600000000\r\n");
  add(out, "bulk length", "shorter than the data", "*2\r\n$4\r\nECHO\r\n$2\r\nabcd\r\n" + kPing);
  add(out, "bulk length", "longer than the data", "*2\r\n$4\r\nECHO\r\n$9\r\nabcd\r\n" + kPing);
}

void line_ends(std::vector<InputCase>& out) {
  const std::string g = "CRLF";
  add(out, g, "LF only in RESP", "*1\n$4\nPING\n");
  add(out, g, "CR only in RESP", "*1\r$4\rPING\r");
  add(out, g, "LF only after the count", "*1\n$4\r\nPING\r\n");
  add(out, g, "missing after bulk", "*1\r\n$4\r\nPINGXY" + kPing);
  add(out, g, "missing at end of input", "*1\r\n$4\r\nPING");
  add(out, g, "extra bytes after the frame", kPing + "EXTRA\r\n");
  add(out, g, "extra CRLF after the frame", kPing + "\r\n" + kPing);
  add(out, g, "inline LF only", "PING\n");
  add(out, g, "inline CR only", "PING\r");
  add(out, g, "inline CR CR LF", "PING\r\r\n");
  add(out, g, "inline LF LF", "PING\n\nPING\n");
  add(out, g, "bulk followed by LF only", "*2\r\n$4\r\nECHO\r\n$1\r\na\n" + kPing);
  add(out, g, "CRLF inside a bulk", "*2\r\n$4\r\nECHO\r\n$4\r\na\r\nb\r\n");
}

void nesting_and_element_types(std::vector<InputCase>& out) {
  add(out, "nested", "array in array", "*1\r\n*1\r\n$4\r\nPING\r\n");
  add(out, "nested", "array as second element", "*2\r\n$4\r\nECHO\r\n*1\r\n$1\r\na\r\n");
  add(out, "nested", "empty array in array", "*1\r\n*0\r\n");
  add(out, "nested", "null array in array", "*1\r\n*-1\r\n");
  for (const auto& [name, element] : std::vector<std::pair<std::string, std::string>>{
           {"integer", ":1"}, {"simple string", "+x"}, {"error", "-x"}, {"RESP3 null", "_"}}) {
    add(out, "element type", name + " as command", "*1\r\n" + element + "\r\n");
    add(out, "element type", name + " as argument", "*2\r\n$4\r\nECHO\r\n" + element + "\r\n");
  }
}

void inline_commands(std::vector<InputCase>& out) {
  const std::string g = "inline";
  add(out, g, "valid", "PING\r\n");
  add(out, g, "valid with argument", "ECHO hello\r\n");
  add(out, g, "lower case", "ping\r\n");
  add(out, g, "unbalanced double quote", "SET \"a b\r\n");
  add(out, g, "unbalanced single quote", "ECHO 'a b\r\n");
  add(out, g, "text after closing quote", "ECHO \"a\"b\r\n");
  add(out, g, "short hex escape", "GET \"x\\x4\"\r\n");
  add(out, g, "hex escapes", "ECHO \"\\x41\\x42\\x00\\xff\"\r\n");
  add(out, g, "bad hex escape", "ECHO \"\\xZZ\"\r\n");
  add(out, g, "escapes", "ECHO \"\\n\\r\\t\\b\\a\\\\\\\"\"\r\n");
  add(out, g, "single quotes keep backslashes", "ECHO 'a\\nb'\r\n");
  add(out, g, "empty line", "\r\n" + kPing);
  add(out, g, "empty LF line", "\n" + kPing);
  add(out, g, "spaces only", "   \t \r\n" + kPing);
  add(out, g, "70 KB without newline", std::string(70000, 'A'));
  add(out, g, "60 KB without newline", std::string(60000, 'A'));
  add(out, g, "70 KB line with newline", "ECHO " + std::string(70000, 'A') + "\r\n");
  add(out, g, "100 KB line with newline", "ECHO " + std::string(100000, 'A') + "\r\n");
  add(out, g, "many arguments", "ECHO" + std::string(1000, ' ') + "x\r\n");
  add(out, g, "pipeline", "PING\r\nECHO a\r\nPING b\r\n");
  add(out, g, "QUIT", "QUIT\r\nPING\r\n");
}

void resp3(std::vector<InputCase>& out) {
  for (const std::string frame : {"%1\r\n+a\r\n+b\r\n", "~1\r\n+a\r\n", "_\r\n", ",1.5\r\n",
                                  "#t\r\n", "(12345\r\n", "=7\r\ntxt:abc\r\n", ">1\r\n+a\r\n",
                                  "|1\r\n+a\r\n+b\r\n", "!3\r\nerr\r\n"}) {
    add(out, "RESP3", "frame " + frame.substr(0, 1), frame + kPing);
  }
  add(out, "RESP3", "HELLO 3", "*2\r\n$5\r\nHELLO\r\n$1\r\n3\r\n");
  add(out, "RESP3", "HELLO 4", "*2\r\n$5\r\nHELLO\r\n$1\r\n4\r\n");
  add(out, "RESP3", "HELLO x", "*2\r\n$5\r\nHELLO\r\n$1\r\nx\r\n");
}

std::string command(const std::vector<std::string>& args) {
  std::string out = "*" + std::to_string(args.size()) + "\r\n";
  for (const std::string& a : args) out += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
  return out;
}

void binary_and_names(std::vector<InputCase>& out) {
  const std::string g = "keys";
  add(out, g, "NUL in a key", command({"GET", "a\0b"s}));
  add(out, g, "only NUL", command({"EXISTS", "\0"s}));
  add(out, g, "high bytes", command({"GET", "\x80\xfe\xff"s}));
  add(out, g, "UTF-8", command({"GET", "\xc3\xa9t\xc3\xa9"}));
  add(out, g, "CRLF in a key", command({"STRLEN", "a\r\nb"}));
  add(out, g, "ECHO binary", command({"ECHO", "\0\r\n\xff"s}));
  add(out, g, "empty key", command({"GET", ""}));
  const std::string n = "commands";
  add(out, n, "zero-length command name", command({""}));
  add(out, n, "zero-length command name with argument", command({"", "x"}));
  add(out, n, "zero-length inline name", "\"\" x\r\n");
  add(out, n, "unknown", command({"FOOBARX"}));
  add(out, n, "unknown with arguments", command({"FOOBARX", "a", "b c", std::string(200, 'z')}));
  add(out, n, "unknown with binary name", command({"\x01\xff\r\n"}));
  add(out, n, "unknown with NUL argument", command({"FOO", "b\0r"s, "c"}));
  add(out, n, "GET without key", command({"GET"}));
  add(out, n, "GET with two keys", command({"GET", "a", "b"}));
  add(out, n, "SET with one argument", command({"SET", "a"}));
  add(out, n, "ECHO without argument", command({"ECHO"}));
  add(out, n, "ECHO with two", command({"ECHO", "a", "b"}));
  add(out, n, "PING with two", command({"PING", "a", "b"}));
  add(out, n, "mixed case", command({"gEt", "nothing"}));
  add(out, n, "unknown subcommand", command({"CLIENT", "FOO"}));
  add(out, n, "CONFIG without subcommand", command({"CONFIG"}));
  add(out, n, "SELECT not a number", command({"SELECT", "x"}));
  add(out, n, "1 MiB command name", command({std::string(1024 * 1024, 'A')}));
  add(out, n, "1 MiB argument to unknown", command({"FOO", std::string(1024 * 1024, 'b')}));
}

}  // namespace

std::vector<InputCase> malformed_corpus() {
  std::vector<InputCase> out;
  type_bytes(out);
  array_lengths(out);
  bulk_lengths(out);
  line_ends(out);
  nesting_and_element_types(out);
  inline_commands(out);
  resp3(out);
  binary_and_names(out);
  return out;
}

}  // namespace resplit::testkit::chaos
