// Manifest reader: typed property reads that report every mistake as a ManifestProblem, and the
// partition / core manifest bindings of ffa-abi.md section 8, with the checks Hafnium's
// src/manifest.c applies where the binding is silent. Loading the bytes: device_tree.cpp.
#include "models/spmc/manifest.h"
#include "models/spmc/manifest_internal.h"

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string_view>

extern "C" {
#include <libfdt.h>
}


namespace ffasim::spmc {

std::string ManifestProblem::line() const {
  // Empty fields (a file-level or node-level problem) are left out rather than printed as "".
  std::string s = file;
  if (!node.empty()) s += ": " + node;
  if (!property.empty()) s += ": " + property;
  return s + ": " + expected;
}

namespace {

std::string join_lines(const std::vector<ManifestProblem>& problems) {
  std::string s;
  for (const ManifestProblem& p : problems) {
    if (!s.empty()) s += '\n';
    s += p.line();
  }
  return s;
}

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

// Regions are counted in 4 KiB pages whatever the xlat-granule (Hafnium PAGE_SIZE).
constexpr uint64_t kPageSize = 4096;

constexpr const char* kPartitionCompatible10 = "arm,ffa-manifest-1.0";
constexpr const char* kPartitionCompatible11 = "arm,ffa-manifest-1.1";
constexpr const char* kCoreCompatible = "arm,ffa-core-manifest-1.0";

// messaging-method bits (section 8.2): 0 recv DIRECT_REQ, 1 send DIRECT_REQ, 2 indirect,
// 9 recv DIRECT_REQ2, 10 send DIRECT_REQ2.
constexpr uint32_t kMessagingMask = 0x607;
constexpr uint32_t kMessagingReq2 = 0x600;

// Region attributes: 0x1 read, 0x2 write, 0x4 execute, 0x8 security state (NS).
constexpr uint32_t kAttrRead = 0x1, kAttrWrite = 0x2, kAttrExec = 0x4, kAttrMask = 0xF;

}  // namespace

ManifestError::ManifestError(std::vector<ManifestProblem> problems)
    : std::runtime_error(join_lines(problems)), problems_(std::move(problems)) {}


namespace {

// ---------------------------------------------------------------------------------------------
// Typed property reads on a checked blob. Every read reports its own problems; it returns
// nullopt when the property is absent or unusable, so the caller keeps its default and goes on.

class Reader {
 public:
  Reader(const std::vector<uint8_t>& dtb, std::string file, std::vector<ManifestProblem>& out)
      : fdt_(dtb.data()), file_(std::move(file)), out_(out) {}

  std::string path(int node) const {
    char buf[512];
    return fdt_get_path(fdt_, node, buf, sizeof buf) == 0 ? std::string(buf) : "?";
  }
  std::string name(int node) const {
    const char* n = fdt_get_name(fdt_, node, nullptr);
    return n ? n : "?";
  }
  void problem(int node, std::string_view property, std::string expected) const {
    out_.push_back({file_, path(node), std::string(property), std::move(expected)});
  }
  bool has(int node, const char* prop) const { return raw(node, prop).has_value(); }

  std::optional<uint32_t> u32(int node, const char* prop, bool mandatory = false) const {
    auto v = sized(node, prop, mandatory, "a u32 (one cell)", [](size_t n) { return n == 4; });
    if (!v) return std::nullopt;
    return cell(v->data());
  }

  // 64-bit values may be written as one cell (load-address = <0x6280000>) or two (hi, lo).
  std::optional<uint64_t> u64(int node, const char* prop, bool mandatory = false) const {
    auto v = sized(node, prop, mandatory, "a u64 (one or two cells)",
                   [](size_t n) { return n == 4 || n == 8; });
    if (!v) return std::nullopt;
    if (v->size() == 4) return cell(v->data());
    return (uint64_t(cell(v->data())) << 32) | cell(v->data() + 4);
  }

  // `cells_per_item` cells per entry, at least one entry.
  std::optional<std::vector<uint32_t>> cells(int node, const char* prop, size_t cells_per_item,
                                             const std::string& what,
                                             bool mandatory = false) const {
    const size_t item = 4 * cells_per_item;
    auto v = sized(node, prop, mandatory, what, [&](size_t n) { return n > 0 && n % item == 0; });
    if (!v) return std::nullopt;
    std::vector<uint32_t> out;
    for (size_t off = 0; off < v->size(); off += 4) out.push_back(cell(v->data() + off));
    return out;
  }

  std::optional<std::string> str(int node, const char* prop, bool mandatory = false) const {
    auto v = sized(node, prop, mandatory, "a string", [](size_t n) { return n > 0; });
    if (!v) return std::nullopt;
    const size_t nul = v->find('\0');
    if (nul != v->size() - 1) {
      problem(node, prop,
              "a single NUL-terminated string; got " + std::to_string(v->size()) +
                  " bytes that are not one string");
      return std::nullopt;
    }
    return std::string(v->substr(0, nul));
  }

  // A boolean property: present and empty (Hafnium read_bool rejects a value).
  bool flag(int node, const char* prop) const {
    auto v = raw(node, prop);
    if (v && !v->empty()) {
      problem(node, prop,
              "an empty property (a flag); got " + std::to_string(v->size()) + " bytes");
    }
    return v.has_value();
  }

  // `compatible` is a string list; true if it lists `want`. Absent or other strings: problem.
  bool compatible(int node, const std::vector<std::string>& want, std::string* which) const {
    auto v = raw(node, "compatible");
    std::string expected;
    for (const std::string& w : want) expected += (expected.empty() ? "\"" : " or \"") + w + "\"";
    if (!v) {
      problem(node, "compatible", expected + "; missing (mandatory)");
      return false;
    }
    for (const std::string& w : want) {
      if (fdt_stringlist_contains(v->data(), int(v->size()), w.c_str())) {
        if (which) *which = w;
        return true;
      }
    }
    std::string got(v->data(), strnlen(v->data(), v->size()));
    problem(node, "compatible", expected + "; got \"" + got + "\"");
    return false;
  }

  int child(int parent, const char* name) const { return fdt_subnode_offset(fdt_, parent, name); }
  std::vector<int> children(int parent) const {
    std::vector<int> out;
    int n;
    fdt_for_each_subnode(n, fdt_, parent) out.push_back(n);
    return out;
  }

 private:
  static uint32_t cell(const char* p) {
    fdt32_t be;
    std::memcpy(&be, p, sizeof be);
    return fdt32_to_cpu(be);
  }
  std::optional<std::string_view> raw(int node, const char* prop) const {
    int len = 0;
    const void* p = fdt_getprop(fdt_, node, prop, &len);
    if (!p || len < 0) return std::nullopt;
    return std::string_view(static_cast<const char*>(p), size_t(len));
  }
  template <typename SizeOk>
  std::optional<std::string_view> sized(int node, const char* prop, bool mandatory,
                                        const std::string& what, SizeOk ok) const {
    auto v = raw(node, prop);
    if (!v) {
      if (mandatory) problem(node, prop, what + "; missing (mandatory)");
      return std::nullopt;
    }
    if (!ok(v->size())) {
      problem(node, prop, what + "; got " + std::to_string(v->size()) + " bytes");
      return std::nullopt;
    }
    return v;
  }

  const void* fdt_;
  std::string file_;
  std::vector<ManifestProblem>& out_;
};

// Reads an optional u32 and checks it is at most `max`, describing the legal values.
template <typename T>
void read_bounded(const Reader& r, int node, const char* prop, uint32_t max, const char* legal,
                  T& field, bool mandatory = false) {
  auto v = r.u32(node, prop, mandatory);
  if (!v) return;
  if (*v > max) {
    r.problem(node, prop, std::string(legal) + "; got " + std::to_string(*v));
    return;
  }
  field = T(*v);
}

// An empty result naming `path`, holding one problem if `dtb` is no usable blob.
template <typename M>
Parsed<M> start_parse(const std::vector<uint8_t>& dtb, const std::string& path) {
  Parsed<M> result;
  result.manifest.file = path;
  if (std::string defect = blob_defect(dtb); !defect.empty()) {
    result.problems.push_back({path, "", "", defect});
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Partition manifest

std::string bit_list(uint32_t bits) {
  std::string s;
  for (int b = 0; b < 32; ++b) {
    if (bits & (1u << b)) s += (s.empty() ? "" : ", ") + std::to_string(b);
  }
  return s;
}

// One messaging-method value. Hafnium also rejects 0 (parse_messaging_method).
void check_messaging_method(const Reader& r, int node, uint32_t v) {
  const uint32_t unknown = v & ~kMessagingMask;
  if (unknown != 0) {
    r.problem(node, "messaging-method",
              "bits 0, 1, 2, 9, 10 only (mask 0x607); got " + hex(v) + " with unknown bit" +
                  (unknown & (unknown - 1) ? "s " : " ") + bit_list(unknown));
  } else if (v == 0) {
    r.problem(node, "messaging-method", "at least one of bits 0, 1, 2, 9, 10 (mask 0x607); got 0");
  }
}

// 1.0 form: `uuid` = 4 cells per UUID and `messaging-method` = one value or one per UUID.
void parse_root_services(const Reader& r, PartitionManifest& m) {
  if (auto cells = r.cells(0, "uuid", 4, "4 u32 cells per UUID")) {
    for (size_t i = 0; i < cells->size(); i += 4) {
      ffa::Uuid u =
          ffa::Uuid::from_words((*cells)[i], (*cells)[i + 1], (*cells)[i + 2], (*cells)[i + 3]);
      if (u.is_null()) {
        r.problem(0, "uuid", "a non-null UUID; UUID " + std::to_string(i / 4) + " is all zero");
      }
      m.uuids.push_back(u);
    }
  }
  auto methods = r.cells(0, "messaging-method", 1, "a u32 (one cell, or one per UUID)", true);
  if (!methods) return;
  for (uint32_t v : *methods) check_messaging_method(r, 0, v);
  if (methods->size() == 1 && m.uuids.size() > 1) {
    m.messaging_method.assign(m.uuids.size(), methods->front());
  } else if (!m.uuids.empty() && methods->size() != m.uuids.size()) {
    r.problem(0, "messaging-method",
              "one value, or one per UUID (" + std::to_string(m.uuids.size()) + "); got " +
                  std::to_string(methods->size()));
  } else {
    m.messaging_method = *methods;
  }
}

// 1.1 form: `services { compatible = "arm,ffa-manifest-services"; svc { uuid = "..."; ... } }`.
void parse_services_node(const Reader& r, int services, PartitionManifest& m) {
  r.compatible(services, {"arm,ffa-manifest-services"}, nullptr);
  const std::vector<int> children = r.children(services);
  if (children.empty()) r.problem(services, "", "at least one service child node; got none");
  for (int svc : children) {
    auto text = r.str(svc, "uuid", true);
    auto method = r.u32(svc, "messaging-method", true);
    ffa::Uuid u;
    if (text && !ffa::Uuid::parse(*text, u)) {
      r.problem(svc, "uuid",
                "a UUID string \"xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx\"; got \"" + *text + "\"");
    } else if (text && u.is_null()) {
      r.problem(svc, "uuid", "a non-null UUID; got " + *text);
    }
    if (method) check_messaging_method(r, svc, *method);
    if (text && method) {
      m.uuids.push_back(u);
      m.messaging_method.push_back(*method);
    }
  }
}

void parse_identity(const Reader& r, PartitionManifest& m) {
  r.compatible(0, {kPartitionCompatible10, kPartitionCompatible11}, &m.compatible);
  if (auto d = r.str(0, "description")) {
    m.description = *d;
  } else if (auto n = r.str(0, "debug_name")) {
    m.description = *n;
  }
  if (auto v = r.u32(0, "ffa-version", true)) {
    if ((*v >> 16) != 1) {
      r.problem(0, "ffa-version",
                "an FF-A version 1.x as (major << 16) | minor, e.g. 0x00010002; got " + hex(*v));
    }
    m.ffa_version = *v;
  }
  const int services = r.child(0, "services");
  if (r.has(0, "uuid") && services >= 0) {
    r.problem(0, "uuid",
              "either a uuid property (1.0 form) or a services node (1.1 form); got both");
  }
  if (services >= 0) {
    parse_services_node(r, services, m);
  } else if (r.has(0, "uuid")) {
    parse_root_services(r, m);
  } else {
    r.problem(0, "uuid", "4 u32 cells per UUID, or a services node; missing (mandatory)");
  }
  if (auto id = r.u32(0, "id")) {
    if (*id > 0xFFFF) {
      r.problem(0, "id", "a 16-bit partition ID; got " + hex(*id));
    } else {
      m.id = uint16_t(*id);
    }
  }
}

void parse_execution(const Reader& r, PartitionManifest& m) {
  if (auto v = r.u32(0, "execution-ctx-count", true)) {
    if (*v == 0 || *v > 0xFFFF) {
      r.problem(0, "execution-ctx-count", "1 to 65535; got " + std::to_string(*v));
    } else {
      m.execution_ctx_count = *v;
    }
  }
  if (auto v = r.u32(0, "exception-level", true)) {
    if (*v == 1 || *v == 2) {
      m.exception_level = *v;
    } else {
      r.problem(0, "exception-level",
                std::string("1 (S-EL0) or 2 (S-EL1); got ") +
                    (*v == 0 ? "0 (EL1: a normal-world VM, not an SP)" : std::to_string(*v)));
    }
  }
  read_bounded(r, 0, "execution-state", 1, "0 (AArch64) or 1 (AArch32)", m.execution_state, true);
  if (auto v = r.u64(0, "load-address")) {
    if (*v % kPageSize != 0) {
      r.problem(0, "load-address", "a 4 KiB-aligned address; got " + hex(*v));
    }
    m.load_address = *v;
  }
  if (auto v = r.u64(0, "entrypoint-offset")) m.entrypoint_offset = *v;
  read_bounded(r, 0, "xlat-granule", 2, "0 (4 KiB), 1 (16 KiB) or 2 (64 KiB)", m.xlat_granule);
  read_bounded(r, 0, "boot-order", 0xFFFF, "0 to 0xffff", m.boot_order);
  if (auto v = r.u32(0, "mem-size")) m.mem_size = *v;
  if (auto v = r.u32(0, "run-time-model")) m.run_time_model = *v;
  read_bounded(r, 0, "gp-register-num", 3, "0 to 3 (x0-x3)", m.gp_register_num);
}

void parse_interrupts_and_messages(const Reader& r, PartitionManifest& m) {
  read_bounded(r, 0, "ns-interrupts-action", 2, "0 (queued), 1 (managed exit) or 2 (signaled)",
               m.ns_interrupts_action);
  // Legacy v1.0 `managed-exit;` wins over ns-interrupts-action, as in Hafnium.
  if (r.flag(0, "managed-exit")) m.ns_interrupts_action = NsInterruptsAction::ManagedExit;
  m.managed_exit_virq = r.flag(0, "managed-exit-virq");
  read_bounded(r, 0, "other-s-interrupts-action", 1, "0 (queued) or 1 (signaled)",
               m.other_s_interrupts_action);
  m.notification_support = r.flag(0, "notification-support");
  if (auto v = r.u32(0, "power-management-messages")) m.power_management_messages = *v;
  if (auto v = r.u32(0, "vm-availability-messages")) {
    if (*v & ~0x3u) {
      r.problem(0, "vm-availability-messages", "bits 0 and 1 only; got " + hex(*v));
    } else {
      m.vm_availability_messages = *v;
    }
  }
  const int boot_info = r.child(0, "boot-info");
  if (boot_info >= 0) {
    r.compatible(boot_info, {"arm,ffa-manifest-boot-info"}, nullptr);
    m.boot_info_ffa_manifest = r.flag(boot_info, "ffa_manifest");
  }
}

// Combinations Hafnium rejects (parse_ffa_manifest, sanity_check_ffa_manifest).
void check_combinations(const Reader& r, const PartitionManifest& m) {
  if (m.exception_level == 1 && m.execution_ctx_count > 1) {
    r.problem(0, "execution-ctx-count",
              "1 for an S-EL0 partition; got " + std::to_string(m.execution_ctx_count));
  }
  if (m.ns_interrupts_action == NsInterruptsAction::ManagedExit && m.exception_level == 1) {
    r.problem(0, r.has(0, "managed-exit") ? "managed-exit" : "ns-interrupts-action",
              "0 (queued) or 2 (signaled) for an S-EL0 partition: managed exit needs S-EL1");
  }
  if (m.other_s_interrupts_action == 0 && m.ns_interrupts_action != NsInterruptsAction::Queued) {
    r.problem(0, "other-s-interrupts-action",
              "1 (signaled) unless ns-interrupts-action is 0 (queued)");
  }
  uint32_t all_methods = 0;
  for (uint32_t v : m.messaging_method) all_methods |= v;
  if ((all_methods & kMessagingReq2) && m.ffa_version != 0 && m.ffa_version < 0x00010002) {
    const int services = r.child(0, "services");
    r.problem(
        services >= 0 ? services : 0, "messaging-method",
        "bits 9 and 10 (DIRECT_REQ2) only with ffa-version 0x00010002 or later; got ffa-version " +
            hex(m.ffa_version));
  }
}

// Memory regions may be R, RW or RX; device regions R or RW (parse_ffa_region_attributes).
void check_attributes(const Reader& r, int node, uint32_t attr, bool device) {
  const uint32_t perm = attr & (kAttrRead | kAttrWrite | kAttrExec);
  const bool ok = perm == kAttrRead || perm == (kAttrRead | kAttrWrite) ||
                  (!device && perm == (kAttrRead | kAttrExec));
  if (attr & ~kAttrMask) {
    r.problem(node, "attributes", "bits 0-3 only (read, write, execute, NS); got " + hex(attr));
  } else if (!ok) {
    r.problem(node, "attributes",
              std::string(device ? "0x1 (R) or 0x3 (RW)" : "0x1 (R), 0x3 (RW) or 0x5 (RX)") +
                  ", optionally with 0x8 (NS); got " + hex(attr));
  }
}

void parse_region_address(const Reader& r, int node, bool device, ManifestRegion& region) {
  auto absolute = r.u64(node, "base-address", device);
  auto relative = device ? std::nullopt : r.u64(node, "load-address-relative-offset");
  const char* used = relative ? "load-address-relative-offset" : "base-address";
  if (!device && absolute && relative) {
    r.problem(node, "base-address",
              "either base-address or load-address-relative-offset; got both");
  } else if (!device && !absolute && !relative && !r.has(node, "base-address") &&
             !r.has(node, "load-address-relative-offset")) {
    r.problem(node, "base-address",
              "base-address or load-address-relative-offset; missing (mandatory)");
  }
  if (absolute || relative) {
    region.relative = !absolute && relative;
    region.base_address = absolute ? *absolute : *relative;
    if (region.base_address % kPageSize != 0) {
      r.problem(node, used, "a 4 KiB-aligned address; got " + hex(region.base_address));
    }
  }
}

ManifestRegion parse_region(const Reader& r, int node, bool device) {
  ManifestRegion region;
  region.name = r.name(node);
  if (auto d = r.str(node, "description")) region.description = *d;
  parse_region_address(r, node, device, region);
  if (auto v = r.u32(node, "pages-count", true)) {
    if (*v == 0) r.problem(node, "pages-count", "at least 1; got 0");
    region.pages_count = *v;
  }
  if (auto v = r.u32(node, "attributes", true)) {
    check_attributes(r, node, *v, device);
    region.attributes = *v;
  }
  if (device) {
    if (auto irqs = r.cells(node, "interrupts", 2, "<id attributes> pairs of u32 cells")) {
      for (size_t i = 0; i < irqs->size(); i += 2) {
        region.interrupts.push_back({(*irqs)[i], (*irqs)[i + 1]});
      }
    }
  }
  return region;
}

void parse_regions(const Reader& r, bool device, std::vector<ManifestRegion>& out) {
  const char* name = device ? "device-regions" : "memory-regions";
  const int node = r.child(0, name);
  if (node < 0) return;
  r.compatible(node,
               {device ? "arm,ffa-manifest-device-regions" : "arm,ffa-manifest-memory-regions"},
               nullptr);
  const std::vector<int> children = r.children(node);
  if (children.empty()) r.problem(node, "", "at least one region child node; got none");
  for (int child : children) out.push_back(parse_region(r, child, device));
}

// ---------------------------------------------------------------------------------------------
// Region overlap, shared by the per-manifest and the cross-partition checks

struct Span {
  const PartitionManifest* sp;
  const ManifestRegion* region;
  bool device;
  unsigned __int128 begin, end;  // [begin, end), wide enough never to wrap
  std::string node() const {
    return std::string(device ? "/device-regions/" : "/memory-regions/") + region->name;
  }
  std::string property() const {
    return region->relative ? "load-address-relative-offset" : "base-address";
  }
  std::string range() const {
    return "[" + hex(uint64_t(begin)) + ", " + hex(uint64_t(end - 1)) + "]";
  }
};

// Relative regions resolved with the partition's load-address (Hafnium parse_base_address).
std::vector<Span> spans_of(const PartitionManifest& sp) {
  std::vector<Span> out;
  auto add = [&](const std::vector<ManifestRegion>& regions, bool device) {
    for (const ManifestRegion& r : regions) {
      if (r.pages_count == 0) continue;
      unsigned __int128 begin = r.base_address;
      if (r.relative) begin += sp.load_address;
      out.push_back({&sp, &r, device, begin, begin + (unsigned __int128)r.pages_count * kPageSize});
    }
  };
  add(sp.memory_regions, false);
  add(sp.device_regions, true);
  return out;
}

// Reports `b` (the later one) when it overlaps `a`; names a's file when they differ.
void check_overlap(const Span& a, const Span& b, std::vector<ManifestProblem>& out) {
  if (a.begin >= b.end || b.begin >= a.end) return;
  const std::string other = a.sp == b.sp ? a.node() : a.sp->file + ": " + a.node();
  out.push_back(
      {b.sp->file, b.node(), b.property(),
       "a range that does not overlap " + other + " " + a.range() + "; got " + b.range()});
}

void check_overlaps_within(const PartitionManifest& m, std::vector<ManifestProblem>& out) {
  const std::vector<Span> spans = spans_of(m);
  for (size_t j = 0; j < spans.size(); ++j) {
    for (size_t i = 0; i < j; ++i) check_overlap(spans[i], spans[j], out);
    const Span& s = spans[j];
    if (s.end > (unsigned __int128)1 << 64) {
      out.push_back({m.file, s.node(), s.property(),
                     "a region that ends inside the 64-bit address space; got one ending past it"});
    }
    // An absolute memory region may not cover the image's load address (Hafnium).
    if (!s.device && !s.region->relative && m.load_address != 0 && s.begin <= m.load_address &&
        m.load_address < s.end) {
      out.push_back({m.file, s.node(), "base-address",
                     "a range that does not contain load-address " + hex(m.load_address) +
                         " (use load-address-relative-offset for the image); got " + s.range()});
    }
  }
}

// Hafnium keeps one bitmap of interrupt IDs across all partitions: each ID is declared once.
void check_interrupt_ids(const std::vector<const PartitionManifest*>& sps,
                         std::vector<ManifestProblem>& out) {
  std::map<uint32_t, std::string> first;  // INTID -> "<file>: <node>" that declared it first
  for (const PartitionManifest* sp : sps) {
    for (const ManifestRegion& r : sp->device_regions) {
      const std::string node = "/device-regions/" + r.name;
      for (const ManifestRegion::Interrupt& irq : r.interrupts) {
        auto [it, fresh] = first.emplace(irq.id, sp->file + ": " + node);
        if (fresh) continue;
        out.push_back(
            {sp->file, node, "interrupts",
             "each interrupt ID once; got " + std::to_string(irq.id) + ", also in " + it->second});
      }
    }
  }
}

}  // namespace

Parsed<PartitionManifest> parse_partition_manifest_blob(const std::vector<uint8_t>& dtb,
                                                        const std::string& path) {
  Parsed<PartitionManifest> result = start_parse<PartitionManifest>(dtb, path);
  if (!result.problems.empty()) return result;
  const Reader r(dtb, path, result.problems);
  PartitionManifest& m = result.manifest;
  parse_identity(r, m);
  parse_execution(r, m);
  parse_interrupts_and_messages(r, m);
  parse_regions(r, false, m.memory_regions);
  parse_regions(r, true, m.device_regions);
  check_combinations(r, m);
  check_overlaps_within(m, result.problems);
  check_interrupt_ids({&m}, result.problems);
  return result;
}

// ---------------------------------------------------------------------------------------------
// Core manifest

namespace {

void parse_core_attribute(const Reader& r, int node, CoreManifest& m) {
  if (auto v = r.u32(node, "spmc_id", true)) {
    if (*v > 0xFFFF || !(*v & 0x8000)) {
      r.problem(node, "spmc_id",
                "a secure endpoint ID, 0x8000 to 0xffff (bit 15 set); got " + hex(*v));
    } else {
      m.spmc_id = uint16_t(*v);
    }
  }
  // The version pair is only read here: whether it suits the SPMD is the SPMD's check.
  if (auto v = r.u32(node, "maj_ver", true)) m.maj_ver = *v;
  if (auto v = r.u32(node, "min_ver", true)) m.min_ver = *v;
  read_bounded(r, node, "exec_state", 0, "0 (AArch64; an S-EL2 SPMC cannot be AArch32)",
               m.exec_state, true);
  if (auto v = r.u64(node, "load_address", true)) m.load_address = *v;
  if (auto v = r.u64(node, "entrypoint", true)) m.entrypoint = *v;
  if (auto v = r.u32(node, "binary_size", true)) m.binary_size = *v;
}

// #address-cells / #size-cells of the root; the core manifest assumes 2 and 2 when absent.
size_t root_cells(const Reader& r, const char* prop) {
  auto v = r.u32(0, prop);
  if (!v) return 2;
  if (*v != 1 && *v != 2) {
    r.problem(0, prop, "1 or 2; got " + std::to_string(*v));
    return 2;
  }
  return *v;
}

void parse_core_memory(const Reader& r, int node, size_t ac, size_t sc, CoreManifest& m) {
  auto type = r.str(node, "device_type", true);
  if (type && *type != "memory" && *type != "ns-memory" && *type != "device-memory" &&
      *type != "ns-device-memory") {
    r.problem(node, "device_type",
              "\"memory\", \"ns-memory\", \"device-memory\" or \"ns-device-memory\"; got \"" +
                  *type + "\"");
    type.reset();
  }
  auto reg = r.cells(
      node, "reg", ac + sc,
      "<address size> entries of " + std::to_string(ac) + "+" + std::to_string(sc) + " cells",
      true);
  if (!type || !reg) return;
  auto value = [&](size_t at, size_t n) {
    return n == 1 ? uint64_t((*reg)[at]) : (uint64_t((*reg)[at]) << 32) | (*reg)[at + 1];
  };
  for (size_t i = 0; i < reg->size(); i += ac + sc) {
    m.memory.push_back({r.name(node), *type, value(i, ac), value(i + ac, sc)});
  }
}

}  // namespace

Parsed<CoreManifest> parse_core_manifest_blob(const std::vector<uint8_t>& dtb,
                                              const std::string& path) {
  Parsed<CoreManifest> result = start_parse<CoreManifest>(dtb, path);
  if (!result.problems.empty()) return result;
  const Reader r(dtb, path, result.problems);
  CoreManifest& m = result.manifest;
  r.compatible(0, {kCoreCompatible}, nullptr);
  const int attribute = r.child(0, "attribute");
  if (attribute < 0) {
    result.problems.push_back({path, "/attribute", "", "a node `attribute`; missing (mandatory)"});
  } else {
    parse_core_attribute(r, attribute, m);
  }
  const size_t ac = root_cells(r, "#address-cells"), sc = root_cells(r, "#size-cells");
  for (int node : r.children(0)) {
    const std::string name = r.name(node);
    if (name == "memory" || name.rfind("memory@", 0) == 0) parse_core_memory(r, node, ac, sc, m);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// File entry points and the partition-set check

namespace {

template <typename M, typename BlobParser>
Parsed<M> parse_file(const std::string& path, BlobParser parse_blob) {
  try {
    return parse_blob(read_device_tree(path), path);
  } catch (const ManifestError& e) {
    Parsed<M> result;
    result.manifest.file = path;
    result.problems = e.problems();
    return result;
  }
}

template <typename M>
M value_or_throw(Parsed<M> parsed) {
  if (!parsed.problems.empty()) throw ManifestError(std::move(parsed.problems));
  return std::move(parsed.manifest);
}

}  // namespace

Parsed<PartitionManifest> parse_partition_manifest(const std::string& path) {
  return parse_file<PartitionManifest>(path, parse_partition_manifest_blob);
}

Parsed<CoreManifest> parse_core_manifest(const std::string& path) {
  return parse_file<CoreManifest>(path, parse_core_manifest_blob);
}

PartitionManifest load_partition_manifest(const std::string& path) {
  return value_or_throw(parse_partition_manifest(path));
}

CoreManifest load_core_manifest(const std::string& path) {
  return value_or_throw(parse_core_manifest(path));
}

// Problems are reported against the later partition and name the earlier one's file. Besides
// id, UUID and region overlap, this applies Hafnium's other set-wide rules: a boot-order other
// than the default 0xffff is unique, and an interrupt ID belongs to one device region.
std::vector<ManifestProblem> check_partition_set(const std::vector<PartitionManifest>& sps) {
  std::vector<ManifestProblem> out;
  std::vector<const PartitionManifest*> all;
  std::vector<Span> spans;
  for (size_t j = 0; j < sps.size(); ++j) {
    const PartitionManifest& b = sps[j];
    for (size_t i = 0; i < j; ++i) {
      const PartitionManifest& a = sps[i];
      if (a.id && b.id && *a.id == *b.id) {
        out.push_back(
            {b.file, "/", "id",
             "a partition ID unique in the set; got " + hex(*b.id) + ", also used by " + a.file});
      }
      for (const ffa::Uuid& u : b.uuids) {
        for (const ffa::Uuid& v : a.uuids) {
          if (u != v) continue;
          out.push_back({b.file, "/", "uuid",
                         "a UUID unique in the set; got " + u.str() + ", also used by " + a.file});
        }
      }
      if (b.boot_order != 0xFFFF && a.boot_order == b.boot_order) {
        out.push_back({b.file, "/", "boot-order",
                       "a boot-order unique in the set; got " + std::to_string(b.boot_order) +
                           ", also used by " + a.file});
      }
    }
    check_overlaps_within(b, out);
    std::vector<Span> own = spans_of(b);
    for (const Span& s : own) {
      for (const Span& t : spans) check_overlap(t, s, out);
    }
    spans.insert(spans.end(), own.begin(), own.end());
    all.push_back(&b);
  }
  check_interrupt_ids(all, out);
  return out;
}

}  // namespace ffasim::spmc
