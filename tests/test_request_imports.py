"""The lint that keeps SQLAlchemy out of request code (scripts/check-request-imports), on the
real source tree and on one that breaks the rule."""

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).parents[1] / "scripts" / "check-request-imports"


def run(source: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [sys.executable, str(SCRIPT), str(source)], capture_output=True, text=True, check=False
    )


def test_request_code_does_not_import_sqlalchemy() -> None:
    checked = run(Path(__file__).parents[1] / "src")
    assert checked.returncode == 0, checked.stdout
    assert "none imports SQLAlchemy" in checked.stdout


def test_an_import_of_sqlalchemy_anywhere_a_request_reaches_fails(tmp_path: Path) -> None:
    package = tmp_path / "salon"
    (package / "ratings").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "app.py").write_text("from salon.ratings import service\n")
    (package / "ratings" / "__init__.py").write_text("")
    (package / "ratings" / "service.py").write_text("from . import repository\n")
    (package / "ratings" / "repository.py").write_text("from sqlalchemy import select\n")
    (package / "cli.py").write_text("import alembic\n")  # not reached by a request: allowed
    checked = run(tmp_path)
    assert checked.returncode == 1
    assert (
        "salon.app -> salon.ratings.service -> salon.ratings.repository imports sqlalchemy"
        in checked.stdout
    )
    assert "alembic" not in checked.stdout
