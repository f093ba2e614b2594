"""What the request guard's body and query-string checks cost per request (api/guards.py):
before, the JSON depth scan alone (a loop over every byte); after, the text checks (C-level
scans; a body that spells a \\u0000 or surrogate escape is parsed once more) and the depth
check, which scans only a body with more opening brackets than the depth limit. json.loads,
which FastAPI runs on every body anyway, gives the scale.

    .venv/bin/python -m bench.guard

Medians of 5 timed runs, in microseconds per call.
"""

import json
import statistics
import timeit
from collections.abc import Callable
from functools import partial

from salon.api.guards import body_refusal, json_depth, query_refusal
from salon.config import Settings


def message(content: str, *, ascii_only: bool = False) -> bytes:
    body = {"id_ambassador": 2, "content": content, "type_message": 0}
    return json.dumps(body, ensure_ascii=ascii_only).encode()


BODIES = {
    "rating request, 40 B": b'{"id_user_rated": 5, "id_user_rater": 2}',
    "message, 10,000 ASCII characters": message("a" * 10_000),
    "message, 10,000 accented characters (UTF-8)": message("\u00e9" * 10_000),
    "message, 10,000 accented characters (\\u-escaped)": message(
        "\u00e9" * 10_000, ascii_only=True
    ),
    "message, 2,500 emoji (\\u-escaped surrogate pairs)": message(
        "\U0001f600" * 2_500, ascii_only=True
    ),
}
MAX_JSON_DEPTH = Settings.model_fields["max_json_depth"].default
QUERIES = {
    "no query string": b"",
    "page=2&per_page=50": b"page=2&per_page=50",
    "filter%5Bname%5D=ren%C3%A9&sort=-last_action_date": (
        b"filter%5Bname%5D=ren%C3%A9&sort=-last_action_date"
    ),
}


def microseconds(call: Callable[[], object]) -> float:
    timer = timeit.Timer(call)
    number, _ = timer.autorange()
    runs = timer.repeat(repeat=5, number=number)
    return statistics.median(runs) / number * 1e6


def main() -> None:
    print(f"{'body':<52} {'before':>9} {'after':>9} {'json.loads':>11}")
    for name, body in BODIES.items():
        before = microseconds(partial(json_depth, body))  # the guard's only body check then
        after = microseconds(partial(body_refusal, body, MAX_JSON_DEPTH))
        parse = microseconds(partial(json.loads, body))
        print(f"{name:<52} {before:>7.1f}us {after:>7.1f}us {parse:>9.1f}us")
    print(f"\n{'query string':<52} {'after':>9}")
    for name, query in QUERIES.items():
        print(f"{name:<52} {microseconds(partial(query_refusal, query)):>7.2f}us")


if __name__ == "__main__":
    main()
