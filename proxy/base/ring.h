// A FIFO on a power-of-two ring that grows by doubling and never frees on pop, so a queue that
// reaches its working size stops allocating (std::deque allocates and frees blocks as it moves).
#pragma once

#include <cassert>
#include <cstddef>
#include <utility>
#include <vector>

namespace resplit {

template <typename T>
class Ring {
 public:
  bool empty() const { return size_ == 0; }
  size_t size() const { return size_; }

  T& front() {
    assert(size_ > 0);
    return items_[head_];
  }
  const T& front() const {
    assert(size_ > 0);
    return items_[head_];
  }
  T& operator[](size_t i) { return items_[(head_ + i) & (items_.size() - 1)]; }
  const T& operator[](size_t i) const { return items_[(head_ + i) & (items_.size() - 1)]; }
  T& back() { return (*this)[size_ - 1]; }

  void push_back(T item) {
    if (size_ == items_.size()) grow();
    items_[(head_ + size_) & (items_.size() - 1)] = std::move(item);
    ++size_;
  }

  T pop_front() {
    assert(size_ > 0);
    T item = std::move(items_[head_]);
    head_ = (head_ + 1) & (items_.size() - 1);
    --size_;
    return item;
  }

  void clear() {
    while (!empty()) pop_front();
  }

  // Gives memory back when empty and larger than `keep` slots.
  void shrink_if_empty(size_t keep) {
    if (size_ == 0 && items_.size() > keep) {
      std::vector<T>().swap(items_);
      head_ = 0;
    }
  }

 private:
  void grow() {
    const size_t new_size = items_.empty() ? 8 : items_.size() * 2;
    std::vector<T> bigger(new_size);
    for (size_t i = 0; i < size_; ++i) bigger[i] = std::move((*this)[i]);
    items_ = std::move(bigger);
    head_ = 0;
  }

  std::vector<T> items_;
  size_t head_ = 0;
  size_t size_ = 0;
};

}  // namespace resplit
