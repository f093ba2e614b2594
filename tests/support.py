"""Test data, made with the same provisioning code the CLI uses, each call committed."""

import itertools
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

from fastapi import FastAPI

from salon.ambassadors import repository as ambassadors
from salon.auth.service import issue_token, revoke_token, set_password
from salon.db.database import Database, Row, Transaction
from salon.db.query import query
from salon.provisioning import service
from salon.records import AmbassadorStatus

T = TypeVar("T")
_labels = itertools.count(1)


@dataclass(frozen=True)
class Person:
    id: int
    id_brand: int
    status: int
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


class World:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def _run(self, work: Callable[[Transaction], Awaitable[T]]) -> T:
        async with self.database.transaction() as tx:
            return await work(tx)

    async def brand(self, label: str | None = None, domain: str | None = None) -> int:
        async def work(tx: Transaction) -> int:
            name = label or f"brand {next(_labels)}"
            return (await service.create_brand(tx, name, domain)).id_brand

        return await self._run(work)

    async def person(
        self,
        id_brand: int,
        status: int = AmbassadorStatus.AMBASSADOR,
        *,
        active: int = 1,
        name: str | None = None,
    ) -> Person:
        """`name`: "First Last", for tests that read names on a page (else First<n> Last<n>)."""

        async def work(tx: Transaction) -> Person:
            n = next(_labels)
            firstname, _, lastname = (name or f"First{n} Last{n}").partition(" ")
            ambassador = await service.create_ambassador(
                tx,
                id_brand,
                status=status,
                firstname=firstname,
                lastname=lastname,
                email=f"person{n}@example.test",
                active=active,
            )
            token = await issue_token(tx, ambassador, "test")
            return Person(ambassador.id_ambassador, id_brand, status, token)

        return await self._run(work)

    async def chatroom(self, *people: Person) -> int:
        async def work(tx: Transaction) -> int:
            members = [await ambassadors.get(tx, p.id) for p in people]
            return await service.create_chatroom(tx, [m for m in members if m])

        return await self._run(work)

    async def tag_members(self, id_brand_tag: int, *people: Person) -> None:
        """Put people in a brand tag, as `salon tag add` does (the API has no route for it)."""

        async def work(tx: Transaction) -> None:
            for person in people:
                await service.add_tag_member(tx, id_brand_tag, person.id)

        await self._run(work)

    async def token_for(self, id_ambassador: int) -> Person:
        """A fresh token for someone created elsewhere (e.g. a chatroom's other member)."""

        async def work(tx: Transaction) -> Person:
            ambassador = await ambassadors.get(tx, id_ambassador)
            assert ambassador is not None
            token = await issue_token(tx, ambassador, "test")
            return Person(ambassador.id_ambassador, ambassador.id_brand, ambassador.status, token)

        return await self._run(work)

    async def revoke(self, person: Person) -> None:
        async def work(tx: Transaction) -> bool:
            return await revoke_token(tx, person.token)

        assert await self._run(work)

    async def set_password(self, person: Person, password: str) -> None:
        async def work(tx: Transaction) -> None:
            ambassador = await ambassadors.get(tx, person.id)
            assert ambassador is not None
            await set_password(tx, ambassador, password)

        await self._run(work)

    async def set_active(self, person: Person, active: int) -> None:
        """Enable or disable (`active` < 0) a person, as an operator would outside the API."""

        async def work(tx: Transaction) -> None:
            await tx.execute(
                query("UPDATE ambassador SET active = :active WHERE id_ambassador = :id"),
                {"active": active, "id": person.id},
            )

        await self._run(work)


@dataclass(frozen=True)
class Scene:
    """A brand with a group chatroom of a visitor, an ambassador and a member; it holds one text
    message (by the ambassador) and one pending rating (the visitor is asked to rate the
    ambassador). A manager and an outsider of the same brand; staff of another brand."""

    visitor: Person
    ambassador: Person
    member: Person
    manager: Person
    outsider: Person
    foreign: Person
    chatroom: int
    message: int
    rating: int
    # The manager's webhook endpoint (disabled: nothing is sent) and its test delivery.
    webhook: int
    delivery: int
    # A person of the brand awaiting approval (active 0).
    applicant: Person
    # The visitor's waiting-list entries: one still waiting, one the member took.
    waiting: int
    taken: int
    # The manager's brand tag and chat topic.
    brand_tag: int
    chat_topic: int

    def ids(self, me: Person) -> dict[str, int]:
        return {
            "c": self.chatroom,
            "m": self.message,
            "r": self.rating,
            "a": self.ambassador.id,
            "v": self.visitor.id,
            "me": me.id,
            "mgr": self.manager.id,
            "w": self.webhook,
            "d": self.delivery,
            "p": self.applicant.id,
            "wl": self.waiting,
            "wt": self.taken,
            "bt": self.brand_tag,
            "ct": self.chat_topic,
        }


@contextmanager
def counted_queries(app: FastAPI) -> Iterator[list[str]]:
    """The statements the app sends to its database inside the block (not BEGIN or COMMIT)."""
    statements: list[str] = []
    observers = app.state.database.observers
    observers.append(statements.append)
    try:
        yield statements
    finally:
        observers.remove(statements.append)


async def run_sql(app: FastAPI, text: str, params: dict[str, object] | None = None) -> list[Row]:
    """Raw SQL in a transaction of the app's database: for what no route does (ageing a
    rating, counting rows behind the API's back)."""
    database: Database = app.state.database
    async with database.transaction() as tx:
        return await tx.fetch(query(text), params or {})


# (ratings, rating messages, ratings joined to their message): the three agree when no rating
# lost its message or the reverse.
ONE_MESSAGE_PER_RATING = (
    "SELECT (SELECT count(*) FROM rating), "
    "(SELECT count(*) FROM message WHERE type_message = 2), "
    "(SELECT count(*) FROM rating r JOIN message m ON m.id_message = r.id_message "
    "AND m.id_chatroom = r.id_chatroom)"
)
