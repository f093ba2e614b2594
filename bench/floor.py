"""FastAPI's floor: the shape of `POST /chat/chatrooms/{chatroom}/ratings` (a path id, a
header dependency, an optional Pydantic body, a Pydantic response, 201) with no database, no
middleware and no rules. What Salon costs above this is ours to cut; below it is the framework.

    uvicorn bench.floor:app --loop asyncio --http httptools --log-level warning --port 8131
    BENCH_TARGETS=floor.targets wrk -c64 -t2 -d10s -s bench/wrk/hot.lua http://127.0.0.1:8131

with floor.targets holding one line (tab-separated):
    POST  /chat/chatrooms/5/ratings  any-token  {"id_user_rated": 2, "value": 5, "content": "ok"}
"""

from typing import Annotated

from fastapi import Depends, FastAPI, Header, Path
from pydantic import BaseModel, Field

app = FastAPI()


class RatingBody(BaseModel):
    id_user_rated: int | None = None
    value: Annotated[int, Field(ge=0, le=5)] | None = None
    content: str | None = None


class MessageBody(BaseModel):
    id_message: int
    content: str
    value: int | None


async def caller(authorization: Annotated[str | None, Header()] = None) -> str:
    return authorization or ""


@app.post("/chat/chatrooms/{chatroom}/ratings", status_code=201)
async def rate(
    chatroom: Annotated[int, Path(ge=1)],
    token: Annotated[str, Depends(caller)],
    body: RatingBody | None = None,
) -> MessageBody:
    return MessageBody(id_message=chatroom, content=token[:5], value=body.value if body else None)
