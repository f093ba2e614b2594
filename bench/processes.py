"""Server processes seen from a bench: which pids serve, and how much memory they hold."""

from pathlib import Path

from tests.served import Server


def rss_kib(pids: list[int]) -> int:
    """Resident memory of the server processes (the workers, not the supervisor)."""
    total = 0
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total


def worker_pids(server: Server, workers: int) -> list[int]:
    """uvicorn serves in its own process with one worker, from children with more."""
    if workers == 1:
        return [server.process.pid]
    children = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children")
    return [int(pid) for pid in children.read_text().split()]
