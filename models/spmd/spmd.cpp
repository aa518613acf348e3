#include "models/spmd/spmd.h"

#include "models/ffa/abi.h"
#include "models/spmd/psci.h"
#include "models/spmd/spmd_state.h"

namespace ffasim::spmd {

using sim::El;
using sim::Insn;
using sim::Pe;
using sim::Security;
using sim::Step;
namespace scr = sim::scr;

namespace {
struct SpmdTiming {
#define FFASIM_PARAMS_FILE "models/spmd/spmd_params.def"
#include "sim/core/profile_struct.inc"
};

constexpr uint64_t kSmcUnknown = ~0ull;  // SMC_UNK (-1), written as a 64-bit value by TF-A
constexpr uint32_t kFwkMsgBit = 1u << 31;
constexpr uint32_t kFwkVersionReq = 8, kFwkVersionResp = 9;

uint64_t spsr_for(El el) { return sim::Pstate{el, true, 0xF, 0}.to_spsr(); }
}  // namespace

struct Spmd::Impl {
  SpmdConfig cfg;
  sim::Platform& platform;
  SpmdTiming t;
  std::vector<sim::ExecContext*> spmc_entry, nwd_entry;
  SpmdState st;
  SpmdStats stats;

  Impl(const SpmdConfig& c, sim::Platform& p, const sim::Profile& prof,
       std::vector<sim::ExecContext*> se, std::vector<sim::ExecContext*> ne)
      : cfg(c), platform(p), spmc_entry(std::move(se)), nwd_entry(std::move(ne)) {
    t.load(prof);
    st.pe.resize(p.pe_count());
  }

  void insns(Pe& pe, sim::Cost c, double n) { pe.charge(c, pe.cycles_for_insns(n)); }

  // --- the two primitives of a world switch -------------------------------------------------
  void save_world(Pe& pe, Security w) {
    auto& s = pe.state();
    WorldContext& c = st.pe[pe.id()].world[sim::index(w)];
    c.valid = true;
    c.x = s.x;
    c.spsr_el3 = s.spsr_el[3];
    c.elr_el3 = s.elr_el[3];
    c.sctlr_el1 = s.sctlr_el[1]; c.vbar_el1 = s.vbar_el[1]; c.elr_el1 = s.elr_el[1];
    c.spsr_el1 = s.spsr_el[1]; c.esr_el1 = s.esr_el[1]; c.far_el1 = s.far_el[1];
    c.tpidr_el1 = s.tpidr_el1; c.sp_el1 = s.sp_el[1];
    c.hcr_el2 = s.hcr_el2; c.sctlr_el2 = s.sctlr_el[2]; c.vbar_el2 = s.vbar_el[2];
    c.elr_el2 = s.elr_el[2]; c.spsr_el2 = s.spsr_el[2]; c.esr_el2 = s.esr_el[2];
    c.vttbr_el2 = s.vttbr_el2; c.vtcr_el2 = s.vtcr_el2; c.vsttbr_el2 = s.vsttbr_el2;
    c.vstcr_el2 = s.vstcr_el2; c.tpidr_el2 = s.tpidr_el2; c.sp_el2 = s.sp_el[2];
  }

  void restore_world(Pe& pe, Security w) {
    auto& s = pe.state();
    const WorldContext& c = st.pe[pe.id()].world[sim::index(w)];
    s.x = c.x;
    s.spsr_el[3] = c.spsr_el3;
    s.elr_el[3] = c.elr_el3;
    s.sctlr_el[1] = c.sctlr_el1; s.vbar_el[1] = c.vbar_el1; s.elr_el[1] = c.elr_el1;
    s.spsr_el[1] = c.spsr_el1; s.esr_el[1] = c.esr_el1; s.far_el[1] = c.far_el1;
    s.tpidr_el1 = c.tpidr_el1; s.sp_el[1] = c.sp_el1;
    s.hcr_el2 = c.hcr_el2; s.sctlr_el[2] = c.sctlr_el2; s.vbar_el[2] = c.vbar_el2;
    s.elr_el[2] = c.elr_el2; s.spsr_el[2] = c.spsr_el2; s.esr_el[2] = c.esr_el2;
    s.vttbr_el2 = c.vttbr_el2; s.vtcr_el2 = c.vtcr_el2; s.vsttbr_el2 = c.vsttbr_el2;
    s.vstcr_el2 = c.vstcr_el2; s.tpidr_el2 = c.tpidr_el2; s.sp_el[2] = c.sp_el2;
    if (w == Security::NonSecure) s.scr_el3 |= scr::NS;
    else s.scr_el3 &= ~scr::NS;
  }

  // Switches the PE to world `to` (if it is not already there) and forwards the first `n`
  // argument registers, as spmd_smc_switch_state does. The registers of the target world are
  // otherwise those it left behind.
  Step switch_and_forward(Pe& pe, Security to, const sim::ArgRegs& a, unsigned n) {
    const Security from = sim::security_of(pe.state(), El::EL2);
    if (from != to) {
      insns(pe, sim::Cost::Dispatch, t.switch_state_insns + t.get_context_insns + t.lock_insns);
      const double regs = t.el1_sysregs + (cfg.spmc_at_sel2 ? t.el2_sysregs : 0);
      // Save the outgoing world's system registers and restore the incoming world's.
      insns(pe, sim::Cost::SaveRestore, 2 * regs * platform.core_timing().sysreg_save_insns_per_reg);
      save_world(pe, from);
      restore_world(pe, to);
      ++stats.world_switches;
    }
    for (unsigned i = 0; i < n; ++i) pe.state().x[i] = a[i];
    return eret(pe);
  }

  Step eret(Pe& pe) {
    insns(pe, sim::Cost::Dispatch, t.el3_exit_insns);
    return {0, Insn::ERET};
  }

  // Answers the caller in its own world: x0-x7 (TF-A's SMC_RET8); x8-x17 keep their values.
  Step reply(Pe& pe, const sim::ArgRegs& r) {
    for (unsigned i = 0; i < 8; ++i) pe.state().x[i] = r[i];
    return eret(pe);
  }

  static unsigned forwarded_regs(uint64_t x0, ffa::Version common) {
    return (ffa::is_64bit(x0) && ffa::kV1_2 <= common) ? 18 : 8;
  }

  ffa::Version common_version() const {
    const ffa::Version nwd = st.nwd_version ? ffa::Version::from_raw(st.nwd_version) : cfg.spmc_version;
    return nwd < cfg.spmc_version ? nwd : cfg.spmc_version;
  }

  // --- boot ---------------------------------------------------------------------------------
  Step reset(Pe& pe, bool warm) {
    insns(pe, sim::Cost::Work, warm ? t.warm_boot_insns : t.cold_boot_insns);
    auto& s = pe.state();
    s.scr_el3 = scr::RES1 | scr::RW | scr::HCE | (cfg.spmc_at_sel2 ? scr::EEL2 : 0);
    s.spsr_el[3] = spsr_for(El::EL2);
    s.x.fill(0);
    s.x[4] = pe.id();  // core linear ID; x0 would hold the SPMC manifest address
    pe.set_context(El::EL2, Security::Secure, spmc_entry.at(pe.id()));
    st.pe[pe.id()].spmc = SpmcLifecycle::OnPending;
    return eret(pe);
  }

  // After the SPMC's init on this PE: enter the normal world for the first time.
  Step enter_nwd_first(Pe& pe) {
    SpmdPeState& p = st.pe[pe.id()];
    save_world(pe, Security::Secure);
    WorldContext& ns = p.world[sim::index(Security::NonSecure)];
    ns = WorldContext{};
    ns.valid = true;
    ns.spsr_el3 = spsr_for(El::EL1);
    ns.x[0] = p.ns_entry_context_id;
    restore_world(pe, Security::NonSecure);
    pe.set_context(El::EL1, Security::NonSecure, nwd_entry.at(pe.id()));
    ++stats.world_switches;
    return eret(pe);
  }

  // --- calls from the normal world ------------------------------------------------------------
  Step from_nwd(Pe& pe) {
    ++stats.smc_from_ns;
    insns(pe, sim::Cost::Dispatch, t.std_svc_insns);
    const sim::ArgRegs a = pe.args();
    const auto abi = ffa::decode(a[0]);
    if (!abi) {
      if (psci::is_psci(a[0])) return reply(pe, psci_call(pe, a));
      if (ffa::in_ffa_range(a[0])) return reply(pe, ffa::error(ffa::Error::NOT_SUPPORTED));
      return reply(pe, ffa::regs(kSmcUnknown));
    }
    insns(pe, sim::Cost::Dispatch, t.smc_handler_insns);
    if (*abi != ffa::Abi::VERSION) st.nwd_version_negotiated = true;
    const ffa::AbiInfo& info = ffa::info(*abi);
    switch (info.spmd) {
      case ffa::SpmdRoute::SwdOnly:
        return reply(pe, ffa::error(ffa::Error::NOT_SUPPORTED));
      case ffa::SpmdRoute::Local:
        return nwd_local(pe, *abi, a);
      case ffa::SpmdRoute::Fwd:
      case ffa::SpmdRoute::NwdOnly:
        break;
    }
    const bool direct = *abi == ffa::Abi::MSG_SEND_DIRECT_REQ || *abi == ffa::Abi::MSG_SEND_DIRECT_RESP ||
                        *abi == ffa::Abi::MSG_SEND_DIRECT_REQ2 || *abi == ffa::Abi::MSG_SEND_DIRECT_RESP2;
    if (direct && ffa::sender_of(a[1]).is_secure())
      return reply(pe, ffa::error(ffa::Error::INVALID_PARAMETERS));
    if ((*abi == ffa::Abi::MSG_SEND_DIRECT_REQ2 || *abi == ffa::Abi::MSG_SEND_DIRECT_RESP2) &&
        common_version() < ffa::kV1_2)
      return reply(pe, ffa::error(ffa::Error::NOT_SUPPORTED));
    return switch_and_forward(pe, Security::Secure, a, forwarded_regs(a[0], common_version()));
  }

  Step nwd_local(Pe& pe, ffa::Abi abi, const sim::ArgRegs& a) {
    insns(pe, sim::Cost::Dispatch, t.local_ffa_insns);
    switch (abi) {
      case ffa::Abi::ID_GET: return reply(pe, ffa::success(ffa::kNsEndpointId.value));
      case ffa::Abi::SPM_ID_GET: return reply(pe, ffa::success(cfg.spmc_id.value));
      case ffa::Abi::VERSION: return nwd_version(pe, uint32_t(a[1]));
      default: return reply(pe, ffa::error(ffa::Error::NOT_SUPPORTED));
    }
  }

  // FFA_VERSION from the normal world (section 1.2): bit 31 set, or a change after another ABI
  // was called, is NOT_SUPPORTED; a v1.0 SPMC is answered for; otherwise the SPMC is asked with
  // a framework message and its answer is returned in w0.
  Step nwd_version(Pe& pe, uint32_t requested) {
    if ((requested & kFwkMsgBit) ||
        (st.nwd_version_negotiated && st.nwd_version && requested != st.nwd_version))
      return reply(pe, ffa::regs(uint32_t(int32_t(ffa::Error::NOT_SUPPORTED))));
    if (cfg.spmc_version == ffa::kV1_0) return reply(pe, ffa::regs(cfg.spmc_version.raw()));
    st.pe[pe.id()].pending = PendingFramework::Version;
    st.nwd_version = requested;
    const sim::ArgRegs req = ffa::regs(ffa::fid(ffa::Abi::MSG_SEND_DIRECT_REQ),
                                       ffa::pack_endpoints(ffa::kSpmdId, cfg.spmc_id),
                                       kFwkMsgBit | kFwkVersionReq, requested);
    return switch_and_forward(pe, Security::Secure, req, 8);
  }

  sim::ArgRegs psci_call(Pe& pe, const sim::ArgRegs& a) {
    insns(pe, sim::Cost::Dispatch, t.psci_insns);
    const psci::Result r = psci::handle(platform, pe, a, st.pe);
    if (r.cpu_on) insns(pe, sim::Cost::Dispatch, t.psci_cpu_on_insns);
    return ffa::regs(uint64_t(r.x0));
  }

  // --- calls from the SPMC --------------------------------------------------------------------
  Step from_spmc(Pe& pe) {
    ++stats.smc_from_s;
    insns(pe, sim::Cost::Dispatch, t.std_svc_insns + t.smc_handler_insns);
    const sim::ArgRegs a = pe.args();
    SpmdPeState& p = st.pe[pe.id()];
    const auto abi = ffa::decode(a[0]);
    if (!abi) return reply(pe, ffa::regs(kSmcUnknown));
    switch (*abi) {
      case ffa::Abi::ID_GET: return reply(pe, ffa::success(cfg.spmc_id.value));
      case ffa::Abi::SPM_ID_GET: return reply(pe, ffa::success(ffa::kSpmdId.value));
      case ffa::Abi::FEATURES: return reply(pe, ffa::success());
      case ffa::Abi::VERSION: return reply(pe, ffa::regs(cfg.spmd_version.raw()));
      case ffa::Abi::SECONDARY_EP_REGISTER: return reply(pe, ffa::success());
      case ffa::Abi::CONSOLE_LOG: return reply(pe, ffa::error(ffa::Error::NOT_SUPPORTED));
      default: break;
    }
    if (p.spmc == SpmcLifecycle::OnPending) {
      if (*abi == ffa::Abi::MSG_WAIT) {
        p.spmc = SpmcLifecycle::On;
        return enter_nwd_first(pe);
      }
      p.spmc = SpmcLifecycle::Failed;
      stats.errors.push_back("PE" + std::to_string(pe.id()) + ": SPMC init failed with " + ffa::fid_name(a[0]));
      return {0, Insn::OFF};
    }
    if (ffa::info(*abi).spmd == ffa::SpmdRoute::NwdOnly)
      return reply(pe, ffa::error(ffa::Error::NOT_SUPPORTED));
    if (*abi == ffa::Abi::MSG_SEND_DIRECT_RESP && (uint32_t(a[2]) & kFwkMsgBit) &&
        ffa::receiver_of(a[1]) == ffa::kSpmdId)
      return framework_response(pe, a);
    return switch_and_forward(pe, Security::NonSecure, a, forwarded_regs(a[0], common_version()));
  }

  Step framework_response(Pe& pe, const sim::ArgRegs& a) {
    SpmdPeState& p = st.pe[pe.id()];
    if (p.pending == PendingFramework::Version && (uint32_t(a[2]) & 0xFF) == kFwkVersionResp) {
      p.pending = PendingFramework::None;
      return switch_and_forward(pe, Security::NonSecure, ffa::regs(uint32_t(a[3])), 8);
    }
    stats.errors.push_back("PE" + std::to_string(pe.id()) + ": unexpected framework response from the SPMC");
    return reply(pe, ffa::error(ffa::Error::DENIED));
  }

  Step take(Pe& pe, const sim::ExceptionInfo& e) {
    if (e.kind == sim::ExceptionKind::Reset) return reset(pe, e.warm);
    insns(pe, sim::Cost::Dispatch, t.el3_entry_insns);
    if (e.kind != sim::ExceptionKind::Sync || sim::esr_ec(e.esr) != sim::ec::SMC64) {
      stats.errors.push_back("PE" + std::to_string(pe.id()) + ": unexpected exception at EL3 (ESR 0x" +
                             std::to_string(e.esr) + ")");
      return {0, Insn::OFF};
    }
    return e.from_security == Security::NonSecure ? from_nwd(pe) : from_spmc(pe);
  }
};

Spmd::Spmd(const SpmdConfig& cfg, sim::Platform& platform, const sim::Profile& profile,
           std::vector<sim::ExecContext*> spmc_entry, std::vector<sim::ExecContext*> nwd_entry)
    : impl_(std::make_unique<Impl>(cfg, platform, profile, std::move(spmc_entry), std::move(nwd_entry))) {}
Spmd::~Spmd() = default;
void Spmd::declare(sim::Profile& p) { SpmdTiming::declare(p); }
sim::Step Spmd::take(sim::Pe& pe, const sim::ExceptionInfo& e) { return impl_->take(pe, e); }
const SpmdStats& Spmd::stats() const { return impl_->stats; }

}  // namespace ffasim::spmd
