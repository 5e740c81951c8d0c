#include "proxy/app/config_watcher.h"

#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include "proxy/base/log.h"

namespace resplit::app {

namespace asio = boost::asio;

namespace {

constexpr uint32_t kWatchMask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_ATTRIB;

bool append_file(const std::filesystem::path& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return true;
}

}  // namespace

ConfigWatcher::ConfigWatcher(asio::io_context& io, std::filesystem::path file,
                             std::function<void()> on_change, std::chrono::milliseconds debounce)
    : file_(std::move(file)),
      on_change_(std::move(on_change)),
      debounce_(debounce),
      inotify_(io),
      quiet_(io) {}

ConfigWatcher::~ConfigWatcher() { stop(); }

bool ConfigWatcher::start() {
  const int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) return false;
  inotify_.assign(fd);
  watch_directory_of(file_);
  if (directories_.empty()) {
    stop();
    return false;
  }
  for (const auto& f : referenced_) watch_directory_of(f);
  last_ = fingerprint();
  read_events();
  return true;
}

void ConfigWatcher::watch_referenced(const std::vector<std::string>& files) {
  referenced_.assign(files.begin(), files.end());
  if (!inotify_.is_open()) return;
  // A directory no longer named keeps its watch: a few idle watches cost less than tracking them.
  for (const auto& f : referenced_) watch_directory_of(f);
  last_ = fingerprint();
}

void ConfigWatcher::watch_directory_of(const std::filesystem::path& file) {
  std::filesystem::path dir = file.parent_path();
  if (dir.empty()) dir = ".";
  add_watch(dir);
  // A directory reached through a link (a Secret's `client/` -> `..data/client`) is replaced when
  // the link is swapped: the directory holding the link sees the swap.
  std::error_code ec;
  for (auto p = dir; p.has_relative_path() && p != p.parent_path(); p = p.parent_path()) {
    if (std::filesystem::is_symlink(p, ec)) {
      add_watch(p.parent_path().empty() ? "." : p.parent_path());
    }
  }
}

void ConfigWatcher::add_watch(const std::filesystem::path& dir) {
  if (directories_.contains(dir)) return;
  if (::inotify_add_watch(inotify_.native_handle(), dir.c_str(), kWatchMask) < 0) {
    log::warn("config_watch_failed", {{"path", dir.string()}, {"error", std::strerror(errno)}});
    return;
  }
  directories_.insert(dir);
}

void ConfigWatcher::rewatch() {
  // A path whose directory was replaced names a new inode now: watch that one too.
  for (const auto& dir : directories_) {
    ::inotify_add_watch(inotify_.native_handle(), dir.c_str(), kWatchMask);
  }
}

void ConfigWatcher::stop() {
  boost::system::error_code ignored;
  quiet_.cancel();
  if (inotify_.is_open()) inotify_.close(ignored);
}

void ConfigWatcher::read_events() {
  inotify_.async_read_some(asio::buffer(events_), [this](boost::system::error_code ec, size_t) {
    if (ec) return;  // closed
    // Any change in the directory may be ours (editors write temp files, ConfigMaps swap links):
    // wait for quiet, then compare the content.
    quiet_.expires_after(debounce_);
    quiet_.async_wait([this](boost::system::error_code ec) {
      if (!ec) settle();
    });
    read_events();
  });
}

void ConfigWatcher::settle() {
  rewatch();
  std::string now = fingerprint();
  if (now.empty() || now == last_) return;
  last_ = std::move(now);
  log::info("config_files_changed", {{"path", file_.string()}});
  on_change_();
}

std::string ConfigWatcher::fingerprint() const {
  std::string content;
  if (!append_file(file_, content)) return {};  // being replaced: wait for the next event
  for (const auto& f : referenced_) {
    // A missing file counts as empty: the reload that follows names it in its error.
    content.append(1, '\0').append(f.string()).append(1, '\0');
    append_file(f, content);
  }
  return content;
}

}  // namespace resplit::app
