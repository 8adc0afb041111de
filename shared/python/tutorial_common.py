# What the scripts of --vs-python share; the runner writes it beside each script.


def die_with_parent():
    # A child process ends with the program that started it, even when that one is killed (Linux).
    import sys

    if sys.platform.startswith("linux"):
        try:
            import ctypes
            import signal

            ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
        except Exception:
            pass
