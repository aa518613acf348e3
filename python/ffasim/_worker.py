"""Worker process holding one Stack: `python -m ffasim._worker`, driven over stdin/stdout.

Protocol: the parent writes pickled requests (op, args) to stdin; the worker answers each with a
pickled ("ok", value) or ("err", class name, one-line message). The protocol uses a private copy
of the original stdout; file descriptor 1 is pointed at stderr so that anything the C++ side
prints (SystemC reports) cannot corrupt it. The worker exits on EOF or a "close" request.
"""
from __future__ import annotations

import faulthandler
import os
import pickle
import sys
import traceback

from . import _engine
from .errors import FfasimError, SimulationError


class _Session:
    def __init__(self) -> None:
        self.stack = None
        self.scn = None

    def need(self):
        if self.stack is None:
            raise SimulationError("no simulation has been created in this worker")
        return self.stack

    # --- requests --------------------------------------------------------------------------
    def op_run_scenario(self, scn, spans, trace):
        return _engine.run_scenario(scn, spans=spans, trace=trace)

    def op_create(self, scn, keep_spans, keep_trace):
        self.scn = scn
        self.stack = _engine.build(scn, keep_spans=keep_spans, keep_trace=keep_trace)
        s = self.stack
        return {"clock_hz": s.clock_hz(), "partitions": [tuple(p) for p in s.partitions()],
                "components": list(s.components())}

    def op_call(self, endpoint, pe, regs, insn):
        try:
            return self.need().call(endpoint, pe, regs, insn)
        except RuntimeError as e:
            raise SimulationError(str(e)) from None

    def op_stack(self, method, *args):
        if method not in _STACK_METHODS:
            raise SimulationError(f"unknown Stack method {method}")
        return getattr(self.need(), method)(*args)

    def op_results(self, spans):
        return _engine.collect(self.need(), self.scn, spans=spans)


_STACK_METHODS = {"run", "now_ns", "clock_hz", "errors", "guest_errors", "stage2_access", "components",
                  "driver", "last_input", "host_waiting", "write", "read", "memory_map", "profile",
                  "partitions", "write_trace", "notification_stats"}


def main() -> int:
    proto_out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = os.fdopen(1, "w", buffering=1, closefd=False)
    faulthandler.enable()  # a crash in the C++ side names itself on stderr
    proto_in = sys.stdin.buffer
    session = _Session()
    while True:
        try:
            op, args = pickle.load(proto_in)
        except EOFError:
            return 0
        if op == "close":
            pickle.dump(("ok", None), proto_out)
            proto_out.flush()
            return 0
        try:
            value = getattr(session, f"op_{op}")(*args)
            reply = ("ok", value)
        except FfasimError as e:
            reply = ("err", type(e).__name__, str(e))
        except Exception as e:  # a bug: keep the worker alive, tell the parent what it was
            sys.stderr.write(traceback.format_exc())
            sys.stderr.flush()
            reply = ("err", "SimulationError", f"{type(e).__name__}: {e}")
        pickle.dump(reply, proto_out, protocol=pickle.HIGHEST_PROTOCOL)
        proto_out.flush()


if __name__ == "__main__":
    code = main()
    # The Stack is never destroyed (see _engine): leave without C++ destructors.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
