#include "rollout/health_gate.h"

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include <httplib.h>

#include "engine/engine.h"
#include "util/database_url.h"
#include "util/process.h"
#include "util/text.h"

namespace strata::rollout {
namespace {

bool IsTrue(const std::optional<std::string>& v) {
  if (!v) return false;
  std::string s = ToLower(std::string(Trim(*v)));
  return s == "t" || s == "true" || s == "1" || s == "yes" || s == "on";
}

GateResult SqlGate(const HealthGateSpec& gate, const GateContext& ctx) {
  std::atomic<size_t> next{0};
  std::mutex mu;
  std::vector<std::string> failures;
  auto work = [&] {
    while (true) {
      size_t i = next++;
      if (i >= ctx.targets.size()) return;
      const ResolvedTarget& t = ctx.targets[i];
      std::string problem;
      auto engine = Connect(t.url, "strata rollout gate");
      if (!engine) {
        problem = engine.error().message;
      } else {
        std::string sql = fmt::format("SET statement_timeout = {}", gate.timeout.count());
        if ((*engine)->kind() == EngineKind::kPostgres) (void)(*engine)->Exec(sql);
        auto rows = (*engine)->Query(gate.sql);
        if (!rows) problem = rows.error().message;
        else if (rows->size() == 0 || rows->rows[0].empty()) problem = "returned no row";
        else if (!IsTrue(rows->rows[0][0])) problem = fmt::format("returned {}", rows->rows[0][0].value_or("NULL"));
      }
      if (!problem.empty()) {
        std::lock_guard<std::mutex> g(mu);
        failures.push_back(fmt::format("{}: {}", t.name, RedactSecrets(problem)));
      }
    }
  };
  int n = std::max(1, std::min<int>(ctx.parallelism, static_cast<int>(ctx.targets.size())));
  std::vector<std::thread> pool;
  for (int i = 0; i < n; ++i) pool.emplace_back(work);
  for (auto& t : pool) t.join();
  GateResult r;
  r.passed = failures.empty();
  if (r.passed) {
    r.detail = fmt::format("true on {} target(s)", ctx.targets.size());
  } else {
    std::sort(failures.begin(), failures.end());
    r.detail = fmt::format("not true on {} of {} target(s): {}", failures.size(), ctx.targets.size(),
                           Join(std::vector<std::string>(failures.begin(), failures.begin() + std::min<size_t>(3, failures.size())), "; "));
  }
  return r;
}

GateResult CommandGate(const HealthGateSpec& gate, const GateContext& ctx) {
  ProcessOptions opts;
  opts.cwd = ctx.project_root;
  opts.timeout = gate.timeout;
  std::vector<std::string> names;
  for (const auto& t : ctx.targets) names.push_back(t.name);
  opts.env = {{"STRATA_ROLLOUT_ID", std::to_string(ctx.rollout_id)},
              {"STRATA_ENV", ctx.env},
              {"STRATA_STAGE", ctx.stage},
              {"STRATA_TARGETS", Join(names, ",")}};
  auto run = RunProcess({"sh", "-c", gate.command}, opts);
  GateResult r;
  if (!run) {
    r.detail = RedactSecrets(run.error().message);
    return r;
  }
  r.passed = run->exit_code == 0;
  std::string out(Trim(RedactSecrets(run->output)));
  if (out.size() > 300) out = out.substr(out.size() - 300);
  r.detail = r.passed ? "exit 0" : fmt::format("exit {}{}{}", run->exit_code, out.empty() ? "" : ": ", out);
  return r;
}

// %XX escapes of a URL's user information decoded (a password may hold '@' or ':').
std::string PercentDecode(const std::string& s) {
  std::string out;
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

GateResult HttpGate(const HealthGateSpec& gate) {
  GateResult r;
  auto url = ExpandEnv(gate.http);
  if (!url) {
    r.detail = url.error().message;
    return r;
  }
  // scheme://host[:port]/path
  std::string u = *url;
  size_t scheme_end = u.find("://");
  if (scheme_end == std::string::npos) {
    r.detail = "not an http:// URL";
    return r;
  }
  size_t path_start = u.find('/', scheme_end + 3);
  std::string base = path_start == std::string::npos ? u : u.substr(0, path_start);
  std::string path = path_start == std::string::npos ? "/" : u.substr(path_start);
  // user:password@ in the authority is basic auth, not part of the host.
  std::string user, password;
  bool has_auth = false;
  if (size_t at = base.rfind('@'); at != std::string::npos && at > scheme_end) {
    std::string userinfo = base.substr(scheme_end + 3, at - scheme_end - 3);
    size_t colon = userinfo.find(':');
    user = PercentDecode(userinfo.substr(0, colon));
    if (colon != std::string::npos) password = PercentDecode(userinfo.substr(colon + 1));
    has_auth = true;
    base = base.substr(0, scheme_end + 3) + base.substr(at + 1);
  }
  httplib::Client cli(base);
  if (has_auth) cli.set_basic_auth(user, password);
  auto secs = std::chrono::duration_cast<std::chrono::microseconds>(gate.timeout).count();
  cli.set_connection_timeout(secs / 1000000, secs % 1000000);
  cli.set_read_timeout(secs / 1000000, secs % 1000000);
  cli.set_write_timeout(secs / 1000000, secs % 1000000);
  auto res = cli.Get(path);
  if (!res) {
    r.detail = fmt::format("{}: {}", RedactSecrets(u), httplib::to_string(res.error()));
    return r;
  }
  r.passed = res->status >= 200 && res->status < 300;
  r.detail = fmt::format("HTTP {}", res->status);
  return r;
}

}  // namespace

GateResult RunGate(const HealthGateSpec& gate, const GateContext& ctx) {
  auto start = std::chrono::steady_clock::now();
  GateResult r = !gate.sql.empty() ? SqlGate(gate, ctx) : !gate.command.empty() ? CommandGate(gate, ctx) : HttpGate(gate);
  r.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  return r;
}

}  // namespace strata::rollout
