// The end-of-run account of the checker client, kept free of sockets so it can be unit-tested:
// every write `RPUSH log:<session> <session>:<seq>` is classified when its reply (or its absence)
// is seen, and the lists found on the final master are compared with that record.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace resplit::testkit {

enum class WriteOutcome : uint8_t {
  kAcked,          // the server's reply arrived: the write happened
  kNotExecuted,    // an error that proves it never ran (READONLY, "command not sent", ...)
  kIndeterminate,  // no reply, or "outcome of the command unknown": it may or may not have run
};

// How a reply to a write is classified; `text` is the error text without the leading '-'.
WriteOutcome classify_write_error(std::string_view text);

// "<session>:<seq>", the value a session appends to its own list.
std::string log_entry(size_t session, uint64_t seq);

struct AuditResult {
  uint64_t acked = 0;
  uint64_t not_executed = 0;
  uint64_t indeterminate = 0;
  uint64_t present = 0;                // entries found in the lists
  uint64_t lost = 0;                   // acked, but absent
  uint64_t phantom = 0;                // failed-not-executed, yet present
  uint64_t duplicates = 0;             // entries found more than once
  uint64_t order_violations = 0;       // an entry not after the one before it in its list
  uint64_t foreign = 0;                // entries this checker never sent (or malformed)
  uint64_t indeterminate_applied = 0;  // indeterminate writes that did run (informational)
  std::vector<std::string> samples;    // the first few offending entries, for failure messages
  std::vector<std::pair<size_t, uint64_t>> lost_writes;  // every lost write: (session, seq)

  bool clean() const {
    return lost == 0 && phantom == 0 && duplicates == 0 && order_violations == 0 && foreign == 0;
  }
};

// `writes[s][seq]` is the outcome of session s's write number seq; `lists[s]` the contents of
// session s's list on the final master, oldest first.
AuditResult audit_writes(const std::vector<std::vector<WriteOutcome>>& writes,
                         const std::vector<std::vector<std::string>>& lists);

std::string describe(const AuditResult& result);

}  // namespace resplit::testkit
