from typing import Any

import httpx

from tests.support import Person
from tests.webhooks.receiver import Receiver


async def ask_rating(
    client: httpx.AsyncClient, chatroom: int, caller: Person, body: Any = None, **headers: str
) -> httpx.Response:
    kwargs: dict[str, Any] = {} if body is None else {"json": body}
    return await client.post(
        f"/chat/chatrooms/{chatroom}/ratings", headers=caller.headers | headers, **kwargs
    )


async def submit(
    client: httpx.AsyncClient, id_rating: int, caller: Person, body: Any
) -> httpx.Response:
    return await client.patch(f"/chat/ratings/{id_rating}", headers=caller.headers, json=body)


async def last_rating(client: httpx.AsyncClient, chatroom: int, caller: Person) -> Any:
    response = await client.get(f"/chat/chatrooms/{chatroom}", headers=caller.headers)
    assert response.status_code == 200, response.text
    return response.json()["last_rating"]


async def pending_request(
    client: httpx.AsyncClient, chatroom: int, caller: Person, body: Any = None
) -> int:
    response = await ask_rating(client, chatroom, caller, body if body is not None else {})
    assert response.status_code == 201, response.text
    id_rating: int = response.json()["rating"]["id_rating"]
    return id_rating


PENDING_EXISTS = "A rating request from this rater for this ambassador is already pending."


async def say(client: httpx.AsyncClient, chatroom: int, author: Person, text: str = "hi") -> int:
    """A text message by `author` in the chatroom: taking part in the conversation."""
    response = await client.post(
        f"/chat/chatrooms/{chatroom}/messages",
        headers=author.headers,
        json={"id_ambassador": author.id, "content": text, "type_message": 0},
    )
    assert response.status_code == 201, response.text
    id_message: int = response.json()["id_message"]
    return id_message


NOT_TAKEN_PART = "The selected id_user_rated has not taken part in this chatroom yet."
RATED_ALREADY = (
    "This rater has already rated this ambassador in this chatroom: change that rating with "
    "PATCH /chat/ratings/{rating}, or ask again after a new exchange of messages (or 30 days)."
)


async def asked_with_link(
    client: httpx.AsyncClient, mailer: Receiver, chatroom: int, asker: Person, body: Any = None
) -> dict[str, Any]:
    """The request's message as the mailer receives it, its rating with the rater's `link`;
    the asker's own answer holds none."""
    response = await ask_rating(client, chatroom, asker, body if body is not None else {})
    assert response.status_code == 201, response.text
    assert "link" not in response.json()["rating"]
    id_rating = response.json()["rating"]["id_rating"]
    await mailer.wait_for(len(mailer.received) + 1)
    [message] = [
        r.json["data"]
        for r in mailer.received
        if r.json["data"]["rating"]["id_rating"] == id_rating
    ]
    return dict(message)
