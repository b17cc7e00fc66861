"""Benchmark 4: resident memory of the bot process, after start-up and after an LLM call.

    python bench/bench_memory.py [--runs 3]

`python run_bot.py` runs as in bench_startup.py (Popen, a Telegram double and a
FakeLLMServer in this process, a fresh SQLite file). VmRSS is read from
/proc/<pid>/status at the first getUpdates (the litellm warm-up import is under way
then), once RSS has stopped moving (warm-up done), and after the first LLM call has
completed: /suggest is sent, the FakeLLMServer answers, and the card has arrived at the
double. VmHWM (the peak) is read at the end.

Baseline: bench/bare_ptb_bot.py at its first getUpdates and after answering /start.

Target: RSS after the first LLM call <= 250 MB, i.e. 238.4 MiB (the median of the runs).

The bots run with this interpreter unless BENCH_BOT_PYTHON names another: point it at a
venv made by scripts/run.sh to measure the bot as users install it. A developer venv
also holds the test tools, and httpx imports some of them (pygments) when present.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repo root: bot/, tests/

from bench.spine import (
    ADMIN,
    BARE_BOT,
    PYTHON,
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
from tests.doubles.fake_llm import suggestion_answer
from tests.doubles.llm_server import FakeLLMServer
from tests.doubles.telegram_api import RecordedCall, TelegramApiDouble

TARGET_MB = 250.0
TARGET_MIB = TARGET_MB * 1e6 / 2**20  # the issue says MB; RSS is read in KiB
POLL_CAP_S = 0.1  # see bench_startup.py: lets us see the first getUpdates promptly
SETTLED_WINDOW_S = 1.5
SETTLED_MIB = 0.5

# The readings, in order; "after first request" is /suggest's card for ours (the first
# LLM call) and /start's answer for the bare bot.
COLUMNS = ("at first getUpdates", "settled after start-up", "after first request", "peak (VmHWM)")
Readings = dict[str, float]
Scenario = Callable[[BotProcess, TelegramApiDouble, CallWatcher], Awaitable[Readings]]


async def settled_rss(process: BotProcess, timeout_s: float = 60.0) -> float:
    """RSS once it has moved less than SETTLED_MIB over SETTLED_WINDOW_S."""
    samples: list[tuple[float, float]] = []
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        now = time.monotonic()
        samples = [(t, r) for t, r in samples if now - t <= SETTLED_WINDOW_S]
        samples.append((now, process.rss_mib()))
        spread = max(r for _, r in samples) - min(r for _, r in samples)
        if now - samples[0][0] >= SETTLED_WINDOW_S * 0.9 and spread < SETTLED_MIB:
            return samples[-1][1]
        await asyncio.sleep(0.1)
    raise TimeoutError(f"RSS still moving after {timeout_s}s")


def said(text: str, method: str) -> Callable[[list[RecordedCall]], bool]:
    def done(seen: list[RecordedCall]) -> bool:
        return any(c.method == method and text in str(c.params.get("text")) for c in seen)

    return done


async def ours(process: BotProcess, api: TelegramApiDouble, watcher: CallWatcher) -> Readings:
    readings = {COLUMNS[0]: process.rss_mib(), COLUMNS[1]: await settled_rss(process)}
    api.push_update(api.make_message_update(ADMIN, ADMIN, "/suggest"))
    await watcher.until(said("Suggestion #1", "editMessageText"), 60.0, every_s=0.01)
    return readings | {COLUMNS[2]: process.rss_mib(), COLUMNS[3]: process.peak_rss_mib()}


async def bare(process: BotProcess, api: TelegramApiDouble, watcher: CallWatcher) -> Readings:
    readings = {COLUMNS[0]: process.rss_mib(), COLUMNS[1]: await settled_rss(process)}
    api.push_update(api.make_message_update(ADMIN, ADMIN, "/start"))
    await watcher.until(said("bare", "sendMessage"), 30.0, every_s=0.01)
    return readings | {COLUMNS[2]: process.rss_mib(), COLUMNS[3]: process.peak_rss_mib()}


async def measure_once(script: Path, scenario: Scenario, workdir: Path, n: int) -> Readings:
    async with TelegramApiDouble(max_poll_wait=POLL_CAP_S) as api:
        llm = FakeLLMServer()
        await llm.start()
        llm.reply(suggestion_answer())
        watcher = CallWatcher(api)
        env = bot_env(api, llm, workdir / f"{script.stem}-{n}.db")
        process = BotProcess.spawn(script, env, workdir)
        try:
            await process.wait_first(watcher, "getUpdates", 60.0)
            readings: Readings = await scenario(process, api, watcher)
        finally:
            exit_code, _ = await process.terminate()
            await llm.stop()
        readings["exit code"] = exit_code
        return readings


def medians(runs: list[Readings]) -> Readings:
    return {key: statistics.median(r[key] for r in runs) for key in runs[0]}


async def run(runs: int) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="bench-memory-"))
    ours_runs: list[Readings] = []
    bare_runs: list[Readings] = []
    try:
        for n in range(runs):
            ours_runs.append(await measure_once(RUN_BOT, ours, workdir, n))
            bare_runs.append(await measure_once(BARE_BOT, bare, workdir, n))
    finally:
        remove_tree(workdir)
    return report(medians(ours_runs), medians(bare_runs), ours_runs + bare_runs, runs)


def report(ours_mib: Readings, bare_mib: Readings, every: list[Readings], runs: int) -> int:
    print(f"   RSS in MiB, median of {runs} runs; first request: /suggest (ours), /start (bare)")
    rows = [
        ["ours (run_bot.py)", *(ours_mib[k] for k in COLUMNS)],
        ["bare PTB (baseline)", *(bare_mib[k] for k in COLUMNS)],
    ]
    table(["process", *COLUMNS], rows)
    after = ours_mib[COLUMNS[2]]
    print(f"   ratio ours / bare after the first request: {after / bare_mib[COLUMNS[2]]:.2f}")
    clean = all(r["exit code"] == 0 for r in every)
    print(f"   every process exited 0 on SIGTERM: {clean}")
    print(f"   bots run with {PYTHON}")
    target = f"RSS after the first LLM call <= {TARGET_MB:.0f} MB ({TARGET_MIB:.1f} MiB)"
    return verdict(target, after <= TARGET_MIB and clean)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    header("Benchmark 4: resident memory (RSS) of the bot process")
    quiet_disconnects()
    return asyncio.run(run(args.runs))


if __name__ == "__main__":
    sys.exit(main())
