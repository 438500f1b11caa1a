"""The real bot as `python -m bot run`, in processes of its own, pointed at a stand-in; what /proc says about them."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

from standin.server import StandIn

ROOT = Path(__file__).resolve().parents[1]
STOP_PATIENCE = 30.0


def bot_env(standin: StandIn, url: str, **settings: str) -> dict[str, str]:
    """This process's environment less any Film Club settings, plus the stand-in, the database and ``settings``
    (``shard_count="2"`` becomes FILMCLUB_SHARD_COUNT=2)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FILMCLUB_") and k != "DISCORD_TOKEN"}
    return env | {
        "DISCORD_TOKEN": standin.token,
        "FILMCLUB_API_BASE_URL": standin.api_base,
        "FILMCLUB_GATEWAY_URL": standin.gateway_url,
        "FILMCLUB_DATABASE_URL": url,
        "FILMCLUB_GUILD_READY_TIMEOUT": "0.05",
        "FILMCLUB_LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
        **{f"FILMCLUB_{name.upper()}": value for name, value in settings.items()},
    }


@asynccontextmanager
async def bot_processes(
    standin: StandIn,
    url: str,
    logs: Sequence[Path],
    settings: Sequence[dict[str, str]],
    profile: Path | None = None,
) -> AsyncIterator[list[int]]:
    """One `python -m bot run` per log file, with its settings; yields their pids at once (not waiting until they
    are ready) and stops them with SIGTERM, raising if one failed. With ``profile`` (a directory) each runs under
    pyinstrument, whose text report goes there named after its log (the profiler inflates CPU figures)."""
    async with AsyncExitStack() as stack:
        processes = []
        for log, extra in zip(logs, settings, strict=True):
            out = stack.enter_context(log.open("wb"))
            env = bot_env(standin, url, **extra)
            profiler = ["-m", "pyinstrument", "-r", "text", "-o", str(profile / f"{log.stem}.txt")] if profile else []
            command = [sys.executable, *profiler, "-m", "bot", "run"]
            processes.append(await asyncio.create_subprocess_exec(*command, env=env, cwd=ROOT, stdout=out, stderr=out))
        try:
            yield [process.pid for process in processes]
        finally:
            for process in processes:
                if process.returncode is None:
                    process.send_signal(signal.SIGTERM)
            for process in processes:
                await asyncio.wait_for(process.wait(), STOP_PATIENCE)
    for log, process in zip(logs, processes, strict=True):
        if process.returncode:
            tail = "\n".join(log.read_text(errors="replace").splitlines()[-20:])
            raise RuntimeError(f"the bot exited with {process.returncode}; the end of its log:\n{tail}")


def memory_mb(pid: int) -> dict[str, float]:
    """The process's resident memory now (VmRSS) and at its peak (VmHWM), in MB (10^6 bytes), from /proc."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            found[name] = int(value.split()[0]) * 1024 / 1e6  # the kernel's "kB" are KiB
    return found


TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of process ``pid`` and its threads."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS
