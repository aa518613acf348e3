// The assembled stack and the one facade to it: a platform, the SPMD, the SPMC with its SPs, and
// the normal-world driver, built from a ScenarioConfig; run it, drive it call by call, read its
// results. python/ binds this facade and nothing else.
//
// SystemC elaborates once per process: one Stack per process.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "models/nwd_driver/nwd_kernel.h"
#include "sim/core/memory.h"
#include "sim/core/profile.h"
#include "sim/core/tracer.h"

namespace ffasim {

struct PartitionConfig {
  std::string manifest;                       // .dts or .dtb path
  std::string model;                          // "optee" | "test" | "mm"
  std::map<std::string, std::string> params;  // model parameters (see the model's header)
};

// Interrupts: the GICv3 and the sources that raise interrupts during a run.
struct InterruptsConfig {
  std::string sgi_forwarding = "gem5";  // "gem5" | "qemu": the two readings of the SGI forwarding
                                        // table (reference sheet 2.7)
  // Linux's arch timer (EL1 virtual timer, PPI 27) on these PEs: `timer_ticks` interrupts, every
  // `timer_period_ns`, the first `timer_start_ns` + `timer_period_ns` after the PE boots. Each is
  // a span "irq.timer" from the timer's expiry to the handler's acknowledge.
  std::vector<unsigned> timer_pes;
  double timer_period_ns = 0, timer_start_ns = 0;
  uint64_t timer_ticks = 0;
  // Overrides every partition manifest's ns-interrupts-action: "" (keep the manifests'),
  // "queued", "managed-exit" or "signaled" (reference sheet section 5.3).
  std::string ns_interrupts_action;
};

struct ScenarioConfig {
  std::string name = "default";
  // Platform.
  unsigned pe_count = 8;
  unsigned pes_per_cluster = 4;
  double quantum_ns = 1000;
  std::vector<sim::MemoryRegion> memory;  // empty: the FVP Base map (secure DRAM at 0x06000000
                                          // 32 MiB, NS DRAM at 0x80000000 2 GiB)
  std::string spmc_manifest;              // empty: scenarios/platforms/fvp_spmc_manifest.dts
  std::vector<PartitionConfig> partitions;  // empty: OP-TEE and the test SP of scenarios/platforms
  std::string spmc_flavour = "hafnium";   // "hafnium" | "tfa-el3-spmc"
  unsigned partition_info_size = 24;      // 24 or 48 (see SpmcConfig)
  bool check_isolation = false;           // check the memory isolation invariant after every
                                          // FFA_MEM_* call; violations join errors() (tests)
  bool per_vcpu_notifications = false;    // accept per-vCPU notifications (SpmcConfig; off =
                                          // current Hafnium: INVALID_PARAMETERS)
  // Timing.
  std::string profile;                    // "" or "default": built-in; a name in
                                          // scenarios/profiles, or a path to a profile file
  std::vector<std::pair<std::string, double>> overrides;
  // Normal world.
  bool linux_driver = true;
  bool cpu_on_idle_pes = false;           // power on PEs without workload too (host driving)
  std::vector<nwd::WorkloadItem> workload;
  uint64_t optee_shm_base = 0x88000000, optee_shm_size = 0x100000;
  InterruptsConfig interrupts;
  // The MM communicate carve-out (NS DRAM), shared by the MM client (one slot per PE) and every
  // partition of model "mm"; claimed only when one of them is present.
  uint64_t mm_shm_base = 0x88100000, mm_shm_size = 0x40000;
  // Observability.
  bool keep_spans = false;
  bool keep_trace = false;
  uint64_t seed = 1;
};

// One row of the latency report.
struct ResultRow {
  std::string abi;       // "FFA_MSG_SEND_DIRECT_REQ_32", or an operation ("optee.invoke")
  std::string caller;    // "nwd", "sp:8001", ...
  std::string callee;    // "sp:8001 op-tee", "spmc", "spmd", "-"
  uint64_t count = 0;
  double min_ns = 0, median_ns = 0, p99_ns = 0, max_ns = 0, mean_ns = 0;
  uint64_t min_cycles = 0, median_cycles = 0, p99_cycles = 0, max_cycles = 0;
  std::map<std::string, double> mean_ns_by_component;  // per-hop breakdown (component -> ns)
};

struct SpanRow {
  std::string abi, caller, callee;
  unsigned pe;
  double start_ns, end_ns;
  uint64_t start_cycles, end_cycles;
  uint64_t x0, x1, x2, result_x0, result_x2;
  std::map<std::string, double> ns_by_component;
};

struct MemoryMapRow {
  std::string region;
  uint64_t base, size;
  bool secure;
  std::string owner;  // "" = free
};

// Who may access one 4 KiB page (the SPMC's ownership state, ffa-abi.md section 4).
struct PageAccessInfo {
  bool ram = false;            // memory of the SPMC manifest
  bool secure = false;
  uint16_t owner = 0;
  uint64_t handle = ~0ull;     // the memory transaction holding the page, or ~0
  std::map<uint16_t, std::string> access;  // endpoint -> "rw-", "r--", "rwx", ...
};

struct ProfileRow {
  std::string name, unit, doc, source, origin;
  double value, default_value;
};

class Stack {
 public:
  // Builds everything and boots until the workload is done and every PE is idle.
  // Bad configuration (manifest, profile, workload) throws std::runtime_error with one line.
  explicit Stack(const ScenarioConfig& cfg);
  ~Stack();

  // Runs until every PE is idle (the workload is done and nothing is pending).
  void run();
  double now_ns() const;
  double clock_hz() const;

  std::vector<ResultRow> results() const;
  std::vector<SpanRow> spans() const;            // empty unless keep_spans
  // Writes the Chrome/Perfetto JSON trace. Throws std::runtime_error if the stack was built
  // without keep_trace or the file cannot be written.
  void write_trace(const std::string& path);
  const nwd::DriverState& driver() const;
  std::vector<std::string> errors() const;       // firmware and driver errors, one line each
  // The SPMC's notification signalling so far: "sri_raised", "sri_delayed", "npi_recorded".
  std::map<std::string, uint64_t> notification_stats() const;
  // Guest mistakes the firmware reported (an SP's stage-2 abort), one line each.
  std::vector<std::string> guest_errors() const;
  std::vector<std::string> components() const;

  // Drives one call from an endpoint and runs until it returns or everything is idle. For the
  // normal world (`endpoint` 0) the call is issued on PE `pe`; for a test SP, from its vCPU that
  // the host holds (CMD_HOST). Returns true and x0-x17 in `out` if the endpoint was resumed.
  // insn: "smc" | "hvc" | "svc".
  bool call(uint16_t endpoint, unsigned pe, const sim::ArgRegs& args, sim::ArgRegs& out,
            const std::string& insn = "smc");
  // Programs the normal world's arch timer (CNTV) on PE `pe` to fire `after_ns` from now, as
  // Linux would; its interrupt is served by the NWd handler when the next call runs. Turns on
  // exact interrupt timing.
  void arm_timer(unsigned pe, double after_ns);
  // The registers the endpoint was last resumed with (a message an SP received, for example).
  sim::ArgRegs last_input(uint16_t endpoint, unsigned pe) const;
  bool host_waiting(uint16_t endpoint, unsigned pe) const;

  bool write(uint64_t pa, const std::vector<uint8_t>& data, bool secure);
  bool read(uint64_t pa, size_t size, bool secure, std::vector<uint8_t>& out) const;
  std::vector<MemoryMapRow> memory_map() const;
  PageAccessInfo page_access(uint64_t pa) const;
  // What partition `endpoint`'s real stage-2 tables give the page at `pa` ("rw-", "---", ...),
  // by a walk of the descriptors in memory.
  std::string stage2_access(uint16_t endpoint, uint64_t pa, bool secure) const;
  // Broadcast TLB invalidations the SPMC issued so far.
  uint64_t tlbi_count() const;
  std::vector<ProfileRow> profile() const;
  // Endpoint IDs of the partitions, in manifest order, with their names.
  std::vector<std::pair<uint16_t, std::string>> partitions() const;

  // Every profile parameter the stack declares, with defaults (no stack needed).
  static std::vector<ProfileRow> default_profile();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace ffasim
