#include "models/ffa/mem_descriptors.h"

#include <algorithm>

namespace ffasim::ffa::mem {

namespace {

uint16_t get16(const uint8_t* p) { return uint16_t(p[0] | (p[1] << 8)); }
uint32_t get32(const uint8_t* p) { return uint32_t(get16(p)) | uint32_t(get16(p + 2)) << 16; }
uint64_t get64(const uint8_t* p) { return uint64_t(get32(p)) | uint64_t(get32(p + 4)) << 32; }
bool all_zero(const uint8_t* p, size_t n) {
  return std::all_of(p, p + n, [](uint8_t b) { return b == 0; });
}

void set16(uint8_t* p, uint16_t v) { p[0] = uint8_t(v); p[1] = uint8_t(v >> 8); }
void set32(uint8_t* p, uint32_t v) { set16(p, uint16_t(v)); set16(p + 2, uint16_t(v >> 16)); }
void set64(uint8_t* p, uint64_t v) { set32(p, uint32_t(v)); set32(p + 4, uint32_t(v >> 32)); }

// EMAD size and offset as a layout uses them.
uint32_t emad_size_of(const Descriptor& d, Layout l) { return l == Layout::V1_0 ? kEmadV1_0 : d.emad_size; }
uint32_t emad_offset_of(const Descriptor& d, Layout l) { return l == Layout::V1_0 ? kHeaderV1_0 : d.emad_offset; }

// Header and EMADs (with composite offset `comp` in each), sized to hold `extra` more bytes.
std::vector<uint8_t> build_head(const Descriptor& d, Layout l, uint32_t comp, size_t extra) {
  const uint32_t esz = emad_size_of(d, l), eoff = emad_offset_of(d, l);
  std::vector<uint8_t> o(eoff + d.receivers.size() * esz + extra, 0);
  set16(&o[0], d.sender.value);
  if (l == Layout::V1_0) {
    o[2] = uint8_t(d.attributes);
  } else {
    set16(&o[2], d.attributes);
    set32(&o[24], esz);
    set32(&o[32], eoff);
  }
  set32(&o[4], d.flags);
  set64(&o[8], d.handle);
  set64(&o[16], d.tag);
  set32(&o[28], uint32_t(d.receivers.size()));
  for (size_t i = 0; i < d.receivers.size(); ++i) {
    uint8_t* e = &o[eoff + i * esz];
    const Emad& r = d.receivers[i];
    set16(e, r.receiver.value);
    e[2] = r.permissions;
    e[3] = r.flags;
    set32(e + 4, comp);
    if (esz >= kEmadV1_2) {
      set64(e + 8, r.impdef[0]);
      set64(e + 16, r.impdef[1]);
    }
  }
  return o;
}

// The header checks shared by sends and retrieve requests: reserved fields, EMAD size/offset.
// Needs at least header_size(l) bytes. Fills the header fields of `out` (not the EMADs).
Check parse_header(const uint8_t* p, Layout l, Descriptor& out) {
  out.sender = EndpointId(get16(p));
  out.flags = get32(p + 4);
  out.handle = get64(p + 8);
  out.tag = get64(p + 16);
  if (l == Layout::V1_0) {
    out.attributes = p[2];
    out.emad_size = kEmadV1_0;
    out.emad_offset = kHeaderV1_0;
    if (p[3] != 0 || get32(p + 24) != 0 || (out.attributes & attr::kReservedV1_0))
      return Check::HeaderReservedNotZero;
  } else {
    out.attributes = get16(p + 2);
    out.emad_size = get32(p + 24);
    out.emad_offset = get32(p + 32);
    if (!all_zero(p + 36, 12) || (out.attributes & attr::kReservedV1_1)) return Check::HeaderReservedNotZero;
    if (out.emad_size != kEmadV1_0 && out.emad_size != kEmadV1_2) return Check::EmadSizeInvalid;
    if (out.emad_offset < kHeaderV1_1 || out.emad_offset % 16) return Check::EmadOffsetInvalid;
  }
  return Check::Ok;
}

// Reads the EMADs (the caller made sure they are inside the buffer).
Check parse_emads(const uint8_t* p, uint32_t count, const Descriptor& d, std::vector<Emad>& out) {
  for (uint32_t i = 0; i < count; ++i) {
    const uint8_t* e = p + d.emad_offset + size_t(i) * d.emad_size;
    Emad r;
    r.receiver = EndpointId(get16(e));
    r.permissions = e[2];
    r.flags = e[3];
    r.composite_offset = get32(e + 4);
    if (d.emad_size >= kEmadV1_2) {
      r.impdef[0] = get64(e + 8);
      r.impdef[1] = get64(e + 16);
      if (!all_zero(e + 24, 8)) return Check::EmadReservedNotZero;
    } else if (!all_zero(e + 8, 8)) {
      return Check::EmadReservedNotZero;
    }
    if (r.flags & 0xFE) return Check::EmadReservedNotZero;
    out.push_back(r);
  }
  return Check::Ok;
}

// Hafnium's ffa_memory_attributes_validate: Normal memory must be write-back, Device memory
// nGnRnE, and the shareability inner.
bool attributes_acceptable(uint16_t a) {
  const uint16_t type = a & attr::kTypeMask, cache = a & attr::kCacheMask;
  if (type == attr::kNormal && cache != attr::kWriteBack) return false;
  if (type == attr::kDevice && cache != attr::kDevNGnRnE) return false;
  return (a & attr::kShareMask) == attr::kInnerShareable;
}

// Per-receiver rules of a send (Hafnium ffa_memory_send_validate, in its order).
Check check_send_receivers(const Descriptor& d, Transaction type) {
  const uint32_t comp = d.receivers[0].composite_offset;
  for (size_t i = 0; i < d.receivers.size(); ++i) {
    const Emad& r = d.receivers[i];
    if (r.receiver == d.sender) return Check::ReceiverIsSender;
    for (size_t j = i + 1; j < d.receivers.size(); ++j)
      if (d.receivers[j].receiver == r.receiver) return Check::DuplicateReceiver;
    if (r.composite_offset != comp) return Check::CompositeOffsetsDiffer;
    const uint8_t data = perm::data(r.permissions), inst = perm::inst(r.permissions);
    if (data == perm::kDataReserved || inst == perm::kInstReserved || (r.permissions & perm::kReservedMask))
      return Check::PermissionsReserved;
    if (inst != perm::kInstNotSpecified) return Check::InstructionAccessOnSend;
    if ((type == Transaction::Share || type == Transaction::Lend) && data == perm::kDataNotSpecified)
      return Check::DataAccessMissing;
    if (type == Transaction::Donate && data != perm::kDataNotSpecified) return Check::DataAccessOnDonate;
  }
  return Check::Ok;
}

// Flags, the NS bit and the memory type and attributes of a send.
Check check_send_attributes(const Descriptor& d, Transaction type) {
  if (d.attributes & attr::kNs) return Check::NsBitSet;
  const uint16_t mtype = d.attributes & attr::kTypeMask;
  if (mtype == attr::kTypeReserved) return Check::MemoryTypeReserved;
  const bool unspecified_type = type == Transaction::Donate || (type == Transaction::Lend && d.receivers.size() == 1);
  if (unspecified_type) return mtype == attr::kTypeNotSpecified ? Check::Ok : Check::MemoryTypeOnLendOrDonate;
  return attributes_acceptable(d.attributes) ? Check::Ok : Check::AttributesNotNormalWbInner;
}

}  // namespace

void set_constituents(Descriptor& d, std::vector<Constituent> c) {
  d.constituents = std::move(c);
  d.constituent_count = uint32_t(d.constituents.size());
  uint64_t pages = 0;
  for (auto& k : d.constituents) pages += k.page_count;
  d.total_page_count = uint32_t(pages);
}

uint32_t composite_offset(const Descriptor& d, Layout l) {
  return emad_offset_of(d, l) + uint32_t(d.receivers.size()) * emad_size_of(d, l);
}

std::vector<uint8_t> build_transaction(const Descriptor& d, Layout l) {
  const uint32_t comp = composite_offset(d, l);
  std::vector<uint8_t> o = build_head(d, l, comp, kCompositeSize);
  set32(&o[comp], d.total_page_count);
  set32(&o[comp + 4], d.constituent_count);
  append_constituents(o, d.constituents);
  return o;
}

std::vector<uint8_t> build_retrieve_request(const Descriptor& d, Layout l) { return build_head(d, l, 0, 0); }

std::vector<uint8_t> build_relinquish(const Relinquish& r) {
  std::vector<uint8_t> o(kRelinquishHeader + 2 * r.endpoints.size(), 0);
  set64(&o[0], r.handle);
  set32(&o[8], r.flags);
  set32(&o[12], uint32_t(r.endpoints.size()));
  for (size_t i = 0; i < r.endpoints.size(); ++i) set16(&o[16 + 2 * i], r.endpoints[i].value);
  return o;
}

void append_constituents(std::vector<uint8_t>& out, const std::vector<Constituent>& c) {
  for (auto& k : c) {
    uint8_t b[kConstituentSize] = {};
    set64(b, k.address);
    set32(b + 8, k.page_count);
    out.insert(out.end(), b, b + kConstituentSize);
  }
}

Check parse_send(const uint8_t* p, uint32_t fragment_length, uint32_t total_length, Layout l,
                 const SendContext& ctx, Descriptor& out) {
  out = Descriptor{};
  if (fragment_length > total_length) return Check::FragmentLongerThanTotal;
  if (fragment_length < header_size(l)) return Check::FragmentTooShort;
  if (Check c = parse_header(p, l, out); c != Check::Ok) return c;
  const uint32_t count = get32(p + 28);
  if (count == 0) return Check::NoReceivers;
  if (count > kMaxReceivers) return Check::TooManyReceivers;
  if (ctx.type == Transaction::Donate && count != 1) return Check::DonateNeedsOneReceiver;
  const uint64_t emads_end = uint64_t(out.emad_offset) + uint64_t(count) * out.emad_size;
  if (fragment_length < emads_end + kCompositeSize) return Check::FragmentTooShort;
  if (fragment_length % 16 || total_length % 16) return Check::LengthNotMultipleOf16;
  if (ctx.caller_is_nwd ? out.sender.is_secure() : out.sender != ctx.caller) return Check::SenderNotCaller;
  if (emads_end + kCompositeSize + kConstituentSize > total_length) return Check::TotalTooShort;
  if (Check c = parse_emads(p, count, out, out.receivers); c != Check::Ok) return c;
  const uint32_t comp = out.receivers[0].composite_offset;
  if (comp < emads_end) return Check::CompositeOffsetInsideEmads;
  if (comp % 16) return Check::CompositeOffsetMisaligned;
  if (comp > fragment_length - kCompositeSize) return Check::CompositeOutsideFirstFragment;
  out.total_page_count = get32(p + comp);
  out.constituent_count = get32(p + comp + 4);
  if (!all_zero(p + comp + 8, 8)) return Check::CompositeReservedNotZero;
  const uint32_t constituents_bytes = total_length - (comp + kCompositeSize);
  if (constituents_bytes % kConstituentSize || constituents_bytes / kConstituentSize != out.constituent_count)
    return Check::ConstituentCountMismatch;
  if ((out.flags & flags::kZeroMemory) && ctx.type == Transaction::Share) return Check::ZeroFlagOnShare;
  if (out.flags & ~flags::kZeroMemory) return Check::FlagsReserved;
  if (Check c = check_send_receivers(out, ctx.type); c != Check::Ok) return c;
  if (Check c = check_send_attributes(out, ctx.type); c != Check::Ok) return c;
  return parse_constituents(p + comp + kCompositeSize, fragment_length - (comp + kCompositeSize), out.constituents);
}

Check parse_constituents(const uint8_t* p, uint32_t length, std::vector<Constituent>& out) {
  if (length % kConstituentSize) return Check::LengthNotMultipleOf16;
  for (uint32_t off = 0; off < length; off += kConstituentSize) {
    if (get32(p + off + 12) != 0) return Check::ConstituentReservedNotZero;
    out.push_back({get64(p + off), get32(p + off + 8)});
  }
  return Check::Ok;
}

Check validate_constituents(const Descriptor& d) {
  if (d.constituents.empty()) return Check::NoConstituents;
  uint64_t pages = 0;
  for (auto& k : d.constituents) {
    if (k.address % kPageSize) return Check::ConstituentMisaligned;
    if (k.page_count == 0) return Check::ZeroPageConstituent;
    if (k.address + uint64_t(k.page_count) * kPageSize - 1 < k.address) return Check::ConstituentWraps;
    pages += k.page_count;
  }
  if (pages != d.total_page_count) return Check::PageCountMismatch;
  std::vector<Constituent> sorted = d.constituents;
  std::sort(sorted.begin(), sorted.end(), [](auto& a, auto& b) { return a.address < b.address; });
  for (size_t i = 1; i < sorted.size(); ++i)
    if (sorted[i].address - sorted[i - 1].address < uint64_t(sorted[i - 1].page_count) * kPageSize)
      return Check::ConstituentsOverlap;
  return Check::Ok;
}

Check parse_retrieve_request(const uint8_t* p, uint32_t length, Layout l, Descriptor& out) {
  out = Descriptor{};
  if (length < header_size(l)) return Check::RetrieveLengthMismatch;
  if (Check c = parse_header(p, l, out); c != Check::Ok) return c;
  const uint32_t count = get32(p + 28);
  if (uint64_t(out.emad_offset) + uint64_t(count) * out.emad_size != length) return Check::RetrieveLengthMismatch;
  return parse_emads(p, count, out, out.receivers);
}

namespace {

// Hafnium ffa_memory_retrieve_is_memory_access_valid: the access the borrower asked for against
// what the lender sent; on Ok `granted` is what the borrower gets.
Check check_access(Transaction type, uint8_t sent, uint8_t asked, bool multiple_borrowers, uint8_t& granted) {
  const uint8_t sd = perm::data(sent), ad = perm::data(asked);
  const uint8_t si = perm::inst(sent), ai = perm::inst(asked);
  uint8_t data;
  if ((sd == perm::kDataNotSpecified || sd == perm::kRW) && (ad == perm::kDataNotSpecified || ad == perm::kRW))
    data = perm::kRW;
  else if (ad == perm::kDataNotSpecified || ad == perm::kRO)
    data = perm::kRO;
  else
    return Check::RetrieveDataAccessAboveSent;
  if (type == Transaction::Share || (type == Transaction::Lend && multiple_borrowers)) {
    if (ai != perm::kInstNotSpecified) return Check::RetrieveInstructionAccessOnShare;
  } else if (ai == perm::kInstNotSpecified) {
    return Check::RetrieveInstructionAccessMissing;
  }
  uint8_t inst;
  if ((si == perm::kInstNotSpecified || si == perm::kX) && ai == perm::kX)
    inst = perm::kX;
  else if (ai == perm::kInstNotSpecified || ai == perm::kNX)
    inst = perm::kNX;
  else
    return Check::RetrieveInstructionAccessAboveSent;
  granted = data | inst;
  return Check::Ok;
}

const Emad* find_receiver(const Descriptor& d, EndpointId id, size_t* index = nullptr) {
  for (size_t i = 0; i < d.receivers.size(); ++i)
    if (d.receivers[i].receiver == id) {
      if (index) *index = i;
      return &d.receivers[i];
    }
  return nullptr;
}

// Hafnium ffa_memory_retrieve_validate_memory_access_list.
Check check_access_list(const Descriptor& req, const Descriptor& sent, Transaction type, EndpointId caller,
                        Grant& grant) {
  const bool bypass = req.flags & flags::kBypassBorrowerCheck;
  if (bypass ? req.receivers.size() != 1 : req.receivers.size() != sent.receivers.size())
    return Check::RetrieveReceiverCountMismatch;
  bool found_caller = false;
  for (const Emad& r : req.receivers) {
    const bool is_caller = r.receiver == caller;
    if (bypass && !is_caller) continue;
    if (r.composite_offset != 0) return Check::RetrieveCompositeOffsetNotZero;
    size_t index = 0;
    const Emad* s = find_receiver(sent, r.receiver, &index);
    if (!s) return Check::RetrieveReceiverUnknown;
    uint8_t granted = 0;
    if (Check c = check_access(type, s->permissions, r.permissions, sent.receivers.size() > 1, granted); c != Check::Ok)
      return c;
    if (is_caller) {
      found_caller = true;
      grant = {index, granted};
      if (perm::data(granted) == perm::kRO && (req.flags & (flags::kZeroMemory | flags::kZeroAfterRelinquish)))
        return Check::RetrieveZeroWithReadOnly;
    }
    if (sent.emad_size >= kEmadV1_2 && req.emad_size >= kEmadV1_2 &&
        (s->impdef[0] != r.impdef[0] || s->impdef[1] != r.impdef[1]))
      return Check::RetrieveImpdefMismatch;
  }
  return found_caller ? Check::Ok : Check::RetrieveCallerMissing;
}

}  // namespace

Check validate_retrieve(const Descriptor& req, const Descriptor& sent, Transaction sent_type, EndpointId caller,
                        Grant& grant) {
  const Transaction asked = type_of_flags(req.flags);
  if (req.sender != sent.sender) return Check::RetrieveSenderMismatch;
  if (asked != Transaction::Unspecified && asked != sent_type) return Check::RetrieveTypeMismatch;
  if (req.tag != sent.tag) return Check::RetrieveTagMismatch;
  if (!find_receiver(sent, caller)) return Check::RetrieveCallerNotReceiver;
  if (req.flags & (flags::kHintValid | flags::kHintMask)) return Check::RetrieveHintNotSupported;
  if (req.flags & ~flags::kRetrieveValidMask) return Check::RetrieveFlagsReserved;
  if (sent_type == Transaction::Share && (req.flags & (flags::kZeroMemory | flags::kZeroAfterRelinquish)))
    return Check::RetrieveZeroOnShare;
  if ((req.flags & flags::kZeroMemory) && !(sent.flags & flags::kZeroMemory)) return Check::RetrieveZeroNotSetBySender;
  if (req.attributes & attr::kNs) return Check::RetrieveNsBitSet;
  if ((req.attributes & attr::kTypeMask) != attr::kTypeNotSpecified && !attributes_acceptable(req.attributes))
    return Check::AttributesNotNormalWbInner;
  if (Check c = check_access_list(req, sent, sent_type, caller, grant); c != Check::Ok) return c;
  if ((req.attributes & attr::kTypeMask) == attr::kNormal && (sent.attributes & attr::kTypeMask) == attr::kDevice)
    return Check::RetrieveDeviceAsNormal;
  return Check::Ok;
}

Check parse_relinquish(const uint8_t* p, uint32_t available, Relinquish& out) {
  out = Relinquish{};
  if (available < kRelinquishHeader) return Check::RelinquishTooLong;
  out.handle = get64(p);
  out.flags = get32(p + 8);
  const uint32_t count = get32(p + 12);
  if (kRelinquishHeader + 2 * uint64_t(count) > available) return Check::RelinquishTooLong;
  if (count != 1) return Check::RelinquishEndpointCount;
  out.endpoints.push_back(EndpointId(get16(p + 16)));
  if (out.flags & ~(flags::kZeroMemory | flags::kTimeSlice)) return Check::RelinquishFlagsReserved;
  return Check::Ok;
}

const char* check_name(Check c) {
  switch (c) {
#define N(x) case Check::x: return #x;
    N(Ok) N(FragmentLongerThanTotal) N(FragmentTooShort) N(LengthNotMultipleOf16) N(TotalTooShort)
    N(HeaderReservedNotZero) N(EmadSizeInvalid) N(EmadOffsetInvalid) N(NoReceivers) N(TooManyReceivers)
    N(DonateNeedsOneReceiver) N(SenderNotCaller) N(EmadReservedNotZero) N(CompositeOffsetInsideEmads)
    N(CompositeOffsetMisaligned) N(CompositeOutsideFirstFragment) N(CompositeReservedNotZero)
    N(ConstituentCountMismatch) N(ZeroFlagOnShare) N(FlagsReserved) N(ReceiverIsSender) N(DuplicateReceiver)
    N(CompositeOffsetsDiffer) N(PermissionsReserved) N(InstructionAccessOnSend) N(DataAccessMissing)
    N(DataAccessOnDonate) N(NsBitSet) N(MemoryTypeOnLendOrDonate) N(MemoryTypeReserved)
    N(AttributesNotNormalWbInner) N(NoConstituents) N(ConstituentReservedNotZero) N(ConstituentMisaligned) N(ConstituentWraps)
    N(ZeroPageConstituent) N(PageCountMismatch) N(ConstituentsOverlap) N(RetrieveLengthMismatch)
    N(RetrieveSenderMismatch) N(RetrieveTypeMismatch) N(RetrieveTagMismatch) N(RetrieveCallerNotReceiver)
    N(RetrieveHintNotSupported) N(RetrieveFlagsReserved) N(RetrieveZeroOnShare) N(RetrieveZeroNotSetBySender)
    N(RetrieveNsBitSet) N(RetrieveReceiverCountMismatch) N(RetrieveCompositeOffsetNotZero)
    N(RetrieveReceiverUnknown) N(RetrieveDataAccessAboveSent) N(RetrieveInstructionAccessOnShare)
    N(RetrieveInstructionAccessMissing) N(RetrieveInstructionAccessAboveSent) N(RetrieveZeroWithReadOnly)
    N(RetrieveImpdefMismatch) N(RetrieveCallerMissing) N(RetrieveDeviceAsNormal) N(RelinquishTooLong)
    N(RelinquishEndpointCount) N(RelinquishFlagsReserved)
#undef N
  }
  return "?";
}

Error error_of(Check c, bool el3) {
  switch (c) {
    case Check::SenderNotCaller:
    case Check::AttributesNotNormalWbInner:
      return Error::DENIED;
    case Check::RetrieveSenderMismatch:
    case Check::RetrieveZeroNotSetBySender:
    case Check::RetrieveReceiverUnknown:
    case Check::RetrieveDataAccessAboveSent:
    case Check::RetrieveInstructionAccessAboveSent:
    case Check::RetrieveZeroWithReadOnly:
    case Check::RetrieveDeviceAsNormal:
      return el3 ? Error::INVALID_PARAMETERS : Error::DENIED;
    default:
      return Error::INVALID_PARAMETERS;
  }
}

}  // namespace ffasim::ffa::mem
