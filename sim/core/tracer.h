// Observability: where each PE's time goes (per component and cost category), every call made
// by an endpoint as a span with a per-component breakdown, per-ABI statistics, and a Chrome /
// Perfetto JSON trace with one track per PE and exception level.
//
// Generic by design: the tracer knows registers, not FF-A. A classifier supplied by the models
// says, for the registers of a call, which statistic it belongs to and whether it is a handoff
// (the caller gives its cycles away: the span ends when the PE next resumes any endpoint).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "sim/core/software.h"
#include "sim/core/types.h"

namespace ffasim::sim {

enum class Cost : uint8_t {
  Work,             // the software's own work (an SP command, a driver's bookkeeping)
  ExceptionEntry,   // taking an exception
  ExceptionReturn,  // ERET
  SaveRestore,      // GPR and system-register save/restore (world and vCPU switches)
  Dispatch,         // firmware decode, checks and bookkeeping
  Memory,           // memory transactions (descriptors, RX/TX buffers)
  Idle,             // WFI, or powered off
  kCount
};
const char* cost_name(Cost c);

struct SpanClass {
  uint64_t key = 0;     // statistic key: the FID, or an operation kind
  int32_t callee = -1;  // endpoint the call is addressed to, -1 if none
  bool handoff = false;
};
using SpanClassifier = std::function<SpanClass(const ArgRegs& call)>;
// Name of a statistic key ("FFA_MSG_SEND_DIRECT_REQ_32").
using KeyNamer = std::function<std::string(uint64_t key)>;

struct Span {
  int32_t caller;
  int32_t callee;
  uint64_t key;
  uint64_t x0, x1, x2;     // the call's first registers
  uint64_t r0, r2;         // the result's x0 and x2 (0 for handoffs)
  PeId pe;
  Picos start, end;
  uint32_t breakdown;      // offset into Tracer::breakdown_pool(): one Picos per component
};

struct StatRow {
  uint64_t key;
  int32_t caller, callee;
  uint64_t count;
  Picos min, median, p99, max;
  double mean;
  std::vector<double> mean_by_component;  // ps, per component
};

class Tracer {
 public:
  explicit Tracer(size_t pe_count);

  // Components are the units of time attribution ("nwd", "spmd", "sp:8001"...). 0 is "idle".
  ComponentId add_component(const std::string& name);
  const std::vector<std::string>& components() const { return components_; }

  void set_classifier(SpanClassifier c) { classify_ = std::move(c); }
  void set_namer(KeyNamer n) { namer_ = std::move(n); }
  std::string key_name(uint64_t key) const;
  void keep_spans(bool on) { keep_spans_ = on; }
  void keep_trace(bool on) { keep_trace_ = on; }
  bool tracing() const { return keep_trace_; }

  // Time attribution, called by the PE for every charge.
  void charge(PeId pe, ComponentId c, Cost cost, Picos ps) {
    by_component_[pe][c] += ps;
    by_cost_[pe][size_t(cost)] += ps;
  }
  Picos time_of(PeId pe, ComponentId c) const { return by_component_[pe][c]; }
  // The counters behind charge(), for a PE's hot path. Valid once every component is added.
  Picos* component_counters(PeId pe) { return by_component_[pe].data(); }
  Picos* cost_counters(PeId pe) { return by_cost_[pe].data(); }
  Picos time_of(PeId pe, Cost c) const { return by_cost_[pe][size_t(c)]; }

  // Spans, called by the PE.
  void open(ExecContext& ctx, PeId pe, Picos now, const ArgRegs& call);
  void on_resume(ExecContext& ctx, PeId pe, Picos now, const ArgRegs& result);

  // Operation spans opened by software (e.g. a whole OP-TEE invoke with its RPCs and retries).
  uint64_t operation_key(const std::string& name);
  // `pending`: work of component `c` that the caller has done by `now` but the PE has not charged
  // yet (a coroutine's work is charged with its next instruction); it counts before the start and
  // inside the end, so the breakdown adds up to the duration.
  int64_t begin_operation(uint64_t key, int32_t caller, int32_t callee, PeId pe, Picos now,
                          ComponentId c = 0, Picos pending = 0);
  void end_operation(int64_t token, PeId pe, Picos now, uint64_t r0 = 0, ComponentId c = 0,
                     Picos pending = 0);

  // A span measured after the fact (an interrupt's latency, from its assertion to its handler):
  // [start, end) on `pe`, with its breakdown given per component (summing to end - start).
  void record(uint64_t key, int32_t caller, int32_t callee, PeId pe, Picos start, Picos end,
              const std::vector<std::pair<ComponentId, Picos>>& parts);

  // Trace segments: PE `pe` ran `component` at `track` (an "EL/security" name) in [start, end).
  void segment(PeId pe, const char* track, ComponentId c, Picos start, Picos end);

  const std::vector<Span>& spans() const { return spans_; }
  const std::vector<Picos>& breakdown_pool() const { return pool_; }
  std::vector<StatRow> stats() const;
  // Writes the Chrome trace-event JSON (opens in ui.perfetto.dev). False if the file can't be
  // written.
  bool write_chrome_trace(const std::string& path) const;

 private:
  struct Open {
    int32_t caller, callee;
    uint64_t key, x0, x1, x2;
    PeId pe;
    Picos start;
    std::vector<Picos> snapshot;
    bool in_use = false;
  };
  struct Stat {
    std::vector<Picos> durations;
    std::vector<Picos> by_component;
  };
  struct Segment { PeId pe; const char* track; ComponentId c; Picos start, end; };
  int64_t open_raw(int32_t caller, int32_t callee, uint64_t key, const ArgRegs* call, PeId pe,
                   Picos now);
  void close_raw(int64_t idx, Picos now, uint64_t r0, uint64_t r2, ComponentId c = 0, Picos pending = 0);

  std::vector<std::string> components_;
  std::vector<std::vector<Picos>> by_component_;
  std::vector<std::array<Picos, size_t(Cost::kCount)>> by_cost_;
  SpanClassifier classify_;
  KeyNamer namer_;
  bool keep_spans_ = false, keep_trace_ = false;
  std::vector<Open> open_;
  std::vector<int64_t> free_open_;
  std::vector<std::vector<int64_t>> handoffs_;  // per PE: open handoff spans
  std::map<std::tuple<uint64_t, int32_t, int32_t>, Stat> stats_;
  // The statistic the previous span went to: consecutive spans mostly share it.
  std::tuple<uint64_t, int32_t, int32_t> last_key_{~0ull, 0, 0};
  Stat* last_stat_ = nullptr;
  std::vector<Span> spans_;
  std::vector<Picos> pool_;
  std::vector<std::string> operations_;
  std::vector<Segment> segments_;
};

}  // namespace ffasim::sim
