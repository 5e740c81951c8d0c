// In-order reply slots of one client connection. A pipeline's commands may be answered by different
// backends in any order; each command takes the next slot when it is sent, the slot is filled when
// its reply arrives, and only the completed prefix is released, so the client always sees replies in
// request order. Released bytes collect in one buffer that the session sends with a single write;
// a client that reads slower than its replies arrive gets a list of buffers of about 1 MiB each
// instead of one doubled (and copied) all the way up to its output limit.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace resplit::server {

// What a slot remembers of its command for metrics, handed back with the reply.
struct SlotMeter {
  static constexpr uint8_t kUnmetered = 0xff;
  uint8_t route = kUnmetered;  // metrics::Route
  bool timed = false;          // goes into the duration histogram
  std::chrono::steady_clock::time_point start{};
};

// Told of every metered slot's reply when it is filled.
class ReplyObserver {
 public:
  virtual void on_complete(const SlotMeter& meter, std::string_view reply) = 0;
  // A metered slot given up unanswered (the client went away).
  virtual void on_abandon(const SlotMeter& meter) {}

 protected:
  ~ReplyObserver() = default;
};

class ReplyQueue {
 public:
  using Seq = uint64_t;

  void set_observer(ReplyObserver* observer) { observer_ = observer; }

  // Takes the next slot. A discarding slot swallows its reply (CLIENT REPLY OFF / SKIP).
  Seq push(bool discard = false, const SlotMeter& meter = {});

  // Fills a taken slot with its reply bytes (copied). A reply for a slot that is no longer
  // waiting (already filled) is ignored and reported as false.
  bool complete(Seq seq, std::string_view reply);

  // Takes a slot and fills it at once: for replies resplit makes itself.
  void push_ready(std::string_view reply) { complete(push(), reply); }

  // Bytes released in order and not yet handed to the socket.
  bool has_ready() const { return !ready_.empty() || sealed_head_ < sealed_.size(); }
  // The open buffer when nothing older waits (nullptr otherwise), for a direct write.
  std::string* only_ready() { return sealed_head_ == sealed_.size() ? &ready_ : nullptr; }
  // Swaps the oldest released bytes into `out` (whose own bytes were written and are dropped).
  void take_ready(std::string& out);

  size_t waiting() const { return count_; }  // slots taken and not yet released
  bool idle() const { return count_ == 0; }
  // Reply bytes held by resplit for this client: released plus completed-out-of-order.
  size_t buffered_bytes() const { return ready_.size() + sealed_bytes_ + parked_bytes_; }

  // Gives up every slot still waiting (the client is gone); later replies for them are ignored.
  void abandon();

  // Returns buffer memory when the queue is idle (keeps idle connections small).
  void trim();

 private:
  struct Slot {
    bool done = false;
    bool discard = false;
    SlotMeter meter;
    std::string reply;  // only for replies that arrive before the slots ahead of them
  };

  Slot& slot(Seq seq) { return slots_[seq & (slots_.size() - 1)]; }
  void grow();
  void release_prefix();
  void release(std::string_view reply);

  std::vector<Slot> slots_;  // ring; size is a power of two
  Seq head_ = 0;             // the oldest waiting slot
  size_t count_ = 0;
  size_t parked_bytes_ = 0;
  std::string ready_;                // released bytes after those in sealed_
  // Full buffers, oldest first from sealed_head_ (a vector, not a deque: an empty deque already
  // holds memory, and every idle client has an empty one).
  std::vector<std::string> sealed_;
  size_t sealed_head_ = 0;
  size_t sealed_bytes_ = 0;
  ReplyObserver* observer_ = nullptr;
};

}  // namespace resplit::server
