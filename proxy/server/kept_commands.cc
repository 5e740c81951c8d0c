#include "proxy/server/kept_commands.h"

namespace resplit::server {

namespace {

// Bytes of answered commands are dropped from the front of the buffer in steps of at least this.
constexpr size_t kCompactAt = 64 * 1024;

}  // namespace

void KeptCommands::add(uint64_t seq, uint32_t backend_id, std::string_view bytes) {
  entries_.push_back({seq, backend_id, bytes_.size(), bytes.size(), false});
  bytes_.append(bytes);
}

KeptCommands::Entry* KeptCommands::find(uint64_t seq) {
  // Replies come in the order the commands went out, so the entry is nearly always the first.
  for (size_t i = 0; i < entries_.size(); ++i) {
    if (entries_[i].seq == seq && !entries_[i].done) return &entries_[i];
  }
  return nullptr;
}

void KeptCommands::forget(uint64_t seq) {
  if (Entry* e = find(seq)) e->done = true;
  while (!entries_.empty() && entries_.front().done) entries_.pop_front();
  if (entries_.empty()) {
    bytes_.clear();
    return;
  }
  // A client that always has a command in flight (a mass import) never empties the queue: drop
  // the answered prefix once it is most of the buffer, so memory follows what is in flight, not
  // what was ever sent. Moving the rest costs no more than the bytes dropped, so it stays linear.
  const size_t dead = entries_.front().offset;
  if (dead >= kCompactAt && dead >= bytes_.size() / 2) {
    bytes_.erase(0, dead);
    for (size_t i = 0; i < entries_.size(); ++i) entries_[i].offset -= dead;
  }
}

size_t KeptCommands::kept_bytes() const {
  return entries_.empty() ? 0 : bytes_.size() - entries_.front().offset;
}

}  // namespace resplit::server
