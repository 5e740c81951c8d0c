#include "proxy/app/config_watcher.h"

#include <sys/inotify.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "proxy/base/log.h"

namespace resplit::app {

namespace asio = boost::asio;

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
  std::filesystem::path dir = file_.parent_path();
  if (dir.empty()) dir = ".";
  const uint32_t mask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_ATTRIB;
  if (::inotify_add_watch(fd, dir.c_str(), mask) < 0) {
    ::close(fd);
    return false;
  }
  inotify_.assign(fd);
  last_ = fingerprint();
  read_events();
  return true;
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
  std::string now = fingerprint();
  if (now.empty() || now == last_) return;
  last_ = std::move(now);
  log::info("config_file_changed", {{"path", file_.string()}});
  on_change_();
}

std::string ConfigWatcher::fingerprint() const {
  std::ifstream in(file_, std::ios::binary);
  if (!in) return {};
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

}  // namespace resplit::app
