"""Query strings as one model, validated in one call.

FastAPI validates each query parameter on its own, with a few microseconds of its own work
per parameter on every request (a list takes five to eight of them); validating them together,
as a Pydantic model read from the query string, costs about one. A route reads its model with
`Model.read(request)` and documents its parameters with
`openapi_extra={"parameters": Model.parameters()}`. Errors are 422s in the documented shape,
keyed by the parameter as sent (`filter[date_to]`).
"""

from typing import Annotated, Any, Literal, Self

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from salon.api.wire import INT32_MAX, DateRange, QueryDate, decimal_text


class QueryString(BaseModel):
    """Subclass with one field per parameter (its alias is the parameter's name)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    @classmethod
    def read(cls, request: Request) -> Self:
        try:
            # A repeated parameter counts once, with its last value, as FastAPI reads them.
            return cls.model_validate(dict(request.query_params))
        except ValidationError as error:
            raise RequestValidationError(
                [{**detail, "loc": ("query", *detail["loc"])} for detail in error.errors()]
            ) from None

    @classmethod
    def parameters(cls) -> list[dict[str, Any]]:
        """The OpenAPI `parameters` of the model's fields (`in: query`)."""
        schema = cls.model_json_schema(by_alias=True, mode="validation")
        required = set(schema.get("required", ()))
        parameters = []
        for name, field in schema["properties"].items():
            field = dict(field)
            parameter: dict[str, Any] = {"name": name, "in": "query", "required": name in required}
            if "description" in field:
                parameter["description"] = field.pop("description")
            parameter["schema"] = field
            parameters.append(parameter)
        return parameters


# A query-string id: decimal digits only (see api/wire.py `decimal_text`), 1 to int32. The
# bounds come before the validator so they stay on the integer, and in the schema.
QueryId = Annotated[int, Field(ge=1, le=INT32_MAX), BeforeValidator(decimal_text)]


class DaysQuery(QueryString):
    """A range of whole UTC days, both ends included (api/wire.py `DateRange`)."""

    date_from: Annotated[
        QueryDate | None,
        Field(alias="filter[date_from]", description="first UTC day, YYYY-MM-DD"),
    ] = None
    date_to: Annotated[
        QueryDate | None,
        Field(alias="filter[date_to]", description="last UTC day, included"),
    ] = None

    @property
    def days(self) -> DateRange:
        return DateRange(self.date_from, self.date_to)


class ComparedDaysQuery(DaysQuery):
    """A range of days, and whether to compare it with the one just before."""

    compare: Annotated[
        Literal["previous_period"] | None,
        Field(
            description="previous_period: also answer the stats of as many days just before "
            "the range, in `previous_period`"
        ),
    ] = None

    @property
    def compared(self) -> bool:
        return self.compare is not None
