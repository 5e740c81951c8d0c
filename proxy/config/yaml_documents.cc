#include "proxy/config/yaml_documents.h"

#include <sstream>
#include <string>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>

namespace resplit::config {
namespace {

// Records only where each document starts; every other event is ignored.
class DocumentStarts : public YAML::EventHandler {
 public:
  YAML::Mark last_start;

  void OnDocumentStart(const YAML::Mark& mark) override { last_start = mark; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

}  // namespace

DocumentScan scan_documents(std::string_view yaml) {
  std::istringstream in{std::string(yaml)};
  YAML::Parser parser(in);
  DocumentStarts starts;
  DocumentScan scan;
  std::optional<int> previous_pos;
  // Three starts tell everything the loader needs: a second document, or a repeated position.
  for (int document = 0; document < 3 && parser.HandleNextDocument(starts); ++document) {
    if (previous_pos == starts.last_start.pos) {
      scan.stuck_at = starts.last_start;
      return scan;
    }
    if (document == 1) scan.second_document = starts.last_start;
    previous_pos = starts.last_start.pos;
  }
  return scan;
}

}  // namespace resplit::config
