#include "proxy/server/reply_queue.h"

#include <utility>

namespace resplit::server {
namespace {

// Slot buffers that grew past this are given back once used, so one huge reply does not pin memory.
constexpr size_t kKeepSlotCapacity = 16 * 1024;
// The released-bytes buffer trades places with the session's output buffer on every write; both
// keep this much, so a client whose batches of replies exceed 64 KiB (16 GETs of 4 KiB) does not
// allocate one per batch.
constexpr size_t kKeepReadyCapacity = 256 * 1024;
// A released-bytes buffer this full is closed and a new one started: a slow reader's backlog grows
// by a buffer at a time, without copying what is already there.
constexpr size_t kSealAt = 1024 * 1024;

}  // namespace

ReplyQueue::Seq ReplyQueue::push(bool discard, const SlotMeter& meter) {
  if (count_ == slots_.size()) grow();
  const Seq seq = head_ + count_;
  Slot& s = slot(seq);
  s.done = false;
  s.discard = discard;
  s.meter = meter;
  ++count_;
  return seq;
}

bool ReplyQueue::complete(Seq seq, std::string_view reply) {
  if (seq < head_ || seq >= head_ + count_) return false;
  Slot& s = slot(seq);
  if (s.done) return false;
  s.done = true;
  if (observer_ != nullptr && s.meter.route != SlotMeter::kUnmetered) {
    observer_->on_complete(s.meter, reply);
  }
  if (seq == head_) {
    // The common case: the oldest reply arrives first and goes straight to the output buffer.
    if (!s.discard) release(reply);
    --count_;
    ++head_;
    release_prefix();
  } else if (!s.discard) {
    s.reply.assign(reply);
    parked_bytes_ += reply.size();
  }
  return true;
}

void ReplyQueue::release_prefix() {
  while (count_ > 0) {
    Slot& s = slot(head_);
    if (!s.done) break;
    if (!s.discard) {
      release(s.reply);
      parked_bytes_ -= s.reply.size();
    }
    if (s.reply.capacity() > kKeepSlotCapacity) {
      std::string().swap(s.reply);
    } else {
      s.reply.clear();
    }
    --count_;
    ++head_;
  }
}

void ReplyQueue::release(std::string_view reply) {
  ready_.append(reply);
  if (ready_.size() >= kSealAt) {
    sealed_bytes_ += ready_.size();
    sealed_.push_back(std::move(ready_));
    ready_ = std::string();
  }
}

void ReplyQueue::take_ready(std::string& out) {
  if (sealed_head_ == sealed_.size()) {
    std::swap(ready_, out);
    return;
  }
  std::string& oldest = sealed_[sealed_head_++];
  sealed_bytes_ -= oldest.size();
  std::swap(oldest, out);
  std::string().swap(oldest);  // `out`'s written bytes
  if (sealed_head_ == sealed_.size()) {
    sealed_.clear();
    sealed_head_ = 0;
  }
}

void ReplyQueue::grow() {
  const size_t new_size = slots_.empty() ? 8 : slots_.size() * 2;
  std::vector<Slot> bigger(new_size);
  for (size_t i = 0; i < count_; ++i) {
    const Seq seq = head_ + i;
    bigger[seq & (new_size - 1)] = std::move(slot(seq));
  }
  slots_ = std::move(bigger);
}

void ReplyQueue::abandon() {
  for (size_t i = 0; i < count_; ++i) {
    Slot& s = slot(head_ + i);
    if (!s.done && observer_ != nullptr && s.meter.route != SlotMeter::kUnmetered) {
      observer_->on_abandon(s.meter);
    }
    s.done = false;
    std::string().swap(s.reply);
  }
  head_ += count_;
  count_ = 0;
  parked_bytes_ = 0;
}

void ReplyQueue::trim() {
  if (count_ != 0) return;
  if (ready_.empty() && ready_.capacity() > kKeepReadyCapacity) std::string().swap(ready_);
  if (slots_.size() > 64) std::vector<Slot>().swap(slots_);
}

}  // namespace resplit::server
