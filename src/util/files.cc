#include "util/files.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

namespace strata {

Result<std::string> ReadFile(const std::filesystem::path& path, bool regular_file) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return MakeErrorAt(ErrorKind::kIo, path.string(), 0, fmt::format("cannot read: {}", std::strerror(errno)));
  }
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0 && static_cast<size_t>(n) < sizeof buf && out.empty() && regular_file) {
      // Linux returns a short read from a regular file only at its end: the whole file is here,
      // and the read that would return 0 is skipped (status reads every migration file).
      out.assign(buf, static_cast<size_t>(n));
      break;
    }
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return MakeErrorAt(ErrorKind::kIo, path.string(), 0, fmt::format("cannot read: {}", std::strerror(err)));
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

Result<void> WriteFileAtomic(const std::filesystem::path& path, std::string_view content) {
  std::filesystem::path tmp = path;
  tmp += fmt::format(".tmp{}", ::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return MakeErrorAt(ErrorKind::kIo, path.string(), 0, fmt::format("cannot write: {}", std::strerror(errno)));
  }
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return MakeErrorAt(ErrorKind::kIo, path.string(), 0, fmt::format("cannot write: {}", std::strerror(err)));
    }
    done += static_cast<size_t>(n);
  }
  ::fsync(fd);
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return MakeErrorAt(ErrorKind::kIo, path.string(), 0, fmt::format("cannot write: {}", std::strerror(err)));
  }
  return {};
}

}  // namespace strata
