from datetime import datetime, timedelta
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from salon.api.wire import InputEmail, InputText, Int32, WireDateTime
from salon.clock import format_wire_datetime
from salon.records import Ambassador


class AmbassadorMicro(BaseModel):
    """The "micro" ambassador used in chat payloads (a message's `author`, lists)."""

    id_ambassador: Int32
    image: str | None
    firstname: str
    lastname: str
    username: str | None
    email: str | None
    email_tmp: str | None
    active: Int32
    status: Int32
    online: bool = Field(description="true: when last_action_date is less than 5 minutes ago")
    last_action_date: WireDateTime | None
    customer_id: str | None
    anonymized: bool


def micro_wire(ambassador: Ambassador, now: datetime, online_window: timedelta) -> dict[str, Any]:
    """An `AmbassadorMicro` as sent: the wire dict, built straight from the row."""
    last_action = ambassador.last_action_date
    return {
        "id_ambassador": ambassador.id_ambassador,
        "image": ambassador.image,
        "firstname": ambassador.firstname,
        "lastname": ambassador.lastname,
        "username": ambassador.username,
        "email": ambassador.email,
        "email_tmp": ambassador.email_tmp,
        "active": ambassador.active,
        "status": ambassador.status,
        "online": last_action is not None and now - last_action < online_window,
        "last_action_date": format_wire_datetime(last_action) if last_action else None,
        "customer_id": ambassador.customer_id,
        "anonymized": ambassador.anonymized,
    }


class AmbassadorFull(AmbassadorMicro):
    """The connected person, as `/auth/login` returns it."""

    id_brand: int
    date_insert: WireDateTime
    date_update: WireDateTime


def full_wire(
    ambassador: Ambassador,
    dates: tuple[datetime, datetime],
    now: datetime,
    online_window: timedelta,
) -> dict[str, Any]:
    """An `AmbassadorFull` as sent; `dates` are its `date_insert` and `date_update`."""
    return micro_wire(ambassador, now, online_window) | {
        "id_brand": ambassador.id_brand,
        "date_insert": format_wire_datetime(dates[0]),
        "date_update": format_wire_datetime(dates[1]),
    }


class AmbassadorUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email_tmp: InputEmail | None = Field(description="null clears it")


class ShopCustomerRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email_tmp: InputEmail
    firstname: Annotated[InputText, Field(max_length=255)] = ""
    lastname: Annotated[InputText, Field(max_length=255)] = ""


class ShopCustomerOut(AmbassadorMicro):
    api_key: str | None = Field(
        default=None,
        description="Only when the customer was just created: exchange it at POST /auth/token",
    )
