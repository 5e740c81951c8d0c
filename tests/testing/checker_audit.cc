#include "tests/testing/checker_audit.h"

#include <charconv>
#include <sstream>
#include <unordered_map>

namespace resplit::testkit {
namespace {

constexpr size_t kMaxSamples = 8;

// Parses "<session>:<seq>"; false for anything else.
bool parse_entry(std::string_view entry, size_t& session, uint64_t& seq) {
  const auto colon = entry.find(':');
  if (colon == std::string_view::npos) return false;
  const char* first = entry.data();
  const char* mid = first + colon;
  const char* last = first + entry.size();
  auto a = std::from_chars(first, mid, session);
  auto b = std::from_chars(mid + 1, last, seq);
  return a.ec == std::errc{} && a.ptr == mid && b.ec == std::errc{} && b.ptr == last &&
         colon > 0 && mid + 1 < last;
}

void sample(AuditResult& result, std::string what) {
  if (result.samples.size() < kMaxSamples) result.samples.push_back(std::move(what));
}

}  // namespace

WriteOutcome classify_write_error(std::string_view text) {
  if (text.find("outcome of the command unknown") != std::string_view::npos) {
    return WriteOutcome::kIndeterminate;
  }
  // Errors that prove the command never ran: Redis refused it before executing, or resplit never
  // sent it.
  for (std::string_view refused : {"READONLY", "NOREPLICAS", "MASTERDOWN", "LOADING"}) {
    if (text.starts_with(refused)) return WriteOutcome::kNotExecuted;
  }
  if (text.find("command not sent") != std::string_view::npos ||
      text.find("no master available") != std::string_view::npos) {
    return WriteOutcome::kNotExecuted;
  }
  // Anything else is not proof either way.
  return WriteOutcome::kIndeterminate;
}

std::string log_entry(size_t session, uint64_t seq) {
  return std::to_string(session) + ":" + std::to_string(seq);
}

AuditResult audit_writes(const std::vector<std::vector<WriteOutcome>>& writes,
                         const std::vector<std::vector<std::string>>& lists) {
  AuditResult result;
  for (const auto& session : writes) {
    for (WriteOutcome outcome : session) {
      switch (outcome) {
        case WriteOutcome::kAcked: ++result.acked; break;
        case WriteOutcome::kNotExecuted: ++result.not_executed; break;
        case WriteOutcome::kIndeterminate: ++result.indeterminate; break;
      }
    }
  }
  for (size_t s = 0; s < writes.size(); ++s) {
    const std::vector<std::string> empty;
    const auto& list = s < lists.size() ? lists[s] : empty;
    std::unordered_map<uint64_t, size_t> seen;  // seq -> times found
    bool have_last = false;
    uint64_t last = 0;
    for (const std::string& entry : list) {
      size_t session = 0;
      uint64_t seq = 0;
      if (!parse_entry(entry, session, seq) || session != s || seq >= writes[s].size()) {
        ++result.foreign;
        sample(result, "foreign entry '" + entry + "' in the list of session " + std::to_string(s));
        continue;
      }
      ++result.present;
      if (++seen[seq] > 1) {
        ++result.duplicates;
        sample(result, "duplicate " + entry);
        continue;
      }
      if (have_last && seq <= last) {
        ++result.order_violations;
        sample(result, entry + " after " + log_entry(s, last));
      }
      have_last = true;
      last = seq;
      if (writes[s][seq] == WriteOutcome::kNotExecuted) {
        ++result.phantom;
        sample(result, "phantom " + entry + " (reported as not executed)");
      } else if (writes[s][seq] == WriteOutcome::kIndeterminate) {
        ++result.indeterminate_applied;
      }
    }
    for (uint64_t seq = 0; seq < writes[s].size(); ++seq) {
      if (writes[s][seq] == WriteOutcome::kAcked && !seen.contains(seq)) {
        ++result.lost;
        result.lost_writes.emplace_back(s, seq);
        sample(result, "lost " + log_entry(s, seq));
      }
    }
  }
  return result;
}

std::string describe(const AuditResult& r) {
  std::ostringstream out;
  out << "acked=" << r.acked << " not_executed=" << r.not_executed
      << " indeterminate=" << r.indeterminate << " (applied " << r.indeterminate_applied
      << ") present=" << r.present << " lost=" << r.lost << " phantom=" << r.phantom
      << " duplicates=" << r.duplicates << " order_violations=" << r.order_violations
      << " foreign=" << r.foreign;
  for (const std::string& s : r.samples) out << "\n  " << s;
  return out.str();
}

}  // namespace resplit::testkit
