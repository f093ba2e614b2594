"""Test data, made with the same provisioning code the CLI uses, each call committed."""

import itertools
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

from fastapi import FastAPI
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from salon.auth.service import issue_token, revoke_token
from salon.db.models import AmbassadorStatus
from salon.db.session import Database
from salon.provisioning import repository, service

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

    async def _run(self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        async with self.database.sessionmaker() as session:
            result = await work(session)
            await session.commit()
            return result

    async def brand(self) -> int:
        async def work(session: AsyncSession) -> int:
            return (await service.create_brand(session, f"brand {next(_labels)}")).id_brand

        return await self._run(work)

    async def person(
        self, id_brand: int, status: int = AmbassadorStatus.AMBASSADOR, *, active: int = 1
    ) -> Person:
        async def work(session: AsyncSession) -> Person:
            n = next(_labels)
            ambassador = await service.create_ambassador(
                session,
                id_brand,
                status=status,
                firstname=f"First{n}",
                lastname=f"Last{n}",
                email=f"person{n}@example.test",
                active=active,
            )
            token = issue_token(session, ambassador, "test")
            return Person(ambassador.id_ambassador, id_brand, status, token)

        return await self._run(work)

    async def chatroom(self, *people: Person) -> int:
        async def work(session: AsyncSession) -> int:
            members = [await repository.get_ambassador(session, p.id) for p in people]
            chatroom = await service.create_chatroom(session, [m for m in members if m])
            return chatroom.id_chatroom

        return await self._run(work)

    async def token_for(self, id_ambassador: int) -> Person:
        """A fresh token for someone created elsewhere (e.g. a chatroom's other member)."""

        async def work(session: AsyncSession) -> Person:
            ambassador = await repository.get_ambassador(session, id_ambassador)
            assert ambassador is not None
            token = issue_token(session, ambassador, "test")
            return Person(ambassador.id_ambassador, ambassador.id_brand, ambassador.status, token)

        return await self._run(work)

    async def revoke(self, person: Person) -> None:
        async def work(session: AsyncSession) -> bool:
            return await revoke_token(session, person.token)

        assert await self._run(work)

    async def set_active(self, person: Person, active: int) -> None:
        """Enable or disable (`active` < 0) a person, as an operator would outside the API."""

        async def work(session: AsyncSession) -> None:
            ambassador = await repository.get_ambassador(session, person.id)
            assert ambassador is not None
            ambassador.active = active
            await session.flush()

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

    def ids(self, me: Person) -> dict[str, int]:
        return {
            "c": self.chatroom,
            "m": self.message,
            "r": self.rating,
            "a": self.ambassador.id,
            "v": self.visitor.id,
            "me": me.id,
            "mgr": self.manager.id,
        }


@contextmanager
def counted_queries(app: FastAPI) -> Iterator[list[str]]:
    """The data statements the app sends to its database inside the block."""
    statements: list[str] = []
    engine = app.state.database.engine.sync_engine

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if not statement.startswith("BEGIN"):  # SQLite's explicit BEGIN IMMEDIATE
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)
