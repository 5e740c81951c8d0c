// A set of enumerators stored as one 64-bit word: the command flags and ACL categories of a
// command, tested on the hot path with a single AND.
#pragma once

#include <cstdint>
#include <initializer_list>

namespace resplit::commands {

// E must be an enum whose enumerators are 0, 1, ... below 64 (checked where E is declared).
template <typename E>
class EnumSet {
 public:
  constexpr EnumSet() noexcept = default;
  constexpr EnumSet(std::initializer_list<E> items) noexcept {
    for (E e : items) add(e);
  }

  constexpr bool has(E e) const noexcept { return (bits_ & bit(e)) != 0; }
  constexpr bool has_any(EnumSet other) const noexcept { return (bits_ & other.bits_) != 0; }
  constexpr bool has_all(EnumSet other) const noexcept {
    return (bits_ & other.bits_) == other.bits_;
  }
  constexpr bool empty() const noexcept { return bits_ == 0; }
  constexpr std::uint64_t bits() const noexcept { return bits_; }

  constexpr void add(E e) noexcept { bits_ |= bit(e); }

  friend constexpr EnumSet operator|(EnumSet a, EnumSet b) noexcept {
    EnumSet out;
    out.bits_ = a.bits_ | b.bits_;
    return out;
  }
  friend constexpr bool operator==(EnumSet a, EnumSet b) noexcept = default;

 private:
  static constexpr std::uint64_t bit(E e) noexcept {
    return std::uint64_t{1} << static_cast<unsigned>(e);
  }

  std::uint64_t bits_ = 0;
};

}  // namespace resplit::commands
