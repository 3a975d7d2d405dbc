#include "rollout/rollout_runner.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <set>
#include <thread>

#include "engine/engine.h"
#include "migrate/migrator.h"
#include "util/database_url.h"

namespace strata::rollout {
namespace {

using Clock = std::chrono::steady_clock;

long long MsSince(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count();
}

// One unit of work for the pool.
struct Job {
  const ResolvedTarget* target = nullptr;
  const ServiceRuntime* service = nullptr;
  std::vector<std::string> applied_before;  // recorded by an earlier attempt of this rollout
  bool was_in_flight = false;               // recorded "running": the orchestrator died meanwhile
  int rollback_steps = 0;                   // rollback jobs: how many migrations to undo
};

// The plan's migrations of `service` applied on the target since `since` (ISO 8601, same
// format as history's applied_at), in graph order.
std::vector<std::string> AppliedSince(Engine& engine, const std::string& service, const RolloutPlan& plan,
                                      const std::string& since) {
  std::vector<std::string> out;
  auto snap = Migrator::ReadSnapshot(engine, service);
  if (!snap) return out;
  std::set<std::string> recent;
  for (const auto& r : snap->records) {
    if (r.status == "applied" && r.applied_at >= since) recent.insert(r.id);
  }
  for (const PlanMigration* m : plan.MigrationsOf(service)) {
    if (recent.count(m->id)) out.push_back(m->id);
  }
  return out;
}

TargetResult ApplyOne(const Job& job, const RolloutPlan& plan, const RunnerOptions& opt, const std::string& since) {
  TargetResult r;
  r.target = job.target->name;
  r.applied = job.applied_before;
  auto start = Clock::now();
  auto engine = Connect(job.target->url, "strata rollout");
  if (!engine) {
    r.state = "failed";
    r.error = RedactSecrets(engine.error().message);
    r.duration_ms = MsSince(start);
    return r;
  }
  Migrator m(*job.service->graph, job.service->settings, **engine, job.target->service, job.target->name, opt.actor);
  ApplyOptions ao;
  ao.lock_wait = opt.lock_wait;
  RunResult rr = m.Apply(ao);
  std::vector<std::string> applied = r.applied;
  auto add = [&](const std::string& id) {
    if (std::find(applied.begin(), applied.end(), id) == applied.end()) applied.push_back(id);
  };
  if (job.was_in_flight) {
    for (const auto& id : AppliedSince(**engine, job.target->service, plan, since)) add(id);
  }
  for (const auto& id : rr.done) add(id);
  r.applied = std::move(applied);
  if (!rr.ok()) {
    r.state = "failed";
    r.error = RedactSecrets(rr.error->Describe());
  } else {
    r.state = "done";
  }
  r.duration_ms = MsSince(start);
  return r;
}

TargetResult RollbackOne(const Job& job, const RunnerOptions& opt) {
  TargetResult r;
  r.target = job.target->name;
  auto start = Clock::now();
  auto engine = Connect(job.target->url, "strata rollout");
  if (!engine) {
    r.state = "failed";
    r.applied = job.applied_before;
    r.error = "rollback: " + RedactSecrets(engine.error().message);
    return r;
  }
  Migrator m(*job.service->graph, job.service->settings, **engine, job.target->service, job.target->name, opt.actor);
  RollbackOptions ro;
  ro.steps = job.rollback_steps;
  ro.lock_wait = opt.lock_wait;
  RunResult rr = m.Rollback(ro);
  if (!rr.ok()) {
    r.state = "failed";
    // What is still applied: the ones not rolled back.
    for (const auto& id : job.applied_before) {
      if (std::find(rr.done.begin(), rr.done.end(), id) == rr.done.end()) r.applied.push_back(id);
    }
    r.error = "rollback: " + RedactSecrets(rr.error->Describe());
  } else {
    r.state = "rolled_back";
  }
  r.duration_ms = MsSince(start);
  return r;
}

// Runs `jobs` with `parallelism` workers; `on_batch` gets results in batches on this thread
// and returns true to stop starting new jobs (pause). Returns the results of all finished
// jobs (started ones always finish).
class Pool {
 public:
  using Work = std::function<TargetResult(const Job&)>;
  using OnBatch = std::function<Result<bool>(std::vector<TargetResult>&)>;

  static Result<void> Run(const std::vector<Job>& jobs, int parallelism, const Work& work, const OnBatch& on_batch,
                          size_t flush_every, std::chrono::milliseconds interval) {
    std::atomic<size_t> next{0};
    std::atomic<bool> stop{false};
    std::mutex mu;
    std::condition_variable cv;
    std::vector<TargetResult> ready;
    int running = std::max(1, std::min<int>(parallelism, static_cast<int>(jobs.size())));
    int alive = running;
    std::vector<std::thread> threads;
    for (int i = 0; i < running; ++i) {
      threads.emplace_back([&] {
        while (!stop.load()) {
          size_t k = next++;
          if (k >= jobs.size()) break;
          TargetResult r = work(jobs[k]);
          std::lock_guard<std::mutex> g(mu);
          ready.push_back(std::move(r));
          if (ready.size() >= flush_every) cv.notify_one();
        }
        std::lock_guard<std::mutex> g(mu);
        --alive;
        cv.notify_one();
      });
    }
    std::optional<Error> failure;
    auto last_flush = Clock::now();
    while (true) {
      std::vector<TargetResult> batch;
      bool finished;
      {
        std::unique_lock<std::mutex> lk(mu);
        cv.wait_for(lk, interval, [&] { return alive == 0 || ready.size() >= flush_every; });
        finished = alive == 0;
        if (finished || ready.size() >= flush_every || Clock::now() - last_flush >= interval) batch.swap(ready);
      }
      if (!batch.empty() || (!finished && Clock::now() - last_flush >= interval * 5)) {
        last_flush = Clock::now();
        if (!failure) {
          auto paused = on_batch(batch);
          if (!paused) {
            failure = paused.error();
            stop = true;
          } else if (*paused) {
            stop = true;
          }
        }
      }
      if (finished) {
        std::lock_guard<std::mutex> g(mu);
        if (ready.empty()) break;
      }
    }
    for (auto& t : threads) t.join();
    if (failure) return std::unexpected(*failure);
    return {};
  }
};

}  // namespace

Result<RunOutcome> RunRollout(RolloutStore& store, long long id, const RolloutPlan& plan,
                              const std::map<std::string, ResolvedTarget>& targets,
                              const std::map<std::string, ServiceRuntime>& services, const RunnerOptions& opt) {
  RunOutcome out;
  out.rollout_id = id;
  out.targets_total = static_cast<int>(plan.targets.size());
  ASSIGN_OR_RETURN(RolloutRecord rec, store.Get(id));
  ASSIGN_OR_RETURN(std::vector<TargetRecord> recs, store.Targets(id));
  std::map<std::string, TargetRecord> by_name;
  for (auto& t : recs) by_name[t.target] = std::move(t);
  for (const auto& t : plan.targets) {
    if (!targets.count(t.name)) return MakeError(ErrorKind::kInput, fmt::format("target {} of the plan is not resolved", t.name));
    if (!by_name.count(t.name)) return MakeError(ErrorKind::kInternal, fmt::format("target {} is not recorded in rollout {}", t.name, id));
  }
  auto count_done = [&] {
    int n = 0;
    for (const auto& [name, t] : by_name) n += t.state == "done";
    return n;
  };
  auto report = [&](Progress p) {
    if (!opt.on_progress) return;
    p.rollout_id = id;
    p.waves = plan.waves;
    p.stages = static_cast<int>(plan.stages.size());
    p.targets_total = out.targets_total;
    p.done_total = count_done();
    opt.on_progress(p);
  };
  auto apply_results = [&](const std::vector<TargetResult>& batch) {
    for (const auto& r : batch) {
      auto& t = by_name[r.target];
      size_t before = t.applied.size();
      t.state = r.state;
      t.applied = r.applied;
      t.error = r.error;
      if (r.state != "rolled_back" && t.applied.size() > before) out.applied_migrations += static_cast<int>(t.applied.size() - before);
    }
  };
  auto job_for = [&](const PlanTarget& pt) {
    Job j;
    j.target = &targets.at(pt.name);
    j.service = &services.at(pt.service);
    j.applied_before = by_name[pt.name].applied;
    j.was_in_flight = by_name[pt.name].state == "running";
    return j;
  };

  // Rolls back the targets of `stage_indices` (newest wave first) that hold migrations of this rollout.
  auto rollback = [&](const std::vector<int>& stage_indices, const std::string& why) -> Result<void> {
    std::vector<int> order = stage_indices;
    std::sort(order.begin(), order.end(), std::greater<int>());
    if (opt.audit) opt.audit("rollout-rollback", fmt::format(R"({{"rollout": {}, "reason": "{}"}})", id, why));
    for (int s : order) {
      std::vector<Job> jobs;
      for (int ti : plan.stages[s].targets) {
        const PlanTarget& pt = plan.targets[ti];
        const TargetRecord& tr = by_name[pt.name];
        if (tr.applied.empty() || tr.state == "rolled_back") continue;
        Job j = job_for(pt);
        j.rollback_steps = static_cast<int>(tr.applied.size());
        jobs.push_back(std::move(j));
      }
      if (jobs.empty()) continue;
      Progress p;
      p.kind = Progress::kRollback;
      p.stage = plan.stages[s].name;
      p.stage_index = s;
      p.wave = plan.stages[s].wave;
      p.stage_total = static_cast<int>(jobs.size());
      p.message = fmt::format("rolling back {} target(s) of stage {}", jobs.size(), plan.stages[s].name);
      report(p);
      TRY_VOID(Pool::Run(
          jobs, plan.parallelism, [&](const Job& j) { return RollbackOne(j, opt); },
          [&](std::vector<TargetResult>& batch) -> Result<bool> {
            if (batch.empty()) return false;
            apply_results(batch);
            for (const auto& r : batch) {
              if (r.state == "rolled_back") ++out.rolled_back;
              else out.failures.push_back(fmt::format("{}: {}", r.target, r.error));
            }
            TRY_VOID(store.RecordResults(id, batch));
            return false;
          },
          opt.flush_every, opt.flush_interval));
    }
    return {};
  };

  auto fail = [&](int stage, const std::string& why) -> Result<RunOutcome> {
    std::string state = "failed";
    std::string msg = why;
    if (plan.on_failure == OnFailure::kRollbackStage) {
      TRY_VOID(rollback({stage}, why));
      msg += fmt::format("; stage {} rolled back", plan.stages[stage].name);
    } else if (plan.on_failure == OnFailure::kRollbackAll) {
      std::vector<int> all;
      for (int s = 0; s <= stage; ++s) all.push_back(s);
      TRY_VOID(rollback(all, why));
      msg += "; everything this rollout applied was rolled back";
      state = "rolled_back";
    }
    TRY_VOID(store.SetState(id, state, plan.stages[stage].name, msg));
    out.state = state;
    out.message = msg;
    out.done = count_done();
    return out;
  };

  TRY_VOID(store.SetState(id, "running", rec.stage, ""));
  for (int s = 0; s < static_cast<int>(plan.stages.size()); ++s) {
    const PlanStage& stage = plan.stages[s];
    if (s < rec.stages_passed) continue;
    ASSIGN_OR_RETURN(bool pause_now, store.PauseRequested(id));
    if (pause_now) {
      TRY_VOID(store.SetState(id, "paused", stage.name, "paused before stage " + stage.name));
      out.state = "paused";
      out.message = "paused before stage " + stage.name;
      out.done = count_done();
      return out;
    }
    std::vector<Job> jobs;
    std::vector<std::string> names;
    for (int ti : stage.targets) {
      const PlanTarget& pt = plan.targets[ti];
      if (by_name[pt.name].state == "done") continue;
      jobs.push_back(job_for(pt));
      names.push_back(pt.name);
    }
    TRY_VOID(store.SetState(id, "running", stage.name, ""));
    Progress start;
    start.kind = Progress::kStageStart;
    start.wave = stage.wave;
    start.stage = stage.name;
    start.stage_index = s;
    start.stage_total = static_cast<int>(stage.targets.size());
    start.stage_done = start.stage_total - static_cast<int>(jobs.size());
    report(start);
    int stage_failed = 0;
    bool paused = false;
    if (!jobs.empty()) {
      TRY_VOID(store.MarkRunning(id, names));
      for (const auto& n : names) by_name[n].state = "running";
      int finished = start.stage_done;
      TRY_VOID(Pool::Run(
          jobs, plan.parallelism, [&](const Job& j) { return ApplyOne(j, plan, opt, rec.created_at); },
          [&](std::vector<TargetResult>& batch) -> Result<bool> {
            bool pause = false;
            if (!batch.empty()) {
              ASSIGN_OR_RETURN(pause, store.RecordResults(id, batch));
              apply_results(batch);
              for (const auto& r : batch) {
                ++finished;
                if (r.state == "failed") {
                  ++stage_failed;
                  if (out.failures.size() < 20) out.failures.push_back(fmt::format("{}: {}", r.target, r.error));
                }
              }
              Progress p;
              p.kind = Progress::kTargets;
              p.wave = stage.wave;
              p.stage = stage.name;
              p.stage_index = s;
              p.stage_total = static_cast<int>(stage.targets.size());
              p.stage_done = finished;
              p.failed = stage_failed;
              report(p);
            } else {
              ASSIGN_OR_RETURN(pause, store.PauseRequested(id));
            }
            if (pause) paused = true;
            return pause;
          },
          opt.flush_every, opt.flush_interval));
    }
    out.failed += stage_failed;
    if (stage_failed > 0) {
      out.target_failed = true;
      return fail(s, fmt::format("{} of {} target(s) failed in stage {}", stage_failed, stage.targets.size(), stage.name));
    }
    if (paused) {
      bool all_done = true;
      for (int ti : stage.targets) all_done &= by_name[plan.targets[ti].name].state == "done";
      if (!all_done) {
        // Targets never started are still recorded running: put them back to pending.
        std::vector<TargetResult> back;
        for (int ti : stage.targets) {
          const auto& tr = by_name[plan.targets[ti].name];
          if (tr.state == "running") back.push_back({tr.target, "pending", tr.applied, "", 0});
        }
        if (!back.empty()) TRY_VOID(store.RecordResults(id, back));
        apply_results(back);
        TRY_VOID(store.SetState(id, "paused", stage.name, "paused during stage " + stage.name));
        Progress p;
        p.kind = Progress::kPaused;
        p.stage = stage.name;
        p.stage_index = s;
        p.message = "paused";
        report(p);
        out.state = "paused";
        out.message = "paused during stage " + stage.name;
        out.done = count_done();
        return out;
      }
    }
    // Health gates.
    GateContext gc;
    gc.rollout_id = id;
    gc.env = plan.env;
    gc.stage = stage.name;
    gc.project_root = opt.project_root;
    gc.parallelism = plan.parallelism;
    for (int ti : stage.targets) gc.targets.push_back(targets.at(plan.targets[ti].name));
    for (const auto& gate : plan.gates) {
      GateResult gr = RunGate(gate, gc);
      out.gates.push_back(GateOutcome{stage.name, gate.name, gr.passed, gr.detail, gr.duration_ms});
      Progress p;
      p.kind = Progress::kGate;
      p.wave = stage.wave;
      p.stage = stage.name;
      p.stage_index = s;
      p.message = fmt::format("gate {}: {} ({})", gate.name, gr.passed ? "passed" : "FAILED", gr.detail);
      report(p);
      if (!gr.passed) {
        out.gate_failed = true;
        return fail(s, fmt::format("health gate {} failed after stage {}: {}", gate.name, stage.name, gr.detail));
      }
    }
    TRY_VOID(store.SetStagesPassed(id, s + 1));
    rec.stages_passed = s + 1;
  }
  TRY_VOID(store.RecordSucceeded(plan.env, id, plan.migrations));
  TRY_VOID(store.SetState(id, "succeeded", "", ""));
  out.state = "succeeded";
  out.done = count_done();
  return out;
}

}  // namespace strata::rollout
