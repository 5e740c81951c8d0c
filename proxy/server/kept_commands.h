// Commands a session keeps by reply slot until their answer shows whether they must be sent again:
// writes a master refused unrun (or that never left resplit), reads whose replica connection
// failed, reads behind a read-your-writes probe, *_RO scripts on replicas (NOSCRIPT). The bytes go
// into one buffer and the records onto a Ring, both of which keep their memory, so keeping a
// command allocates nothing once warmed up. Answers come back mostly in the order the commands
// were kept, so look-ups scan from the oldest.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "proxy/base/ring.h"

namespace resplit::server {

class KeptCommands {
 public:
  struct Entry {
    uint64_t seq = 0;
    uint32_t backend_id = 0;       // where it was sent
    uint64_t required_offset = 0;  // read-your-writes: the offset a replica needs to answer it
    uint64_t node_poll_errors = 0;  // writes: the failed polls of their node when they were sent
    size_t offset = 0;             // into the byte buffer
    size_t size = 0;
    bool done = false;
  };
  // A command taken out: `command` stays valid until the next add().
  struct Kept {
    std::string_view command;
    uint64_t required_offset = 0;
    uint32_t backend_id = 0;
    uint64_t node_poll_errors = 0;
  };

  // The new entry stays valid until the next add().
  Entry& add(uint64_t seq, uint32_t backend_id, std::string_view command,
             uint64_t required_offset = 0);
  // The kept command of slot `seq`, nullptr if it is not kept (or no longer).
  Entry* find(uint64_t seq);
  // Valid until the next add().
  std::string_view bytes(const Entry& entry) const {
    return std::string_view(bytes_).substr(entry.offset, entry.size);
  }
  // Its answer came (or it was sent again for good): it is no longer kept.
  void forget(uint64_t seq);
  // find() and forget() in one; false when `seq` is not kept.
  bool take(uint64_t seq, Kept& out);

  bool empty() const { return live_ == 0; }
  // Bytes of the commands still kept.
  size_t kept_bytes() const { return live_ == 0 ? 0 : bytes_.size() - dead_bytes_; }
  // Bytes held: those of answered commands not yet dropped from the buffer too.
  size_t held_bytes() const { return bytes_.size(); }

 private:
  void retire(Entry& entry);
  void drop_answered_front();
  void compact();

  Ring<Entry> entries_;
  size_t live_ = 0;
  std::string bytes_;
  size_t dead_bytes_ = 0;  // at the front of bytes_, of entries already popped
};

}  // namespace resplit::server
