// The memory transaction descriptors of ../shared/reference/ffa-abi.md section 4: byte layouts of
// the builders against the tables of 4.1-4.6, and every validation rule of the parsers (4.3-4.5,
// 4.8). No simulation.
#include <gtest/gtest.h>

#include <vector>

#include "models/ffa/mem_descriptors.h"

namespace ffasim::ffa::mem {
namespace {

constexpr EndpointId kNwd{0}, kSp{0x8002}, kOtherSp{0x8001};

uint16_t le16(const std::vector<uint8_t>& b, size_t o) { return uint16_t(b[o] | b[o + 1] << 8); }
uint32_t le32(const std::vector<uint8_t>& b, size_t o) { return le16(b, o) | uint32_t(le16(b, o + 2)) << 16; }
uint64_t le64(const std::vector<uint8_t>& b, size_t o) { return le32(b, o) | uint64_t(le32(b, o + 4)) << 32; }
void put32(std::vector<uint8_t>& b, size_t o, uint32_t v) {
  for (int i = 0; i < 4; ++i) b[o + i] = uint8_t(v >> (8 * i));
}

// A SHARE of two constituents from the normal world to the test SP, read-write.
Descriptor share(uint32_t emad_size = kEmadV1_0) {
  Descriptor d;
  d.sender = kNwd;
  d.attributes = attr::kNormalWbInner;
  d.tag = 0x1234;
  d.emad_size = emad_size;
  d.receivers = {Emad{kSp, perm::kRW, 0, 0, {0, 0}}};
  set_constituents(d, {{0x80200000, 2}, {0x80300000, 1}});
  return d;
}

Descriptor lend() {
  Descriptor d = share();
  d.attributes = 0;  // LEND to one borrower leaves the memory type unspecified
  return d;
}

Check send(const std::vector<uint8_t>& b, Transaction t = Transaction::Share, Layout l = Layout::V1_1,
           EndpointId caller = kNwd) {
  Descriptor out;
  return parse_send(b.data(), uint32_t(b.size()), uint32_t(b.size()), l, {t, caller, !caller.is_secure()}, out);
}

// Parses, then validates the constituents, as the SPMC does for a single-fragment send.
Check send_all(const std::vector<uint8_t>& b, Transaction t = Transaction::Share) {
  Descriptor out;
  const Check c = parse_send(b.data(), uint32_t(b.size()), uint32_t(b.size()), Layout::V1_1, {t, kNwd, true}, out);
  return c != Check::Ok ? c : validate_constituents(out);
}

// --- byte layouts ---------------------------------------------------------------------------------

TEST(MemDescriptorLayout, AV11HeaderPutsTheEmadSizeCountAndOffsetWhereTable41Says) {
  const std::vector<uint8_t> b = build_transaction(share(), Layout::V1_1);
  ASSERT_EQ(b.size(), 48u + 16 + 16 + 2 * 16);
  EXPECT_EQ(le16(b, 0), 0x0000u);        // sender
  EXPECT_EQ(le16(b, 2), 0x2Fu);          // attributes, 16 bits
  EXPECT_EQ(le32(b, 4), 0u);             // flags
  EXPECT_EQ(le64(b, 8), 0u);             // handle
  EXPECT_EQ(le64(b, 16), 0x1234u);       // tag
  EXPECT_EQ(le32(b, 24), 16u);           // EMAD size
  EXPECT_EQ(le32(b, 28), 1u);            // EMAD count
  EXPECT_EQ(le32(b, 32), 48u);           // EMAD offset
  for (size_t i = 36; i < 48; ++i) EXPECT_EQ(b[i], 0) << "reserved byte " << i;
}

TEST(MemDescriptorLayout, AnEmadCarriesReceiverPermissionsFlagsAndTheCompositeOffset) {
  Descriptor d = share();
  d.receivers[0].flags = 1;
  const std::vector<uint8_t> b = build_transaction(d, Layout::V1_1);
  EXPECT_EQ(le16(b, 48), 0x8002u);
  EXPECT_EQ(b[50], perm::kRW);
  EXPECT_EQ(b[51], 1u);
  EXPECT_EQ(le32(b, 52), 64u);  // composite right after the EMAD
  EXPECT_EQ(le64(b, 56), 0u);   // reserved (v1.1)
}

TEST(MemDescriptorLayout, TheCompositeAndConstituentsFollowTable46) {
  const std::vector<uint8_t> b = build_transaction(share(), Layout::V1_1);
  EXPECT_EQ(le32(b, 64), 3u);  // total pages
  EXPECT_EQ(le32(b, 68), 2u);  // address ranges
  EXPECT_EQ(le64(b, 72), 0u);
  EXPECT_EQ(le64(b, 80), 0x80200000u);
  EXPECT_EQ(le32(b, 88), 2u);
  EXPECT_EQ(le32(b, 92), 0u);
  EXPECT_EQ(le64(b, 96), 0x80300000u);
  EXPECT_EQ(le32(b, 104), 1u);
}

TEST(MemDescriptorLayout, AV10HeaderIs32BytesWithAnEightBitAttributeAndEmadsAt32) {
  const std::vector<uint8_t> b = build_transaction(share(), Layout::V1_0);
  ASSERT_EQ(b.size(), 32u + 16 + 16 + 2 * 16);
  EXPECT_EQ(b[2], 0x2Fu);
  EXPECT_EQ(b[3], 0u);             // reserved
  EXPECT_EQ(le64(b, 16), 0x1234u);
  EXPECT_EQ(le32(b, 24), 0u);      // reserved
  EXPECT_EQ(le32(b, 28), 1u);      // EMAD count
  EXPECT_EQ(le16(b, 32), 0x8002u);
  EXPECT_EQ(le32(b, 36), 48u);     // composite offset
  EXPECT_EQ(le32(b, 48), 3u);
}

TEST(MemDescriptorLayout, AV12EmadIs32BytesWithTheImpdefValueAt8) {
  Descriptor d = share(kEmadV1_2);
  d.receivers[0].impdef[0] = 0x1111;
  d.receivers[0].impdef[1] = 0x2222;
  const std::vector<uint8_t> b = build_transaction(d, Layout::V1_1);
  EXPECT_EQ(le32(b, 24), 32u);
  EXPECT_EQ(le32(b, 52), 80u);
  EXPECT_EQ(le64(b, 56), 0x1111u);
  EXPECT_EQ(le64(b, 64), 0x2222u);
  EXPECT_EQ(le64(b, 72), 0u);
  EXPECT_EQ(le32(b, 80), 3u);
}

TEST(MemDescriptorLayout, ARetrieveRequestHasNoCompositeAndZeroOffsets) {
  const std::vector<uint8_t> b = build_retrieve_request(share(), Layout::V1_1);
  ASSERT_EQ(b.size(), 64u);
  EXPECT_EQ(le32(b, 52), 0u);
}

TEST(MemDescriptorLayout, TheRelinquishDescriptorIsHandleFlagsCountThenIds) {
  const std::vector<uint8_t> b = build_relinquish({0xAB00000001, 1, {kSp}});
  ASSERT_EQ(b.size(), 18u);
  EXPECT_EQ(le64(b, 0), 0xAB00000001u);
  EXPECT_EQ(le32(b, 8), 1u);
  EXPECT_EQ(le32(b, 12), 1u);
  EXPECT_EQ(le16(b, 16), 0x8002u);
}

TEST(MemDescriptorLayout, ASendParsesBackToWhatWasBuilt) {
  Descriptor d = share(kEmadV1_2);
  d.receivers[0].impdef[1] = 7;
  const std::vector<uint8_t> b = build_transaction(d, Layout::V1_1);
  Descriptor out;
  ASSERT_EQ(parse_send(b.data(), uint32_t(b.size()), uint32_t(b.size()), Layout::V1_1, {Transaction::Share, kNwd, true}, out),
            Check::Ok);
  EXPECT_EQ(out.tag, 0x1234u);
  EXPECT_EQ(out.receivers[0].receiver, kSp);
  EXPECT_EQ(out.receivers[0].impdef[1], 7u);
  EXPECT_EQ(out.total_page_count, 3u);
  EXPECT_EQ(out.constituents, d.constituents);
}

TEST(MemDescriptorLayout, AV10SendParsesBackToWhatWasBuilt) {
  const std::vector<uint8_t> b = build_transaction(share(), Layout::V1_0);
  EXPECT_EQ(send(b, Transaction::Share, Layout::V1_0), Check::Ok);
}

// --- send validation (4.8 item 1) ---------------------------------------------------------------

TEST(MemSendValidation, AFragmentLongerThanTheTotalIsRejected) {
  const std::vector<uint8_t> b = build_transaction(share(), Layout::V1_1);
  Descriptor out;
  EXPECT_EQ(parse_send(b.data(), 112, 96, Layout::V1_1, {Transaction::Share, kNwd, true}, out), Check::FragmentLongerThanTotal);
  EXPECT_EQ(error_of(Check::FragmentLongerThanTotal), Error::INVALID_PARAMETERS);
}

TEST(MemSendValidation, LengthsThatAreNotMultiplesOf16AreRejected) {
  std::vector<uint8_t> b = build_transaction(share(), Layout::V1_1);
  b.resize(b.size() + 8);
  EXPECT_EQ(send(b), Check::LengthNotMultipleOf16);
}

TEST(MemSendValidation, AFirstFragmentWithoutTheCompositeHeaderIsTooShort) {
  const std::vector<uint8_t> b = build_transaction(share(), Layout::V1_1);
  Descriptor out;
  EXPECT_EQ(parse_send(b.data(), 64, uint32_t(b.size()), Layout::V1_1, {Transaction::Share, kNwd, true}, out),
            Check::FragmentTooShort);
}

TEST(MemSendValidation, ATotalWithoutRoomForOneConstituentIsTooShort) {
  Descriptor d = share();
  set_constituents(d, {});
  EXPECT_EQ(send(build_transaction(d, Layout::V1_1)), Check::TotalTooShort);
}

TEST(MemSendValidation, ACompositeCountThatDisagreesWithTheTotalLengthIsRejected) {
  std::vector<uint8_t> b = build_transaction(share(), Layout::V1_1);
  put32(b, 68, 3);
  EXPECT_EQ(send(b), Check::ConstituentCountMismatch);
}

TEST(MemSendValidation, AMisalignedCompositeOffsetIsRejected) {
  std::vector<uint8_t> b = build_transaction(share(), Layout::V1_1);
  put32(b, 52, 72);
  EXPECT_EQ(send(b), Check::CompositeOffsetMisaligned);
}

TEST(MemSendValidation, ACompositeOffsetInsideTheEmadsIsRejected) {
  std::vector<uint8_t> b = build_transaction(share(), Layout::V1_1);
  put32(b, 52, 48);
  EXPECT_EQ(send(b), Check::CompositeOffsetInsideEmads);
}

TEST(MemSendValidation, ACompositeOutsideTheFirstFragmentIsRejected) {
  const std::vector<uint8_t> b = build_transaction(share(), Layout::V1_1);
  std::vector<uint8_t> f(b.begin(), b.begin() + 96);
  put32(f, 52, 96);  // beyond the 96-byte first fragment
  Descriptor out;
  EXPECT_EQ(parse_send(f.data(), 96, 128, Layout::V1_1, {Transaction::Share, kNwd, true}, out),
            Check::CompositeOutsideFirstFragment);
}

TEST(MemSendValidation, NonZeroReservedHeaderBytesAreRejected) {
  std::vector<uint8_t> b = build_transaction(share(), Layout::V1_1);
  b[40] = 1;
  EXPECT_EQ(send(b), Check::HeaderReservedNotZero);
  std::vector<uint8_t> v10 = build_transaction(share(), Layout::V1_0);
  v10[3] = 1;
  EXPECT_EQ(send(v10, Transaction::Share, Layout::V1_0), Check::HeaderReservedNotZero);
  v10 = build_transaction(share(), Layout::V1_0);
  put32(v10, 24, 1);
  EXPECT_EQ(send(v10, Transaction::Share, Layout::V1_0), Check::HeaderReservedNotZero);
}

TEST(MemSendValidation, AttributeBitsAbove6AreReserved) {
  std::vector<uint8_t> b = build_transaction(share(), Layout::V1_1);
  b[3] = 1;  // bit 8
  EXPECT_EQ(send(b), Check::HeaderReservedNotZero);
}

TEST(MemSendValidation, ReservedEmadCompositeAndConstituentBytesAreRejected) {
  std::vector<uint8_t> b = build_transaction(share(), Layout::V1_1);
  b[60] = 1;
  EXPECT_EQ(send(b), Check::EmadReservedNotZero);
  b = build_transaction(share(), Layout::V1_1);
  b[51] = 2;  // EMAD flags bit1
  EXPECT_EQ(send(b), Check::EmadReservedNotZero);
  b = build_transaction(share(), Layout::V1_1);
  b[72] = 1;
  EXPECT_EQ(send(b), Check::CompositeReservedNotZero);
  b = build_transaction(share(), Layout::V1_1);
  b[92] = 1;
  EXPECT_EQ(send(b), Check::ConstituentReservedNotZero);
}

TEST(MemSendValidation, AnEmadSizeOtherThan16Or32IsRejected) {
  std::vector<uint8_t> b = build_transaction(share(), Layout::V1_1);
  put32(b, 24, 24);
  EXPECT_EQ(send(b), Check::EmadSizeInvalid);
}

TEST(MemSendValidation, AnEmadOffsetBelow48OrMisalignedIsRejected) {
  std::vector<uint8_t> b = build_transaction(share(), Layout::V1_1);
  put32(b, 32, 32);
  EXPECT_EQ(send(b), Check::EmadOffsetInvalid);
  put32(b, 32, 56);
  EXPECT_EQ(send(b), Check::EmadOffsetInvalid);
}

TEST(MemSendValidation, NoReceiversOrMoreThanTwoAreRejected) {
  Descriptor d = share();
  d.receivers.clear();
  EXPECT_EQ(send(build_transaction(d, Layout::V1_1)), Check::NoReceivers);
  d.receivers = {Emad{kSp, perm::kRW}, Emad{kOtherSp, perm::kRW}, Emad{EndpointId(0x8003), perm::kRW}};
  EXPECT_EQ(send(build_transaction(d, Layout::V1_1)), Check::TooManyReceivers);
}

TEST(MemSendValidation, ADonateToTwoBorrowersIsRejected) {
  Descriptor d = lend();
  d.receivers = {Emad{kSp, 0}, Emad{kOtherSp, 0}};
  EXPECT_EQ(send(build_transaction(d, Layout::V1_1), Transaction::Donate), Check::DonateNeedsOneReceiver);
}

TEST(MemSendValidation, ASenderFieldThatIsNotTheCallerIsDenied) {
  Descriptor d = share();
  d.sender = kOtherSp;
  const std::vector<uint8_t> b = build_transaction(d, Layout::V1_1);
  EXPECT_EQ(send(b), Check::SenderNotCaller);  // the normal world claiming a secure sender
  EXPECT_EQ(send(b, Transaction::Share, Layout::V1_1, kSp), Check::SenderNotCaller);
  EXPECT_EQ(error_of(Check::SenderNotCaller), Error::DENIED);
}

TEST(MemSendValidation, TheZeroFlagOnAShareAndAnyOtherFlagAreRejected) {
  Descriptor d = share();
  d.flags = flags::kZeroMemory;
  EXPECT_EQ(send(build_transaction(d, Layout::V1_1)), Check::ZeroFlagOnShare);
  d.flags = flags::kTimeSlice;
  EXPECT_EQ(send(build_transaction(d, Layout::V1_1)), Check::FlagsReserved);
  Descriptor l = lend();
  l.flags = flags::kZeroMemory;
  EXPECT_EQ(send(build_transaction(l, Layout::V1_1), Transaction::Lend), Check::Ok);
}

TEST(MemSendValidation, SharingWithOneselfOrTheSameReceiverTwiceIsRejected) {
  Descriptor d = share();
  d.receivers = {Emad{kNwd, perm::kRW}};
  EXPECT_EQ(send(build_transaction(d, Layout::V1_1)), Check::ReceiverIsSender);
  d.receivers = {Emad{kSp, perm::kRW}, Emad{kSp, perm::kRO}};
  EXPECT_EQ(send(build_transaction(d, Layout::V1_1)), Check::DuplicateReceiver);
}

TEST(MemSendValidation, EmadsPointingToDifferentCompositesAreRejected) {
  Descriptor d = share();
  d.receivers = {Emad{kSp, perm::kRW}, Emad{kOtherSp, perm::kRW}};
  std::vector<uint8_t> b = build_transaction(d, Layout::V1_1);
  put32(b, 64 + 4, 96);  // the second EMAD's composite offset
  EXPECT_EQ(send(b), Check::CompositeOffsetsDiffer);
}

TEST(MemSendValidation, ReservedPermissionEncodingsAreRejected) {
  for (uint8_t p : {uint8_t(perm::kDataReserved), uint8_t(perm::kRW | perm::kInstReserved), uint8_t(perm::kRW | 0x10)}) {
    Descriptor d = share();
    d.receivers[0].permissions = p;
    EXPECT_EQ(send(build_transaction(d, Layout::V1_1)), Check::PermissionsReserved) << int(p);
  }
}

TEST(MemSendValidation, TheSenderMustNotSpecifyInstructionAccess) {
  Descriptor d = share();
  d.receivers[0].permissions = perm::kRW | perm::kNX;
  EXPECT_EQ(send(build_transaction(d, Layout::V1_1)), Check::InstructionAccessOnSend);
}

TEST(MemSendValidation, ShareAndLendNeedDataAccessAndDonateMustLeaveItUnspecified) {
  Descriptor d = share();
  d.receivers[0].permissions = 0;
  EXPECT_EQ(send(build_transaction(d, Layout::V1_1)), Check::DataAccessMissing);
  Descriptor l = lend();
  l.receivers[0].permissions = 0;
  EXPECT_EQ(send(build_transaction(l, Layout::V1_1), Transaction::Lend), Check::DataAccessMissing);
  l.receivers[0].permissions = perm::kRO;
  EXPECT_EQ(send(build_transaction(l, Layout::V1_1), Transaction::Donate), Check::DataAccessOnDonate);
  l.receivers[0].permissions = 0;
  EXPECT_EQ(send(build_transaction(l, Layout::V1_1), Transaction::Donate), Check::Ok);
}

TEST(MemSendValidation, TheNsBitInASendIsRejected) {
  Descriptor d = share();
  d.attributes |= attr::kNs;
  EXPECT_EQ(send(build_transaction(d, Layout::V1_1)), Check::NsBitSet);
}

TEST(MemSendValidation, LendToOneBorrowerAndDonateMustLeaveTheMemoryTypeUnspecified) {
  Descriptor d = lend();
  d.attributes = attr::kNormalWbInner;
  EXPECT_EQ(send(build_transaction(d, Layout::V1_1), Transaction::Lend), Check::MemoryTypeOnLendOrDonate);
  d.receivers[0].permissions = 0;
  EXPECT_EQ(send(build_transaction(d, Layout::V1_1), Transaction::Donate), Check::MemoryTypeOnLendOrDonate);
}

TEST(MemSendValidation, AShareOfMemoryOtherThanNormalWriteBackInnerShareableIsDenied) {
  for (uint16_t a : {uint16_t(attr::kNormal | attr::kNonCacheable | attr::kInnerShareable),
                     uint16_t(attr::kNormal | attr::kWriteBack | attr::kOuterShareable),
                     uint16_t(attr::kDevice | 4 | attr::kInnerShareable)}) {
    Descriptor d = share();
    d.attributes = a;
    EXPECT_EQ(send(build_transaction(d, Layout::V1_1)), Check::AttributesNotNormalWbInner) << a;
  }
  EXPECT_EQ(error_of(Check::AttributesNotNormalWbInner), Error::DENIED);
}

TEST(MemSendValidation, TheReservedMemoryTypeIsRejected) {
  Descriptor d = share();
  d.attributes = attr::kTypeReserved | attr::kWriteBack | attr::kInnerShareable;
  EXPECT_EQ(send(build_transaction(d, Layout::V1_1)), Check::MemoryTypeReserved);
}

// --- constituents (after the last fragment) ------------------------------------------------------

TEST(MemConstituentValidation, AnUnalignedAddressIsRejected) {
  Descriptor d = share();
  set_constituents(d, {{0x80200800, 1}});
  EXPECT_EQ(send_all(build_transaction(d, Layout::V1_1)), Check::ConstituentMisaligned);
}

TEST(MemConstituentValidation, AConstituentOfZeroPagesIsRejected) {
  Descriptor d = share();
  set_constituents(d, {{0x80200000, 1}, {0x80300000, 0}});
  EXPECT_EQ(send_all(build_transaction(d, Layout::V1_1)), Check::ZeroPageConstituent);
}

TEST(MemConstituentValidation, OverlappingConstituentsAreRejected) {
  Descriptor d = share();
  set_constituents(d, {{0x80200000, 4}, {0x80203000, 1}});
  EXPECT_EQ(send_all(build_transaction(d, Layout::V1_1)), Check::ConstituentsOverlap);
  set_constituents(d, {{0x80203000, 1}, {0x80200000, 4}});  // in any order
  EXPECT_EQ(send_all(build_transaction(d, Layout::V1_1)), Check::ConstituentsOverlap);
  set_constituents(d, {{0x80200000, 3}, {0x80203000, 1}});  // adjacent is fine
  EXPECT_EQ(send_all(build_transaction(d, Layout::V1_1)), Check::Ok);
}

TEST(MemConstituentValidation, ATotalPageCountThatIsNotTheSumIsRejected) {
  std::vector<uint8_t> b = build_transaction(share(), Layout::V1_1);
  put32(b, 64, 4);
  EXPECT_EQ(send_all(b), Check::PageCountMismatch);
}

TEST(MemConstituentValidation, AConstituentThatWrapsTheAddressSpaceIsRejected) {
  Descriptor d = share();
  set_constituents(d, {{0xFFFFFFFFFFFFF000ull, 2}});
  EXPECT_EQ(send_all(build_transaction(d, Layout::V1_1)), Check::ConstituentWraps);
}

TEST(MemConstituentValidation, NoConstituentsAtAllIsRejected) {
  Descriptor d;
  EXPECT_EQ(validate_constituents(d), Check::NoConstituents);
}

TEST(MemConstituentValidation, AFragmentOfWholeConstituentsParsesAndAPartialOneDoesNot) {
  std::vector<uint8_t> b;
  append_constituents(b, {{0x1000, 1}, {0x3000, 2}});
  std::vector<Constituent> out;
  EXPECT_EQ(parse_constituents(b.data(), 32, out), Check::Ok);
  EXPECT_EQ(out.size(), 2u);
  EXPECT_EQ(parse_constituents(b.data(), 24, out), Check::LengthNotMultipleOf16);
}

// --- retrieve requests (4.8 item 3) ---------------------------------------------------------------

// The lender's descriptor as the SPMC stores it: flags carry the transaction type.
Descriptor sent(Transaction t = Transaction::Share) {
  Descriptor d = t == Transaction::Share ? share() : lend();
  if (t == Transaction::Donate) d.receivers[0].permissions = 0;
  d.flags |= type_flags(t);
  d.handle = 5;
  return d;
}

Descriptor request(const Descriptor& s, uint8_t perms = 0) {
  Descriptor r = s;
  r.flags = 0;
  r.attributes = 0;
  r.receivers[0].permissions = perms;
  return r;
}

Check retrieve(const Descriptor& req, const Descriptor& snt, Transaction t = Transaction::Share,
               EndpointId caller = kSp, Grant* g = nullptr) {
  Grant tmp;
  return validate_retrieve(req, snt, t, caller, g ? *g : tmp);
}

TEST(MemRetrieveValidation, ARequestLengthOtherThanHeaderPlusEmadsIsRejected) {
  std::vector<uint8_t> b = build_retrieve_request(share(), Layout::V1_1);
  Descriptor out;
  EXPECT_EQ(parse_retrieve_request(b.data(), uint32_t(b.size()), Layout::V1_1, out), Check::Ok);
  b.resize(80);
  EXPECT_EQ(parse_retrieve_request(b.data(), 80, Layout::V1_1, out), Check::RetrieveLengthMismatch);
}

TEST(MemRetrieveValidation, AShareIsGrantedReadWriteNonExecutable) {
  Grant g;
  EXPECT_EQ(retrieve(request(sent()), sent(), Transaction::Share, kSp, &g), Check::Ok);
  EXPECT_EQ(g.permissions, perm::kRW | perm::kNX);
  EXPECT_EQ(g.receiver_index, 0u);
}

TEST(MemRetrieveValidation, AskingForReadOnlyOfReadWriteMemoryGrantsReadOnly) {
  Grant g;
  EXPECT_EQ(retrieve(request(sent(), perm::kRO), sent(), Transaction::Share, kSp, &g), Check::Ok);
  EXPECT_EQ(perm::data(g.permissions), perm::kRO);
}

TEST(MemRetrieveValidation, AskingForMoreDataAccessThanSentIsDenied) {
  Descriptor s = sent();
  s.receivers[0].permissions = perm::kRO;
  EXPECT_EQ(retrieve(request(s, perm::kRW), s), Check::RetrieveDataAccessAboveSent);
  EXPECT_EQ(error_of(Check::RetrieveDataAccessAboveSent), Error::DENIED);
  EXPECT_EQ(error_of(Check::RetrieveDataAccessAboveSent, true), Error::INVALID_PARAMETERS);
}

TEST(MemRetrieveValidation, ASenderOtherThanTheLendersIsDenied) {
  Descriptor r = request(sent());
  r.sender = kOtherSp;
  EXPECT_EQ(retrieve(r, sent()), Check::RetrieveSenderMismatch);
}

TEST(MemRetrieveValidation, AWrongTransactionTypeOrTagIsRejected) {
  Descriptor r = request(sent());
  r.flags = type_flags(Transaction::Lend);
  EXPECT_EQ(retrieve(r, sent()), Check::RetrieveTypeMismatch);
  r.flags = type_flags(Transaction::Share);
  EXPECT_EQ(retrieve(r, sent()), Check::Ok);
  r.tag = 1;
  EXPECT_EQ(retrieve(r, sent()), Check::RetrieveTagMismatch);
}

TEST(MemRetrieveValidation, ARetrieveByAnEndpointThatIsNotABorrowerIsRejected) {
  EXPECT_EQ(retrieve(request(sent()), sent(), Transaction::Share, kOtherSp), Check::RetrieveCallerNotReceiver);
}

TEST(MemRetrieveValidation, HintsAndReservedFlagsAreRejected) {
  Descriptor r = request(sent());
  r.flags = flags::kHintValid;
  EXPECT_EQ(retrieve(r, sent()), Check::RetrieveHintNotSupported);
  r.flags = 1u << 11;
  EXPECT_EQ(retrieve(r, sent()), Check::RetrieveFlagsReserved);
}

TEST(MemRetrieveValidation, ZeroFlagsOnAShareAreRejectedAndOnALendNeedTheLendersFlag) {
  Descriptor r = request(sent());
  r.flags = flags::kZeroAfterRelinquish;
  EXPECT_EQ(retrieve(r, sent()), Check::RetrieveZeroOnShare);
  Descriptor l = request(sent(Transaction::Lend), perm::kRW | perm::kNX);
  l.flags = flags::kZeroMemory;
  EXPECT_EQ(retrieve(l, sent(Transaction::Lend), Transaction::Lend), Check::RetrieveZeroNotSetBySender);
}

TEST(MemRetrieveValidation, ZeroingWithReadOnlyAccessIsDenied) {
  Descriptor s = sent(Transaction::Lend);
  s.flags |= flags::kZeroMemory;
  Descriptor r = request(s, perm::kRO | perm::kNX);
  r.flags = flags::kZeroMemory;
  EXPECT_EQ(retrieve(r, s, Transaction::Lend), Check::RetrieveZeroWithReadOnly);
}

TEST(MemRetrieveValidation, TheNsBitOrBadAttributesInARequestAreRejected) {
  Descriptor r = request(sent());
  r.attributes = attr::kNs;
  EXPECT_EQ(retrieve(r, sent()), Check::RetrieveNsBitSet);
  r.attributes = attr::kNormal | attr::kNonCacheable | attr::kInnerShareable;
  EXPECT_EQ(retrieve(r, sent()), Check::AttributesNotNormalWbInner);
}

TEST(MemRetrieveValidation, TheReceiverListMustMatchTheLenders) {
  Descriptor r = request(sent());
  r.receivers.push_back(Emad{kOtherSp, 0});
  EXPECT_EQ(retrieve(r, sent()), Check::RetrieveReceiverCountMismatch);
}

TEST(MemRetrieveValidation, ACompositeOffsetInARequestIsRejected) {
  Descriptor r = request(sent());
  r.receivers[0].composite_offset = 64;
  EXPECT_EQ(retrieve(r, sent()), Check::RetrieveCompositeOffsetNotZero);
}

TEST(MemRetrieveValidation, ARequestNamingAnotherEndpointIsDenied) {
  Descriptor r = request(sent());
  r.receivers[0].receiver = kOtherSp;
  EXPECT_EQ(retrieve(r, sent()), Check::RetrieveReceiverUnknown);
}

TEST(MemRetrieveValidation, InstructionAccessIsForbiddenOnShareAndRequiredOnSingleLend) {
  EXPECT_EQ(retrieve(request(sent(), perm::kRW | perm::kX), sent()), Check::RetrieveInstructionAccessOnShare);
  EXPECT_EQ(retrieve(request(sent(Transaction::Lend), perm::kRW), sent(Transaction::Lend), Transaction::Lend),
            Check::RetrieveInstructionAccessMissing);
  Grant g;
  EXPECT_EQ(retrieve(request(sent(Transaction::Lend), perm::kX), sent(Transaction::Lend), Transaction::Lend, kSp, &g),
            Check::Ok);
  EXPECT_EQ(g.permissions, perm::kRW | perm::kX);
}

TEST(MemRetrieveValidation, ExecuteOnMemorySentNonExecutableIsDenied) {
  Descriptor s = sent(Transaction::Lend);
  s.receivers[0].permissions = perm::kRW | perm::kNX;
  EXPECT_EQ(retrieve(request(s, perm::kX), s, Transaction::Lend), Check::RetrieveInstructionAccessAboveSent);
}

TEST(MemRetrieveValidation, AV12ImpdefValueMustMatchTheLenders) {
  Descriptor s = sent();
  s.emad_size = kEmadV1_2;
  s.receivers[0].impdef[0] = 9;
  Descriptor r = request(s);
  r.receivers[0].impdef[0] = 0;
  EXPECT_EQ(retrieve(r, s), Check::RetrieveImpdefMismatch);
  r.receivers[0].impdef[0] = 9;
  EXPECT_EQ(retrieve(r, s), Check::Ok);
}

TEST(MemRetrieveValidation, WithTheBypassFlagOnlyTheCallersEmadCounts) {
  Descriptor s = sent();
  s.receivers.push_back(Emad{kOtherSp, perm::kRW});
  Descriptor r = request(s);
  r.receivers = {Emad{kSp, 0}};
  EXPECT_EQ(retrieve(r, s), Check::RetrieveReceiverCountMismatch);
  r.flags = flags::kBypassBorrowerCheck;
  EXPECT_EQ(retrieve(r, s), Check::Ok);
  r.receivers = {Emad{kOtherSp, 0}};
  EXPECT_EQ(retrieve(r, s), Check::RetrieveCallerMissing);
}

TEST(MemRetrieveValidation, DeviceMemoryCannotBeRetrievedAsNormal) {
  Descriptor s = sent();
  s.attributes = attr::kDevice | attr::kInnerShareable;
  Descriptor r = request(s);
  r.attributes = attr::kNormalWbInner;
  EXPECT_EQ(retrieve(r, s), Check::RetrieveDeviceAsNormal);
}

// --- relinquish (4.8 item 4) ----------------------------------------------------------------------

TEST(MemRelinquishValidation, ExactlyOneEndpointIsAccepted) {
  Relinquish out;
  std::vector<uint8_t> b = build_relinquish({3, 0, {kSp}});
  EXPECT_EQ(parse_relinquish(b.data(), uint32_t(b.size()), out), Check::Ok);
  EXPECT_EQ(out.handle, 3u);
  b = build_relinquish({3, 0, {kSp, kOtherSp}});
  EXPECT_EQ(parse_relinquish(b.data(), uint32_t(b.size()), out), Check::RelinquishEndpointCount);
  b = build_relinquish({3, 0, {}});
  EXPECT_EQ(parse_relinquish(b.data(), uint32_t(b.size()), out), Check::RelinquishEndpointCount);
}

TEST(MemRelinquishValidation, ADescriptorLongerThanTheBufferIsRejected) {
  std::vector<uint8_t> b = build_relinquish({3, 0, {kSp}});
  put32(b, 12, 0x10000);
  Relinquish out;
  EXPECT_EQ(parse_relinquish(b.data(), uint32_t(b.size()), out), Check::RelinquishTooLong);
}

TEST(MemRelinquishValidation, FlagsAboveBit1AreReserved) {
  std::vector<uint8_t> b = build_relinquish({3, 4, {kSp}});
  Relinquish out;
  EXPECT_EQ(parse_relinquish(b.data(), uint32_t(b.size()), out), Check::RelinquishFlagsReserved);
}

TEST(MemChecks, EveryCheckHasANameAndAnError) {
  for (int c = 0; c <= int(Check::RelinquishFlagsReserved); ++c) {
    EXPECT_STRNE(check_name(Check(c)), "?") << c;
    const Error e = error_of(Check(c));
    EXPECT_TRUE(e == Error::INVALID_PARAMETERS || e == Error::DENIED) << check_name(Check(c));
  }
}

}  // namespace
}  // namespace ffasim::ffa::mem
