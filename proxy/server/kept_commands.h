// Commands a session keeps by reply slot until their answer shows whether they must be sent again
// to the master: reads behind a read-your-writes probe, and *_RO scripts on replicas (NOSCRIPT).
// The bytes go into one buffer and the records onto a Ring, both of which keep their memory, so
// keeping a command per read allocates nothing once warmed up. Answers come back mostly in the
// order the commands were kept, so look-ups scan from the oldest.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "proxy/base/ring.h"

namespace resplit::server {

class KeptCommands {
 public:
  struct Kept {
    std::string_view command;  // valid until the next keep()
    uint64_t required_offset = 0;
    uint32_t backend_id = 0;
  };

  void keep(uint64_t seq, std::string_view command, uint64_t required_offset,
            uint32_t backend_id);
  // Takes the command kept for `seq` out; false when there is none.
  bool take(uint64_t seq, Kept& out);
  bool empty() const { return live_ == 0; }
  size_t buffered_bytes() const { return bytes_.size(); }

 private:
  struct Record {
    uint64_t seq = 0;
    size_t offset = 0;  // into bytes_
    size_t size = 0;
    uint64_t required_offset = 0;
    uint32_t backend_id = 0;
    bool taken = false;
  };

  void compact();

  Ring<Record> records_;
  size_t live_ = 0;
  std::string bytes_;
  size_t dead_bytes_ = 0;  // at the front of bytes_, of records already popped
};

}  // namespace resplit::server
