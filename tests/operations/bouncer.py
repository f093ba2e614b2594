"""Debian's PgBouncer (`apt-get install pgbouncer`), started by a test in front of the test
PostgreSQL: its own ini and userlist in a directory of its own, on a free 127.0.0.1 port."""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from tests.served import free_port

INSTALL = "apt-get install pgbouncer"


def binary() -> str | None:
    """Debian puts it in /usr/sbin, which is not on every user's PATH."""
    return shutil.which("pgbouncer") or shutil.which("pgbouncer", path="/usr/sbin")


def psql() -> str | None:
    found = shutil.which("psql")
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/psql"))
    return str(candidates[-1]) if candidates else None


@dataclass
class Bouncer:
    port: int
    user: str
    database: str
    process: "subprocess.Popen[bytes]"
    log: Path

    @property
    def url(self) -> str:
        """The test database, through PgBouncer."""
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{self.database}"

    def admin(self, command: str) -> list[dict[str, str]]:
        """A SHOW command on the admin console (the `pgbouncer` database), as rows. The
        console speaks only the simple query protocol, which psql uses (asyncpg's fetch
        prepares its statements, which the console refuses)."""
        client = psql()
        assert client, "psql not found (apt-get install postgresql-client)"
        where = ["-h", "127.0.0.1", "-p", str(self.port), "-U", self.user, "-d", "pgbouncer"]
        out = subprocess.run(  # noqa: S603
            [client, *where, "--no-psqlrc", "--csv", "-c", command],
            check=True,
            capture_output=True,
            text=True,
            timeout=30,
        ).stdout.splitlines()
        header, *lines = [line.split(",") for line in out]
        return [dict(zip(header, line, strict=True)) for line in lines]


@contextmanager
def bouncing(postgres_url: str, *, pool_size: int) -> Iterator[Bouncer]:
    """PgBouncer in transaction pooling mode, at most `pool_size` server connections to the
    database of `postgres_url` (a trust-authenticated cluster, as scripts/run-tests makes)."""
    program = binary()
    assert program, f"PgBouncer is not installed: {INSTALL}"
    target = urlsplit(postgres_url)
    user = target.username or "postgres"
    database = target.path.lstrip("/") or user
    port = free_port()
    # PgBouncer refuses to run as root: as root it runs as `postgres` (-u), which must read
    # this directory (pytest's tmp_path is private to root).
    with tempfile.TemporaryDirectory(prefix="salon-pgbouncer-") as work:
        directory = Path(work)
        directory.chmod(0o755)
        (directory / "userlist.txt").write_text(f'"{user}" ""\n')
        (directory / "pgbouncer.ini").write_text(
            "[databases]\n"
            f"{database} = host={target.hostname} port={target.port or 5432} dbname={database}\n"
            "[pgbouncer]\n"
            "listen_addr = 127.0.0.1\n"
            f"listen_port = {port}\n"
            "unix_socket_dir =\n"
            "auth_type = trust\n"
            f"auth_file = {directory / 'userlist.txt'}\n"
            f"admin_users = {user}\n"
            "pool_mode = transaction\n"
            f"default_pool_size = {pool_size}\n"
            "min_pool_size = 0\n"
            "reserve_pool_size = 0\n"
            "max_client_conn = 500\n"
            # Debian's package before 1.21 knows no max_prepared_statements: nothing is said
            # about prepared statements, so none survive from one transaction to the next.
        )
        for name in ("userlist.txt", "pgbouncer.ini"):
            (directory / name).chmod(0o644)
        log = directory / "pgbouncer.log"
        command = [program, str(directory / "pgbouncer.ini")]
        if os.geteuid() == 0:
            command[1:1] = ["-u", "postgres"]
        with log.open("wb") as sink:
            process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT)  # noqa: S603
        bouncer = Bouncer(port, user, database, process, log)
        try:
            _wait_until_listening(bouncer)
            yield bouncer
        finally:
            process.terminate()
            process.wait(timeout=30)


def _wait_until_listening(bouncer: Bouncer) -> None:
    deadline = time.monotonic() + 15
    while True:
        try:
            with socket.create_connection(("127.0.0.1", bouncer.port), timeout=1):
                return
        except OSError:
            pass
        if bouncer.process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"PgBouncer did not start:\n{bouncer.log.read_text()}")
        time.sleep(0.05)
