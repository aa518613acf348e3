// Behavioural software as C++20 coroutines. A CoContext is an ExecContext whose body is a
// coroutine; it reads like the real code:
//
//   Task<void> body() {
//     auto r = co_await smc(ffa::regs(FFA_ID_GET));   // the PE runs firmware meanwhile
//     work(500);                                       // 500 cycles before the next call
//     ...
//   }
//
// Nested Task<T> calls are cheap (symmetric transfer); the context resumes the innermost
// suspended coroutine. Exceptions thrown in a body propagate out of resume().
#pragma once

#include <coroutine>
#include <cstddef>
#include <exception>
#include <optional>
#include <utility>

#include "sim/core/software.h"

namespace ffasim::sim {

template <typename T>
class Task;

namespace detail {
struct FinalAwaiter {
  bool await_ready() const noexcept { return false; }
  template <typename P>
  std::coroutine_handle<> await_suspend(std::coroutine_handle<P> h) noexcept {
    return h.promise().continuation;
  }
  void await_resume() const noexcept {}
};
// Coroutine frames come from size-classed free lists: a behavioural call makes a few nested
// Task frames, and malloc/free per frame was the largest single cost of a simulated round trip.
void* frame_alloc(std::size_t size);
void frame_free(void* p, std::size_t size) noexcept;

struct PromiseBase {
  static void* operator new(std::size_t size) { return frame_alloc(size); }
  static void operator delete(void* p, std::size_t size) noexcept { frame_free(p, size); }
  std::coroutine_handle<> continuation = std::noop_coroutine();
  std::exception_ptr error;
  std::suspend_always initial_suspend() const noexcept { return {}; }
  FinalAwaiter final_suspend() const noexcept { return {}; }
  void unhandled_exception() { error = std::current_exception(); }
};
}  // namespace detail

template <typename T = void>
class [[nodiscard]] Task {
 public:
  struct promise_type : detail::PromiseBase {
    std::optional<T> value;
    Task get_return_object() { return Task(std::coroutine_handle<promise_type>::from_promise(*this)); }
    void return_value(T v) { value = std::move(v); }
  };
  Task() = default;
  explicit Task(std::coroutine_handle<promise_type> h) : h_(h) {}
  Task(Task&& o) noexcept : h_(std::exchange(o.h_, {})) {}
  Task& operator=(Task&& o) noexcept { if (this != &o) { reset(); h_ = std::exchange(o.h_, {}); } return *this; }
  ~Task() { reset(); }

  bool await_ready() const noexcept { return false; }
  std::coroutine_handle<> await_suspend(std::coroutine_handle<> caller) {
    h_.promise().continuation = caller;
    return h_;
  }
  T await_resume() {
    if (h_.promise().error) std::rethrow_exception(h_.promise().error);
    return std::move(*h_.promise().value);
  }
  std::coroutine_handle<promise_type> handle() const { return h_; }

 private:
  void reset() { if (h_) h_.destroy(); h_ = {}; }
  std::coroutine_handle<promise_type> h_;
};

template <>
class [[nodiscard]] Task<void> {
 public:
  struct promise_type : detail::PromiseBase {
    Task get_return_object() { return Task(std::coroutine_handle<promise_type>::from_promise(*this)); }
    void return_void() {}
  };
  Task() = default;
  explicit Task(std::coroutine_handle<promise_type> h) : h_(h) {}
  Task(Task&& o) noexcept : h_(std::exchange(o.h_, {})) {}
  Task& operator=(Task&& o) noexcept { if (this != &o) { reset(); h_ = std::exchange(o.h_, {}); } return *this; }
  ~Task() { reset(); }

  bool await_ready() const noexcept { return false; }
  std::coroutine_handle<> await_suspend(std::coroutine_handle<> caller) {
    h_.promise().continuation = caller;
    return h_;
  }
  void await_resume() {
    if (h_.promise().error) std::rethrow_exception(h_.promise().error);
  }
  std::coroutine_handle<promise_type> handle() const { return h_; }

 private:
  void reset() { if (h_) h_.destroy(); h_ = {}; }
  std::coroutine_handle<promise_type> h_;
};

// An ExecContext driven by a coroutine body.
class CoContext : public ExecContext {
 public:
  Step resume(Pe& pe) override;

 protected:
  // The body starts on the first resume().
  void start(Task<void> body);
  bool finished() const;

  // Awaitables for the body. Each places `args` in x0-x17, issues the instruction, and returns
  // x0-x17 as they are when this context is resumed.
  struct Call {
    CoContext& ctx;
    Insn insn;
    ArgRegs args;
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h);
    ArgRegs await_resume();
  };
  Call smc(const ArgRegs& a) { return {*this, Insn::SMC, a}; }
  Call hvc(const ArgRegs& a) { return {*this, Insn::HVC, a}; }
  Call svc(const ArgRegs& a) { return {*this, Insn::SVC, a}; }
  // Waits (WFI) until Pe::wake or an interrupt; the body continues on the same PE.
  struct Wait {
    CoContext& ctx;
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h);
    void await_resume() const noexcept {}
  };
  Wait wfi() { return {*this}; }
  // Work done before the next instruction, in cycles.
  void work(double cycles) { pending_cycles_ += cycles; }
  // The PE this context runs on, valid inside the body.
  Pe& pe() const { return *pe_; }
  // The PE's time once the work passed to work() so far is done (it is charged with the next
  // instruction): when something the body does now really happens.
  Picos done_time() const;

 private:
  Task<void> body_;
  std::coroutine_handle<> current_;
  Step next_;
  double pending_cycles_ = 0;
  Pe* pe_ = nullptr;
};

}  // namespace ffasim::sim
