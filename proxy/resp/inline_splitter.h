// Splits one inline command line (SET k "a b") into arguments with Redis's own rules (sds.c
// sdssplitargs): arguments stay in the line where possible, unescaped ones go to a reused scratch.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace resplit::resp {

// Where one argument lies: in the parsed input (offset from the frame start) or in the scratch.
struct ArgSlot {
  std::size_t offset = 0;
  std::size_t length = 0;
  bool in_scratch = false;
};

class InlineSplitter {
 public:
  // Appends the arguments of `line` (without its line end) to `slots`; their offsets are relative
  // to the start of `line`, or to scratch() when in_scratch. Returns false on unbalanced quotes,
  // which Redis also reports for a closing quote followed by anything but a space.
  bool split(std::string_view line, std::vector<ArgSlot>& slots);

  // Unescaped arguments of the last split; stable until the next split().
  std::string_view scratch() const noexcept { return scratch_; }

 private:
  std::string scratch_;
};

}  // namespace resplit::resp
