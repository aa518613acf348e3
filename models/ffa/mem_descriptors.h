// FF-A memory management descriptors (../shared/reference/ffa-abi.md section 4): the memory
// transaction descriptor (v1.0 32-byte and v1.1+ 48-byte headers), endpoint memory access
// descriptors (16 and 32 bytes), the composite and constituent descriptors and the relinquish
// descriptor. Byte-exact builders, and parsers that validate and return a Check value naming the
// rule a descriptor breaks (no exceptions); error_of() maps it to the FF-A error the SPMC
// returns. The checks follow Hafnium's order (ffa_memory_send_validate,
// ffa_memory_retrieve_validate, ffa_memory_retrieve_validate_memory_access_list); where this
// model checks more than Hafnium (reserved fields, zero pages, overlapping constituents), the
// Check says so. Depends only on models/ffa.
#pragma once

#include <cstdint>
#include <vector>

#include "models/ffa/abi.h"
#include "models/ffa/types.h"

namespace ffasim::ffa::mem {

inline constexpr uint32_t kPageSize = 4096;
inline constexpr uint32_t kHeaderV1_0 = 32, kHeaderV1_1 = 48;       // section 4.1
inline constexpr uint32_t kEmadV1_0 = 16, kEmadV1_2 = 32;           // section 4.2 (v1.1 = 16)
inline constexpr uint32_t kCompositeSize = 16, kConstituentSize = 16;  // section 4.6
inline constexpr uint32_t kRelinquishHeader = 16;
inline constexpr uint32_t kMaxReceivers = 2;                        // Hafnium MAX_MEM_SHARE_RECIPIENTS
inline constexpr uint64_t kInvalidHandle = ~0ull;                   // section 4.7
inline constexpr uint64_t kHandleHypervisorBit = 1ull << 63;         // allocator bit

// Access permissions byte of an EMAD (section 4.3).
namespace perm {
inline constexpr uint8_t kDataMask = 0x3;
inline constexpr uint8_t kDataNotSpecified = 0, kRO = 1, kRW = 2, kDataReserved = 3;
inline constexpr uint8_t kInstMask = 0xC;
inline constexpr uint8_t kInstNotSpecified = 0, kNX = 1 << 2, kX = 2 << 2, kInstReserved = 3 << 2;
inline constexpr uint8_t kReservedMask = 0xF0;
constexpr uint8_t data(uint8_t p) { return p & kDataMask; }
constexpr uint8_t inst(uint8_t p) { return p & kInstMask; }
}  // namespace perm

// Memory region attributes (header offset 2; section 4.4).
namespace attr {
inline constexpr uint16_t kShareMask = 0x3, kNonShareable = 0, kOuterShareable = 2, kInnerShareable = 3;
inline constexpr uint16_t kCacheMask = 0xC, kNonCacheable = 1 << 2, kWriteBack = 3 << 2;
inline constexpr uint16_t kDevNGnRnE = 0;
inline constexpr uint16_t kTypeMask = 0x30, kTypeNotSpecified = 0, kDevice = 1 << 4, kNormal = 2 << 4;
inline constexpr uint16_t kTypeReserved = 3 << 4;
inline constexpr uint16_t kNs = 1 << 6;
inline constexpr uint16_t kReservedV1_0 = 0x80;    // bit 7 of the 8-bit field
inline constexpr uint16_t kReservedV1_1 = 0xFF80;  // bits[15:7] of the 16-bit field
inline constexpr uint16_t kNormalWbInner = kNormal | kWriteBack | kInnerShareable;  // 0x2F
}  // namespace attr

// Flags word (header offset 4; section 4.5).
namespace flags {
inline constexpr uint32_t kZeroMemory = 1u << 0;          // send/retrieve; relinquish "zero after"
inline constexpr uint32_t kTimeSlice = 1u << 1;
inline constexpr uint32_t kZeroAfterRelinquish = 1u << 2;  // retrieve request
inline constexpr uint32_t kTypeShift = 3, kTypeMask = 3u << 3;
inline constexpr uint32_t kHintMask = 0xFu << 5, kHintValid = 1u << 9;
inline constexpr uint32_t kBypassBorrowerCheck = 1u << 10;  // v1.2 (Hafnium)
inline constexpr uint32_t kRetrieveValidMask = 0x7FF;     // bits[31:11] MBZ in a retrieve request
}  // namespace flags

// Transaction type (flags bits[4:3]).
enum class Transaction : uint8_t { Unspecified = 0, Share = 1, Lend = 2, Donate = 3 };
constexpr uint32_t type_flags(Transaction t) { return uint32_t(t) << flags::kTypeShift; }
constexpr Transaction type_of_flags(uint32_t f) { return Transaction((f & flags::kTypeMask) >> flags::kTypeShift); }

// Header layout, chosen by the caller's FF-A version: a v1.0 caller writes the 32-byte header
// (16-byte EMADs at offset 32), a v1.1+ caller the 48-byte header whose EMAD size and offset are
// fields (Linux: 16 for v1.1, 32 for v1.2; offset 48).
enum class Layout : uint8_t { V1_0, V1_1 };
constexpr Layout layout_for(Version v) { return v < kV1_1 ? Layout::V1_0 : Layout::V1_1; }
constexpr uint32_t header_size(Layout l) { return l == Layout::V1_0 ? kHeaderV1_0 : kHeaderV1_1; }

// Endpoint memory access descriptor (section 4.2).
struct Emad {
  EndpointId receiver;
  uint8_t permissions = 0;
  uint8_t flags = 0;              // bit0 = non-retrieval borrower
  uint32_t composite_offset = 0;  // 0 in a retrieve request
  uint64_t impdef[2] = {0, 0};    // v1.2 (32-byte EMAD) only
};

// Constituent memory region descriptor (section 4.6).
struct Constituent {
  uint64_t address = 0;  // 4 KiB aligned
  uint32_t page_count = 0;
  friend bool operator==(const Constituent& a, const Constituent& b) {
    return a.address == b.address && a.page_count == b.page_count;
  }
};

// A memory transaction descriptor: a send (LEND/SHARE/DONATE), a retrieve request or a retrieve
// response. `total_page_count` and `constituent_count` are the composite header's fields, written
// and read as they are; `constituents` holds those present (a fragment may carry fewer).
struct Descriptor {
  EndpointId sender;
  uint16_t attributes = 0;
  uint32_t flags = 0;
  uint64_t handle = 0;
  uint64_t tag = 0;
  uint32_t emad_size = kEmadV1_0;   // v1.1+ layout: 16 or 32
  uint32_t emad_offset = kHeaderV1_1;  // v1.1+ layout: offset of the EMAD array
  std::vector<Emad> receivers;
  uint32_t total_page_count = 0;
  uint32_t constituent_count = 0;
  std::vector<Constituent> constituents;
};

// Sets `constituents` and the composite header's counts consistently.
void set_constituents(Descriptor& d, std::vector<Constituent> c);

// The relinquish descriptor (section 4.6).
struct Relinquish {
  uint64_t handle = 0;
  uint32_t flags = 0;  // bit0 zero memory after relinquish, bit1 time slicing
  std::vector<EndpointId> endpoints;
};

// --- builders (little-endian, exactly the layouts of section 4) ----------------------------

// Header, EMADs, the composite descriptor at the first offset after the EMADs (every EMAD points
// to it) and `d.constituents`. A v1.0 layout uses 16-byte EMADs at offset 32 whatever
// d.emad_size/emad_offset say.
std::vector<uint8_t> build_transaction(const Descriptor& d, Layout l);
// Header and EMADs only, composite offsets 0 (a retrieve request, section 4.8 item 3).
std::vector<uint8_t> build_retrieve_request(const Descriptor& d, Layout l);
std::vector<uint8_t> build_relinquish(const Relinquish& r);
void append_constituents(std::vector<uint8_t>& out, const std::vector<Constituent>& c);
// Where build_transaction puts the composite descriptor.
uint32_t composite_offset(const Descriptor& d, Layout l);

// --- validation ------------------------------------------------------------------------------

// Every rule a descriptor can break. error_of() gives the FF-A error.
enum class Check : uint8_t {
  Ok,
  // Lengths and the header (section 4.8 item 1).
  FragmentLongerThanTotal,        // w2 > w1
  FragmentTooShort,               // first fragment < header + EMADs + composite header
  LengthNotMultipleOf16,          // w1 or w2 (or a FRAG_TX fragment) not a multiple of 16
  TotalTooShort,                  // total < header + EMADs + composite + one constituent
  HeaderReservedNotZero,          // v1.0 byte 3 / bytes 24-27, v1.1 bytes 36-47, attributes bits[15:7]
  EmadSizeInvalid,                // v1.1+: EMAD size not 16 or 32
  EmadOffsetInvalid,              // v1.1+: EMAD offset below 48 or not 16-byte aligned
  NoReceivers,
  TooManyReceivers,               // above kMaxReceivers
  DonateNeedsOneReceiver,
  SenderNotCaller,                // DENIED (Hafnium: "Invalid memory sender ID")
  EmadReservedNotZero,            // EMAD flags bits[7:1], v1.0/v1.1 bytes 8-15, v1.2 bytes 24-31 (model)
  CompositeOffsetInsideEmads,
  CompositeOffsetMisaligned,
  CompositeOutsideFirstFragment,
  CompositeReservedNotZero,       // composite bytes 8-15 (model)
  ConstituentCountMismatch,       // composite count vs total length
  // Flags, permissions and attributes (sections 4.3-4.5).
  ZeroFlagOnShare,
  FlagsReserved,                  // any send flag but bit0 (Hafnium rejects time slicing too)
  ReceiverIsSender,
  DuplicateReceiver,
  CompositeOffsetsDiffer,
  PermissionsReserved,            // data or instruction access 3, or bits[7:4]
  InstructionAccessOnSend,        // the sender must leave instruction access unspecified
  DataAccessMissing,              // SHARE and LEND must specify data access
  DataAccessOnDonate,             // DONATE must leave it unspecified
  NsBitSet,
  MemoryTypeOnLendOrDonate,       // DONATE and single-borrower LEND leave the type unspecified
  MemoryTypeReserved,             // type 3 (model)
  AttributesNotNormalWbInner,     // DENIED (Hafnium ffa_memory_attributes_validate)
  // Constituents, once every fragment arrived.
  NoConstituents,                 // Hafnium constituents_get_mode
  ConstituentReservedNotZero,     // constituent bytes 12-15 (model)
  ConstituentMisaligned,
  ConstituentWraps,               // address + size overflows (model)
  ZeroPageConstituent,            // (model)
  PageCountMismatch,              // composite total page count != sum of constituents
  ConstituentsOverlap,            // (model)
  // Retrieve request (section 4.8 item 3).
  RetrieveLengthMismatch,         // length != EMAD offset + count * EMAD size
  RetrieveSenderMismatch,         // DENIED
  RetrieveTypeMismatch,
  RetrieveTagMismatch,
  RetrieveCallerNotReceiver,      // the caller is not among the lender's receivers
  RetrieveHintNotSupported,       // flags bits[9:5]
  RetrieveFlagsReserved,          // flags bits[31:11]
  RetrieveZeroOnShare,            // zero flags (bit0, bit2) on a SHARE
  RetrieveZeroNotSetBySender,     // DENIED
  RetrieveNsBitSet,
  RetrieveReceiverCountMismatch,
  RetrieveCompositeOffsetNotZero,
  RetrieveReceiverUnknown,        // DENIED
  RetrieveDataAccessAboveSent,    // DENIED
  RetrieveInstructionAccessOnShare,
  RetrieveInstructionAccessMissing,  // single-borrower LEND/DONATE must ask for NX or X
  RetrieveInstructionAccessAboveSent,  // DENIED
  RetrieveZeroWithReadOnly,       // DENIED
  RetrieveImpdefMismatch,         // v1.2 EMADs
  RetrieveCallerMissing,          // no EMAD for the caller
  RetrieveDeviceAsNormal,         // DENIED
  // Relinquish descriptor (section 4.8 item 4).
  RelinquishTooLong,              // 16 + 2 * count beyond the TX buffer
  RelinquishEndpointCount,        // not exactly one endpoint
  RelinquishFlagsReserved,        // flags bits[31:2] (model)
};
const char* check_name(Check c);
// The FF-A error for a check (Hafnium's). With `el3` (the TF-A EL3 SPMC) the retrieve checks that
// Hafnium answers DENIED are INVALID_PARAMETERS (spmc_ffa_mem_retrieve_req).
Error error_of(Check c, bool el3 = false);

// What the first fragment of a LEND/SHARE/DONATE is checked against.
struct SendContext {
  Transaction type = Transaction::Share;
  EndpointId caller;
  bool caller_is_nwd = false;
};

// Parses and validates the first fragment (`fragment_length` bytes at `p`) of a descriptor of
// `total_length` bytes: every check of section 4.8 item 1 and 4.3-4.5 that needs no other
// fragment. On Ok `out` holds the header, EMADs, composite counts and the constituents present.
Check parse_send(const uint8_t* p, uint32_t fragment_length, uint32_t total_length, Layout l,
                 const SendContext& ctx, Descriptor& out);
// A FFA_MEM_FRAG_TX fragment: whole constituents only. Appends to `out`.
Check parse_constituents(const uint8_t* p, uint32_t length, std::vector<Constituent>& out);
// After the last fragment: alignment, zero pages, the page count, overlaps.
Check validate_constituents(const Descriptor& d);

// Parses a retrieve request of `length` bytes (structure only: lengths, reserved fields).
Check parse_retrieve_request(const uint8_t* p, uint32_t length, Layout l, Descriptor& out);

// What a successful retrieve grants the caller.
struct Grant {
  size_t receiver_index = 0;  // in the lender's descriptor
  uint8_t permissions = 0;    // data RO/RW and instruction NX/X
};
// Checks a retrieve request from `caller` against what the lender sent (type `sent_type`).
Check validate_retrieve(const Descriptor& req, const Descriptor& sent, Transaction sent_type,
                        EndpointId caller, Grant& grant);

// Parses the relinquish descriptor at the start of a TX buffer of `available` bytes.
Check parse_relinquish(const uint8_t* p, uint32_t available, Relinquish& out);

}  // namespace ffasim::ffa::mem
