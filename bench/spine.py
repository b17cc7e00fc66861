"""Shared helpers for the "spine" benchmarks (bench_taps, bench_start_latency,
bench_startup, bench_memory): machine facts, tables, verdicts, percentiles, watching the
Telegram double's recorded calls, and running a bot as a separate process.

Every benchmark talks only to doubles on 127.0.0.1 that it starts itself.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.doubles.llm_server import FakeLLMServer
from tests.doubles.telegram_api import RecordedCall, TelegramApiDouble

# As run_bot.py and tests/conftest.py do (both are read when used, not at import): no
# price-map download when litellm loads, PTB durations as timedelta (no warnings).
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("PTB_TIMEDELTA", "true")

ROOT = Path(__file__).resolve().parents[1]

# The interpreter that runs the bots: the bench's own by default. Point BENCH_BOT_PYTHON
# at a venv made by scripts/run.sh to measure the bot as users install it (without the
# test tools, some of which httpx imports when they are present).
PYTHON = os.environ.get("BENCH_BOT_PYTHON", sys.executable)
RUN_BOT = ROOT / "run_bot.py"
BARE_BOT = ROOT / "bench" / "bare_ptb_bot.py"
BOT_TOKEN = "123456:BENCH"
ADMIN = 1001


# -- reporting -----------------------------------------------------------------------------


def machine() -> str:
    """One line naming the machine, so figures are never read without their context."""
    cpu = "unknown CPU"
    with open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_kib = 0
    with open("/proc/meminfo") as info:
        for line in info:
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
    return (
        f"{os.cpu_count()} cores ({cpu}), {mem_kib / 2**20:.1f} GiB RAM, "
        f"Python {platform.python_version()}, {time.strftime('%Y-%m-%d %H:%M')}, {load()}"
    )


def load() -> str:
    """The load average: on a shared machine, read every wall-clock figure next to it."""
    with open("/proc/loadavg") as loadavg:
        return "load average " + " ".join(loadavg.read().split()[:3])


def header(title: str) -> None:
    print(f"== {title}")
    print(f"   machine: {machine()}")


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """A plain-text table: the first column left-aligned, figures right-aligned."""
    cells = [[str(h) for h in headers], *[[_cell(v) for v in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    for n, row in enumerate(cells):
        pairs = enumerate(zip(row, widths, strict=True))
        line = [c.rjust(w) if i else c.ljust(w) for i, (c, w) in pairs]
        print("  " + "  ".join(line).rstrip())
        if n == 0:
            print("  " + "  ".join("-" * w for w in widths))


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 10 else f"{value:.1f}"
    return str(value)


def verdict(target: str, passed: bool) -> int:
    """Print the verdict line; the exit code a check runner needs."""
    print(f"   machine at the end: {load()}")
    print(f"TARGET {target}: {'PASS' if passed else 'FAIL'}")
    return 0 if passed else 1


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile: always a value that was actually measured."""
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def ms(seconds: float) -> float:
    return seconds * 1000.0


# -- the doubles ---------------------------------------------------------------------------


class CallWatcher:
    """Reads the double's recorded calls incrementally.

    `TelegramApiDouble.wait_for` rescans every recorded call on each wake-up, which is
    quadratic over a few hundred calls and would bill the benchmark's own bookkeeping to
    the bot under test; this only looks at calls it has not seen yet.
    """

    def __init__(self, api: TelegramApiDouble) -> None:
        self._api = api
        self._index = len(api.calls)
        self.seen: list[RecordedCall] = []
        self._ok: Counter[str] = Counter()  # kept as calls come, so count() is O(1)

    def poll(self) -> list[RecordedCall]:
        new = self._api.calls[self._index :]
        self._index += len(new)
        self.seen += new
        self._ok.update(c.method for c in new if c.ok)
        return new

    async def until(
        self,
        done: Callable[[list[RecordedCall]], bool],
        timeout_s: float,
        *,
        every_s: float = 0.001,
    ) -> None:
        """Wait until `done(seen)`; measurements use the calls' own arrival times, so the
        polling interval only decides when we notice, not what is measured."""
        deadline = time.monotonic() + timeout_s
        while True:
            self.poll()
            if done(self.seen):
                return
            if time.monotonic() > deadline:
                recent = "\n  ".join(str(c) for c in self.seen[-5:])
                raise TimeoutError(f"not done within {timeout_s}s; last calls:\n  {recent}")
            await asyncio.sleep(every_s)

    def count(self, method: str) -> int:
        """Successful calls of `method` seen so far."""
        return self._ok[method]

    def first(self, method: str) -> RecordedCall | None:
        return next((c for c in self.seen if c.method == method), None)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


# -- a bot as a separate process -------------------------------------------------------------


def bot_env(api: TelegramApiDouble, llm: FakeLLMServer, database: Path) -> dict[str, str]:
    """run_bot.py's environment: everything points at doubles in this process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LLM_", "TELEGRAM_"))}
    env.update(
        TELEGRAM_BOT_TOKEN=BOT_TOKEN,
        ADMIN_USER_IDS=str(ADMIN),
        TELEGRAM_API_BASE_URL=api.base_url,
        TELEGRAM_FILE_BASE_URL=api.file_base_url,
        DATABASE_URL=f"sqlite+aiosqlite:///{database}",
        WEB_HOST="127.0.0.1",
        WEB_PORT=str(free_port()),
        LLM_MODEL="openai/bench-model",
        LLM_API_BASE=llm.url,
        LLM_API_KEY="sk-bench",
        LLM_PRICE_INPUT_PER_MTOK="1",
        LLM_PRICE_OUTPUT_PER_MTOK="2",
        LLM_TIMEOUT_S="30",
        PYTHONUNBUFFERED="1",
    )
    return env


@dataclass
class BotProcess:
    """A bot started with Popen; `started` is taken just before the fork."""

    process: subprocess.Popen[bytes]
    started: float
    log: Path

    @classmethod
    def spawn(cls, script: Path, env: dict[str, str], workdir: Path) -> BotProcess:
        log = workdir / f"{script.stem}.log"
        # The working directory is the temp dir, so no developer .env is read.
        with open(log, "wb") as out:
            started = time.time()
            process = subprocess.Popen(
                [PYTHON, str(script)], env=env, cwd=workdir, stdout=out, stderr=subprocess.STDOUT
            )
        return cls(process, started, log)

    def main_thread_cpu_s(self) -> float:
        """CPU seconds (user + system) of the process's main thread so far.

        Unlike wall time this hardly moves with other load on the machine, and it leaves
        out worker threads (the litellm warm-up import runs in one)."""
        pid = self.process.pid
        with open(f"/proc/{pid}/task/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_mib(self) -> float:
        return status_kib(self.process.pid, "VmRSS") / 1024

    def peak_rss_mib(self) -> float:
        return status_kib(self.process.pid, "VmHWM") / 1024

    def tail(self, lines: int = 15) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    async def wait_first(self, watcher: CallWatcher, method: str, timeout_s: float) -> float:
        """Seconds from spawn to the first `method` call arriving at the double."""

        def arrived(_: list[RecordedCall]) -> bool:
            if self.process.poll() is not None:
                raise RuntimeError(f"bot exited with {self.process.returncode}:\n{self.tail()}")
            return watcher.first(method) is not None

        await watcher.until(arrived, timeout_s, every_s=0.002)
        call = watcher.first(method)
        assert call is not None
        return call.time - self.started

    async def terminate(self, timeout_s: float = 20.0) -> tuple[int, float]:
        """SIGTERM, then the exit code and how long the bot took to exit."""
        asked = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        deadline = asked + timeout_s
        while self.process.poll() is None:
            if time.monotonic() > deadline:
                self.process.kill()  # only our own child, by its pid
                self.process.wait()
                return -9, timeout_s
            await asyncio.sleep(0.01)  # the double must keep answering while it stops
        return self.process.returncode, time.monotonic() - asked


def status_kib(pid: int, field: str) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise LookupError(f"{field} not in /proc/{pid}/status")


def quiet_disconnects() -> None:
    """A bot process that exits while a request of its own is half sent makes aiohttp log
    a traceback in the double; the exit code is what is checked, so keep the output clean."""
    logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)


def remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
