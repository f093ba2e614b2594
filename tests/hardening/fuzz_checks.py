"""Schemathesis checks for test_contract_fuzz.py, loaded with SCHEMATHESIS_HOOKS.

`schema_valid_requests_are_accepted` stands in for schemathesis's `positive_data_acceptance`,
which fails on any 400 or 422 for a request generated from the schema. Salon refuses some of
those by design: rules that depend on the data or on the caller (a second pending rating
request, a rater who is not a participant) or compare two fields, which no schema can state.
Each such rule is listed in its operation's description, one line per rule:

    - `field`: the sentence the server answers — when

A schema-valid request may be refused only with a 422 whose every error is one of those lines
(numbers aside: `ids_ambassadors.1` matches the line for `ids_ambassadors.0`). Anything else --
another status, a sentence of the schema's own kind ("must be an integer", "format is
invalid"), a rule nobody documented -- means the schema admits what the server refuses: fix the
schema, the server, or document the rule.
"""

import re
from typing import Any

import schemathesis
from schemathesis import Case, CheckContext, Response
from schemathesis.specs.openapi.checks import is_unexpected_http_status_case

RULE = re.compile(r"^- `([^`]+)`: (.+?) — ", re.MULTILINE)
# What schemathesis's own check accepts for valid data: success, redirects, no credentials or
# rights, an id that does not exist, a conflict, a rate limit. Server errors are another
# check's failures.
NOT_A_REFUSAL = {401, 403, 404, 409, 429}


def _same(text: str) -> str:
    return re.sub(r"[0-9]+", "#", text)


def documented_rules(description: str) -> set[tuple[str, str]]:
    return {(_same(field), _same(sentence)) for field, sentence in RULE.findall(description)}


def refusal_errors(response: Response) -> list[tuple[str, str]]:
    """(field, sentence) of each error of a 422 in the documented shape, else []."""
    try:
        body: Any = response.json()
    except ValueError:
        return []
    errors = body.get("errors") if isinstance(body, dict) else None
    if not isinstance(errors, dict):
        return []
    return [(field, sentence) for field, sentences in errors.items() for sentence in sentences]


@schemathesis.check
def schema_valid_requests_are_accepted(
    ctx: CheckContext, response: Response, case: Case[Any]
) -> bool | None:
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return None
    if is_unexpected_http_status_case(case):  # a probe of undeclared methods, not data
        return None
    status = response.status_code
    if status < 400 or status >= 500 or status in NOT_A_REFUSAL:
        return None
    errors = refusal_errors(response) if status == 422 else []
    documented = documented_rules(case.operation.definition.raw.get("description", ""))
    undocumented = [e for e in errors if (_same(e[0]), _same(e[1])) not in documented]
    if errors and not undocumented:
        return None
    raise AssertionError(
        f"The schema admits this request, but the server refused it with {status}: "
        f"{undocumented or response.text[:500]}"
    )
