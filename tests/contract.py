"""Every response the suite receives, checked against what /openapi.json documents for its
operation and status: the routes build their JSON from rows (api/responses.py), and the
response models only describe them, so this is what keeps the two in step."""

import re
from typing import Any

import httpx
import jsonschema_rs
import orjson


class ResponseContract:
    def __init__(self, openapi: dict[str, Any]) -> None:
        self._components = openapi.get("components", {})
        self._operations: list[tuple[re.Pattern[str], str, dict[str, Any]]] = []
        for path, item in openapi["paths"].items():
            # Path parameters are ids: digits only (api/routing.py, `ids_only`).
            pattern = re.compile("^" + re.sub(r"\{[^}]+\}", "[0-9]+", path) + "$")
            for method, operation in item.items():
                self._operations.append((pattern, method.upper(), operation))
        self._validators: dict[tuple[str, str, int], Any] = {}
        self.checked = 0

    async def check(self, response: httpx.Response) -> None:
        request = response.request
        operation = self._operation(request.method, request.url.path)
        if operation is None:
            return  # no such route: a 404 or 405 of the framework, not an operation's answer
        documented = operation["responses"].get(str(response.status_code))
        assert documented is not None, (
            f"{request.method} {request.url.path} answered {response.status_code}, which its "
            f"operation does not document ({sorted(operation['responses'])})"
        )
        schema = documented.get("content", {}).get("application/json", {}).get("schema")
        if schema is None or "json" not in response.headers.get("content-type", ""):
            return
        await response.aread()
        key = (request.method, operation["operationId"], response.status_code)
        validator = self._validators.get(key)
        if validator is None:
            root = {**schema, "components": self._components}
            validator = self._validators[key] = jsonschema_rs.validator_for(root)
        errors = [str(error) for error in validator.iter_errors(orjson.loads(response.content))]
        assert not errors, (
            f"{request.method} {request.url.path} {response.status_code} breaks its documented "
            f"schema: {errors[:3]}"
        )
        self.checked += 1

    def _operation(self, method: str, path: str) -> dict[str, Any] | None:
        for pattern, verb, operation in self._operations:
            if verb == method and pattern.match(path):
                return operation
        return None
