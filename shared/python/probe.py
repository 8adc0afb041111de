# Which Python this is, and whether its GIL is on. Written for `--vs-python` (shared/src/python/mod.rs).
import platform
import sys
import sysconfig

# A free-threaded build (3.13t and later) can run without the GIL; sys._is_gil_enabled()
# says whether it is off right now. Builds before 3.13 always have it.
free_threaded = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))
gil = sys._is_gil_enabled() if hasattr(sys, "_is_gil_enabled") else True
print(
    "result version=%s implementation=%s gil=%s free_threaded=%s"
    % (
        platform.python_version(),
        platform.python_implementation(),
        "on" if gil else "off",
        "yes" if free_threaded else "no",
    )
)
