// What a backend connection needs from whoever sends commands through it: a place to hand each
// reply (or failure) by the tag given at send time. The worker implements it and finds the waiting
// client slot from the tag; the backend never holds a pointer to a client.
#pragma once

#include <cstdint>
#include <string_view>

#include "proxy/base/errc.h"

namespace resplit::backend {

// Identifies who waits for a reply. Opaque to the backend: the sink gives it meaning (which session,
// which of its reply slots, what kind of command). Small and trivially copyable on purpose.
struct Tag {
  uint32_t session = 0;
  uint32_t generation = 0;  // session slot generation: a reply for a closed session is dropped
  uint64_t seq = 0;         // the session's reply slot
  uint32_t kind = 0;        // sink-defined
  uint32_t aux = 0;         // sink-defined
};

// One complete reply as received, ready to forward byte for byte.
struct Reply {
  std::string_view bytes;
  char type() const { return bytes.empty() ? '\0' : bytes.front(); }
  bool is_error() const { return type() == '-' || type() == '!'; }
  // The error line without the leading '-' and the CRLF ("READONLY You can't write ...").
  std::string_view error_text() const;
};

class ReplySink {
 public:
  virtual ~ReplySink() = default;

  // A reply to a command sent with `tag`, in the order the commands were sent on that connection.
  virtual void on_reply(const Tag& tag, const Reply& reply) = 0;

  // The command will get no reply. `sent` tells whether its bytes may have reached the backend
  // (outcome unknown) or certainly did not (safe to send elsewhere).
  virtual void on_failure(const Tag& tag, errc why, bool sent) = 0;

  // A message on a connection in passthrough mode (pub/sub, MONITOR), for the connection's owner.
  virtual void on_push(const Tag& owner, const Reply& reply) = 0;

  // The connection behind `owner`'s passthrough ended (closed or failed).
  virtual void on_passthrough_closed(const Tag& owner, errc why) = 0;

  // Every reply of one read from a backend has been handed over (on_reply, on_push): the sink may
  // now send what they completed, once per client however many replies each got.
  virtual void on_read_end() {}
};

}  // namespace resplit::backend
