"""`python3 -m ffasim ...`: the command line (see ffasim.cli)."""
import os
import sys

from .cli import main

code = main()
# A Stack lives as long as its process (SystemC elaborates once per process): leave without
# running C++ destructors or SystemC's teardown.
sys.stdout.flush()
sys.stderr.flush()
os._exit(code)
