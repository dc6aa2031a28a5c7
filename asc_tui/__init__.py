"""asc-tui: Amazon Sales Channel stores in the terminal."""

import time as _time

# Taken before anything heavy is imported, so the first-frame figure covers the whole start.
START_TIME = _time.perf_counter()

__version__ = "0.1.0"
