"""Benchmark 3: start-up time, from process start to the first getUpdates.

    python bench/bench_startup.py [--runs 5] [--migrated-runs 3]

`python run_bot.py` is started with Popen, its environment pointing at a Telegram double
and a FakeLLMServer in this process (TELEGRAM_API_BASE_URL, LLM_MODEL=openai/..., prices
set), DATABASE_URL at a fresh SQLite file in a temporary working directory (so no .env is
read) and WEB_PORT at a free port. The time runs from just before the fork to the first
getUpdates arriving at the double. The main thread's CPU time up to then is shown too:
on a shared machine it moves far less with other load than wall time does. Each run
then gets SIGTERM right away (the litellm warm-up may still be importing) and must
exit 0.

Runs: N with a fresh database each, M on an already-migrated database, and N of the
baseline, bench/bare_ptb_bot.py (PTB's run_polling, no database, no litellm), all
interleaved so machine noise hits each series alike.

Target: median start-up <= 2 s (fresh and migrated database), every process exits 0.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repo root: bot/, tests/

from bench.spine import (
    BARE_BOT,
    RUN_BOT,
    BotProcess,
    CallWatcher,
    bot_env,
    header,
    quiet_disconnects,
    remove_tree,
    table,
    verdict,
)
from tests.doubles.llm_server import FakeLLMServer
from tests.doubles.telegram_api import TelegramApiDouble

TARGET_S = 2.0
FIRST_POLL_TIMEOUT_S = 60.0
POLL_CAP_S = 0.1


@dataclass
class Run:
    seconds: float
    cpu_seconds: float  # the main thread's, to the first getUpdates (give or take 0.1 s)
    exit_code: int
    stop_seconds: float


@dataclass
class Series:
    name: str
    runs: list[Run]

    def row(self) -> list[object]:
        times = [r.seconds for r in self.runs]
        codes = sorted({r.exit_code for r in self.runs})
        stop = max(r.stop_seconds for r in self.runs)
        spread = [statistics.median(times), min(times), max(times)]
        cpu = statistics.median(r.cpu_seconds for r in self.runs)
        return [self.name, len(times), *spread, cpu, ",".join(map(str, codes)), stop]

    @property
    def median(self) -> float:
        return statistics.median(r.seconds for r in self.runs)

    @property
    def clean_exits(self) -> bool:
        return all(r.exit_code == 0 for r in self.runs)


async def start_once(script: Path, database: Path, workdir: Path) -> Run:
    """One process: spawn, wait for its first getUpdates, SIGTERM, wait for its exit."""
    # A fresh double per run (no state from the last one). Calls are recorded once
    # answered, and getUpdates is a long poll: a short poll cap lets us see the first
    # one (and send SIGTERM) promptly. The figure itself is the call's arrival time.
    async with TelegramApiDouble(max_poll_wait=POLL_CAP_S) as api:
        llm = FakeLLMServer()
        await llm.start()
        try:
            watcher = CallWatcher(api)
            process = BotProcess.spawn(script, bot_env(api, llm, database), workdir)
            try:
                seconds = await process.wait_first(watcher, "getUpdates", FIRST_POLL_TIMEOUT_S)
                # Idle in the long poll from here: its CPU time is the start-up's.
                cpu_seconds = process.main_thread_cpu_s()
            finally:
                exit_code, stop_seconds = await process.terminate()
            if exit_code != 0:
                print(f"   {script.name} exited {exit_code}:\n{process.tail()}")
            return Run(seconds, cpu_seconds, exit_code, stop_seconds)
        finally:
            await llm.stop()


async def run(runs: int, migrated_runs: int) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="bench-startup-"))
    fresh = Series("ours, fresh database", [])
    migrated = Series("ours, migrated database", [])
    bare = Series("bare PTB (baseline)", [])
    try:
        for n in range(max(runs, migrated_runs)):
            # Interleaved, so a burst of load elsewhere on the machine hits all three.
            if n < runs:
                fresh.runs.append(await start_once(RUN_BOT, workdir / f"fresh-{n}.db", workdir))
                bare.runs.append(await start_once(BARE_BOT, workdir / "unused.db", workdir))
            if n < migrated_runs:
                # The first fresh run's database: migrated and prompts synced already.
                migrated.runs.append(await start_once(RUN_BOT, workdir / "fresh-0.db", workdir))
    finally:
        remove_tree(workdir)
    return report([fresh, migrated, bare])


def report(series: list[Series]) -> int:
    fresh, migrated, bare = series
    rows = [s.row() for s in series if s.runs]
    headers = ["process", "runs", "median s", "min s", "max s", "main-thread CPU s"]
    table([*headers, "exit codes", "max stop s"], rows)
    print(f"   ratio ours (fresh) / bare:    {fresh.median / bare.median:.2f}")
    if migrated.runs:
        print(f"   ratio ours (migrated) / bare: {migrated.median / bare.median:.2f}")
    clean = all(s.clean_exits for s in series)
    print(f"   every process exited 0 on SIGTERM: {clean}")
    fast = all(s.median <= TARGET_S for s in (fresh, migrated) if s.runs)
    target = f"start-up median <= {TARGET_S:.0f} s (fresh and migrated), exit 0"
    return verdict(target, fast and clean)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--migrated-runs", type=int, default=3)
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    header("Benchmark 3: start-up to the first getUpdates")
    quiet_disconnects()
    return asyncio.run(run(args.runs, args.migrated_runs))


if __name__ == "__main__":
    sys.exit(main())
