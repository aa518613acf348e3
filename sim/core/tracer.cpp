#include "sim/core/tracer.h"

#include <algorithm>
#include <cstdio>
#include <memory>

namespace ffasim::sim {

const char* cost_name(Cost c) {
  switch (c) {
    case Cost::Work: return "work";
    case Cost::ExceptionEntry: return "exception_entry";
    case Cost::ExceptionReturn: return "exception_return";
    case Cost::SaveRestore: return "save_restore";
    case Cost::Dispatch: return "dispatch";
    case Cost::Memory: return "memory";
    case Cost::Idle: return "idle";
    case Cost::kCount: break;
  }
  return "?";
}

namespace {
constexpr uint64_t kOperationBase = 1ull << 40;
}

Tracer::Tracer(size_t pe_count)
    : by_component_(pe_count), by_cost_(pe_count), handoffs_(pe_count) {
  for (auto& a : by_cost_) a.fill(0);
  add_component("idle");
  classify_ = [](const ArgRegs& r) { return SpanClass{r[0], -1, false}; };
}

ComponentId Tracer::add_component(const std::string& name) {
  components_.push_back(name);
  for (auto& v : by_component_) v.resize(components_.size(), 0);
  return ComponentId(components_.size() - 1);
}

std::string Tracer::key_name(uint64_t key) const {
  if (key >= kOperationBase && key - kOperationBase < operations_.size())
    return operations_[key - kOperationBase];
  if (namer_) return namer_(key);
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%llx", (unsigned long long)key);
  return buf;
}

int64_t Tracer::open_raw(int32_t caller, int32_t callee, uint64_t key, const ArgRegs* call,
                         PeId pe, Picos now) {
  int64_t idx;
  if (!free_open_.empty()) {
    idx = free_open_.back();
    free_open_.pop_back();
  } else {
    idx = int64_t(open_.size());
    open_.emplace_back();
  }
  Open& o = open_[size_t(idx)];
  o.caller = caller;
  o.callee = callee;
  o.key = key;
  o.x0 = call ? (*call)[0] : 0;
  o.x1 = call ? (*call)[1] : 0;
  o.x2 = call ? (*call)[2] : 0;
  o.pe = pe;
  o.start = now;
  o.snapshot.assign(by_component_[pe].begin(), by_component_[pe].end());
  o.in_use = true;
  return idx;
}

void Tracer::close_raw(int64_t idx, Picos now, uint64_t r0, uint64_t r2, ComponentId pc, Picos pending) {
  Open& o = open_[size_t(idx)];
  const auto& cur = by_component_[o.pe];
  const std::tuple<uint64_t, int32_t, int32_t> key{o.key, o.caller, o.callee};
  if (!last_stat_ || key != last_key_) {
    last_stat_ = &stats_[key];  // std::map nodes are stable
    last_key_ = key;
  }
  Stat& st = *last_stat_;
  if (st.by_component.size() < cur.size()) st.by_component.resize(cur.size(), 0);
  const Picos dur = now - o.start;
  st.durations.push_back(dur);
  uint32_t off = uint32_t(pool_.size());
  for (size_t c = 0; c < cur.size(); ++c) {
    const Picos d = cur[c] + (c == pc ? pending : 0) - (c < o.snapshot.size() ? o.snapshot[c] : 0);
    st.by_component[c] += d;
    if (keep_spans_) pool_.push_back(d);
  }
  if (keep_spans_)
    spans_.push_back({o.caller, o.callee, o.key, o.x0, o.x1, o.x2, r0, r2, o.pe, o.start, now, off});
  o.in_use = false;
  free_open_.push_back(idx);
}

void Tracer::open(ExecContext& ctx, PeId pe, Picos now, const ArgRegs& call) {
  const SpanClass k = classify_(call);
  const int64_t idx = open_raw(ctx.endpoint, k.callee, k.key, &call, pe, now);
  if (k.handoff) handoffs_[pe].push_back(idx);
  else ctx.open_span = idx;
}

void Tracer::on_resume(ExecContext& ctx, PeId pe, Picos now, const ArgRegs& result) {
  auto& h = handoffs_[pe];
  if (!h.empty()) {
    for (int64_t idx : h) close_raw(idx, now, 0, 0);
    h.clear();
  }
  if (ctx.open_span >= 0) {
    close_raw(ctx.open_span, now, result[0], result[2]);
    ctx.open_span = -1;
  }
}

uint64_t Tracer::operation_key(const std::string& name) {
  for (size_t i = 0; i < operations_.size(); ++i)
    if (operations_[i] == name) return kOperationBase + i;
  operations_.push_back(name);
  return kOperationBase + operations_.size() - 1;
}

int64_t Tracer::begin_operation(uint64_t key, int32_t caller, int32_t callee, PeId pe, Picos now,
                                ComponentId c, Picos pending) {
  const int64_t idx = open_raw(caller, callee, key, nullptr, pe, now);
  open_[size_t(idx)].snapshot[c] += pending;
  return idx;
}

void Tracer::end_operation(int64_t token, PeId pe, Picos now, uint64_t r0, ComponentId c, Picos pending) {
  if (token < 0) return;
  open_[size_t(token)].pe = pe;  // an operation ends on the PE it started on
  close_raw(token, now, r0, 0, c, pending);
}

void Tracer::record(uint64_t key, int32_t caller, int32_t callee, PeId pe, Picos start, Picos end,
                    const std::vector<std::pair<ComponentId, Picos>>& parts) {
  const int64_t idx = open_raw(caller, callee, key, nullptr, pe, start);
  Open& o = open_[size_t(idx)];
  // The breakdown is what the parts say, whatever the PE's counters did meanwhile.
  o.snapshot.assign(by_component_[pe].begin(), by_component_[pe].end());
  for (auto& [c, ps] : parts) o.snapshot[c] -= ps;
  close_raw(idx, end, 0, 0);
}

void Tracer::segment(PeId pe, const char* track, ComponentId c, Picos start, Picos end) {
  if (!keep_trace_ || end <= start) return;
  // A component that resumes right where it stopped (the one between ran for no time) continues
  // its slice.
  if (!segments_.empty()) {
    Segment& last = segments_.back();
    if (last.pe == pe && last.track == track && last.c == c && last.end == start) {
      last.end = end;
      return;
    }
  }
  segments_.push_back({pe, track, c, start, end});
}

static Picos percentile(const std::vector<Picos>& sorted, double p) {
  // Nearest-rank: the smallest value with at least p of the samples at or below it.
  size_t rank = size_t(p * double(sorted.size()) + 0.999999999);
  if (rank < 1) rank = 1;
  return sorted[std::min(rank, sorted.size()) - 1];
}

std::vector<StatRow> Tracer::stats() const {
  std::vector<StatRow> out;
  for (auto& [k, st] : stats_) {
    if (st.durations.empty()) continue;
    std::vector<Picos> d = st.durations;
    std::sort(d.begin(), d.end());
    StatRow r;
    r.key = std::get<0>(k);
    r.caller = std::get<1>(k);
    r.callee = std::get<2>(k);
    r.count = d.size();
    r.min = d.front();
    r.max = d.back();
    r.median = percentile(d, 0.5);
    r.p99 = percentile(d, 0.99);
    long double sum = 0;
    for (Picos v : d) sum += v;
    r.mean = double(sum / d.size());
    for (Picos v : st.by_component) r.mean_by_component.push_back(double(v) / double(d.size()));
    r.mean_by_component.resize(components_.size(), 0);
    out.push_back(std::move(r));
  }
  return out;
}

namespace {
struct FileCloser { void operator()(FILE* f) const { if (f) std::fclose(f); } };
void json_string(FILE* f, const std::string& s) {
  std::fputc('"', f);
  for (char ch : s) {
    if (ch == '"' || ch == '\\') { std::fputc('\\', f); std::fputc(ch, f); }
    else if (uint8_t(ch) < 0x20) std::fprintf(f, "\\u%04x", ch);
    else std::fputc(ch, f);
  }
  std::fputc('"', f);
}
// Microseconds with picosecond precision, as Chrome's trace format counts in us.
void us(FILE* f, Picos ps) { std::fprintf(f, "%llu.%06llu", (unsigned long long)(ps / 1000000), (unsigned long long)(ps % 1000000)); }
}  // namespace

bool Tracer::write_chrome_trace(const std::string& path) const {
  std::unique_ptr<FILE, FileCloser> f(std::fopen(path.c_str(), "w"));
  if (!f) return false;
  FILE* o = f.get();
  std::fprintf(o, "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n");
  bool first = true;
  auto sep = [&] { if (!first) std::fprintf(o, ",\n"); first = false; };
  // Track names: pid = PE, tid = exception-level track; tid 0 holds the FF-A call spans.
  static const char* kTracks[] = {"calls", "NS-EL0", "NS-EL1", "NS-EL2", "S-EL0", "S-EL1", "S-EL2", "EL3"};
  auto tid_of = [](const char* track) {
    for (int i = 0; i < 8; ++i) if (std::string(kTracks[i]) == track) return i;
    return 0;
  };
  for (size_t pe = 0; pe < by_component_.size(); ++pe) {
    sep();
    std::fprintf(o, "{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":%zu,\"args\":{\"name\":\"PE%zu\"}}", pe, pe);
    sep();
    std::fprintf(o, "{\"ph\":\"M\",\"name\":\"process_sort_index\",\"pid\":%zu,\"args\":{\"sort_index\":%zu}}", pe, pe);
    for (int t = 0; t < 8; ++t) {
      sep();
      std::fprintf(o, "{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":%zu,\"tid\":%d,\"args\":{\"name\":\"%s\"}}", pe, t, kTracks[t]);
      sep();
      std::fprintf(o, "{\"ph\":\"M\",\"name\":\"thread_sort_index\",\"pid\":%zu,\"tid\":%d,\"args\":{\"sort_index\":%d}}", pe, t, t);
    }
  }
  for (auto& s : segments_) {
    sep();
    std::fprintf(o, "{\"ph\":\"X\",\"pid\":%u,\"tid\":%d,\"name\":", unsigned(s.pe), tid_of(s.track));
    json_string(o, components_[s.c]);
    std::fprintf(o, ",\"ts\":");
    us(o, s.start);
    std::fprintf(o, ",\"dur\":");
    us(o, s.end - s.start);
    std::fprintf(o, "}");
  }
  for (auto& s : spans_) {
    sep();
    std::fprintf(o, "{\"ph\":\"X\",\"pid\":%u,\"tid\":0,\"name\":", unsigned(s.pe));
    json_string(o, key_name(s.key));
    std::fprintf(o, ",\"ts\":");
    us(o, s.start);
    std::fprintf(o, ",\"dur\":");
    us(o, s.end - s.start);
    std::fprintf(o, ",\"args\":{\"caller\":\"0x%04x\",\"callee\":\"0x%04x\",\"x1\":\"0x%llx\",\"result_x0\":\"0x%llx\",\"result_x2\":\"0x%llx\"}}",
                 unsigned(s.caller & 0xFFFF), unsigned(s.callee & 0xFFFF), (unsigned long long)s.x1,
                 (unsigned long long)s.r0, (unsigned long long)s.r2);
  }
  std::fprintf(o, "\n]}\n");
  return std::ferror(o) == 0;
}

}  // namespace ffasim::sim
