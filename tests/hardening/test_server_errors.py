"""An unexpected failure answers a generic 500: no stack trace, no SQL, nothing internal."""

from pathlib import Path

import httpx

from salon.app import create_app
from salon.config import Settings


async def test_a_database_failure_is_a_bare_500(tmp_path: Path) -> None:
    # An SQLite file that cannot be opened: every query fails inside the driver.
    (tmp_path / "dir.db").mkdir()
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'dir.db'}"))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://salon.test") as client:
            for response in (
                await client.get("/health"),
                await client.get("/chat/ambassadors", headers={"Authorization": "Bearer sln_x"}),
            ):
                assert response.status_code == 500
                assert response.json() == {"message": "Server Error."}
                assert "Traceback" not in response.text
                assert "sqlite" not in response.text.lower()
