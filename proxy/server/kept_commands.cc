#include "proxy/server/kept_commands.h"

namespace resplit::server {
namespace {

// The buffer drops the bytes of answered commands once they are most of it (and at least this
// many), so a client that never stops pipelining does not grow it for ever.
constexpr size_t kCompactAfter = 16 * 1024;
// Memory given back once nothing is kept, so a burst of huge reads does not stay pinned.
constexpr size_t kKeepCapacity = 256 * 1024;

}  // namespace

void KeptCommands::keep(uint64_t seq, std::string_view command, uint64_t required_offset,
                        uint32_t backend_id) {
  if (records_.empty()) {
    if (bytes_.capacity() > kKeepCapacity) {
      std::string().swap(bytes_);
    } else {
      bytes_.clear();
    }
    dead_bytes_ = 0;
  } else if (dead_bytes_ >= kCompactAfter && dead_bytes_ * 2 >= bytes_.size()) {
    compact();
  }
  records_.push_back({seq, bytes_.size(), command.size(), required_offset, backend_id, false});
  bytes_.append(command);
  ++live_;
}

bool KeptCommands::take(uint64_t seq, Kept& out) {
  for (size_t i = 0; i < records_.size(); ++i) {
    Record& r = records_[i];
    if (r.seq != seq || r.taken) continue;
    r.taken = true;
    --live_;
    out = {std::string_view(bytes_).substr(r.offset, r.size), r.required_offset, r.backend_id};
    // The bytes stay where they are until the next keep(), so `out.command` remains valid.
    while (!records_.empty() && records_.front().taken) {
      const Record done = records_.pop_front();
      dead_bytes_ = done.offset + done.size;
    }
    return true;
  }
  return false;
}

void KeptCommands::compact() {
  bytes_.erase(0, dead_bytes_);
  for (size_t i = 0; i < records_.size(); ++i) records_[i].offset -= dead_bytes_;
  dead_bytes_ = 0;
}

}  // namespace resplit::server
