// The Sentinel families of Collector: one series per configured Sentinel, none without Sentinels.
#include <string>

#include "proxy/metrics/collector.h"
#include "proxy/metrics/family_builder.h"

namespace resplit::metrics {

void Collector::collect_sentinels(std::vector<prometheus::MetricFamily>& out) const {
  FamilyBuilder up(Family::kSentinelUp), agrees(Family::kSentinelNamesTrustedMaster),
      epoch(Family::kSentinelConfigEpoch);
  const std::shared_ptr<const topology::SentinelStatusList> sentinels =
      sources_.sentinels ? sources_.sentinels() : nullptr;
  if (sentinels) {
    for (const topology::SentinelStatus& s : *sentinels) {
      const std::string address = s.address.to_string();
      const LabelList labels = {{"sentinel", address}};
      up.add(s.up ? 1 : 0, labels);
      agrees.add(s.names_trusted ? 1 : 0, labels);
      epoch.add(static_cast<double>(s.epoch), labels);
    }
  }
  out.push_back(up.take());
  out.push_back(agrees.take());
  out.push_back(epoch.take());
}

}  // namespace resplit::metrics
