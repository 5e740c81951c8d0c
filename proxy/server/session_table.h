// The worker's registry of live client sessions, addressed by index and generation. Backend tags
// carry (index, generation) instead of pointers, so a reply for a client that has gone away finds an
// empty or reused slot with a different generation and is dropped, never delivered to someone else.
#pragma once

#include <cstdint>
#include <vector>

namespace resplit::server {

template <typename Session>
class SessionTable {
 public:
  struct Handle {
    uint32_t index;
    uint32_t generation;
  };

  Handle add(Session* session) {
    uint32_t index;
    if (!free_.empty()) {
      index = free_.back();
      free_.pop_back();
    } else {
      index = static_cast<uint32_t>(slots_.size());
      slots_.push_back({});
    }
    slots_[index].session = session;
    ++live_;
    return {index, slots_[index].generation};
  }

  void remove(Handle h) {
    if (h.index >= slots_.size() || slots_[h.index].generation != h.generation) return;
    slots_[h.index].session = nullptr;
    ++slots_[h.index].generation;
    free_.push_back(h.index);
    --live_;
  }

  Session* find(uint32_t index, uint32_t generation) const {
    if (index >= slots_.size()) return nullptr;
    const Slot& s = slots_[index];
    return s.generation == generation ? s.session : nullptr;
  }

  size_t size() const { return live_; }

  template <typename F>
  void for_each(F&& f) const {
    for (const Slot& s : slots_) {
      if (s.session != nullptr) f(*s.session);
    }
  }

 private:
  struct Slot {
    Session* session = nullptr;
    uint32_t generation = 1;
  };
  std::vector<Slot> slots_;
  std::vector<uint32_t> free_;
  size_t live_ = 0;
};

}  // namespace resplit::server
