// The MMU over the simulator's memory: the page-table builder writes through SimMemoryPort (host
// access to sim::Memory) and the walker reads through TlmMemoryPort (TLM transactions with the
// Sideband), each read costing the memory's latency. One SystemC elaboration in this file: run
// each TEST in its own process (ctest does).
#include "sim/mmu_s2/sim_memory_port.h"

#include <gtest/gtest.h>

#include <systemc>
#include <tlm_utils/simple_initiator_socket.h>

#include "sim/mmu_s2/mmu.h"
#include "sim/mmu_s2/page_tables.h"

namespace ffasim::sim::mmu {
namespace {

constexpr Security NS = Security::NonSecure;

struct Initiator : sc_core::sc_module {
  tlm_utils::simple_initiator_socket<Initiator> socket;
  explicit Initiator(sc_core::sc_module_name n) : sc_core::sc_module(n), socket("socket") {}
};

TEST(MmuTlm, AWalkReadsDescriptorsAsTlmTransactionsAndCostsTheMemoryLatencyPerRead) {
  Profile p;
  CoreTiming::declare(p);
  CoreTiming timing;
  timing.load(p);
  Memory memory("memory", timing);
  memory.add_region({"dram", 0x80000000, 0x1000000, NS});
  Initiator pe("pe");
  pe.socket.bind(memory.socket);
  sc_core::sc_start(sc_core::SC_ZERO_TIME);  // completes elaboration: the sockets are bound

  SimMemoryPort host(memory, timing);
  PoolAllocator alloc(0x80000000, 0x100000);
  Stage1Tables s1(host, alloc, stage1_format(48, Granule::K4, NS));
  ASSERT_EQ(s1.init(), MapStatus::Ok);
  ASSERT_EQ(s1.map(VA(0x400000), PA(0x80800000), 0x1000, {}), MapStatus::Ok);
  const DescriptorRead root = host.read64(PA(s1.root()), NS);
  EXPECT_TRUE(root.ok);
  EXPECT_EQ(root.latency, Picos(90000));  // mem.latency_ns = 90 by default

  TlmMemoryPort port(pe.socket, 3);
  Mmu mmu(MmuConfig{}, port);
  MmuRegs r;
  r.scr_el3 = scr::RES1 | scr::RW | scr::NS;
  r.sctlr_el1 = sctlr::M;
  r.tcr_el1 = 16 | (5ull << 32) | (1ull << tcr::EPD1);
  r.ttbr0_el1 = s1.root();
  TranslateResult t = mmu.translate(r, {VA(0x400123), AccessType::Read, El::EL1});
  ASSERT_TRUE(t.ok()) << name(t.fault.type);
  EXPECT_EQ(t.pa, PA(0x80800123));
  EXPECT_EQ(t.walk.s1_reads, 4u);
  EXPECT_EQ(t.walk.memory, Picos(4 * 90000));
  EXPECT_EQ(sc_core::sc_time_stamp(), sc_core::SC_ZERO_TIME);  // nobody's time advanced

  // A table outside every memory region: the TLM error is an external abort on the walk.
  mmu.tlb().clear();
  r.ttbr0_el1 = 0x10000000;
  t = mmu.translate(r, {VA(0x400123), AccessType::Read, El::EL1});
  EXPECT_EQ(t.fault.type, FaultType::ExternalAbortOnWalk);
  EXPECT_EQ(t.fault.level, 0);
  EXPECT_FALSE(port.read64(PA(0x10000000), NS).ok);
  EXPECT_TRUE(port.write64(PA(0x80900000), NS, 0x1234));
  EXPECT_EQ(host.read64(PA(0x80900000), NS).value, 0x1234u);
}

}  // namespace
}  // namespace ffasim::sim::mmu
