// Commands a session keeps, in the order it sent them, until their replies arrive, so that one
// can be sent again elsewhere: writes a master refused unrun, reads whose replica connection
// failed. Their bytes share one buffer that is reused, so keeping a command allocates nothing once
// the buffer has reached the session's working size.
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
    uint32_t backend_id = 0;  // where it was sent
    size_t offset = 0;
    size_t size = 0;
    bool done = false;
  };

  void add(uint64_t seq, uint32_t backend_id, std::string_view bytes);
  // The kept command of slot `seq`, nullptr if it is not kept (or no longer).
  Entry* find(uint64_t seq);
  std::string_view bytes(const Entry& entry) const {
    return std::string_view(bytes_).substr(entry.offset, entry.size);
  }
  // Its reply arrived (or it was sent again): its bytes may go.
  void forget(uint64_t seq);
  bool empty() const { return entries_.empty(); }
  // Bytes of the commands still kept.
  size_t kept_bytes() const;
  // Bytes held: those of answered commands not yet dropped from the buffer too.
  size_t held_bytes() const { return bytes_.size(); }

 private:
  Ring<Entry> entries_;
  std::string bytes_;
};

}  // namespace resplit::server
