// A value one thread publishes and many worker threads read. Readers poll version() (one atomic
// load) on their hot path and take the lock only when the version moved, so publishing a new
// topology, command table or config costs workers nothing until it changes.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>

namespace resplit {

template <typename T>
class Published {
 public:
  explicit Published(std::shared_ptr<const T> initial = nullptr) : value_(std::move(initial)) {}

  void publish(std::shared_ptr<const T> value) {
    std::lock_guard lock(mutex_);
    value_ = std::move(value);
    version_.fetch_add(1, std::memory_order_release);
  }

  uint64_t version() const { return version_.load(std::memory_order_acquire); }

  std::shared_ptr<const T> get() const {
    std::lock_guard lock(mutex_);
    return value_;
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const T> value_;
  std::atomic<uint64_t> version_{1};
};

// A reader's cached copy: refresh() is one atomic load unless the value changed.
template <typename T>
class PublishedView {
 public:
  explicit PublishedView(const Published<T>& source) : source_(source) { refresh(); }

  // True when a new value was taken.
  bool refresh() {
    const uint64_t v = source_.version();
    if (v == version_) return false;
    value_ = source_.get();
    version_ = v;
    return true;
  }

  // Whether a newer value was published since the last refresh().
  bool stale() const { return source_.version() != version_; }
  // The newest value, without taking it into the view: for a reader that may not refresh now.
  std::shared_ptr<const T> latest() const { return source_.get(); }
  const T& operator*() const { return *value_; }
  const T* operator->() const { return value_.get(); }
  const T* get() const { return value_.get(); }
  const std::shared_ptr<const T>& shared() const { return value_; }

 private:
  const Published<T>& source_;
  std::shared_ptr<const T> value_;
  uint64_t version_ = 0;
};

}  // namespace resplit
