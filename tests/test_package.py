"""What importing the package sets up for the whole process."""

import pyarrow

import kinerja


def test_arrow_allocates_from_the_c_library_not_its_bundled_allocator():
    assert kinerja.__version__ and pyarrow.default_memory_pool().backend_name == "system"
