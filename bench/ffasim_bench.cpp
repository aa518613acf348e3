// Speed benchmark: simulated FFA_MSG_SEND_DIRECT_REQ round trips (NWd -> test SP echo, one PE)
// per host second, with tracing off and on, and the peak RSS of each run; beside it, a bare
// SystemC 6-hop method ring, so the model's overhead is a ratio; and notification round trips (the
// test SP sets one with a delayed SRI, the Linux SRI handler runs INFO_GET and GET) per host
// second; and FF-A memory-sharing cycles of one page (FFA_MEM_SHARE, the test SP's retrieve and
// relinquish on command, FFA_MEM_RECLAIM: the mem_share workload) per host second. Each measurement runs in its own child process (SystemC elaborates once per process).
//
//   ffasim_bench [round_trips]       default 1,000,000
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>

#include "bench/ring_bench.h"
#include "models/stack/stack.h"

namespace {

struct Measure {
  double seconds = 0;
  uint64_t done = 0;
  long max_rss_kb = 0;
};

// Runs `fn` in a child process and returns its wall time, work count and peak RSS.
Measure in_child(const std::function<uint64_t()>& fn) {
  int fds[2];
  if (pipe(fds) != 0) std::exit(2);
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    const auto t0 = std::chrono::steady_clock::now();
    const uint64_t done = fn();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    struct rusage ru {};
    getrusage(RUSAGE_SELF, &ru);
    Measure m{s, done, ru.ru_maxrss};
    if (write(fds[1], &m, sizeof m) != sizeof m) _exit(3);
    _exit(0);
  }
  close(fds[1]);
  Measure m;
  if (read(fds[0], &m, sizeof m) != sizeof m) {
    std::fprintf(stderr, "ffasim_bench: a measurement failed\n");
    std::exit(1);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return m;
}

uint64_t echo_run(uint64_t n, bool trace) {
  ffasim::ScenarioConfig cfg;
  cfg.pe_count = 1;
  cfg.linux_driver = false;
  cfg.keep_spans = trace;
  cfg.keep_trace = trace;
  ffasim::nwd::WorkloadItem w;
  w.kind = "direct_echo";
  w.pes = {0};
  w.count = n;
  w.params["target"] = 0x8002;
  cfg.workload.push_back(w);
  try {
    ffasim::Stack stack(cfg);
    for (auto& r : stack.results())
      if (r.abi == "FFA_MSG_SEND_DIRECT_REQ_32" && r.caller == "nwd") return r.count;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ffasim_bench: %s\n", e.what());
  }
  return 0;
}

// SET (by the test SP, delayed SRI), SRI, INFO_GET, GET: the notification_set_get workload after
// the Linux probe, on one PE.
uint64_t notification_run(uint64_t n) {
  ffasim::ScenarioConfig cfg;
  cfg.pe_count = 1;
  ffasim::nwd::WorkloadItem w;
  w.kind = "notification_set_get";
  w.pes = {0};
  w.count = n;
  w.params["target"] = 0x8002;
  cfg.workload.push_back(w);
  try {
    ffasim::Stack stack(cfg);
    if (!stack.errors().empty()) return 0;
    for (auto& r : stack.results())
      if (r.abi == "notification.set_get") return r.count;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ffasim_bench: %s\n", e.what());
  }
  return 0;
}

}  // namespace

// One-page share cycles; returns the reclaims done.
uint64_t share_run(uint64_t n) {
  ffasim::ScenarioConfig cfg;
  cfg.pe_count = 1;
  cfg.linux_driver = true;  // the probe maps the RX/TX buffers
  ffasim::nwd::WorkloadItem w;
  w.kind = "mem_share";
  w.pes = {0};
  w.count = n;
  w.params["target"] = 0x8002;
  cfg.workload.push_back(w);
  try {
    ffasim::Stack stack(cfg);
    if (!stack.errors().empty()) std::fprintf(stderr, "ffasim_bench: %s\n", stack.errors().front().c_str());
    for (auto& r : stack.results())
      if (r.abi == "FFA_MEM_RECLAIM" && r.caller == "nwd") return r.count;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ffasim_bench: %s\n", e.what());
  }
  return 0;
}

int main(int argc, char** argv) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
  const uint64_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1000000;
  const Measure ring = in_child([&] { return ffasim::bench::run_ring(n); });
  const Measure off = in_child([&] { return echo_run(n, false); });
  const Measure on = in_child([&] { return echo_run(n / 4, true); });
  const Measure notif = in_child([&] { return notification_run(n / 4); });
  const uint64_t shares = std::max<uint64_t>(1, n / 10);
  const Measure share = in_child([&] { return share_run(shares); });
  auto rate = [](const Measure& m) { return m.seconds > 0 ? double(m.done) / m.seconds : 0; };
  std::printf("%-44s %12s %10s %12s\n", "measurement", "round trips", "seconds", "trips/s");
  std::printf("%-44s %12llu %10.3f %12.0f  (peak RSS %ld MiB)\n", "bare SystemC 6-hop method ring",
              (unsigned long long)ring.done, ring.seconds, rate(ring), ring.max_rss_kb / 1024);
  std::printf("%-44s %12llu %10.3f %12.0f  (peak RSS %ld MiB)\n", "DIRECT_REQ_32 echo, tracing off",
              (unsigned long long)off.done, off.seconds, rate(off), off.max_rss_kb / 1024);
  std::printf("%-44s %12llu %10.3f %12.0f  (peak RSS %ld MiB)\n", "DIRECT_REQ_32 echo, spans + trace kept",
              (unsigned long long)on.done, on.seconds, rate(on), on.max_rss_kb / 1024);
  std::printf("%-44s %12llu %10.3f %12.0f  (peak RSS %ld MiB)\n", "notification SET, SRI, INFO_GET, GET",
              (unsigned long long)notif.done, notif.seconds, rate(notif), notif.max_rss_kb / 1024);
  std::printf("%-44s %12llu %10.3f %12.0f  (peak RSS %ld MiB)\n", "4 KiB share+retrieve+relinquish+reclaim",
              (unsigned long long)share.done, share.seconds, rate(share), share.max_rss_kb / 1024);
  std::printf("ratio ring / tracing off: %.2fx (target: within 2x); target 1 M round trips/s: %s\n",
              rate(off) > 0 ? rate(ring) / rate(off) : 0.0, rate(off) >= 1e6 ? "met" : "not met");
  return off.done == n && notif.done == n / 4 && share.done == shares ? 0 : 1;
}
