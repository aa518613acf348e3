#include "models/ffa/abi.h"

#include <array>
#include <cstdio>

namespace ffasim::ffa {
namespace {

constexpr std::array<AbiInfo, size_t(Abi::kCount)> kTable = {{
#define FFA_ABI(NAME, fnum, forms, since, spmd, flow) \
  {Abi::NAME, "FFA_" #NAME, fnum, forms, since, SpmdRoute::spmd, Flow::flow},
#include "models/ffa/abi.def"
#undef FFA_ABI
}};

// fnum -> ABI index, or 0xFF.
constexpr std::array<uint8_t, kFnumMax - kFnumMin + 1> make_index() {
  std::array<uint8_t, kFnumMax - kFnumMin + 1> idx{};
  for (auto& v : idx) v = 0xFF;
  for (size_t i = 0; i < kTable.size(); ++i) idx[kTable[i].fnum - kFnumMin] = uint8_t(i);
  return idx;
}
constexpr auto kByFnum = make_index();

static_assert(kTable[size_t(Abi::MSG_SEND_DIRECT_REQ)].fnum == 0x6F);

}  // namespace

const AbiInfo& info(Abi abi) { return kTable[size_t(abi)]; }

bool is_64bit(uint64_t x0) { return (x0 & 0x40000000u) != 0; }

std::optional<Abi> decode(uint64_t x0) {
  const uint32_t w0 = uint32_t(x0) & ~0x10000u;  // SMCCC v1.3 SVE hint
  if ((w0 & 0xBFFFFF00u) != kFid32 || (x0 >> 32) != 0) return std::nullopt;
  const uint32_t fnum = w0 & 0xFF;
  if (fnum < kFnumMin || fnum > kFnumMax) return std::nullopt;
  const uint8_t i = kByFnum[fnum - kFnumMin];
  if (i == 0xFF) return std::nullopt;
  const AbiInfo& a = kTable[i];
  if (!(a.forms & (is_64bit(w0) ? F64 : F32))) return std::nullopt;
  return a.abi;
}

bool in_ffa_range(uint64_t x0) {
  const uint32_t w0 = uint32_t(x0) & ~0x10000u;
  return (x0 >> 32) == 0 && (w0 & 0xBFFFFF00u) == kFid32 && (w0 & 0xFF) >= kFnumMin &&
         (w0 & 0xFF) <= kFnumMax;
}

uint32_t fid(Abi abi, bool smc64) { return (smc64 ? kFid64 : kFid32) | info(abi).fnum; }

std::string fid_name(uint64_t x0) {
  if (auto a = decode(x0)) {
    const AbiInfo& i = info(*a);
    if (i.forms != (F32 | F64)) return i.name;
    return std::string(i.name) + (is_64bit(x0) ? "_64" : "_32");
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "FID 0x%08llx", (unsigned long long)x0);
  return buf;
}

const char* error_name(Error e) {
  switch (e) {
    case Error::NOT_SUPPORTED: return "FFA_NOT_SUPPORTED";
    case Error::INVALID_PARAMETERS: return "FFA_INVALID_PARAMETERS";
    case Error::NO_MEMORY: return "FFA_NO_MEMORY";
    case Error::BUSY: return "FFA_BUSY";
    case Error::INTERRUPTED: return "FFA_INTERRUPTED";
    case Error::DENIED: return "FFA_DENIED";
    case Error::RETRY: return "FFA_RETRY";
    case Error::ABORTED: return "FFA_ABORTED";
    case Error::NO_DATA: return "FFA_NO_DATA";
    case Error::NOT_READY: return "FFA_NOT_READY";
  }
  return "FFA_ERROR(?)";
}

Regs regs(uint64_t x0, uint64_t x1, uint64_t x2, uint64_t x3, uint64_t x4, uint64_t x5,
          uint64_t x6, uint64_t x7) {
  Regs r{};
  r[0] = x0; r[1] = x1; r[2] = x2; r[3] = x3; r[4] = x4; r[5] = x5; r[6] = x6; r[7] = x7;
  return r;
}

Regs error(Error e) { return regs(fid(Abi::ERROR), 0, uint32_t(int32_t(e))); }

Regs success(uint64_t w2, uint64_t w3, bool smc64) {
  return regs(fid(Abi::SUCCESS, smc64), 0, w2, w3);
}

bool is_error(const Regs& r, Error e) {
  return r[0] == fid(Abi::ERROR) && uint32_t(r[2]) == uint32_t(int32_t(e));
}

}  // namespace ffasim::ffa
