// The normal-world MM client's transport rules (U-Boot lib/efi_loader/efi_variable_tee.c over
// drivers/firmware/arm-ffa), as pure functions so each mapping is testable on its own.
#pragma once

#include <cstdint>

#include "sim/core/software.h"

namespace ffasim::nwd::mm_client {

// U-Boot errno values the mapping passes through (include/linux/errno.h).
inline constexpr int kEPERM = 1, kEINTR = 4, kENOMEM = 12, kEACCES = 13, kEBUSY = 16, kEINVAL = 22,
                     kEAGAIN = 11, kEOPNOTSUPP = 95, kECANCELED = 125;

// ffa_msg_send_direct_req_hdlr + ffa_to_std_errno: the errno of a doorbell's final result
// registers (after the FFA_INTERRUPT/FFA_RUN loop). 0 for FFA_SUCCESS_32 (data0 unchanged) or the
// DIRECT_RESP of the request's width (data0 = x3); otherwise the FF-A error code in w2 mapped
// NOT_SUPPORTED -EOPNOTSUPP, INVALID_PARAMETERS -EINVAL, NO_MEMORY -ENOMEM, BUSY -EBUSY,
// INTERRUPTED -EINTR, DENIED -EACCES, RETRY -EAGAIN, ABORTED -ECANCELED, any other -EINVAL.
int direct_req_errno(const sim::ArgRegs& result, bool smc64, uint64_t& data0);

// ffa_notify_mm_sp: the errno of the MM return code in x3 (as an int): MM_SUCCESS 0,
// MM_NOT_SUPPORTED -EINVAL, MM_INVALID_PARAMETER -EPERM, MM_DENIED -EACCES, MM_NO_MEMORY -EBUSY,
// anything else -EACCES.
int mm_return_errno(int32_t sp_event_ret);

// ffa_mm_communicate: the EFI status of a doorbell errno: 0 EFI_SUCCESS (the response is then
// copied back), -EINVAL EFI_DEVICE_ERROR, -EPERM EFI_INVALID_PARAMETER, -EACCES
// EFI_ACCESS_DENIED, -EBUSY EFI_OUT_OF_RESOURCES, anything else EFI_ACCESS_DENIED.
uint64_t errno_to_efi(int err);

// The whole chain for one doorbell result: EFI_SUCCESS means "copy the response back".
uint64_t doorbell_status(const sim::ArgRegs& result, bool smc64, uint64_t sent_x3);

}  // namespace ffasim::nwd::mm_client
