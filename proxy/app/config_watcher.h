// Watches the configuration file's directory with inotify and calls back when the file's content
// changed, after a quiet period. A Kubernetes ConfigMap volume replaces files by swapping a `..data`
// symlink, which a watch on the file itself would miss; watching the directory sees the swap. The
// files the configuration names (certificates, keys, password files) are watched the same way, so
// a renewed Secret takes effect as an edited config does.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

namespace resplit::app {

class ConfigWatcher {
 public:
  ConfigWatcher(boost::asio::io_context& io, std::filesystem::path file,
                std::function<void()> on_change,
                std::chrono::milliseconds debounce = std::chrono::milliseconds(500));
  ~ConfigWatcher();
  ConfigWatcher(const ConfigWatcher&) = delete;
  ConfigWatcher& operator=(const ConfigWatcher&) = delete;

  // False when inotify is unavailable (the watcher then does nothing; SIGHUP still reloads).
  bool start();
  void stop();
  // The files the configuration in force names, watched besides the config file (replaces the
  // previous set). Call after every load that took effect.
  void watch_referenced(const std::vector<std::string>& files);

 private:
  void read_events();
  void settle();
  void watch_directory_of(const std::filesystem::path& file);
  void add_watch(const std::filesystem::path& dir);
  void rewatch();
  std::string fingerprint() const;

  std::filesystem::path file_;
  std::vector<std::filesystem::path> referenced_;
  std::set<std::filesystem::path> directories_;
  std::function<void()> on_change_;
  std::chrono::milliseconds debounce_;
  boost::asio::posix::stream_descriptor inotify_;
  boost::asio::steady_timer quiet_;
  char events_[4096];
  std::string last_;
};

}  // namespace resplit::app
