#include "util/process.h"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

extern char** environ;

namespace strata {
namespace {

std::string ErrnoText(int err) { return std::strerror(err); }

bool IsExecutableFile(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

// Resolves argv[0] the way execvp would, but in the parent so the child only calls execve.
std::string FindProgram(const std::string& name, const std::string& path_var) {
  if (name.find('/') != std::string::npos) return IsExecutableFile(name) ? name : std::string();
  std::string_view rest = path_var;
  while (true) {
    size_t colon = rest.find(':');
    std::string dir(rest.substr(0, colon));
    if (dir.empty()) dir = ".";
    std::string candidate = dir + "/" + name;
    if (IsExecutableFile(candidate)) return candidate;
    if (colon == std::string_view::npos) break;
    rest.remove_prefix(colon + 1);
  }
  return {};
}

// Closes an fd, retrying on EINTR is wrong on Linux, so plain close.
void CloseFd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

int PidfdOpen(pid_t pid) {
#ifdef SYS_pidfd_open
  return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
#else
  errno = ENOSYS;
  return -1;
#endif
}

// Writes errno to the error pipe and exits; only async-signal-safe calls.
[[noreturn]] void ChildFail(int err_fd, int stage) {
  int payload[2] = {stage, errno};
  ssize_t ignored = ::write(err_fd, payload, sizeof payload);
  (void)ignored;
  ::_exit(127);
}

int ExitCodeFromStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

Result<ProcessResult> RunProcess(const std::vector<std::string>& argv, const ProcessOptions& options) {
  if (argv.empty() || argv[0].empty()) return MakeError(ErrorKind::kInternal, "RunProcess: empty argv");

  // Everything the child needs is prepared here: after fork it only makes system calls.
  std::vector<std::string> env_storage;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view entry(*e);
    std::string_view key = entry.substr(0, entry.find('='));
    bool overridden = false;
    for (const auto& [k, v] : options.env) overridden |= (k == key);
    if (!overridden) env_storage.emplace_back(entry);
  }
  std::string path_var = ::getenv("PATH") ? ::getenv("PATH") : "/usr/local/bin:/usr/bin:/bin";
  for (const auto& [k, v] : options.env) {
    env_storage.push_back(k + "=" + v);
    if (k == "PATH") path_var = v;
  }

  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;
  if (options.run_as_user) {
    struct passwd pwd;
    struct passwd* found = nullptr;
    std::vector<char> buf(16384);
    if (::getpwnam_r(options.run_as_user->c_str(), &pwd, buf.data(), buf.size(), &found) != 0 ||
        found == nullptr) {
      return MakeError(ErrorKind::kIo, "cannot run " + argv[0] + " as user " + *options.run_as_user +
                                           ": no such user");
    }
    uid = pwd.pw_uid;
    gid = pwd.pw_gid;
    int ngroups = 64;
    groups.resize(ngroups);
    if (::getgrouplist(pwd.pw_name, gid, groups.data(), &ngroups) < 0) {
      groups.resize(ngroups);
      ::getgrouplist(pwd.pw_name, gid, groups.data(), &ngroups);
    }
    groups.resize(ngroups);
    // The switched-to user gets its own HOME/USER/LOGNAME unless the caller set them.
    auto set_default = [&](const std::string& key, const std::string& value) {
      for (const auto& [k, v] : options.env)
        if (k == key) return;
      std::string prefix = key + "=";
      for (auto& entry : env_storage) {
        if (entry.starts_with(prefix)) {
          entry = prefix + value;
          return;
        }
      }
      env_storage.push_back(prefix + value);
    };
    set_default("HOME", pwd.pw_dir);
    set_default("USER", pwd.pw_name);
    set_default("LOGNAME", pwd.pw_name);
  }

  std::string program = FindProgram(argv[0], path_var);
  if (program.empty()) return MakeError(ErrorKind::kIo, "cannot run " + argv[0] + ": program not found");

  std::vector<char*> c_argv;
  for (const auto& a : argv) c_argv.push_back(const_cast<char*>(a.c_str()));
  c_argv.push_back(nullptr);
  std::vector<char*> c_env;
  for (auto& e : env_storage) c_env.push_back(e.data());
  c_env.push_back(nullptr);

  int out_pipe[2];
  int err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) return MakeError(ErrorKind::kIo, "pipe: " + ErrnoText(errno));
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    int saved = errno;
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    return MakeError(ErrorKind::kIo, "pipe: " + ErrnoText(saved));
  }

  pid_t pid = ::fork();
  if (pid < 0) {
    int saved = errno;
    for (int fd : {out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) ::close(fd);
    return MakeError(ErrorKind::kIo, "fork: " + ErrnoText(saved));
  }
  if (pid == 0) {
    // Child.
    ::setpgid(0, 0);
    // Default signal dispositions and an empty mask, whatever the parent had.
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull < 0 || ::dup2(devnull, 0) < 0) ChildFail(err_pipe[1], 1);
    if (::dup2(out_pipe[1], 1) < 0 || ::dup2(out_pipe[1], 2) < 0) ChildFail(err_pipe[1], 1);
    if (options.run_as_user) {
      if (::setgroups(groups.size(), groups.data()) != 0) ChildFail(err_pipe[1], 2);
      if (::setgid(gid) != 0) ChildFail(err_pipe[1], 2);
      if (::setuid(uid) != 0) ChildFail(err_pipe[1], 2);
    }
    if (!options.cwd.empty() && ::chdir(options.cwd.c_str()) != 0) ChildFail(err_pipe[1], 3);
    ::execve(program.c_str(), c_argv.data(), c_env.data());
    ChildFail(err_pipe[1], 4);
  }

  // Parent.
  ::setpgid(pid, pid);  // also done in the child; whichever runs first wins the race
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  int out_fd = out_pipe[0];
  int err_fd = err_pipe[0];

  // Did exec succeed? The error pipe closes on exec (EOF) or carries {stage, errno}.
  int payload[2] = {0, 0};
  ssize_t got;
  do {
    got = ::read(err_fd, payload, sizeof payload);
  } while (got < 0 && errno == EINTR);
  CloseFd(err_fd);
  if (got == static_cast<ssize_t>(sizeof payload)) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    CloseFd(out_fd);
    static const char* kStages[] = {"", "redirect output", "switch user", "change directory", "exec"};
    std::string what = kStages[payload[0] >= 1 && payload[0] <= 4 ? payload[0] : 4];
    std::string detail = what + ": " + ErrnoText(payload[1]);
    if (payload[0] == 2) detail = "switch to user " + *options.run_as_user + ": " + ErrnoText(payload[1]);
    if (payload[0] == 3) detail = "change directory to " + options.cwd + ": " + ErrnoText(payload[1]);
    return MakeError(ErrorKind::kIo, "cannot run " + argv[0] + ": " + detail);
  }

  // Read output until EOF, or until the child has exited and no more output is waiting (a
  // daemon it started may hold the pipe open forever), or until the timeout.
  int pid_fd = PidfdOpen(pid);
  using Clock = std::chrono::steady_clock;
  const bool has_deadline = options.timeout.count() > 0;
  const Clock::time_point deadline = Clock::now() + options.timeout;
  ProcessResult result;
  bool exited = false;
  bool timed_out = false;
  int status = 0;
  char buf[16384];
  while (out_fd >= 0) {
    int wait_ms = -1;
    if (has_deadline) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) {
        timed_out = true;
        break;
      }
      wait_ms = static_cast<int>(left);
    }
    if (pid_fd < 0 && (wait_ms < 0 || wait_ms > 50)) wait_ms = 50;  // no pidfd: poll waitpid
    struct pollfd fds[2] = {{out_fd, POLLIN, 0}, {pid_fd, POLLIN, 0}};
    int n = ::poll(fds, pid_fd >= 0 ? 2 : 1, wait_ms);
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t r = ::read(out_fd, buf, sizeof buf);
      if (r > 0) {
        result.output.append(buf, r);
        continue;
      }
      if (r == 0 || (errno != EINTR && errno != EAGAIN)) {
        CloseFd(out_fd);
        break;
      }
      continue;
    }
    if (pid_fd < 0 || (fds[1].revents & POLLIN)) {
      pid_t w = ::waitpid(pid, &status, WNOHANG);
      if (w == pid) {
        exited = true;
        // Drain whatever is already buffered without waiting for a daemon's EOF.
        int flags = ::fcntl(out_fd, F_GETFL);
        ::fcntl(out_fd, F_SETFL, flags | O_NONBLOCK);
        while (true) {
          ssize_t r = ::read(out_fd, buf, sizeof buf);
          if (r > 0) {
            result.output.append(buf, r);
            continue;
          }
          if (r < 0 && errno == EINTR) continue;
          break;
        }
        CloseFd(out_fd);
      }
    }
  }
  CloseFd(out_fd);

  if (timed_out) {
    ::kill(-pid, SIGKILL);
    ::kill(pid, SIGKILL);
  }
  if (!exited) {
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  CloseFd(pid_fd);
  if (timed_out) {
    Error e;
    e.kind = ErrorKind::kIo;
    e.message = argv[0] + " timed out after " + std::to_string(options.timeout.count()) + " ms and was killed";
    if (!result.output.empty()) {
      std::string tail = result.output.size() > 2000 ? result.output.substr(result.output.size() - 2000)
                                                     : result.output;
      e.message += "; its output:\n" + tail;
    }
    return std::unexpected(std::move(e));
  }
  result.exit_code = ExitCodeFromStatus(status);
  return result;
}

std::string CurrentUser() {
  if (const char* u = ::getenv("STRATA_USER"); u != nullptr && *u != '\0') return u;
  struct passwd pwd;
  struct passwd* found = nullptr;
  std::vector<char> buf(16384);
  if (::getpwuid_r(::geteuid(), &pwd, buf.data(), buf.size(), &found) == 0 && found != nullptr)
    return pwd.pw_name;
  return "uid" + std::to_string(::geteuid());
}

std::string CurrentHost() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "unknown";
  return name;
}

}  // namespace strata
