// Names answered from a hosts-format file ("IP name [alias ...]" lines, '#' comments) before the
// system resolver is asked. $RESPLIT_HOSTS_FILE names the file; tests use it to move a DNS name to
// another address without root or a network namespace.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace resplit::topology {

inline constexpr const char* kHostsFileVariable = "RESPLIT_HOSTS_FILE";

// Every IP listed for `host` (case-insensitive) in the file $RESPLIT_HOSTS_FILE names, in file
// order without duplicates; nullopt when the variable is unset, the file unreadable or the name
// not listed. The file is read on every call, as the C library reads /etc/hosts.
std::optional<std::vector<std::string>> hosts_file_lookup(std::string_view host);

// The same for a file's text (for tests).
std::vector<std::string> hosts_lookup(std::string_view text, std::string_view host);

}  // namespace resplit::topology
