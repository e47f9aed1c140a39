"""Run `trainer ...` as its own process and measure it as a coordinator would wait for it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import date


def run_trainer(args: list[str], today: date) -> tuple[float, float, str]:
    """Wall time (s), peak RSS (MB) and stdout of one `trainer` console-script run.

    Timed from before the interpreter starts to after it exits. Bytecode caching is on (as in an
    installed app). Peak RSS is VmHWM from /proc, read just before the process exits:
    getrusage's ru_maxrss would carry the (large) benchmark parent's peak across fork and exec.
    """
    code = (
        "import sys\n"
        "from trainer import cli\n"
        f"sys.argv = ['trainer', *{args!r}]\n"
        "real_exit = cli.os._exit\n"
        "def report(code):\n"
        "    hwm = next(line for line in open('/proc/self/status') if line.startswith('VmHWM'))\n"
        "    print(int(hwm.split()[1]) / 1024, file=sys.stderr, flush=True)\n"
        "    real_exit(code)\n"
        "cli.os._exit = report\n"
        "cli.run()  # exactly what the trainer console script runs\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["TRAINER_TODAY"] = today.isoformat()
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(result.stderr)
    return elapsed, float(result.stderr.split()[-1]), result.stdout
