// The behavioural software models (OP-TEE SP, test SP, NWd kernel) against scripted firmware
// (fake_firmware.h). Each TEST builds a sim::Platform, and SystemC elaborates once per process:
// register this executable with gtest_discover_tests so that every TEST runs in its own process,
// and link it with ffasim_sc_main (libsystemc references sc_main).
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "models/nwd_driver/nwd_kernel.h"
#include "models/sp_optee/optee_sp.h"
#include "models/sp_test/test_sp.h"
#include "tests/unit/fake_firmware.h"

namespace ffasim::test {
namespace {

using ffa::Abi;
using ffa::fid;
namespace optee = sp::optee;
namespace tsp = sp::test_sp;

constexpr uint64_t kShmBase = 0x88000000, kShmSize = 0x10000;  // OP-TEE static carve-out (NS)
const ffa::Uuid kOpteeUuid = ffa::Uuid::from_words(0xe0786148, 0xe311f8e7, 0x02005ebc, 0x1bc5d5a5);
const ffa::Uuid kTestSpUuid = ffa::Uuid::from_words(0xb4b5671e, 0x4a904fe1, 0xb81ffb13, 0xdae1dacb);

std::string hex(uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "0x%llx", (unsigned long long)v);
  return b;
}

// "FFA_FEATURES(0xc4000066)": a call's FID with the argument that tells the probe steps apart.
std::string call_str(const ArgRegs& a) {
  if (a[0] == FakeFirmware::kPsciCpuOn64) return "PSCI_CPU_ON(" + hex(a[1]) + ")";
  const std::string n = ffa::fid_name(a[0]);
  if (a[0] == fid(Abi::FEATURES) || a[0] == fid(Abi::VERSION)) return n + "(" + hex(uint32_t(a[1])) + ")";
  if (a[0] == fid(Abi::MSG_SEND_DIRECT_REQ)) return n + "(w3=" + hex(uint32_t(a[3])) + ")";
  if (a[0] == fid(Abi::NOTIFICATION_BIND) || a[0] == fid(Abi::NOTIFICATION_UNBIND)) return n + "(" + hex(a[3]) + ")";
  if (a[0] == fid(Abi::PARTITION_INFO_GET)) return n + (a[5] & 1 ? "(count)" : "()");
  return n;
}
std::vector<std::string> strs(const std::vector<ArgRegs>& v) {
  std::vector<std::string> out;
  for (auto& a : v) out.push_back(call_str(a));
  return out;
}

// One platform with fake firmware, the models under test, and helpers to drive them.
class Bench {
 public:
  explicit Bench(unsigned pes) {
    sim::CoreTiming::declare(profile);
    nwd::NwdKernel::declare(profile);
    sp::declare_optee_params(profile);
    sp::declare_test_sp_params(profile);
    sim::PlatformConfig pc;
    pc.pe_count = pes;
    pc.memory = {{"secure", 0x06000000, 0x02000000, sim::Security::Secure},
                 {"dram", 0x80000000, 0x10000000, sim::Security::NonSecure}};
    plat = std::make_unique<sim::Platform>(pc, profile);
    fw = std::make_unique<FakeFirmware>(*plat);
    for (unsigned i = 0; i < pes; ++i) plat->pe(sim::PeId(i)).install_handler(sim::El::EL3, sim::Security::Secure, fw.get());
  }

  sp::SpModel& add_optee(std::map<std::string, std::string> params, bool with_rxtx = true) {
    manifests.push_back(manifest("op-tee", 0x8001));
    sp::SpEnv env = sp_env(manifests.back(), std::move(params));
    if (with_rxtx) {
      env.rx_buffer = 0x06ffe000;
      env.tx_buffer = 0x06fff000;
    }
    return add_sp(0x8001, sp::make_optee_sp(env), kOpteeUuid);
  }
  sp::SpModel& add_test_sp(uint16_t id) {
    manifests.push_back(manifest("test-sp", id));
    return add_sp(id, sp::make_test_sp(sp_env(manifests.back(), {})), kTestSpUuid);
  }
  nwd::NwdKernel& make_nwd(nwd::NwdConfig cfg) {
    cfg.pe_count = unsigned(plat->pe_count());
    for (unsigned i = 0; i < cfg.pe_count; ++i) cfg.mpidr.push_back(plat->pe(sim::PeId(i)).state().mpidr_el1);
    cfg.optee_shm_base = kShmBase;
    cfg.optee_shm_size = kShmSize;
    nwd::NwdEnv env{&plat->memory(), &plat->tracer(), plat->tracer().add_component("nwd"), &profile};
    kernel = std::make_unique<nwd::NwdKernel>(cfg, env);
    fw->nwd = kernel.get();
    return *kernel;
  }
  void boot() {
    plat->pe(0).power_on(0);
    plat->run();
  }
  // A raw call from the NWd kernel on `pe` (host driving); returns its result.
  ArgRegs nwd_call(unsigned pe, const ArgRegs& a) {
    sim::HostChannel& ch = kernel->host_channel(pe);
    EXPECT_TRUE(ch.waiting) << "PE" << pe << " is not waiting for host calls";
    const uint64_t before = ch.calls_done;
    host_push(ch, a);
    EXPECT_EQ(ch.calls_done, before + 1) << call_str(a) << " did not return";
    return ch.last_result;
  }
  void host_push(sim::HostChannel& ch, const ArgRegs& a, sim::Insn insn = sim::Insn::SMC) {
    ch.queue.push_back({insn, a});
    if (ch.pe) ch.pe->wake(plat->now());
    plat->run();
  }
  // Writes an optee_msg_arg (INVOKE_COMMAND, 4 NONE params) into the carve-out at `offset`.
  void write_msg_arg(uint64_t offset, uint32_t func) {
    uint8_t arg[optee::msg_arg_size(4)] = {};
    arg[optee::ARG_CMD] = optee::MSG_CMD_INVOKE_COMMAND;
    arg[optee::ARG_FUNC] = uint8_t(func);
    arg[optee::ARG_NUM_PARAMS] = 4;
    plat->memory().write(kShmBase + offset, arg, sizeof arg, sim::Security::NonSecure);
  }
  uint32_t read32(uint64_t pa) {
    uint8_t b[4] = {};
    plat->memory().read(pa, b, 4, sim::Security::NonSecure);
    return uint32_t(b[0]) | uint32_t(b[1]) << 8 | uint32_t(b[2]) << 16 | uint32_t(b[3]) << 24;
  }

  sim::Profile profile;
  std::unique_ptr<sim::Platform> plat;
  std::unique_ptr<FakeFirmware> fw;
  std::deque<spmc::PartitionManifest> manifests;
  std::vector<std::unique_ptr<sp::SpModel>> sps;
  std::unique_ptr<nwd::NwdKernel> kernel;

 private:
  spmc::PartitionManifest manifest(const char* name, uint16_t id) {
    spmc::PartitionManifest m;
    m.description = name;
    m.ffa_version = 0x10002;
    m.id = id;
    m.execution_ctx_count = unsigned(plat->pe_count());
    m.exception_level = 2;
    return m;
  }
  sp::SpEnv sp_env(const spmc::PartitionManifest& m, std::map<std::string, std::string> params) {
    sp::SpEnv env;
    env.manifest = &m;
    env.tracer = &plat->tracer();
    env.component = plat->tracer().add_component("sp:" + hex(*m.id));
    env.profile = &profile;
    env.params = std::move(params);
    return env;
  }
  sp::SpModel& add_sp(uint16_t id, std::unique_ptr<sp::SpModel> m, ffa::Uuid uuid) {
    sps.push_back(std::move(m));
    FakeSp f;
    f.id = id;
    f.model = sps.back().get();
    f.exec_ctx = uint16_t(plat->pe_count());
    f.uuid = uuid;
    fw->sps.push_back(f);
    return *sps.back();
  }
};

std::map<std::string, std::string> optee_params(unsigned threads, unsigned rpcs) {
  return {{"threads", std::to_string(threads)}, {"cmd.7.rpcs", std::to_string(rpcs)},
          {"cmd.7.work_cycles", "3000"}, {"static_shm_base", hex(kShmBase)}, {"static_shm_size", hex(kShmSize)}};
}

ArgRegs optee_req(uint32_t w3, uint32_t w4 = 0, uint32_t w5 = 0, uint32_t w6 = 0, uint32_t w7 = 0, bool smc64 = false) {
  return ffa::regs(fid(Abi::MSG_SEND_DIRECT_REQ, smc64), 0x8001, 0, w3, w4, w5, w6, w7);
}
ArgRegs with_arg(uint32_t offset) {
  return optee_req(optee::YIELDING_CALL_WITH_ARG, uint32_t(kShmBase), uint32_t(kShmBase >> 32), offset);
}

// --- NWd kernel: the Linux probe -----------------------------------------------------------

TEST(NwdKernel, ProbeFollowsLinuxFfaInitThenTheOpteeProbe) {
  Bench b(1);
  b.fw->sps = {FakeSp{0x8001, nullptr, 1, kOpteeUuid}, FakeSp{0x8002, nullptr, 1, kTestSpUuid}};
  // MEM_LEND_64 refused (so MEM_SHARE_64 is asked), REQ2 offered (so RESP2 is not), bitmap and SRI
  // offered, NPI not, PARTITION_INFO_GET_REGS not.
  b.fw->features = {fid(Abi::RXTX_MAP, true), fid(Abi::MEM_SHARE, true), fid(Abi::MSG_SEND_DIRECT_REQ2, true),
                    fid(Abi::NOTIFICATION_BITMAP_CREATE), 2};
  // OP-TEE's side of the probe; notification ID 0 is taken, 1 is free.
  b.fw->nwd_hook = [](const ArgRegs& a) -> std::optional<ArgRegs> {
    const uint32_t resp = fid(Abi::MSG_SEND_DIRECT_RESP);
    if (a[0] == fid(Abi::NOTIFICATION_BIND) && a[3] == 1) return ffa::error(ffa::Error::DENIED);
    if (a[0] != fid(Abi::MSG_SEND_DIRECT_REQ)) return std::nullopt;
    switch (uint32_t(a[3])) {
      case optee::GET_API_VERSION: return ffa::regs(resp, 0x80010000, 0, 1, 0);
      case optee::GET_OS_VERSION: return ffa::regs(resp, 0x80010000, 0, 4, 10);
      case optee::EXCHANGE_CAPABILITIES: return ffa::regs(resp, 0x80010000, 0, 0, 4, 3);
      default: return ffa::regs(resp, 0x80010000, 0, 0);
    }
  };
  nwd::NwdKernel& k = b.make_nwd({});
  b.boot();
  const std::vector<std::string> expected = {
      "FFA_VERSION(0x10002)", "FFA_ID_GET", "FFA_FEATURES(0xc4000066)", "FFA_RXTX_MAP_64",
      "FFA_FEATURES(0xc4000072)", "FFA_FEATURES(0xc4000073)", "FFA_FEATURES(0xc400008d)",
      "FFA_FEATURES(0x8400007d)", "FFA_NOTIFICATION_BITMAP_CREATE", "FFA_FEATURES(0x2)",
      "FFA_FEATURES(0x1)", "FFA_FEATURES(0xc400008b)", "FFA_PARTITION_INFO_GET(count)",
      "FFA_PARTITION_INFO_GET()", "FFA_RX_RELEASE", "FFA_MSG_SEND_DIRECT_REQ_32(w3=0x0)",
      "FFA_MSG_SEND_DIRECT_REQ_32(w3=0x1)", "FFA_MSG_SEND_DIRECT_REQ_32(w3=0x2)",
      "FFA_NOTIFICATION_BIND(0x1)", "FFA_NOTIFICATION_BIND(0x2)", "FFA_MSG_SEND_DIRECT_REQ_32(w3=0x5)"};
  EXPECT_EQ(strs(b.fw->calls_of(0)), expected);
  const nwd::DriverState& st = k.state();
  EXPECT_TRUE(st.errors.empty()) << st.errors.front();
  EXPECT_EQ(st.firmware_version, 0x10002u);
  EXPECT_EQ(st.own_id, 0);
  EXPECT_EQ(st.rx, b.fw->nwd_rx);
  EXPECT_EQ(st.tx, b.fw->nwd_tx);
  EXPECT_TRUE(st.notifications_enabled);
  ASSERT_EQ(st.devices.size(), 2u);
  EXPECT_EQ(st.devices[1].id, 0x8002);
  EXPECT_EQ(st.devices[1].uuid, kTestSpUuid);
  EXPECT_TRUE(st.optee_found);
  EXPECT_EQ(st.optee_id, 0x8001);
  EXPECT_EQ(st.optee_api_major, 1u);
  EXPECT_EQ(st.optee_caps, 3u);
  EXPECT_EQ(st.optee_bottom_half, 1);
  EXPECT_TRUE(k.workload_done());
}

TEST(NwdKernel, DiscoversPartitionsThroughTheRegisterFormWhenOffered) {
  Bench b(1);
  b.fw->partition_desc_size = 48;  // v1.3 form: two descriptors a call
  b.fw->sps = {FakeSp{0x8001, nullptr, 8, kOpteeUuid}, FakeSp{0x8002, nullptr, 8, kTestSpUuid},
               FakeSp{0x8003, nullptr, 1, kTestSpUuid}};
  b.fw->features = {fid(Abi::PARTITION_INFO_GET_REGS, true)};
  nwd::NwdConfig cfg;
  nwd::NwdKernel& k = b.make_nwd(cfg);
  b.fw->nwd_hook = [](const ArgRegs& a) -> std::optional<ArgRegs> {  // OP-TEE absent: probe fails
    if (a[0] == fid(Abi::MSG_SEND_DIRECT_REQ)) return ffa::error(ffa::Error::INVALID_PARAMETERS);
    return std::nullopt;
  };
  b.boot();
  std::vector<ArgRegs> regs_calls;
  for (auto& a : b.fw->calls_of(0))
    if (a[0] == fid(Abi::PARTITION_INFO_GET_REGS, true)) regs_calls.push_back(a);
  ASSERT_EQ(regs_calls.size(), 3u);  // count, then indices 0-1 and 2
  EXPECT_EQ(regs_calls[1][3], 0u);
  EXPECT_EQ(regs_calls[2][3], 2u);
  const nwd::DriverState& st = k.state();
  ASSERT_EQ(st.devices.size(), 3u);
  EXPECT_EQ(st.devices[2].id, 0x8003);
  EXPECT_EQ(st.devices[2].exec_ctx, 1);
  EXPECT_EQ(st.devices[0].uuid, kOpteeUuid);
  EXPECT_FALSE(st.notifications_enabled);  // no SRI nor NPI
  // The failed OP-TEE probe is one error line naming the result and the call.
  ASSERT_EQ(st.errors.size(), 1u);
  EXPECT_EQ(st.errors[0], "PE0: optee_ffa_probe: FFA_ERROR FFA_INVALID_PARAMETERS from FFA_MSG_SEND_DIRECT_REQ_32");
}

TEST(NwdKernel, RejectsAnUnknownWorkloadParameterNamingIt) {
  Bench b(2);
  nwd::NwdConfig cfg;
  cfg.workload = {{"direct_echo", {1}, 1, {{"target", 0x8002}, {"colour", 1}}}};
  try {
    b.make_nwd(cfg);
    FAIL() << "accepted an unknown parameter";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()).rfind("workload[0].params.colour: not a parameter of direct_echo", 0), 0u) << e.what();
  }
}

TEST(NwdKernel, ResumesAPreemptedDirectRequestWithFfaRunAsLinuxDoes) {
  Bench b(1);
  nwd::NwdConfig cfg;
  cfg.linux_driver = false;
  cfg.workload = {{"direct_echo", {0}, 1, {{"target", 0x8002}}}};
  ArgRegs request{};
  int runs = 0;
  // The target is preempted (FFA_INTERRUPT), then yields once (FFA_YIELD), then answers.
  b.fw->nwd_hook = [&](const ArgRegs& a) -> std::optional<ArgRegs> {
    if (a[0] == fid(Abi::MSG_SEND_DIRECT_REQ)) {
      request = a;
      return ffa::regs(fid(Abi::INTERRUPT), 0x80020000);
    }
    if (a[0] != fid(Abi::RUN)) return std::nullopt;
    if (++runs == 1) return ffa::regs(fid(Abi::YIELD), 0x80020000);
    return ffa::regs(fid(Abi::MSG_SEND_DIRECT_RESP), 0x80020000, 0, 0, request[4], request[5], request[6], request[7]);
  };
  nwd::NwdKernel& k = b.make_nwd(cfg);
  b.boot();
  EXPECT_EQ(strs(b.fw->calls_of(0)),
            (std::vector<std::string>{"FFA_MSG_SEND_DIRECT_REQ_32(w3=0x1)", "FFA_RUN", "FFA_RUN"}));
  EXPECT_EQ(b.fw->calls_of(0)[1][1], 0x80020000u);  // w1 as the FFA_INTERRUPT gave it
  EXPECT_TRUE(k.state().errors.empty()) << k.state().errors.front();
  EXPECT_GE(b.plat->now(), sim::Picos(1000000000));  // fsleep(1000) after FFA_YIELD
}

// --- OP-TEE SP ------------------------------------------------------------------------------

TEST(OpteeSp, BootsWithSpmcInitAndAnswersEachBlockingCall) {
  Bench b(1);
  b.fw->features = {fid(Abi::NOTIFICATION_SET)};
  b.add_optee(optee_params(2, 0));
  nwd::NwdConfig cfg;
  cfg.linux_driver = false;
  b.make_nwd(cfg);
  b.boot();
  const std::vector<std::string> boot = {"FFA_VERSION(0x10002)", "FFA_RXTX_MAP_64", "FFA_SPM_ID_GET",
                                         "FFA_ID_GET", "FFA_FEATURES(0x84000081)", "FFA_MSG_WAIT"};
  EXPECT_EQ(strs(b.fw->calls_of(0x8001)), boot);
  EXPECT_EQ(b.fw->calls_of(0x8001)[1][1], 0x06fff000u);  // x1 = TX, x2 = RX
  EXPECT_EQ(b.fw->calls_of(0x8001)[1][2], 0x06ffe000u);

  const uint32_t resp = fid(Abi::MSG_SEND_DIRECT_RESP);
  EXPECT_EQ(b.nwd_call(0, optee_req(optee::GET_API_VERSION)), ffa::regs(resp, 0x80010000, 0, 1, 0, 0));
  EXPECT_EQ(b.nwd_call(0, optee_req(optee::GET_OS_VERSION)), ffa::regs(resp, 0x80010000, 0, 4, 10, 0));
  EXPECT_EQ(b.nwd_call(0, optee_req(optee::EXCHANGE_CAPABILITIES)),
            ffa::regs(resp, 0x80010000, 0, 0, 4, optee::CAP_ARG_OFFSET | optee::CAP_ASYNC_NOTIF, 0));
  EXPECT_EQ(b.nwd_call(0, optee_req(optee::UNREGISTER_SHM, 0x1234)), ffa::regs(resp, 0x80010000, 0, 0));
  EXPECT_EQ(b.nwd_call(0, optee_req(optee::ENABLE_ASYNC_NOTIF, 63)), ffa::regs(resp, 0x80010000, 0, 0));
  EXPECT_EQ(b.nwd_call(0, optee_req(optee::ENABLE_ASYNC_NOTIF, 64))[3], optee::TEE_ERROR_BAD_PARAMETERS);
  EXPECT_EQ(b.nwd_call(0, optee_req(4))[3], optee::TEE_ERROR_BAD_PARAMETERS);  // undefined service ID
  // OP-TEE serves its protocol over DIRECT_REQ_64 too (thread_spmc.c picks the RESP width).
  EXPECT_EQ(b.nwd_call(0, optee_req(optee::GET_API_VERSION, 0, 0, 0, 0, true)),
            ffa::regs(fid(Abi::MSG_SEND_DIRECT_RESP, true), 0x80010000, 0, 1, 0, 0));
  const ArgRegs r2 = b.nwd_call(0, ffa::regs(fid(Abi::MSG_SEND_DIRECT_REQ2, true), 0x8001, 0, 0, 7, 7));
  EXPECT_EQ(r2, ffa::regs(fid(Abi::MSG_SEND_DIRECT_RESP2, true), 0x80010000, 0, 0, optee::TEE_ERROR_BAD_PARAMETERS));
}

TEST(OpteeSp, WithoutNotificationSetHasNoAsyncNotifCapability) {
  Bench b(1);
  b.add_optee({}, false);
  nwd::NwdConfig cfg;
  cfg.linux_driver = false;
  b.make_nwd(cfg);
  b.boot();
  EXPECT_EQ(strs(b.fw->calls_of(0x8001)), (std::vector<std::string>{"FFA_VERSION(0x10002)", "FFA_SPM_ID_GET",
                                                                    "FFA_ID_GET", "FFA_FEATURES(0x84000081)",
                                                                    "FFA_MSG_WAIT"}));
  EXPECT_EQ(b.nwd_call(0, optee_req(optee::EXCHANGE_CAPABILITIES))[5], optee::CAP_ARG_OFFSET);
  EXPECT_EQ(b.nwd_call(0, optee_req(optee::ENABLE_ASYNC_NOTIF, 1))[3], optee::TEE_ERROR_NOT_IMPLEMENTED);
}

TEST(OpteeSp, RepliesBusyWhenEveryThreadIsSuspendedInAnRpc) {
  Bench b(1);
  b.add_optee(optee_params(2, 1));
  nwd::NwdConfig cfg;
  cfg.linux_driver = false;
  b.make_nwd(cfg);
  b.boot();
  for (uint32_t slot = 0; slot < 3; ++slot) b.write_msg_arg(slot * 0x1000, 7);
  const ArgRegs t0 = b.nwd_call(0, with_arg(0));
  EXPECT_EQ(t0, ffa::regs(fid(Abi::MSG_SEND_DIRECT_RESP), 0x80010000, 0, 0, optee::RETURN_RPC_CMD, 0, 0, 0));
  const ArgRegs t1 = b.nwd_call(0, with_arg(0x1000));
  EXPECT_EQ(t1[4], optee::RETURN_RPC_CMD);
  EXPECT_EQ(t1[7], 1u);
  EXPECT_EQ(b.nwd_call(0, with_arg(0x2000))[3], optee::TEE_ERROR_BUSY);
  // The RPC arg follows the call's arg: OPTEE_RPC_CMD_GET_TIME, one VALUE_OUTPUT parameter.
  const uint64_t rpc = kShmBase + optee::msg_arg_size(4);
  EXPECT_EQ(b.read32(rpc + optee::ARG_CMD), optee::RPC_CMD_GET_TIME);
  EXPECT_EQ(b.read32(rpc + optee::ARG_NUM_PARAMS), 1u);
  EXPECT_EQ(b.read32(rpc + optee::MSG_ARG_HEADER), optee::MSG_ATTR_TYPE_VALUE_OUTPUT);
  EXPECT_EQ(b.read32(rpc + optee::ARG_RET), optee::TEE_ERROR_GENERIC);
  uint8_t zero[4] = {};
  b.plat->memory().write(rpc + optee::ARG_RET, zero, 4, sim::Security::NonSecure);  // the NWd serves it
  const ArgRegs done = b.nwd_call(0, optee_req(optee::YIELDING_CALL_RESUME, 0, 0, 0, 0));
  EXPECT_EQ(done, ffa::regs(fid(Abi::MSG_SEND_DIRECT_RESP), 0x80010000, 0, 0, optee::RETURN_DONE));
  EXPECT_EQ(b.read32(kShmBase + optee::ARG_RET), 0u);
  EXPECT_EQ(b.read32(kShmBase + optee::ARG_RET_ORIGIN), optee::TEE_ORIGIN_TRUSTED_APP);
  // Thread 0 is free again; thread 5 never existed; a handle that is not the carve-out is refused.
  EXPECT_EQ(b.nwd_call(0, optee_req(optee::YIELDING_CALL_RESUME, 0, 0, 0, 0))[3], optee::TEE_ERROR_BAD_PARAMETERS);
  EXPECT_EQ(b.nwd_call(0, optee_req(optee::YIELDING_CALL_RESUME, 0, 0, 0, 5))[3], optee::TEE_ERROR_BAD_PARAMETERS);
  const ArgRegs bad = b.nwd_call(0, optee_req(optee::YIELDING_CALL_WITH_ARG, 0x1000, 0, 0));
  EXPECT_EQ(bad[3], optee::TEE_ERROR_BAD_PARAMETERS);
  EXPECT_EQ(bad[4], optee::RETURN_DONE);
}

TEST(OpteeSp, RejectsAnUnknownParameterNamingIt) {
  Bench b(1);
  try {
    b.add_optee({{"thread", "4"}});
    FAIL() << "accepted an unknown parameter";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()).rfind("thread: not an OP-TEE parameter", 0), 0u) << e.what();
  }
}

// --- NWd kernel and OP-TEE together ---------------------------------------------------------

TEST(NwdWithOptee, InvokesOnEveryPeServeEachRpc) {
  Bench b(4);
  b.fw->features = {fid(Abi::NOTIFICATION_SET), fid(Abi::NOTIFICATION_BITMAP_CREATE), 2};
  b.add_optee(optee_params(8, 2));
  nwd::NwdConfig cfg;
  cfg.workload = {{"optee_invoke", {0, 1, 2, 3}, 3, {{"func", 7}, {"think_cycles", 1000}}}};
  nwd::NwdKernel& k = b.make_nwd(cfg);
  b.plat->tracer().keep_spans(true);
  b.boot();
  const nwd::DriverState& st = k.state();
  EXPECT_TRUE(st.errors.empty()) << st.errors.front();
  EXPECT_TRUE(k.workload_done());
  EXPECT_EQ(st.invokes_done, 12u);
  EXPECT_EQ(st.rpcs_served, 24u);
  EXPECT_EQ(st.busy_retries, 0u);
  EXPECT_EQ(st.optee_bottom_half, 0);
  // PE0 brought the others up with PSCI CPU_ON; every PE ran its invokes as operations.
  unsigned cpu_on = 0;
  for (auto& a : b.fw->calls_of(0, 0)) cpu_on += a[0] == FakeFirmware::kPsciCpuOn64;
  EXPECT_EQ(cpu_on, 3u);
  const uint64_t key = b.plat->tracer().operation_key("optee.invoke");
  uint64_t ops = 0;
  for (auto& s : b.plat->tracer().spans()) ops += s.key == key && s.callee == 0x8001;
  EXPECT_EQ(ops, 12u);
}

TEST(NwdWithOptee, RetriesBusyInvokesUntilAThreadIsFree) {
  Bench b(4);
  b.add_optee(optee_params(1, 1));
  nwd::NwdConfig cfg;
  cfg.workload = {{"optee_invoke", {0, 1, 2, 3}, 2, {{"func", 7}}}};
  nwd::NwdKernel& k = b.make_nwd(cfg);
  b.boot();
  const nwd::DriverState& st = k.state();
  EXPECT_TRUE(st.errors.empty()) << st.errors.front();
  EXPECT_TRUE(k.workload_done());
  EXPECT_EQ(st.invokes_done, 8u);
  EXPECT_EQ(st.rpcs_served, 8u);
  EXPECT_GT(st.busy_retries, 0u);
}

// --- Test SP --------------------------------------------------------------------------------

TEST(TestSp, BootsThenEchoesDirectRequestsOfBothWidthsAndReq2) {
  Bench b(2);
  b.add_test_sp(0x8002);
  nwd::NwdConfig cfg;
  cfg.workload = {{"direct_echo", {0, 1}, 3, {{"target", 0x8002}}},
                  {"direct_echo", {1}, 2, {{"target", 0x8002}, {"smc64", 1}}},
                  {"direct_req2_echo", {0}, 2, {{"target", 0x8002}}}};
  nwd::NwdKernel& k = b.make_nwd(cfg);
  b.boot();
  EXPECT_EQ(strs(b.fw->calls_of(0x8002, 0)).front(), "FFA_VERSION(0x10002)");
  EXPECT_EQ(strs(b.fw->calls_of(0x8002, 0))[1], "FFA_ID_GET");
  EXPECT_EQ(strs(b.fw->calls_of(0x8002, 0))[2], "FFA_MSG_WAIT");
  EXPECT_EQ(strs(b.fw->calls_of(0x8002, 1)).front(), "FFA_MSG_WAIT");
  EXPECT_TRUE(k.state().errors.empty()) << k.state().errors.front();
  EXPECT_TRUE(k.workload_done());
  const ArgRegs r = b.nwd_call(0, ffa::regs(fid(Abi::MSG_SEND_DIRECT_REQ), 0x8002, 0, tsp::CMD_ECHO, 1, 2, 3, 4));
  EXPECT_EQ(r, ffa::regs(fid(Abi::MSG_SEND_DIRECT_RESP), 0x80020000, 0, 0, 1, 2, 3, 4));
  const ArgRegs u = b.nwd_call(0, ffa::regs(fid(Abi::MSG_SEND_DIRECT_REQ), 0x8002, 0, 99));
  EXPECT_EQ(u[3], tsp::STATUS_UNKNOWN);
}

TEST(TestSp, ReqEchoRelaysAnEchoToAnotherSpAtTheRequestWidth) {
  Bench b(1);
  b.add_test_sp(0x8002);
  b.add_test_sp(0x8003);
  nwd::NwdConfig cfg;
  cfg.linux_driver = false;
  b.make_nwd(cfg);
  b.boot();
  const ArgRegs r = b.nwd_call(0, ffa::regs(fid(Abi::MSG_SEND_DIRECT_REQ), 0x8002, 0, tsp::CMD_REQ_ECHO, 0x8003,
                                            0x1111, 0x2222, 0x1'0000'3333));
  EXPECT_EQ(r, ffa::regs(fid(Abi::MSG_SEND_DIRECT_RESP), 0x80020000, 0, 0, 0x1111, 0x2222, 0x3333));
  const std::vector<ArgRegs> by_8002 = b.fw->calls_of(0x8002);
  const ArgRegs& relay = by_8002[by_8002.size() - 2];  // the request to 0x8003, then the response
  EXPECT_EQ(relay, ffa::regs(fid(Abi::MSG_SEND_DIRECT_REQ), 0x80028003, 0, tsp::CMD_ECHO, 0x1111, 0x2222, 0x3333));
  const ArgRegs e = b.nwd_call(0, ffa::regs(fid(Abi::MSG_SEND_DIRECT_REQ, true), 0x8002, 0, tsp::CMD_REQ_ECHO, 0x9999,
                                            1, 2, 3));
  EXPECT_EQ(e[3], uint32_t(int32_t(ffa::Error::INVALID_PARAMETERS)));  // no partition 0x9999
}

TEST(TestSp, HostModeIssuesHostCallsUntilAHandoff) {
  Bench b(1);
  sp::SpModel& tsp_model = b.add_test_sp(0x8002);
  nwd::NwdConfig cfg;
  cfg.linux_driver = false;
  nwd::NwdKernel& k = b.make_nwd(cfg);
  b.boot();
  sim::HostChannel& nch = k.host_channel(0);
  sim::HostChannel& sch = *tsp_model.host_channel();
  b.host_push(nch, ffa::regs(fid(Abi::MSG_SEND_DIRECT_REQ), 0x8002, 0, tsp::CMD_HOST));
  ASSERT_TRUE(sch.waiting);
  EXPECT_EQ(sch.pe, &b.plat->pe(0));
  EXPECT_EQ(sch.last_input[3], tsp::CMD_HOST);
  b.host_push(sch, ffa::regs(fid(Abi::ID_GET)));
  EXPECT_EQ(sch.calls_done, 1u);
  EXPECT_EQ(sch.last_result, ffa::success(0x8002));
  // The handoff answers the NWd's request; the SP's next message ends host mode.
  b.host_push(sch, ffa::regs(fid(Abi::MSG_SEND_DIRECT_RESP), 0x80020000, 0, 0xAB));
  EXPECT_EQ(nch.last_result, ffa::regs(fid(Abi::MSG_SEND_DIRECT_RESP), 0x80020000, 0, 0xAB));
  const ArgRegs r = b.nwd_call(0, ffa::regs(fid(Abi::MSG_SEND_DIRECT_REQ), 0x8002, 0, tsp::CMD_ECHO, 5, 6, 7, 8));
  EXPECT_EQ(r, ffa::regs(fid(Abi::MSG_SEND_DIRECT_RESP), 0x80020000, 0, 0, 5, 6, 7, 8));
  EXPECT_EQ(sch.calls_done, 2u);
  EXPECT_EQ(sch.last_result[0], fid(Abi::MSG_SEND_DIRECT_REQ));
  EXPECT_FALSE(sch.waiting);
}

TEST(TestSp, OnlyOneVcpuAtATimeIsInHostMode) {
  Bench b(2);
  b.add_test_sp(0x8002);
  nwd::NwdConfig cfg;
  cfg.linux_driver = false;
  cfg.cpu_on_idle_pes = true;  // PE1 has no workload but must take host calls
  nwd::NwdKernel& k = b.make_nwd(cfg);
  b.boot();
  ASSERT_TRUE(k.host_channel(1).waiting);
  b.host_push(k.host_channel(0), ffa::regs(fid(Abi::MSG_SEND_DIRECT_REQ), 0x8002, 0, tsp::CMD_HOST));
  ASSERT_TRUE(b.sps[0]->host_channel()->waiting);
  const ArgRegs r = b.nwd_call(1, ffa::regs(fid(Abi::MSG_SEND_DIRECT_REQ), 0x8002, 0, tsp::CMD_HOST));
  EXPECT_EQ(r, ffa::regs(fid(Abi::MSG_SEND_DIRECT_RESP), 0x80020000, 0, tsp::STATUS_HOST_BUSY));
}

}  // namespace
}  // namespace ffasim::test
