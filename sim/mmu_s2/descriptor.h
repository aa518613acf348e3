// VMSAv8-64 translation table descriptors (long-descriptor format, 48-bit OA), s3.5 of
// ../shared/reference/armv8-gicv3-mmu.md. Shared by the walker, the page-table builder and the
// tests, so a bit position is written down once.
#pragma once

#include <cstdint>

namespace ffasim::sim::mmu::desc {

inline constexpr uint64_t VALID = 1ull << 0;
inline constexpr uint64_t TABLE = 1ull << 1;  // levels 0-2: table (1) or block (0); level 3: page
inline constexpr uint64_t TYPE_BLOCK = VALID;
inline constexpr uint64_t TYPE_TABLE = VALID | TABLE;
inline constexpr uint64_t TYPE_PAGE = VALID | TABLE;

// Output / next-table address field [47:12] (the granule's low bits are cleared per level).
inline constexpr uint64_t ADDR_MASK = 0x0000FFFFFFFFF000ull;

// Stage-1 table descriptor attributes (RES0 at stage 2).
inline constexpr unsigned PXN_TABLE = 59, XN_TABLE = 60, AP_TABLE_LO = 61, NS_TABLE = 63;

// Stage-1 block/page descriptor.
inline constexpr unsigned ATTR_INDX_LO = 2, NS = 5, AP_LO = 6, SH_LO = 8, AF = 10, NG = 11;
inline constexpr unsigned DBM = 51, CONTIGUOUS = 52, PXN = 53, UXN = 54;  // UXN = XN at EL2/EL3

// Stage-2 block/page descriptor.
inline constexpr unsigned S2_MEMATTR_LO = 2, S2AP_LO = 6, S2_XN_LO = 53;  // XN[1:0] at [54:53]

// AP[2:1] (stage 1).
inline constexpr uint64_t AP_RW_EL1 = 0, AP_RW_ALL = 1, AP_RO_EL1 = 2, AP_RO_ALL = 3;
// S2AP (stage 2): bit 0 read, bit 1 write.
inline constexpr uint64_t S2AP_NONE = 0, S2AP_RO = 1, S2AP_WO = 2, S2AP_RW = 3;
// Stage-2 XN[1:0] with FEAT_XNX (Hafnium STAGE2_EXECUTE_*).
inline constexpr uint64_t S2XN_ALL = 0, S2XN_EL0_ONLY = 1, S2XN_NONE = 2, S2XN_EL1_ONLY = 3;
// Stage-2 MemAttr[3:0]: 0b00dd Device (dd = nGnRnE/nGnRE/nGRE/GRE), 0bOOII Normal (01 NC, 10 WT,
// 11 WB).
inline constexpr uint64_t S2_DEVICE_nGnRnE = 0x0, S2_DEVICE_nGnRE = 0x1, S2_NORMAL_NC = 0x5;
inline constexpr uint64_t S2_NORMAL_WT = 0xA, S2_NORMAL_WB = 0xF;
// Shareability.
inline constexpr uint64_t SH_NSH = 0, SH_OSH = 2, SH_ISH = 3;

constexpr uint64_t field(uint64_t v, unsigned lo) { return v << lo; }

}  // namespace ffasim::sim::mmu::desc
