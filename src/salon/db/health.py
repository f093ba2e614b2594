from salon.db.database import Transaction
from salon.db.query import Query

_PING = Query("SELECT 1")


async def ping(tx: Transaction) -> None:
    """Raise if the database does not answer."""
    await tx.fetchval(_PING)
