#include "proxy/metrics/family_builder.h"

#include <string>

namespace resplit::metrics {

FamilyBuilder::FamilyBuilder(Family f) {
  const FamilyInfo& info = family(f);
  family_.name = std::string(info.name);
  family_.help = std::string(info.help);
  switch (info.type) {
    case Type::kCounter: family_.type = prometheus::MetricType::Counter; break;
    case Type::kGauge: family_.type = prometheus::MetricType::Gauge; break;
    case Type::kHistogram: family_.type = prometheus::MetricType::Histogram; break;
  }
}

prometheus::ClientMetric& FamilyBuilder::add_metric(LabelList labels) {
  prometheus::ClientMetric& m = family_.metric.emplace_back();
  for (const auto& [name, value] : labels) {
    m.label.push_back({std::string(name), std::string(value)});
  }
  return m;
}

FamilyBuilder& FamilyBuilder::add(double value, LabelList labels) {
  prometheus::ClientMetric& m = add_metric(labels);
  if (family_.type == prometheus::MetricType::Counter) {
    m.counter.value = value;
  } else {
    m.gauge.value = value;
  }
  return *this;
}

}  // namespace resplit::metrics
