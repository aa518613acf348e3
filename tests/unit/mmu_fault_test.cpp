// Translation faults as values and the syndrome they produce: the VA/IPA/PA types, DFSC/IFSC,
// ESR_ELx EC/ISS and HPFAR_EL2, against ../shared/reference/armv8-gicv3-mmu.md s1.5-1.7, s3.9.
#include "sim/mmu_s2/fault.h"

#include <gtest/gtest.h>

#include <type_traits>

#include "sim/mmu_s2/addr.h"

namespace ffasim::sim::mmu {
namespace {

// ---------------------------------------------------------------------------------------------
// Address types

static_assert(!std::is_convertible_v<uint64_t, VA>, "a raw integer is not a VA implicitly");
static_assert(!std::is_convertible_v<VA, IPA> && !std::is_convertible_v<IPA, PA> &&
              !std::is_convertible_v<PA, VA> && !std::is_convertible_v<IPA, VA>);
static_assert(!std::is_constructible_v<PA, IPA> && !std::is_constructible_v<IPA, VA>);
static_assert(!std::is_convertible_v<PA, uint64_t>);
template <class A, class B>
concept Comparable = requires(A a, B b) { a == b; };
static_assert(Comparable<PA, PA> && !Comparable<PA, IPA> && !Comparable<VA, PA>);
template <class A, class B>
concept Subtractable = requires(A a, B b) { a - b; };
static_assert(Subtractable<IPA, IPA> && !Subtractable<IPA, PA>);

TEST(MmuAddress, AddressesOfOneSpaceAddAlignAndMeasureDistances) {
  constexpr PA a(0x80001234);
  EXPECT_EQ((a + 0x10).value(), 0x80001244u);
  EXPECT_EQ(a.align_down(0x1000), PA(0x80001000));
  EXPECT_EQ(a.offset_in(0x1000), 0x234u);
  EXPECT_FALSE(a.is_aligned(0x1000));
  EXPECT_EQ(PA(0x80002000) - PA(0x80001000), 0x1000u);
  EXPECT_LT(IPA(1), IPA(2));
}

// ---------------------------------------------------------------------------------------------
// Fault status codes (s1.6)

Fault fault(FaultType t, int level, unsigned stage = 1) {
  Fault f;
  f.type = t;
  f.level = level;
  f.stage = stage;
  return f;
}

TEST(MmuFaultStatus, EachFaultTypeAndLevelHasItsLongDescriptorCode) {
  struct Row { FaultType t; uint32_t base; };
  const Row rows[] = {{FaultType::AddressSize, 0x00}, {FaultType::Translation, 0x04},
                      {FaultType::AccessFlag, 0x08}, {FaultType::Permission, 0x0C},
                      {FaultType::ExternalAbortOnWalk, 0x14}};
  for (const Row& row : rows)
    for (int level = 0; level <= 3; ++level)
      EXPECT_EQ(fault_status_code(fault(row.t, level)), row.base + uint32_t(level))
          << name(row.t) << " level " << level;
}

TEST(MmuFaultStatus, NoFaultIsNotAFault) {
  Fault f;
  EXPECT_FALSE(f.is_fault());
  EXPECT_FALSE(bool(f));
  EXPECT_TRUE(bool(fault(FaultType::Translation, 1)));
}

// ---------------------------------------------------------------------------------------------
// ESR_ELx (s1.5)

TEST(MmuEsr, ADataAbortFromALowerElHasEc0x24AndFromTheSameElEc0x25) {
  Fault f = fault(FaultType::Translation, 3, 2);
  f.from_el = El::EL1;
  f.target_el = El::EL2;
  EXPECT_EQ(abort_ec(f), 0x24u);
  f.from_el = El::EL1;
  f.target_el = El::EL1;
  EXPECT_EQ(abort_ec(f), 0x25u);
  f.from_el = El::EL0;
  EXPECT_EQ(abort_ec(f), 0x24u);
}

TEST(MmuEsr, AnInstructionAbortHasEc0x20FromBelowAnd0x21FromTheSameEl) {
  Fault f = fault(FaultType::Permission, 2);
  f.access = AccessType::Execute;
  f.from_el = El::EL0;
  f.target_el = El::EL1;
  EXPECT_EQ(abort_ec(f), 0x20u);
  f.from_el = El::EL3;
  f.target_el = El::EL3;
  EXPECT_EQ(abort_ec(f), 0x21u);
}

TEST(MmuEsr, TheIssCarriesFscInBits5To0WnRInBit6AndS1ptwInBit7) {
  Fault f = fault(FaultType::Translation, 2, 2);
  f.wnr = true;
  f.s1ptw = true;
  EXPECT_EQ(abort_iss(f), 0x06u | 1u << 6 | 1u << 7);
  f.wnr = false;
  EXPECT_EQ(abort_iss(f), 0x06u | 1u << 7);
}

TEST(MmuEsr, AnInstructionAbortNeverSetsWnR) {
  Fault f = fault(FaultType::Permission, 3);
  f.access = AccessType::Execute;
  f.wnr = true;
  EXPECT_EQ(abort_iss(f), 0x0Fu);
}

TEST(MmuEsr, AStage2TranslationFaultOnAWriteFromEl1IsEsr0x92000047) {
  Fault f = fault(FaultType::Translation, 3, 2);
  f.access = AccessType::Write;
  f.wnr = true;
  f.from_el = El::EL1;
  f.target_el = El::EL2;
  // EC 0x24 << 26 | IL << 25 | WnR | FSC 0x07
  EXPECT_EQ(abort_esr(f), 0x92000047u);
}

// ---------------------------------------------------------------------------------------------
// HPFAR_EL2 (s1.7)

TEST(MmuHpfar, FipaHoldsIpaBits47To12FromBit4) {
  Fault f = fault(FaultType::Translation, 3, 2);
  f.ipa = IPA(0x0000812345678ABCull);
  f.security = Security::NonSecure;
  f.ipa_space = Security::NonSecure;
  EXPECT_EQ(hpfar_el2(f), 0x812345678ull << 4);
  // KVM's inverse: ipa = (HPFAR_EL2 & ~0xF) << 8.
  EXPECT_EQ((hpfar_el2(f) & ~0xFull) << 8, 0x0000812345678000ull);
}

TEST(MmuHpfar, NsIsSetForASecureStateFaultInTheNonSecureIpaSpace) {
  Fault f = fault(FaultType::Translation, 1, 2);
  f.ipa = IPA(0x40000000);
  f.security = Security::Secure;
  f.ipa_space = Security::NonSecure;
  EXPECT_EQ(hpfar_el2(f) >> 63, 1u);
  f.ipa_space = Security::Secure;
  EXPECT_EQ(hpfar_el2(f) >> 63, 0u);
}

TEST(MmuHpfar, NsIsRes0ForAFaultTakenToNonSecureEl2) {
  Fault f = fault(FaultType::Translation, 1, 2);
  f.ipa = IPA(0x40000000);
  f.security = Security::NonSecure;
  f.ipa_space = Security::NonSecure;
  EXPECT_EQ(hpfar_el2(f) >> 63, 0u);
}

TEST(MmuHpfar, IsZeroForAStage1FaultAndMayBeUnknownForADirectStage2PermissionFault) {
  Fault s1 = fault(FaultType::Translation, 3, 1);
  s1.ipa = IPA(0x1000);
  EXPECT_EQ(hpfar_el2(s1), 0u);
  EXPECT_FALSE(hpfar_valid(s1));
  Fault perm = fault(FaultType::Permission, 3, 2);
  EXPECT_FALSE(hpfar_valid(perm));
  perm.s1ptw = true;
  EXPECT_TRUE(hpfar_valid(perm));
  EXPECT_TRUE(hpfar_valid(fault(FaultType::AccessFlag, 2, 2)));
}

}  // namespace
}  // namespace ffasim::sim::mmu
