// process_* metrics built from /proc/self, with the names of Prometheus's client libraries
// (prometheus-cpp has no process collector).
#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include "proxy/metrics/collector.h"
#include "proxy/metrics/family_builder.h"

namespace resplit::metrics {
namespace {

struct ProcStat {
  double cpu_seconds = 0;
  double start_seconds_after_boot = 0;
  double virtual_bytes = 0;
  double resident_bytes = 0;
};

ProcStat read_stat() {
  ProcStat s;
  std::ifstream in("/proc/self/stat");
  std::string line;
  if (!std::getline(in, line)) return s;
  // The command name (field 2) may hold spaces; fields are counted after its closing paren.
  const size_t close = line.rfind(')');
  if (close == std::string::npos) return s;
  std::istringstream fields(line.substr(close + 2));
  std::string f;
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  for (int n = 3; fields >> f; ++n) {
    if (n == 14 || n == 15) s.cpu_seconds += std::stod(f) / ticks;
    if (n == 22) s.start_seconds_after_boot = std::stod(f) / ticks;
    if (n == 23) s.virtual_bytes = std::stod(f);
    if (n == 24) {
      s.resident_bytes = std::stod(f) * page;
      break;
    }
  }
  return s;
}

double boot_time() {
  std::ifstream in("/proc/stat");
  std::string key;
  double value = 0;
  while (in >> key) {
    if (key == "btime") {
      in >> value;
      return value;
    }
    in.ignore(1 << 16, '\n');
  }
  return 0;
}

double open_fds() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return 0;
  double n = 0;
  while (const dirent* e = readdir(dir)) {
    if (e->d_name[0] != '.') ++n;
  }
  closedir(dir);
  return n - 1;  // the directory stream's own descriptor
}

}  // namespace

void collect_process(std::vector<prometheus::MetricFamily>& out) {
  const ProcStat s = read_stat();
  rlimit limit{};
  const double max_fds = getrlimit(RLIMIT_NOFILE, &limit) == 0 ? static_cast<double>(limit.rlim_cur)
                                                                : 0;
  out.push_back(FamilyBuilder(Family::kProcessCpu).add(s.cpu_seconds).take());
  out.push_back(FamilyBuilder(Family::kProcessResidentMemory).add(s.resident_bytes).take());
  out.push_back(FamilyBuilder(Family::kProcessVirtualMemory).add(s.virtual_bytes).take());
  out.push_back(FamilyBuilder(Family::kProcessOpenFds).add(open_fds()).take());
  out.push_back(FamilyBuilder(Family::kProcessMaxFds).add(max_fds).take());
  out.push_back(FamilyBuilder(Family::kProcessStartTime)
                    .add(boot_time() + s.start_seconds_after_boot)
                    .take());
}

}  // namespace resplit::metrics
