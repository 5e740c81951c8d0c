// Small helpers that turn values into prometheus-cpp MetricFamily samples for one of the families
// declared in families.h.
#pragma once

#include <initializer_list>
#include <string_view>
#include <utility>

#include <prometheus/metric_family.h>

#include "proxy/metrics/families.h"

namespace resplit::metrics {

using LabelList = std::initializer_list<std::pair<std::string_view, std::string_view>>;

class FamilyBuilder {
 public:
  explicit FamilyBuilder(Family f);

  // A counter or gauge sample (the family's type decides which field is written).
  FamilyBuilder& add(double value, LabelList labels = {});
  prometheus::ClientMetric& add_metric(LabelList labels);
  prometheus::MetricFamily take() { return std::move(family_); }

 private:
  prometheus::MetricFamily family_;
};

}  // namespace resplit::metrics
