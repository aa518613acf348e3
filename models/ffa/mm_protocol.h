// The MM communicate protocol over FF-A, spoken between a normal-world MM client (U-Boot's
// lib/efi_loader/efi_variable_tee.c, EDK2's MmCommunicationDxe) and an MM secure partition
// (StandaloneMM, Trusted Services' smm-gateway). Shared by both sides, as include/mm_communication.h
// is, so neither model includes the other. All multi-byte fields are little-endian; efi_uintn_t
// and size_t are 8 bytes (AArch64).
//
// Doorbell (U-Boot ffa_notify_mm_sp; smm-gateway mm_communicate_call_ep_receive):
//   FFA_MSG_SEND_DIRECT_REQ_64, x3 = offset of the EFI_MM_COMMUNICATE_HEADER in the shared
//   buffer (U-Boot: CONFIG_FFA_SHARED_MM_BUF_OFFSET), x4-x7 = 0.
//   FFA_MSG_SEND_DIRECT_RESP_64, x3 = MM return code (int32, below), x4-x7 = 0. The response is in
//   the same buffer, MessageLength updated to its length.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "models/ffa/types.h"

namespace ffasim::ffa::mm {

// The FF-A service UUID every MM partition shares (U-Boot MM_SP_UUID, smm-gateway's manifest):
// smm-gateway's "ed32d533-4209-99e6-2d72-cdd998a79cc0" in U-Boot's little-endian binary form
// (uuid_str_to_le_bin), as the four words of FFA_PARTITION_INFO_GET w1-w4 and of the manifest;
// as RFC bytes (ffa-abi.md section 3.2) it prints 33d532ed-0942-e699-722d-c09ca798d9cd.
inline Uuid sp_uuid() { return Uuid::from_words(0xed32d533, 0x99e64209, 0x9cc02d72, 0xcdd998a7); }

// An EFI_GUID in memory: u32 Data1, u16 Data2, u16 Data3 (little-endian), then 8 bytes Data4.
struct Guid {
  uint8_t bytes[16];
  friend bool operator==(const Guid& a, const Guid& b) {
    for (int i = 0; i < 16; ++i)
      if (a.bytes[i] != b.bytes[i]) return false;
    return true;
  }
};
constexpr Guid make_guid(uint32_t d1, uint16_t d2, uint16_t d3, const uint8_t (&d4)[8]) {
  return Guid{{uint8_t(d1), uint8_t(d1 >> 8), uint8_t(d1 >> 16), uint8_t(d1 >> 24), uint8_t(d2),
               uint8_t(d2 >> 8), uint8_t(d3), uint8_t(d3 >> 8), d4[0], d4[1], d4[2], d4[3], d4[4],
               d4[5], d4[6], d4[7]}};
}
// EFI_MM_VARIABLE_GUID / gEfiSmmVariableProtocolGuid: ed32d533-99e6-4209-9cc0-2d72cdd998a7, the
// header GUID of every variable request.
inline constexpr uint8_t kVariableGuidData4[8] = {0x9c, 0xc0, 0x2d, 0x72, 0xcd, 0xd9, 0x98, 0xa7};
inline constexpr Guid VARIABLE_GUID = make_guid(0xed32d533, 0x99e6, 0x4209, kVariableGuidData4);
// EFI_GLOBAL_VARIABLE: 8be4df61-93ca-11d2-aa0d-00e098032b8c (vendor GUID of BootOrder, PK, ...).
inline constexpr uint8_t kGlobalGuidData4[8] = {0xaa, 0x0d, 0x00, 0xe0, 0x98, 0x03, 0x2b, 0x8c};
inline constexpr Guid GLOBAL_VARIABLE_GUID = make_guid(0x8be4df61, 0x93ca, 0x11d2, kGlobalGuidData4);

// MM return codes in x3 of the direct response (U-Boot efi_variable_tee.c, TS mm_smc.h).
inline constexpr int32_t MM_SUCCESS = 0, MM_NOT_SUPPORTED = -1, MM_INVALID_PARAMETER = -2,
                         MM_DENIED = -3, MM_NO_MEMORY = -5;

// struct efi_mm_communicate_header { efi_guid_t header_guid; size_t message_len; u8 data[]; }
inline constexpr uint32_t HDR_GUID = 0, HDR_MESSAGE_LEN = 16;
inline constexpr uint32_t MM_COMMUNICATE_HEADER_SIZE = 24;
// struct smm_variable_communicate_header { efi_uintn_t function; efi_status_t ret_status; u8 data[]; }
inline constexpr uint32_t VAR_FUNCTION = 0, VAR_RET_STATUS = 8;
inline constexpr uint32_t MM_VARIABLE_COMMUNICATE_SIZE = 16;
// Both headers: where a variable function's payload starts in the buffer.
inline constexpr uint32_t PAYLOAD = MM_COMMUNICATE_HEADER_SIZE + MM_VARIABLE_COMMUNICATE_SIZE;

// SMM_VARIABLE_FUNCTION_* (EDK2 SmmVariableCommon.h).
inline constexpr uint64_t FUNCTION_GET_VARIABLE = 1, FUNCTION_GET_NEXT_VARIABLE_NAME = 2,
                          FUNCTION_SET_VARIABLE = 3, FUNCTION_QUERY_VARIABLE_INFO = 4,
                          FUNCTION_READY_TO_BOOT = 5, FUNCTION_EXIT_BOOT_SERVICE = 6,
                          FUNCTION_VAR_CHECK_VARIABLE_PROPERTY_SET = 9,
                          FUNCTION_VAR_CHECK_VARIABLE_PROPERTY_GET = 10, FUNCTION_GET_PAYLOAD_SIZE = 11;

// struct smm_variable_access { efi_guid_t guid; efi_uintn_t data_size; efi_uintn_t name_size;
// u32 attr; u16 name[]; } -- the data follows the name.
inline constexpr uint32_t ACC_GUID = 0, ACC_DATA_SIZE = 16, ACC_NAME_SIZE = 24, ACC_ATTR = 32;
inline constexpr uint32_t MM_VARIABLE_ACCESS_HEADER_SIZE = 36;
// struct smm_variable_getnext { efi_guid_t guid; efi_uintn_t name_size; u16 name[]; }
inline constexpr uint32_t NEXT_GUID = 0, NEXT_NAME_SIZE = 16;
inline constexpr uint32_t MM_VARIABLE_GET_NEXT_HEADER_SIZE = 24;
// struct smm_variable_query_info { u64 max_variable_storage; u64 remaining_variable_storage;
// u64 max_variable_size; u32 attr; } (28 bytes of fields, 32 with its tail padding)
inline constexpr uint32_t QUERY_MAX_STORAGE = 0, QUERY_REMAINING = 8, QUERY_MAX_VARIABLE = 16,
                          QUERY_ATTR = 24, QUERY_INFO_SIZE = 32;
// struct smm_variable_var_check_property { efi_guid_t guid; efi_uintn_t name_size;
// struct var_check_property { u16 revision; u16 property; u32 attributes; efi_uintn_t minsize;
// efi_uintn_t maxsize; } property; u16 name[]; }
inline constexpr uint32_t PROP_GUID = 0, PROP_NAME_SIZE = 16, PROP_PROPERTY = 24;
inline constexpr uint32_t MM_VARIABLE_PROPERTY_HEADER_SIZE = 48;
// struct smm_variable_payload_size { efi_uintn_t size; }
inline constexpr uint32_t PAYLOAD_SIZE_SIZE = 8;

// EFI variable attributes (UEFI 2.10 section 8.2).
inline constexpr uint32_t EFI_VARIABLE_NON_VOLATILE = 0x1, EFI_VARIABLE_BOOTSERVICE_ACCESS = 0x2,
                          EFI_VARIABLE_RUNTIME_ACCESS = 0x4, EFI_VARIABLE_HARDWARE_ERROR_RECORD = 0x8,
                          EFI_VARIABLE_AUTHENTICATED_WRITE_ACCESS = 0x10,
                          EFI_VARIABLE_TIME_BASED_AUTHENTICATED_WRITE_ACCESS = 0x20,
                          EFI_VARIABLE_APPEND_WRITE = 0x40;

}  // namespace ffasim::ffa::mm

namespace ffasim::ffa::efi {

// EFI_STATUS (UEFI 2.10 appendix D): errors have bit 63 set.
inline constexpr uint64_t EFI_ERROR_MASK = 1ull << 63;
constexpr uint64_t efi_error(uint64_t n) { return EFI_ERROR_MASK | n; }
inline constexpr uint64_t EFI_SUCCESS = 0;
inline constexpr uint64_t EFI_LOAD_ERROR = efi_error(1), EFI_INVALID_PARAMETER = efi_error(2),
                          EFI_UNSUPPORTED = efi_error(3), EFI_BAD_BUFFER_SIZE = efi_error(4),
                          EFI_BUFFER_TOO_SMALL = efi_error(5), EFI_NOT_READY = efi_error(6),
                          EFI_DEVICE_ERROR = efi_error(7), EFI_WRITE_PROTECTED = efi_error(8),
                          EFI_OUT_OF_RESOURCES = efi_error(9), EFI_NOT_FOUND = efi_error(14),
                          EFI_ACCESS_DENIED = efi_error(15), EFI_SECURITY_VIOLATION = efi_error(26);

// "EFI_BUFFER_TOO_SMALL", or "EFI_STATUS 0x..." for a value this header does not name.
std::string status_name(uint64_t status);

}  // namespace ffasim::ffa::efi
