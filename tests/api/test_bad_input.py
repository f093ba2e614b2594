"""Malformed requests: always a 4xx in the documented shape, never a 500, nothing written."""

import codecs
import json
from collections.abc import Callable
from typing import Any

import httpx
import jsonschema_rs
import pytest
from fastapi import FastAPI
from starlette.types import Message

from tests.ratings.helpers import ask_rating
from tests.support import Person

BIG = 2**31


@pytest.mark.parametrize(
    ("content", "errors"),
    [
        (b"{bad", {"body": ["The request body must be valid JSON."]}),
        (b'{"id_user_rated": 1,}', {"body": ["The request body must be valid JSON."]}),
        (b"[1, 2]", {"body": ["The request body must be a JSON object."]}),
        (b'"text"', {"body": ["The request body must be a JSON object."]}),
        (b"42", {"body": ["The request body must be a JSON object."]}),
    ],
)
async def test_a_body_that_is_not_a_json_object(
    client: httpx.AsyncClient, chatroom: int, ambassador: Person, content: bytes, errors: Any
) -> None:
    response = await client.post(
        f"/chat/chatrooms/{chatroom}/ratings",
        content=content,
        headers=ambassador.headers | {"Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["errors"] == errors
    await assert_nothing_written(client, chatroom, ambassador)


@pytest.mark.parametrize(
    ("body", "field", "sentence"),
    [
        ({"id_user_rated": "2"}, "id_user_rated", "The id_user_rated field must be an integer."),
        ({"id_user_rater": True}, "id_user_rater", "The id_user_rater field must be an integer."),
        ({"id_user_rater": 2.5}, "id_user_rater", "The id_user_rater field must be an integer."),
        ({"id_user_rater": False}, "id_user_rater", "The id_user_rater field must be an integer."),
        ({"id_user_rater": 1e-9}, "id_user_rater", "The id_user_rater field must be an integer."),
        ({"id_user_rater": [2]}, "id_user_rater", "The id_user_rater field must be an integer."),
        ({"id_user_rater": {}}, "id_user_rater", "The id_user_rater field must be an integer."),
        ({"id_user_rater": 0}, "id_user_rater", "The id_user_rater field must be at least 1."),
        ({"id_user_rater": -3}, "id_user_rater", "The id_user_rater field must be at least 1."),
        (
            {"id_user_rater": BIG},
            "id_user_rater",
            "The id_user_rater field must not be greater than 2147483647.",
        ),
        (
            {"id_user_rater": 10**40},
            "id_user_rater",
            "The id_user_rater field must not be greater than 2147483647.",
        ),
        ({"rated": 2}, "rated", "The rated field is not allowed."),
    ],
)
async def test_wrong_field_types_and_ranges(
    client: httpx.AsyncClient,
    chatroom: int,
    ambassador: Person,
    body: dict[str, Any],
    field: str,
    sentence: str,
) -> None:
    response = await ask_rating(client, chatroom, ambassador, body)
    assert response.status_code == 422
    assert response.json() == {"message": sentence, "errors": {field: [sentence]}}
    await assert_nothing_written(client, chatroom, ambassador)


async def test_the_message_counts_the_other_errors(
    client: httpx.AsyncClient, chatroom: int, ambassador: Person
) -> None:
    two = await ask_rating(
        client, chatroom, ambassador, {"id_user_rated": "a", "id_user_rater": "b"}
    )
    assert two.json()["message"] == "The id_user_rated field must be an integer. (and 1 more error)"
    three = await ask_rating(
        client, chatroom, ambassador, {"id_user_rated": "a", "id_user_rater": "b", "x": 1}
    )
    assert three.json()["message"] == (
        "The id_user_rated field must be an integer. (and 2 more errors)"
    )
    assert set(three.json()["errors"]) == {"id_user_rated", "id_user_rater", "x"}


@pytest.mark.parametrize("chatroom_path", ["0", "007", str(BIG), str(10**30)])
async def test_a_malformed_chatroom_id(
    client: httpx.AsyncClient, ambassador: Person, chatroom_path: str
) -> None:
    response = await client.post(
        f"/chat/chatrooms/{chatroom_path}/ratings", headers=ambassador.headers, json={}
    )
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["chatroom"]


@pytest.mark.parametrize("chatroom_path", ["abc", "-1", "1.5", "1e3", "%201"])
async def test_a_path_id_that_is_not_digits_names_no_route(
    client: httpx.AsyncClient, ambassador: Person, chatroom_path: str
) -> None:
    response = await client.post(
        f"/chat/chatrooms/{chatroom_path}/ratings", headers=ambassador.headers, json={}
    )
    assert (response.status_code, response.json()) == (404, {"message": "Not found"})


async def test_a_path_of_its_own_is_not_taken_for_an_id(
    client: httpx.AsyncClient, manager: Person
) -> None:
    """`/chat/ratings/stats` is a GET route: PATCH there is a 405, though `PATCH
    /chat/ratings/{rating}` exists (schemathesis's check of undeclared methods)."""
    for method, path, allowed in [
        ("PATCH", "/chat/ratings/stats", "GET"),
        ("DELETE", "/chat/ratings/export", "GET"),
        ("PATCH", "/chat/ambassadors/shop-customer", "POST"),
    ]:
        response = await client.request(method, path, headers=manager.headers, json={})
        assert (response.status_code, response.json()) == (405, {"message": "Method Not Allowed."})
        assert response.headers["allow"] == allowed


async def test_null_fields_mean_the_defaults(
    client: httpx.AsyncClient, chatroom: int, visitor: Person, ambassador: Person
) -> None:
    body = {"id_user_rated": None, "id_user_rater": None}
    response = await ask_rating(client, chatroom, ambassador, body)
    assert response.status_code == 201
    assert response.json()["rating"]["id_user_rater"] == visitor.id


async def test_no_body_at_all_means_the_defaults(
    client: httpx.AsyncClient, chatroom: int, ambassador: Person
) -> None:
    response = await client.post(f"/chat/chatrooms/{chatroom}/ratings", headers=ambassador.headers)
    assert response.status_code == 201


async def test_unknown_routes_and_methods_answer_in_json(client: httpx.AsyncClient) -> None:
    missing = await client.get("/chat/nowhere")
    assert (missing.status_code, missing.json()) == (404, {"message": "Not found"})
    wrong_method = await client.get("/chat/ratings/1")
    assert (wrong_method.status_code, wrong_method.json()) == (
        405,
        {"message": "Method Not Allowed."},
    )


async def assert_nothing_written(client: httpx.AsyncClient, chatroom: int, caller: Person) -> None:
    room = (await client.get(f"/chat/chatrooms/{chatroom}", headers=caller.headers)).json()
    assert room["last_message_date"] is None
    assert (await ask_rating(client, chatroom, caller, {})).status_code == 201


# Date-times at the ends of the calendar (issue #11): an offset can put a well-formed date-time
# outside what Python represents in UTC (0001-01-01T00:00:00+14:00 is in year 0). Such a bound
# stands for "before everything" or "after everything", and answers 200.


@pytest.mark.parametrize(
    ("before", "listed"),
    [
        ("0001-01-01T00:00:00+14:00", 0),
        ("0001-01-01T00:00:00+01:00", 0),
        ("0001-01-01T00:00:00Z", 0),
        ("9999-12-31T23:59:59-14:00", 1),
        ("9999-12-31T23:59:59.999999Z", 1),
        ("9999-12-31T23:59:59", 1),
    ],
)
async def test_date_time_filters_at_the_ends_of_the_calendar(
    client: httpx.AsyncClient, chatroom: int, ambassador: Person, before: str, listed: int
) -> None:
    posted = await client.post(
        f"/chat/chatrooms/{chatroom}/messages",
        headers=ambassador.headers,
        json={"id_ambassador": ambassador.id, "content": "hi", "type_message": 0},
    )
    assert posted.status_code == 201
    messages = await client.get(
        f"/chat/chatrooms/{chatroom}/messages",
        headers=ambassador.headers,
        params={"filter[sent_before]": before},
    )
    assert messages.status_code == 200, messages.text
    assert messages.json()["total"] == listed
    rooms = await client.get(
        f"/chat/ambassadors/{ambassador.id}/chatrooms",
        headers=ambassador.headers,
        params={"filter[last_action_date_before]": before},
    )
    assert rooms.status_code == 200, rooms.text
    assert rooms.json()["total"] == listed


# NUL and text that is not UTF-8 (issue #11): refused before routing with a 422 naming the
# field, or `body` when no field can be named. PostgreSQL cannot store NUL (it answered 500);
# SQLite stored it.

NUL_CONTENT = "The content field must not contain NUL characters."
NUL_BODY = "The request body must not contain NUL characters."
NOT_UTF8_BODY = "The request body must be JSON encoded in UTF-8, without a byte order mark."


def message_body(content: str, sender: Person) -> bytes:
    """A message as Python's json writes it (escaping everything outside ASCII)."""
    return json.dumps({"id_ambassador": sender.id, "content": content, "type_message": 0}).encode()


@pytest.mark.parametrize(
    ("body", "field", "sentence"),
    [
        (lambda p: message_body("a\x00b", p), "content", NUL_CONTENT),
        (lambda p: message_body("\x00", p), "content", NUL_CONTENT),
        (
            lambda p: b'{"id_ambassador": %d, "content": "a\x00b", "type_message": 0}' % p.id,
            "body",
            NUL_BODY,
        ),
        (lambda p: b'{"\\u0000": 1, "content": "x", "type_message": 0}', "body", NUL_BODY),
        (
            lambda p: message_body("a\ud800b", p),
            "content",
            "The content field must be UTF-8 text.",
        ),
        (
            lambda p: b'{"id_ambassador": %d, "content": "\xff\xfe", "type_message": 0}' % p.id,
            "body",
            NOT_UTF8_BODY,
        ),
        (lambda p: codecs.BOM_UTF8 + message_body("bom", p), "body", NOT_UTF8_BODY),
        (lambda p: message_body("utf-16", p).decode().encode("utf-16"), "body", NOT_UTF8_BODY),
        (lambda p: message_body("utf-16", p).decode().encode("utf-16-le"), "body", NOT_UTF8_BODY),
        (lambda p: message_body("utf-32", p).decode().encode("utf-32-be"), "body", NOT_UTF8_BODY),
    ],
)
async def test_nul_and_text_that_is_not_utf8_in_a_body(
    client: httpx.AsyncClient,
    chatroom: int,
    ambassador: Person,
    body: Callable[[Person], bytes],
    field: str,
    sentence: str,
) -> None:
    response = await client.post(
        f"/chat/chatrooms/{chatroom}/messages",
        headers=ambassador.headers | {"Content-Type": "application/json"},
        content=body(ambassador),
    )
    assert response.status_code == 422, response.text
    assert response.json() == {"message": sentence, "errors": {field: [sentence]}}
    await assert_nothing_written(client, chatroom, ambassador)


@pytest.mark.parametrize(
    "content",
    ["a\\u0000b", "\\\\u0000", "smile \U0001f600", "\u00e9t\u00e9", "\ud7ff\ue000"],
)
async def test_escapes_that_are_text_are_kept(
    client: httpx.AsyncClient, chatroom: int, ambassador: Person, content: str
) -> None:
    """A backslash followed by u0000 is text; an escaped surrogate pair is one character."""
    response = await client.post(
        f"/chat/chatrooms/{chatroom}/messages",
        headers=ambassador.headers | {"Content-Type": "application/json"},
        content=message_body(content, ambassador),
    )
    assert response.status_code == 201, response.text
    assert response.json()["content"] == content


async def test_a_utf16_body_cannot_hide_its_nesting(
    client: httpx.AsyncClient, chatroom: int, ambassador: Person
) -> None:
    """U+2200 is 00 22 in UTF-16-LE: a byte scanner took its 0x22 for a quote and the brackets
    after it for text, and the JSON parser then recursed 5,000 levels."""
    text = '{"content": "\u2200", "x": ' + "[" * 5000 + "]" * 5000 + "}"
    response = await client.post(
        f"/chat/chatrooms/{chatroom}/messages",
        headers=ambassador.headers | {"Content-Type": "application/json"},
        content=text.encode("utf-16-le"),
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {"body": [NOT_UTF8_BODY]}


async def test_nul_in_every_kind_of_text_field(
    client: httpx.AsyncClient,
    chatroom: int,
    visitor: Person,
    ambassador: Person,
    manager: Person,
) -> None:
    rating = await ask_rating(client, chatroom, ambassador, {})
    id_rating = rating.json()["rating"]["id_rating"]
    refused = [
        await client.patch(
            f"/chat/ratings/{id_rating}",
            headers=visitor.headers,
            json={"value": 4, "content": "a\x00b"},
        ),
        await ask_rating(
            client,
            chatroom,
            visitor,
            {"id_user_rated": ambassador.id, "value": 4, "content": "\x00"},
        ),
        await client.post(
            "/chat/ambassadors/shop-customer",
            headers=manager.headers,
            json={"email_tmp": "new@example.test", "firstname": "Ann\x00"},
        ),
        await client.post("/auth/login", json={"email": "a\x00b@example.test", "password": "x"}),
    ]
    assert [r.status_code for r in refused] == [422] * 4, [r.text for r in refused]
    assert [list(r.json()["errors"]) for r in refused] == [
        ["content"],
        ["content"],
        ["firstname"],
        ["email"],
    ]
    messages = await client.get(f"/chat/chatrooms/{chatroom}/messages", headers=visitor.headers)
    assert [m["rating"]["value"] for m in messages.json()["data"]] == [None]
    customers = await client.get(
        "/chat/ambassadors", headers=manager.headers, params={"filter[status]": "7"}
    )
    assert [a["id_ambassador"] for a in customers.json()["data"]] == [visitor.id]


@pytest.mark.parametrize(
    ("query", "field", "sentence"),
    [
        (
            b"filter%5Bname%5D=%00",
            "filter[name]",
            "The filter[name] field must not contain NUL characters.",
        ),
        (
            b"filter[name]=a%00b",
            "filter[name]",
            "The filter[name] field must not contain NUL characters.",
        ),
        (
            b"filter%5Bname%5D=%FF",
            "filter[name]",
            "The filter[name] field must be percent-encoded UTF-8.",
        ),
        (
            b"filter%5Bname%5D=%ED%A0%80",
            "filter[name]",
            "The filter[name] field must be percent-encoded UTF-8.",
        ),
        (
            b"page=1&%00=1",
            "query",
            "The query string must be percent-encoded UTF-8, without NUL characters.",
        ),
        (
            b"%FF=1",
            "query",
            "The query string must be percent-encoded UTF-8, without NUL characters.",
        ),
    ],
)
async def test_nul_and_text_that_is_not_utf8_in_a_query_string(
    client: httpx.AsyncClient, ambassador: Person, query: bytes, field: str, sentence: str
) -> None:
    url = httpx.URL("http://salon.test/chat/ambassadors").copy_with(query=query)
    response = await client.get(url, headers=ambassador.headers)
    assert response.status_code == 422, response.text
    assert response.json() == {"message": sentence, "errors": {field: [sentence]}}


async def test_utf8_query_strings_are_read(client: httpx.AsyncClient, ambassador: Person) -> None:
    for name in ("\u00e9", "\U0001f600", "a+b", "100%"):
        response = await client.get(
            "/chat/ambassadors", headers=ambassador.headers, params={"filter[name]": name}
        )
        assert response.status_code == 200, response.text
        assert response.json()["data"] == []


async def test_raw_bytes_outside_ascii_in_a_query_string(app: FastAPI, ambassador: Person) -> None:
    """uvicorn's parser refuses them already; another ASGI server may not, and Starlette would
    read them as Latin-1. httpx always percent-encodes, so this request is made by hand."""
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/chat/ambassadors",
        "raw_path": b"/chat/ambassadors",
        "query_string": b"sort=id_ambassador&filter%5Bname%5D=\xc3\xa9",
        "headers": [
            (b"host", b"salon.test"),
            (b"authorization", ambassador.headers["Authorization"].encode()),
        ],
        "client": ("127.0.0.1", 1),
        "server": ("salon.test", 80),
        "root_path": "",
    }
    await app(scope, receive, send)
    assert sent[0]["status"] == 422
    sentence = "The filter[name] field must be percent-encoded UTF-8."
    assert json.loads(sent[1]["body"]) == {
        "message": sentence,
        "errors": {"filter[name]": [sentence]},
    }


# Integers in paths and query strings are read strictly (issue #11): Python's int() reads
# "0_1", "01", "+1" and " 1" as 1 and "1_0" as 10, so /chat/chatrooms/0_1 was chatroom 1. A
# path id is digits or no route at all (404); digits with a leading zero are the route's 422.
LAX_INTEGERS = ["0_1", "01", "+1", "%201", "1%20", "1_0", "%D9%A1", "0x1", "1e0", "1.0", "-0"]


@pytest.mark.parametrize("written", LAX_INTEGERS)
async def test_path_ids_are_read_strictly(
    client: httpx.AsyncClient, chatroom: int, ambassador: Person, written: str
) -> None:
    for url in (
        f"/chat/chatrooms/{written}",
        f"/chat/chatrooms/{written}/messages",
        f"/chat/ambassadors/{written}/chatrooms",
    ):
        response = await client.get(url, headers=ambassador.headers)
        if written.isdigit():  # a route's id, badly written: its 422
            assert response.status_code == 422, (url, response.text)
            assert list(response.json()["errors"]) in (["id"], ["chatroom"], ["ambassador"])
        else:  # not an id at all: no route (never chatroom 1)
            assert (response.status_code, response.json()) == (404, {"message": "Not found"})


@pytest.mark.parametrize("written", LAX_INTEGERS)
@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/chat/ambassadors", "page"),
        ("/chat/ambassadors", "per_page"),
        ("/chat/ambassadors", "filter[brand_tag]"),
        ("/chat/ratings", "filter[id_user_rated]"),
        ("/chat/ratings", "filter[id_user_rater]"),
        ("/chat/ratings", "filter[id_chatroom]"),
        ("/chat/ambassadors/{me}/chatrooms", "filter[flag]"),
        ("/chat/ambassadors/{me}/chatrooms", "filter[type_chatroom]"),
    ],
)
async def test_integer_query_parameters_are_read_strictly(
    client: httpx.AsyncClient, manager: Person, path: str, name: str, written: str
) -> None:
    url = httpx.URL(f"http://salon.test{path.format(me=manager.id)}").copy_with(
        query=f"{name}={written}".encode()
    )
    response = await client.get(url, headers=manager.headers)
    assert response.status_code == 422, response.text
    assert list(response.json()["errors"]) == [name]


async def test_integers_written_plainly_are_read(
    client: httpx.AsyncClient, chatroom: int, ambassador: Person
) -> None:
    assert (
        await client.get(f"/chat/chatrooms/{chatroom}", headers=ambassador.headers)
    ).status_code == 200
    listed = await client.get(
        "/chat/ambassadors", headers=ambassador.headers, params={"page": "1", "per_page": "10"}
    )
    assert (listed.status_code, listed.json()["per_page"]) == (200, 10)
    rooms = await client.get(
        f"/chat/ambassadors/{ambassador.id}/chatrooms",
        headers=ambassador.headers,
        params={"filter[type_chatroom]": "0"},
    )
    assert (rooms.status_code, rooms.json()["total"]) == (200, 1)


# Integers in bodies (issue #11): JSON has one number type, and the schema's `integer` (JSON
# Schema 2020-12, OpenAPI 3.1) admits any number with a zero fraction, so 2.0 is the integer 2
# everywhere; booleans, strings and fractions are refused everywhere, the flag included (it took
# `true` for 1).


@pytest.mark.parametrize("flag", [True, False, "1", 1.5, [1]])
async def test_a_flag_is_an_integer_like_every_other(
    client: httpx.AsyncClient, chatroom: int, visitor: Person, flag: object
) -> None:
    path = f"/chat/chatrooms/{chatroom}/ambassadors/{visitor.id}/flag"
    response = await client.patch(path, headers=visitor.headers, json={"flag": flag})
    assert response.status_code == 422
    assert response.json()["errors"] == {"flag": ["The flag field must be an integer."]}


async def test_whole_numbers_written_with_a_fraction_are_integers(
    client: httpx.AsyncClient, chatroom: int, visitor: Person, ambassador: Person
) -> None:
    flagged = await client.patch(
        f"/chat/chatrooms/{chatroom}/ambassadors/{visitor.id}/flag",
        headers=visitor.headers,
        json={"flag": 2.0},
    )
    assert flagged.status_code == 200, flagged.text
    posted = await client.post(
        f"/chat/chatrooms/{chatroom}/messages",
        headers=ambassador.headers | {"Content-Type": "application/json"},
        content=b'{"id_ambassador": %d.0, "content": "hi", "type_message": 0.0}' % ambassador.id,
    )
    assert posted.status_code == 201, posted.text
    assert posted.json()["type_message"] == 0
    asked = await ask_rating(client, chatroom, ambassador, {"id_user_rater": float(visitor.id)})
    assert asked.status_code == 201, asked.text
    assert asked.json()["rating"]["id_user_rater"] == visitor.id
    rated = await client.patch(
        f"/chat/ratings/{asked.json()['rating']['id_rating']}",
        headers=visitor.headers | {"Content-Type": "application/json"},
        content=b'{"value": 4e0}',
    )
    assert rated.status_code == 200, rated.text
    assert rated.json()["value"] == 4
    room = (await client.get(f"/chat/chatrooms/{chatroom}", headers=visitor.headers)).json()
    mine = next(a for a in room["ambassadors"] if a["id_ambassador"] == visitor.id)
    assert mine["chatroom_pivot_data"][0]["flag"] == 2


# The schema says what the server accepts (issue #11): each list filter's pattern admits exactly
# the lists its server accepts, read by the validator schemathesis uses (jsonschema-rs). The
# pattern admitted filter[value]=9 and filter[exclude]=0, which the server refused.
LIST_SAMPLES = [
    *("", "0", "1", "5", "6", "8", "9", "10", "0,5", "5,0,5", "1,2,3,4,5,6,7,8"),
    *("5,", ",5", "5,,5", "05", "00", " 1", "1 ", "-1", "+1", "1.0", "1_0", "5\n"),
    *("2147483647", "2147483648", "1,2147483647", "99999999999", "\u0663"),
]


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/chat/ratings", "filter[value]"),
        ("/chat/ambassadors", "filter[status]"),
        ("/chat/ambassadors", "filter[exclude]"),
        ("/chat/chatrooms/{chatroom}/messages", "filter[type_message]"),
    ],
)
async def test_list_filters_accept_exactly_what_their_schema_admits(
    client: httpx.AsyncClient, chatroom: int, manager: Person, path: str, name: str
) -> None:
    spec = (await client.get("/openapi.json")).json()
    parameters = spec["paths"][path]["get"]["parameters"]
    schema = next(p["schema"] for p in parameters if p["name"] == name)
    admits = jsonschema_rs.validator_for(schema).is_valid
    url = path.format(chatroom=chatroom)
    for sample in LIST_SAMPLES:
        response = await client.get(url, headers=manager.headers, params={name: sample})
        assert response.status_code in (200, 422), response.text
        assert (response.status_code == 200) == admits(sample), (sample, response.text)


# Bodies where the schema and the server used to disagree (issue #11): an either/or body without
# `oneOf`, rules on two fields without `if`/`then`, empty or null updates, special-use email
# domains, NUL. For each, the schema's verdict (read by jsonschema-rs, as schemathesis reads it)
# is the server's: 2xx when the schema admits the body, 422 when it does not.
AGREEMENT = [
    # POST /chat/chatrooms: exactly one of ids_ambassadors and id_brand_tag, two different ids
    ("create", lambda s: {"source": 0}),
    ("create", lambda s: {"ids_ambassadors": [s["a"], s["v"]], "source": 0}),
    ("create", lambda s: {"ids_ambassadors": [s["a"], s["v"]], "id_brand_tag": None, "source": 1}),
    ("create", lambda s: {"ids_ambassadors": [s["a"], s["a"]], "source": 0}),
    ("create", lambda s: {"ids_ambassadors": [s["a"], s["v"]], "id_brand_tag": 5, "source": 0}),
    ("create", lambda s: {"ids_ambassadors": None, "id_brand_tag": None, "source": 0}),
    # POST .../messages: type 2 comes from the ratings route; 0, 1 and 7 need visible content
    ("post", lambda s: {"id_ambassador": s["a"], "type_message": 2, "content": "x"}),
    ("post", lambda s: {"id_ambassador": s["a"], "type_message": 0}),
    ("post", lambda s: {"id_ambassador": s["a"], "type_message": 7, "content": " \u3000\t"}),
    ("post", lambda s: {"id_ambassador": s["a"], "type_message": 0, "content": "\x1c"}),
    ("post", lambda s: {"id_ambassador": s["a"], "type_message": 0, "content": "\ufeff"}),
    ("post", lambda s: {"id_ambassador": s["a"], "type_message": 0, "content": "\ufeffhi"}),
    ("post", lambda s: {"id_ambassador": s["a"], "type_message": 3}),
    ("post", lambda s: {"id_ambassador": s["a"], "type_message": 0, "content": "a\x00"}),
    # PATCH /chat/messages/{id}: something to change, never null
    ("edit", lambda s: {}),
    ("edit", lambda s: {"content": None}),
    ("edit", lambda s: {"active": None}),
    ("edit", lambda s: {"active": False}),
    # POST .../ratings by the rater: a comment comes with a score
    ("rate", lambda s: {"id_user_rated": s["a"], "content": "x"}),
    ("rate", lambda s: {"id_user_rated": s["a"], "content": None}),
    ("rate", lambda s: {"id_user_rated": s["a"], "value": 4.0, "content": "x"}),
    # PATCH /chat/ratings/{rating} of a pending rating: a score, never null; a body
    ("submit", lambda s: {}),
    ("submit", lambda s: {"value": None}),
    ("submit", lambda s: {"value": 5}),
    ("submit", lambda s: None),
    # POST /chat/ambassadors/shop-customer: an address mail can reach
    ("customer", lambda s: {"email_tmp": "a@b.test"}),
    ("customer", lambda s: {"email_tmp": "a@shop.localhost"}),
    ("customer", lambda s: {"email_tmp": "a@b.example"}),
]
OPERATIONS = {
    "create": ("post", "/chat/chatrooms", "ambassador"),
    "post": ("post", "/chat/chatrooms/{chatroom}/messages", "ambassador"),
    "edit": ("patch", "/chat/messages/{id}", "ambassador"),
    "rate": ("post", "/chat/chatrooms/{chatroom}/ratings", "visitor"),
    "submit": ("patch", "/chat/ratings/{rating}", "visitor"),
    "customer": ("post", "/chat/ambassadors/shop-customer", "manager"),
}


@pytest.mark.parametrize(("operation", "body"), AGREEMENT)
async def test_the_schema_admits_exactly_the_bodies_the_server_accepts(
    client: httpx.AsyncClient,
    chatroom: int,
    visitor: Person,
    ambassador: Person,
    manager: Person,
    operation: str,
    body: Callable[[dict[str, int]], Any],
) -> None:
    method, path, who = OPERATIONS[operation]
    message = await client.post(
        f"/chat/chatrooms/{chatroom}/messages",
        headers=ambassador.headers,
        json={"id_ambassador": ambassador.id, "content": "hi", "type_message": 0},
    )
    ids = {"chatroom": chatroom, "id": message.json()["id_message"]}
    if operation == "submit":  # a pending rating (for "rate", it would be a second request)
        rating = await ask_rating(client, chatroom, ambassador, {})
        ids["rating"] = rating.json()["rating"]["id_rating"]
    sent = body({"a": ambassador.id, "v": visitor.id})

    spec = (await client.get("/openapi.json")).json()
    declared = spec["paths"][path][method]["requestBody"]
    # The body's schema, with the components its references point to.
    schema = declared["content"]["application/json"]["schema"] | {"components": spec["components"]}
    if sent is None:
        admitted = not declared.get("required")
    else:
        admitted = jsonschema_rs.validator_for(schema).is_valid(sent)

    caller = {"visitor": visitor, "ambassador": ambassador, "manager": manager}[who]
    kwargs: dict[str, Any] = {} if sent is None else {"json": sent}
    response = await client.request(method, path.format(**ids), headers=caller.headers, **kwargs)
    assert response.status_code in (200, 201, 422), response.text
    assert (response.status_code < 300) == admitted, (sent, admitted, response.text)
