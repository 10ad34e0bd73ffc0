"""Kinerja: the indicators of a Perjanjian Kinerja (performance agreement), computed monthly."""

import pyarrow

__version__ = "0.1.0"

# Arrow's buffers (pandas' strings among them) come from the C library's allocator, not Arrow's bundled
# mimalloc: mimalloc gives freed memory back to the system at once and takes it again as new huge pages,
# which the kernel zeroes each time (docs/decisions/scale.md, "Memory").
pyarrow.set_memory_pool(pyarrow.system_memory_pool())
