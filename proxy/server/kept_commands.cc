#include "proxy/server/kept_commands.h"

namespace resplit::server {
namespace {

// The buffer drops the bytes of answered commands once they are most of it (and at least this
// many), so a client that never stops pipelining does not grow it for ever.
constexpr size_t kCompactAfter = 16 * 1024;
// Memory given back once nothing is kept, so a burst of huge commands does not stay pinned.
constexpr size_t kKeepCapacity = 256 * 1024;

}  // namespace

KeptCommands::Entry& KeptCommands::add(uint64_t seq, uint32_t backend_id,
                                       std::string_view command, uint64_t required_offset) {
  // Bytes move only here, so views handed out stay valid until the next add().
  if (entries_.empty()) {
    if (bytes_.capacity() > kKeepCapacity) {
      std::string().swap(bytes_);
    } else {
      bytes_.clear();
    }
    dead_bytes_ = 0;
  } else if (dead_bytes_ >= kCompactAfter && dead_bytes_ * 2 >= bytes_.size()) {
    compact();
  }
  entries_.push_back({seq, backend_id, required_offset, 0, bytes_.size(), command.size(), false});
  bytes_.append(command);
  ++live_;
  return entries_.back();
}

KeptCommands::Entry* KeptCommands::find(uint64_t seq) {
  for (size_t i = 0; i < entries_.size(); ++i) {
    if (entries_[i].seq == seq && !entries_[i].done) return &entries_[i];
  }
  return nullptr;
}

void KeptCommands::forget(uint64_t seq) {
  if (Entry* e = find(seq)) retire(*e);
}

bool KeptCommands::take(uint64_t seq, Kept& out) {
  Entry* e = find(seq);
  if (e == nullptr) return false;
  out = {bytes(*e), e->required_offset, e->backend_id, e->node_poll_errors};
  retire(*e);  // the bytes stay where they are until the next add()
  return true;
}

void KeptCommands::retire(Entry& entry) {
  entry.done = true;
  --live_;
  drop_answered_front();
}

void KeptCommands::drop_answered_front() {
  while (!entries_.empty() && entries_.front().done) {
    const Entry done = entries_.pop_front();
    dead_bytes_ = done.offset + done.size;
  }
}

void KeptCommands::compact() {
  bytes_.erase(0, dead_bytes_);
  for (size_t i = 0; i < entries_.size(); ++i) entries_[i].offset -= dead_bytes_;
  dead_bytes_ = 0;
}

}  // namespace resplit::server
