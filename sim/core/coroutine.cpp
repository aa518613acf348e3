#include "sim/core/coroutine.h"

#include <stdexcept>

#include "sim/core/pe.h"

namespace ffasim::sim {

namespace detail {
namespace {
constexpr std::size_t kGrain = 64, kClasses = 32;  // frames up to 2 KiB are recycled
struct FreeNode { FreeNode* next; };
FreeNode* g_free[kClasses] = {};
}  // namespace

// Simulation runs on one host thread (SystemC), so the lists need no locking.
void* frame_alloc(std::size_t size) {
  const std::size_t c = (size + kGrain - 1) / kGrain;
  if (c < kClasses && g_free[c]) {
    FreeNode* n = g_free[c];
    g_free[c] = n->next;
    return n;
  }
  return ::operator new(c < kClasses ? c * kGrain : size);
}

void frame_free(void* p, std::size_t size) noexcept {
  const std::size_t c = (size + kGrain - 1) / kGrain;
  if (c >= kClasses) {
    ::operator delete(p);
    return;
  }
  auto* n = static_cast<FreeNode*>(p);
  n->next = g_free[c];
  g_free[c] = n;
}
}  // namespace detail

Picos CoContext::done_time() const {
  return pe_->now() + Picos(pending_cycles_ * pe_->period_ps() + 0.5);
}

void CoContext::start(Task<void> body) {
  body_ = std::move(body);
  current_ = body_.handle();
}

bool CoContext::finished() const { return !body_.handle() || body_.handle().done(); }

Step CoContext::resume(Pe& pe) {
  if (finished()) throw std::logic_error("resume of a finished behavioural context");
  pe_ = &pe;
  next_ = Step{};
  current_.resume();
  if (body_.handle().done()) {
    if (auto e = body_.handle().promise().error) std::rethrow_exception(e);
    next_ = Step{pending_cycles_, Insn::OFF, 0};
    pending_cycles_ = 0;
  }
  return next_;
}

void CoContext::Call::await_suspend(std::coroutine_handle<> h) {
  ctx.current_ = h;
  ctx.pe_->set_args(args);
  ctx.next_ = Step{ctx.pending_cycles_, insn, 0};
  ctx.pending_cycles_ = 0;
}

ArgRegs CoContext::Call::await_resume() { return ctx.pe_->args(); }

void CoContext::Wait::await_suspend(std::coroutine_handle<> h) {
  ctx.current_ = h;
  ctx.next_ = Step{ctx.pending_cycles_, Insn::WFI, 0};
  ctx.pending_cycles_ = 0;
}

}  // namespace ffasim::sim
