// The _ffasim extension module: the Stack facade (models/stack/stack.h) and two small helpers for
// the command line (profile loading, manifest checking). Nothing else of the models is bound;
// the pure-Python package (python/ffasim) builds on this.
//
// Values cross as plain Python data (dicts, lists, bytes) so they can be pickled between the
// worker process holding the Stack and the user's process.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <libfdt.h>

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "models/spmc/manifest.h"
#include "models/stack/stack.h"
#include "sim/core/profile.h"

namespace py = pybind11;
using namespace ffasim;

// libsystemc references an undefined sc_main (declared extern "C" in sysc/kernel/sc_externs.h);
// pybind11 builds with -fvisibility=hidden, so it must be exported explicitly or the import
// fails with "undefined symbol: sc_main". The Stack elaborates and runs with sc_start itself.
extern "C" __attribute__((visibility("default"))) int sc_main(int, char*[]) { return 0; }

namespace {

// --- ScenarioConfig from a dict (field names of stack.h; missing fields keep their defaults) ---

template <typename T>
T get(py::handle v, const char* field) {
  try {
    return v.cast<T>();
  } catch (const py::cast_error&) {
    throw py::type_error(std::string("ScenarioConfig.") + field + ": wrong type (" +
                         std::string(py::str(py::type::of(v).attr("__name__"))) + ")");
  }
}

void check_keys(const py::dict& d, std::initializer_list<const char*> allowed, const char* what) {
  for (auto item : d) {
    const std::string k = py::str(item.first);
    bool ok = false;
    for (const char* a : allowed) ok = ok || k == a;
    if (!ok) throw py::key_error(std::string(what) + ": unknown field '" + k + "'");
  }
}

PartitionConfig partition_from(const py::dict& d) {
  check_keys(d, {"manifest", "model", "params"}, "PartitionConfig");
  PartitionConfig p;
  if (d.contains("manifest")) p.manifest = get<std::string>(d["manifest"], "manifest");
  if (d.contains("model")) p.model = get<std::string>(d["model"], "model");
  if (d.contains("params")) p.params = get<std::map<std::string, std::string>>(d["params"], "params");
  return p;
}

nwd::WorkloadItem workload_from(const py::dict& d) {
  check_keys(d, {"kind", "pes", "count", "params"}, "WorkloadItem");
  nwd::WorkloadItem w;
  if (d.contains("kind")) w.kind = get<std::string>(d["kind"], "kind");
  if (d.contains("pes")) w.pes = get<std::vector<unsigned>>(d["pes"], "pes");
  if (d.contains("count")) w.count = get<uint64_t>(d["count"], "count");
  if (d.contains("params")) w.params = get<std::map<std::string, double>>(d["params"], "params");
  return w;
}

sim::MemoryRegion region_from(const py::dict& d) {
  check_keys(d, {"name", "base", "size", "secure"}, "MemoryRegion");
  sim::MemoryRegion r;
  if (d.contains("name")) r.name = get<std::string>(d["name"], "name");
  if (d.contains("base")) r.base = get<uint64_t>(d["base"], "base");
  if (d.contains("size")) r.size = get<uint64_t>(d["size"], "size");
  if (d.contains("secure"))
    r.security = get<bool>(d["secure"], "secure") ? sim::Security::Secure : sim::Security::NonSecure;
  return r;
}

InterruptsConfig interrupts_from(const py::dict& d) {
  check_keys(d, {"sgi_forwarding", "timer_pes", "timer_period_ns", "timer_start_ns", "timer_ticks",
                 "ns_interrupts_action"}, "InterruptsConfig");
  InterruptsConfig c;
  if (d.contains("sgi_forwarding")) c.sgi_forwarding = get<std::string>(d["sgi_forwarding"], "sgi_forwarding");
  if (d.contains("timer_pes")) c.timer_pes = get<std::vector<unsigned>>(d["timer_pes"], "timer_pes");
  if (d.contains("timer_period_ns")) c.timer_period_ns = get<double>(d["timer_period_ns"], "timer_period_ns");
  if (d.contains("timer_start_ns")) c.timer_start_ns = get<double>(d["timer_start_ns"], "timer_start_ns");
  if (d.contains("ns_interrupts_action"))
    c.ns_interrupts_action = get<std::string>(d["ns_interrupts_action"], "ns_interrupts_action");
  if (d.contains("timer_ticks")) c.timer_ticks = get<uint64_t>(d["timer_ticks"], "timer_ticks");
  return c;
}

ScenarioConfig config_from(const py::dict& d) {
  ScenarioConfig c;
  for (auto item : d) {
    const std::string k = py::str(item.first);
    py::handle v = item.second;
    if (k == "name") c.name = get<std::string>(v, "name");
    else if (k == "pe_count") c.pe_count = get<unsigned>(v, "pe_count");
    else if (k == "pes_per_cluster") c.pes_per_cluster = get<unsigned>(v, "pes_per_cluster");
    else if (k == "quantum_ns") c.quantum_ns = get<double>(v, "quantum_ns");
    else if (k == "memory")
      for (auto r : v) c.memory.push_back(region_from(get<py::dict>(r, "memory")));
    else if (k == "spmc_manifest") c.spmc_manifest = get<std::string>(v, "spmc_manifest");
    else if (k == "partitions")
      for (auto p : v) c.partitions.push_back(partition_from(get<py::dict>(p, "partitions")));
    else if (k == "spmc_flavour") c.spmc_flavour = get<std::string>(v, "spmc_flavour");
    else if (k == "partition_info_size") c.partition_info_size = get<unsigned>(v, "partition_info_size");
    else if (k == "per_vcpu_notifications") c.per_vcpu_notifications = get<bool>(v, "per_vcpu_notifications");
    else if (k == "profile") c.profile = get<std::string>(v, "profile");
    else if (k == "overrides")
      c.overrides = get<std::vector<std::pair<std::string, double>>>(v, "overrides");
    else if (k == "linux_driver") c.linux_driver = get<bool>(v, "linux_driver");
    else if (k == "cpu_on_idle_pes") c.cpu_on_idle_pes = get<bool>(v, "cpu_on_idle_pes");
    else if (k == "workload")
      for (auto w : v) c.workload.push_back(workload_from(get<py::dict>(w, "workload")));
    else if (k == "optee_shm_base") c.optee_shm_base = get<uint64_t>(v, "optee_shm_base");
    else if (k == "optee_shm_size") c.optee_shm_size = get<uint64_t>(v, "optee_shm_size");
    else if (k == "interrupts") c.interrupts = interrupts_from(get<py::dict>(v, "interrupts"));
    else if (k == "mm_shm_base") c.mm_shm_base = get<uint64_t>(v, "mm_shm_base");
    else if (k == "mm_shm_size") c.mm_shm_size = get<uint64_t>(v, "mm_shm_size");
    else if (k == "keep_spans") c.keep_spans = get<bool>(v, "keep_spans");
    else if (k == "keep_trace") c.keep_trace = get<bool>(v, "keep_trace");
    else if (k == "seed") c.seed = get<uint64_t>(v, "seed");
    else throw py::key_error("ScenarioConfig: unknown field '" + k + "'");
  }
  return c;
}

// --- results as plain data ---

py::dict result_dict(const ResultRow& r) {
  py::dict d;
  d["abi"] = r.abi;
  d["caller"] = r.caller;
  d["callee"] = r.callee;
  d["count"] = r.count;
  d["min_ns"] = r.min_ns;
  d["median_ns"] = r.median_ns;
  d["p99_ns"] = r.p99_ns;
  d["max_ns"] = r.max_ns;
  d["mean_ns"] = r.mean_ns;
  d["min_cycles"] = r.min_cycles;
  d["median_cycles"] = r.median_cycles;
  d["p99_cycles"] = r.p99_cycles;
  d["max_cycles"] = r.max_cycles;
  d["mean_ns_by_component"] = r.mean_ns_by_component;
  return d;
}

// Spans as columns (one list per field, one list per component under "ns_by_component"): cheap
// to pickle and to turn into a DataFrame.
py::dict span_columns(const Stack& s) {
  const std::vector<SpanRow> spans = s.spans();
  const std::vector<std::string> comps = s.components();
  const size_t n = spans.size();
  py::list abi(n), caller(n), callee(n), pe(n), start_ns(n), end_ns(n), start_cycles(n),
      end_cycles(n), x0(n), x1(n), x2(n), rx0(n), rx2(n);
  std::vector<std::vector<double>> by_comp(comps.size(), std::vector<double>(n, 0.0));
  for (size_t i = 0; i < n; ++i) {
    const SpanRow& r = spans[i];
    abi[i] = r.abi;
    caller[i] = r.caller;
    callee[i] = r.callee;
    pe[i] = r.pe;
    start_ns[i] = r.start_ns;
    end_ns[i] = r.end_ns;
    start_cycles[i] = r.start_cycles;
    end_cycles[i] = r.end_cycles;
    x0[i] = r.x0;
    x1[i] = r.x1;
    x2[i] = r.x2;
    rx0[i] = r.result_x0;
    rx2[i] = r.result_x2;
    for (size_t c = 0; c < comps.size(); ++c) {
      auto it = r.ns_by_component.find(comps[c]);
      if (it != r.ns_by_component.end()) by_comp[c][i] = it->second;
    }
  }
  py::dict d;
  d["abi"] = abi;
  d["caller"] = caller;
  d["callee"] = callee;
  d["pe"] = pe;
  d["start_ns"] = start_ns;
  d["end_ns"] = end_ns;
  d["start_cycles"] = start_cycles;
  d["end_cycles"] = end_cycles;
  d["x0"] = x0;
  d["x1"] = x1;
  d["x2"] = x2;
  d["result_x0"] = rx0;
  d["result_x2"] = rx2;
  py::dict comp;
  for (size_t c = 0; c < comps.size(); ++c) {
    bool used = false;
    for (double v : by_comp[c]) used = used || v != 0.0;
    if (used) comp[py::str(comps[c])] = by_comp[c];
  }
  d["ns_by_component"] = comp;
  return d;
}

py::dict driver_dict(const nwd::DriverState& s) {
  py::dict d;
  d["firmware_version"] = s.firmware_version;
  d["ffa_version"] = s.ffa_version;
  d["own_id"] = s.own_id;
  d["tx"] = s.tx;
  d["rx"] = s.rx;
  d["rxtx_pages"] = s.rxtx_pages;
  d["notifications_enabled"] = s.notifications_enabled;
  py::list devs;
  for (const auto& dev : s.devices) {
    py::dict e;
    e["id"] = dev.id;
    e["exec_ctx"] = dev.exec_ctx;
    e["properties"] = dev.properties;
    e["uuid"] = dev.uuid.str();
    devs.append(e);
  }
  d["devices"] = devs;
  d["optee_found"] = s.optee_found;
  d["optee_id"] = s.optee_id;
  d["optee_bottom_half"] = s.optee_bottom_half;
  d["optee_api_major"] = s.optee_api_major;
  d["optee_api_minor"] = s.optee_api_minor;
  d["optee_caps"] = s.optee_caps;
  d["invokes_done"] = s.invokes_done;
  d["busy_retries"] = s.busy_retries;
  d["rpcs_served"] = s.rpcs_served;
  d["mm_found"] = s.mm_found;
  d["mm_id"] = s.mm_id;
  d["mm_max_payload"] = s.mm_max_payload;
  py::list mm_calls;
  for (const auto& c : s.mm_calls) {
    py::dict e;
    e["pe"] = c.pe;
    e["op"] = c.op;
    e["status"] = c.status;
    e["data_size"] = c.data_size;
    e["checksum"] = c.checksum;
    mm_calls.append(e);
  }
  d["mm_calls"] = mm_calls;
  d["sri_handled"] = s.sri_handled;
  d["info_gets"] = s.info_gets;
  d["notification_gets"] = s.notification_gets;
  d["receivers_unscheduled"] = s.receivers_unscheduled;
  py::dict cbs;
  for (const auto& [id, n] : s.notif_callbacks) cbs[py::int_(id)] = n;
  d["notif_callbacks"] = cbs;
  d["notif_unhandled"] = s.notif_unhandled;
  d["errors"] = s.errors;
  return d;
}

py::list profile_rows(const std::vector<ProfileRow>& rows) {
  py::list out;
  for (const auto& r : rows) {
    py::dict d;
    d["name"] = r.name;
    d["unit"] = r.unit;
    d["doc"] = r.doc;
    d["source"] = r.source;
    d["origin"] = r.origin;
    d["value"] = r.value;
    d["default_value"] = r.default_value;
    out.append(d);
  }
  return out;
}

sim::ArgRegs regs_from(const std::vector<uint64_t>& v) {
  if (v.size() != 18) throw py::value_error("expected 18 registers (x0-x17)");
  sim::ArgRegs r{};
  for (size_t i = 0; i < 18; ++i) r[i] = v[i];
  return r;
}

std::vector<uint64_t> regs_to(const sim::ArgRegs& r) { return {r.begin(), r.end()}; }

// --- command-line helpers ---

// The profile a file and overrides give, without building a Stack (`ffasim profile`).
py::list load_profile(const std::string& path, const std::vector<std::pair<std::string, double>>& overrides) {
  const std::vector<ProfileRow> defaults = Stack::default_profile();  // owns the strings below
  sim::Profile p;
  for (const auto& r : defaults) {
    sim::Unit unit = sim::Unit::Count;
    for (int u = 0; u <= int(sim::Unit::Bytes); ++u)
      if (r.unit == sim::unit_name(sim::Unit(u))) unit = sim::Unit(u);
    p.declare({r.name.c_str(), unit, r.default_value, r.doc.c_str(), r.source.c_str()});
  }
  if (!path.empty()) p.load_file(path);
  for (const auto& [name, value] : overrides) p.set(name, value, "--set");
  std::vector<ProfileRow> rows;
  for (const auto& [name, e] : p.entries())
    rows.push_back({name, sim::unit_name(e.spec.unit), e.spec.doc, e.spec.source, e.origin, e.value,
                    e.spec.default_value});
  return profile_rows(rows);
}

bool is_core_manifest(const std::vector<uint8_t>& dtb) {
  return fdt_check_header(dtb.data()) == 0 &&
         fdt_node_check_compatible(dtb.data(), 0, "arm,ffa-core-manifest-1.0") == 0;
}

// Every problem of the manifests, one line each ("<file>: <node>: <property>: <expected>"); the
// partition manifests without problems are also checked as a set. kind: auto | partition | core.
std::vector<std::string> check_manifests(const std::vector<std::string>& paths, const std::string& kind) {
  if (kind != "auto" && kind != "partition" && kind != "core")
    throw py::value_error("kind: expected auto, partition or core");
  std::vector<std::string> lines;
  std::vector<spmc::PartitionManifest> good;
  for (const auto& path : paths) {
    std::vector<uint8_t> dtb;
    try {
      dtb = spmc::read_device_tree(path);
    } catch (const spmc::ManifestError& e) {
      for (const auto& p : e.problems()) lines.push_back(p.line());
      if (e.problems().empty()) lines.push_back(path + ": " + e.what());
      continue;
    }
    if (kind == "core" || (kind == "auto" && is_core_manifest(dtb))) {
      for (const auto& p : spmc::parse_core_manifest_blob(dtb, path).problems) lines.push_back(p.line());
    } else {
      auto parsed = spmc::parse_partition_manifest_blob(dtb, path);
      for (const auto& p : parsed.problems) lines.push_back(p.line());
      if (parsed.problems.empty()) good.push_back(std::move(parsed.manifest));
    }
  }
  if (good.size() > 1)
    for (const auto& p : spmc::check_partition_set(good)) lines.push_back(p.line());
  return lines;
}

}  // namespace

PYBIND11_MODULE(_ffasim, m) {
  m.doc() = "ffasim's C++ stack (models/stack/stack.h). Use the ffasim package, not this module.";

  py::class_<Stack>(m, "Stack")
      .def(py::init([](const py::dict& cfg) {
             ScenarioConfig c = config_from(cfg);
             py::gil_scoped_release nogil;
             return std::make_unique<Stack>(c);
           }),
           py::arg("config"), "Builds and boots the stack from a ScenarioConfig dict.")
      .def("run", &Stack::run, py::call_guard<py::gil_scoped_release>())
      .def("now_ns", &Stack::now_ns)
      .def("clock_hz", &Stack::clock_hz)
      .def("results", [](const Stack& s) {
        py::list out;
        for (const auto& r : s.results()) out.append(result_dict(r));
        return out;
      })
      .def("spans", &span_columns)
      .def("write_trace", [](Stack& s, const std::string& path) { s.write_trace(path); return true; },
           py::arg("path"))
      .def("driver", [](const Stack& s) { return driver_dict(s.driver()); })
      .def("errors", &Stack::errors)
      .def("notification_stats", &Stack::notification_stats)
      .def("guest_errors", &Stack::guest_errors)
      .def("stage2_access", &Stack::stage2_access)
      .def("tlbi_count", &Stack::tlbi_count)
      .def("components", &Stack::components)
      .def("call",
           [](Stack& s, uint16_t endpoint, unsigned pe, const std::vector<uint64_t>& args,
              const std::string& insn) {
             const sim::ArgRegs in = regs_from(args);
             sim::ArgRegs out{};
             bool ok;
             {
               py::gil_scoped_release nogil;
               ok = s.call(endpoint, pe, in, out, insn);
             }
             return std::make_pair(ok, regs_to(out));
           },
           py::arg("endpoint"), py::arg("pe"), py::arg("args"), py::arg("insn") = "smc")
      .def("last_input", [](const Stack& s, uint16_t ep, unsigned pe) { return regs_to(s.last_input(ep, pe)); })
      .def("host_waiting", &Stack::host_waiting)
      .def("write", [](Stack& s, uint64_t pa, const py::bytes& data, bool secure) {
        const std::string b = data;
        return s.write(pa, std::vector<uint8_t>(b.begin(), b.end()), secure);
      })
      .def("read", [](const Stack& s, uint64_t pa, size_t size, bool secure) -> py::object {
        std::vector<uint8_t> out;
        if (!s.read(pa, size, secure, out)) return py::none();
        return py::bytes(reinterpret_cast<const char*>(out.data()), out.size());
      })
      .def("memory_map", [](const Stack& s) {
        py::list out;
        for (const auto& r : s.memory_map()) {
          py::dict d;
          d["region"] = r.region;
          d["base"] = r.base;
          d["size"] = r.size;
          d["secure"] = r.secure;
          d["owner"] = r.owner;
          out.append(d);
        }
        return out;
      })
      .def("profile", [](const Stack& s) { return profile_rows(s.profile()); })
      .def("partitions", &Stack::partitions)
      .def_static("default_profile", [] { return profile_rows(Stack::default_profile()); });

  m.def("default_profile", [] { return profile_rows(Stack::default_profile()); },
        "Every profile parameter with its unit, default, doc and source.");
  m.def("load_profile", &load_profile, py::arg("path"), py::arg("overrides"),
        "The profile given by a file ('' for the built-in one) and (name, value) overrides.");
  m.def("check_manifests", &check_manifests, py::arg("paths"), py::arg("kind") = "auto",
        "Problems of partition / SPMC core manifests, one line each.");
}
