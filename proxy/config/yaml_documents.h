// Finds where a YAML text's documents start without building them. yaml-cpp 0.7's LoadAll never
// returns on some invalid input (a top-level "," after a node): its parser keeps reporting empty
// documents at the same position. Scanning the starts first turns that into a syntax error.
#pragma once

#include <optional>
#include <string_view>

#include <yaml-cpp/mark.h>

namespace resplit::config {

struct DocumentScan {
  std::optional<YAML::Mark> second_document;  // where a second document starts, if any
  std::optional<YAML::Mark> stuck_at;         // where the parser stopped making progress
};

// Throws YAML::Exception on a syntax error, as YAML::Load does.
DocumentScan scan_documents(std::string_view yaml);

}  // namespace resplit::config
