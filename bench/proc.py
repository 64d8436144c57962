"""What the benchmarks read about processes and the machine, from /proc and getrusage (psutil is not a dependency).

Importing it puts the project root on sys.path: each script runs as `python bench/NAME.py` and imports evaldash.
"""

from __future__ import annotations

import contextlib
import functools
import os
import platform
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# The benchmarks' builds and adds change working stores of their own: their audit records go to a log of the run
# (the children inherit it), not to this checkout's, whose 変更の記録 the 取込 page reads on every rerun.
if "EVALDASH_AUDIT_LOG" not in os.environ:
    _LOG_DIR = tempfile.TemporaryDirectory(prefix="evaldash-bench-")  # removed when the run ends
    os.environ["EVALDASH_AUDIT_LOG"] = str(Path(_LOG_DIR.name) / "audit.log")


def maxrss_mb(who: int = resource.RUSAGE_SELF) -> float:
    """Peak resident memory of this process, or with RUSAGE_CHILDREN of its largest waited-for child."""
    return resource.getrusage(who).ru_maxrss / 1024  # Linux: KiB


def rss_mb(pids: list[int]) -> float:
    """Resident memory of the processes, summed."""
    total = 0.0
    for pid in pids:
        with open(f"/proc/{pid}/status") as fh:
            total += next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:")) / 1024
    return total


def _stat(pid: int | str) -> list[str]:
    """The fields of /proc/PID/stat after the command name: state, ppid, …"""
    with open(f"/proc/{pid}/stat") as fh:
        return fh.read().rsplit(")", 1)[1].split()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process."""
    fields = _stat(pid)
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def process_tree(pid: int) -> list[int]:
    """pid and its descendants (the browser's renderer processes)."""
    children: dict[int, list[int]] = {}
    for entry in filter(str.isdigit, os.listdir("/proc")):
        with contextlib.suppress(OSError):
            children.setdefault(int(_stat(entry)[1]), []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        out.append(todo.pop())
        todo.extend(children.get(out[-1], []))
    return out


def tree_cpu_seconds(pid: int) -> float:
    total = 0.0
    for p in process_tree(pid):
        with contextlib.suppress(OSError):
            total += cpu_seconds(p)
    return total


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine spent busy (all processes, all cores), from /proc/stat."""
    with open("/proc/stat") as fh:
        fields = [int(x) for x in fh.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def load_average() -> list[float]:
    """The load averages as /proc/loadavg writes them (two decimals)."""
    with open("/proc/loadavg") as fh:
        return [float(x) for x in fh.read().split()[:3]]


def browser_pid() -> int | None:
    """The Chromium launched by this process (a child of Playwright's driver, itself our child)."""
    for pid in process_tree(os.getpid()):
        try:
            exe = os.readlink(f"/proc/{pid}/exe")
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if "chrom" in Path(exe).name and not any(a.startswith(b"--type=") for a in cmdline):
            return pid
    return None


def _field(path: str, key: str) -> str | None:
    """The value of the first `key…: value` line of a /proc file."""
    for line in Path(path).read_text().splitlines():
        if line.startswith(key):
            return line.split(":", 1)[1].strip()
    return None


def machine() -> dict:
    """The host, the versions that matter and the commit measured, for a results file."""
    import duckdb
    import pandas as pd

    info = {"nproc": os.cpu_count(), "python": platform.python_version(), "duckdb": duckdb.__version__,
            "pandas": pd.__version__, "platform": platform.platform()}
    with contextlib.suppress(ImportError):
        import streamlit

        info["streamlit"] = streamlit.__version__
    with contextlib.suppress(OSError):
        info["cpu"] = _field("/proc/cpuinfo", "model name")
        info["ram_gib"] = round(int(_field("/proc/meminfo", "MemTotal").split()[0]) / 1024 / 1024, 1)
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        git = functools.partial(subprocess.run, cwd=ROOT, capture_output=True, text=True, timeout=10)
        info["commit"] = git(["git", "rev-parse", "--short", "HEAD"]).stdout.strip()
        dirty = git(["git", "status", "--porcelain", "--", "evaldash", "queries", "pages", "dashboard.py"]).stdout
        info["worktree_dirty"] = bool(dirty.strip())
    return info
