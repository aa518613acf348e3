// Partition manifests and the SPMC core manifest, in the TF-A/Hafnium device-tree binding
// (`arm,ffa-manifest-1.0` / `-1.1`, `arm,ffa-core-manifest-1.0`), read with libfdt from a .dts
// (compiled with dtc) or a .dtb. Binding facts: ../shared/reference/ffa-abi.md section 8.
//
// A user's mistake in a manifest is reported as one line per problem:
//   "<file>: <node path>: <property>: <what was expected>"
// parse_* collect every problem they find (for `ffasim manifest check`); load_* throw
// ManifestError carrying all of them.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/ffa/types.h"

namespace ffasim::spmc {

struct ManifestProblem {
  std::string file;      // path as given by the user
  std::string node;      // device-tree node path, e.g. "/" or "/memory-regions/rx"
  std::string property;  // property name, or "" for a node-level problem
  std::string expected;  // what was expected, e.g. "one of 1 (S-EL0) or 2 (S-EL1)"
  std::string line() const;  // "<file>: <node>: <property>: <expected>"
};

class ManifestError : public std::runtime_error {
 public:
  explicit ManifestError(std::vector<ManifestProblem> problems);
  const std::vector<ManifestProblem>& problems() const { return problems_; }

 private:
  std::vector<ManifestProblem> problems_;
};

// `memory-regions` / `device-regions` child node.
struct ManifestRegion {
  std::string name;             // node name
  std::string description;
  uint64_t base_address = 0;    // absolute (base-address) or resolved from
  bool relative = false;        // load-address-relative-offset (then base_address = offset)
  uint32_t pages_count = 0;
  uint32_t attributes = 0;      // 0x1 read, 0x2 write, 0x4 execute, 0x8 security state (NS)
  struct Interrupt { uint32_t id; uint32_t attributes; };
  std::vector<Interrupt> interrupts;  // device regions only: `interrupts = <id attr>...`
};

// Manifest `ns-interrupts-action` (0 queued, 1 managed exit, 2 signaled).
enum class NsInterruptsAction : uint8_t { Queued = 0, ManagedExit = 1, Signaled = 2 };

struct PartitionManifest {
  std::string file;
  std::string compatible;                 // "arm,ffa-manifest-1.0" or "-1.1"
  std::string description;                // `description`, or Hafnium's `debug_name`
  uint32_t ffa_version = 0;               // `ffa-version`, mandatory
  std::vector<ffa::Uuid> uuids;           // `uuid` (1.0 form: 4 cells per UUID) or services (1.1)
  std::vector<uint32_t> messaging_method; // one per UUID (a single value applies to all)
  std::optional<uint16_t> id;             // `id` (read by the TF-A EL3 SPMC; Hafnium assigns)
  uint32_t execution_ctx_count = 0;       // mandatory, >= 1
  uint32_t exception_level = 0;           // 0 EL1 (NWd VM), 1 S-EL0, 2 S-EL1
  uint32_t execution_state = 0;           // 0 AArch64, 1 AArch32
  uint64_t load_address = 0;
  uint64_t entrypoint_offset = 0;
  uint32_t xlat_granule = 0;
  uint32_t boot_order = 0xFFFF;           // Hafnium default: last
  std::optional<uint32_t> mem_size;       // OP-TEE extension `mem-size`
  NsInterruptsAction ns_interrupts_action = NsInterruptsAction::Signaled;
  bool managed_exit_virq = false;
  uint32_t other_s_interrupts_action = 1;
  bool notification_support = false;
  uint32_t power_management_messages = 0;
  uint32_t vm_availability_messages = 0;
  std::optional<uint32_t> gp_register_num;
  bool boot_info_ffa_manifest = false;
  std::optional<uint32_t> run_time_model;  // legacy, ignored by Hafnium
  std::vector<ManifestRegion> memory_regions;
  std::vector<ManifestRegion> device_regions;
};

struct CoreManifestMemory {
  std::string name;
  std::string device_type;  // "memory" (secure), "ns-memory", "device-memory", "ns-device-memory"
  uint64_t base = 0;
  uint64_t size = 0;
};

struct CoreManifest {
  std::string file;
  uint16_t spmc_id = 0x8000;
  uint32_t maj_ver = 1, min_ver = 2;
  uint32_t exec_state = 0;
  uint64_t load_address = 0;
  uint64_t entrypoint = 0;
  uint32_t binary_size = 0;
  std::vector<CoreManifestMemory> memory;
};

// Parse results: the manifest (meaningful only when problems is empty) and every problem found.
template <typename M>
struct Parsed {
  M manifest;
  std::vector<ManifestProblem> problems;
};

// Reads the bytes of a device tree: .dtb as is, .dts compiled with dtc. Throws ManifestError
// (one problem, property "") if the file is missing or dtc rejects it, quoting dtc's first error.
std::vector<uint8_t> read_device_tree(const std::string& path);

Parsed<PartitionManifest> parse_partition_manifest(const std::string& path);
Parsed<CoreManifest> parse_core_manifest(const std::string& path);
// Same, from DTB bytes already in memory (`path` only names the source in messages).
Parsed<PartitionManifest> parse_partition_manifest_blob(const std::vector<uint8_t>& dtb,
                                                        const std::string& path);
Parsed<CoreManifest> parse_core_manifest_blob(const std::vector<uint8_t>& dtb,
                                              const std::string& path);

PartitionManifest load_partition_manifest(const std::string& path);  // throws ManifestError
CoreManifest load_core_manifest(const std::string& path);            // throws ManifestError

// Checks across a set of partitions: duplicate `id`, overlapping memory regions (between two
// partitions, or within one), duplicate UUIDs. Returns every problem.
std::vector<ManifestProblem> check_partition_set(const std::vector<PartitionManifest>& sps);

}  // namespace ffasim::spmc
