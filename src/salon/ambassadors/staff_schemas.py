"""The wire of the staff's and the platform's views of the brand's people."""

from datetime import datetime, timedelta
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from salon.ambassadors.schemas import AmbassadorMicro, micro_wire
from salon.ambassadors.staff_repository import PlatformPerson, StaffRow
from salon.api.wire import Int32, WireDateTime
from salon.clock import format_wire_datetime
from salon.records import AmbassadorStatus

NO_SOURCE = "Salon records no {what}: always {value}."


def role_name(status: int) -> str:
    """The name of a `status` (3.2 of the reference): `shop_manager` for 4."""
    return AmbassadorStatus(status).name.lower()


ROLE_NAMES = tuple(role_name(status) for status in AmbassadorStatus)


class ManagerAmbassador(AmbassadorMicro):
    """A person in the manager's list: the micro form and the manager's numbers."""

    date_insert: WireDateTime
    suspicious: bool = Field(description=NO_SOURCE.format(what="suspicion", value="false"))
    suspicious_date: WireDateTime | None = Field(
        description=NO_SOURCE.format(what="suspicion", value="null")
    )
    ignore_suspicious: bool = Field(description=NO_SOURCE.format(what="suspicion", value="false"))
    suspicious_quarantine: bool = Field(
        description=NO_SOURCE.format(what="quarantine", value="false")
    )
    sell_token_amount: int = Field(description=NO_SOURCE.format(what="sell tokens", value="0"))
    nb_conversations: int = Field(description="The chatrooms the person takes part in")
    nb_diffused_publications: int = Field(
        description=NO_SOURCE.format(what="publications", value="0")
    )
    sponsor: Int32 | None = Field(description=NO_SOURCE.format(what="sponsor", value="null"))
    nb_sales: int = Field(description=NO_SOURCE.format(what="sales", value="0"))
    nb_chat_sales: int = Field(description=NO_SOURCE.format(what="sales", value="0"))
    nb_purchases: int = Field(description=NO_SOURCE.format(what="purchases", value="0"))
    gamification_score: int = Field(description=NO_SOURCE.format(what="gamification", value="0"))
    role: list[Annotated[str, Field(json_schema_extra={"enum": list(ROLE_NAMES)})]] = Field(
        description="The name of the person's status (one role per person in Salon)"
    )


def manager_wire(row: StaffRow, now: datetime, online_window: timedelta) -> dict[str, Any]:
    ambassador = row.ambassador
    return micro_wire(ambassador, now, online_window) | {
        "date_insert": format_wire_datetime(row.date_insert),
        "suspicious": False,
        "suspicious_date": None,
        "ignore_suspicious": False,
        "suspicious_quarantine": False,
        "sell_token_amount": 0,
        "nb_conversations": row.nb_conversations,
        "nb_diffused_publications": 0,
        "sponsor": None,
        "nb_sales": 0,
        "nb_chat_sales": 0,
        "nb_purchases": 0,
        "gamification_score": 0,
        "role": [role_name(ambassador.status)],
    }


class PlatformAmbassador(BaseModel):
    """A person as the platform shows them (`GET /platform/ambassadors/{id}`): no email."""

    id_ambassador: Int32
    id_brand: Int32
    date_insert: WireDateTime
    customer_id: str | None
    image: str | None
    gender: str | None
    firstname: str
    lastname: str
    username: str | None
    full_name: str = Field(description="firstname and lastname, with a space between")
    gamification_score: int = Field(description=NO_SOURCE.format(what="gamification", value="0"))
    active: Int32
    status: Int32
    online: bool = Field(description="true: when last_action_date is less than 5 minutes ago")


def platform_wire(
    person: PlatformPerson, now: datetime, online_window: timedelta
) -> dict[str, Any]:
    ambassador = person.ambassador
    last_action = ambassador.last_action_date
    return {
        "id_ambassador": ambassador.id_ambassador,
        "id_brand": ambassador.id_brand,
        "date_insert": format_wire_datetime(person.date_insert),
        "customer_id": ambassador.customer_id,
        "image": ambassador.image,
        "gender": person.gender,
        "firstname": ambassador.firstname,
        "lastname": ambassador.lastname,
        "username": ambassador.username,
        "full_name": f"{ambassador.firstname} {ambassador.lastname}".strip(),
        "gamification_score": 0,
        "active": ambassador.active,
        "status": ambassador.status,
        "online": last_action is not None and now - last_action < online_window,
    }


class PlatformStats(BaseModel):
    gamification_score: int = Field(description=NO_SOURCE.format(what="gamification", value="0"))
    nb_established_conversations: int = Field(
        description="The chatrooms the person takes part in where a dialogue was established "
        "(a second person wrote)"
    )
    nb_sponsored: int = Field(description=NO_SOURCE.format(what="sponsorship", value="0"))
    nb_chat_sales: int = Field(description=NO_SOURCE.format(what="sales", value="0"))
    nb_sales: int = Field(description=NO_SOURCE.format(what="sales", value="0"))
    nb_ratings: int = Field(description="Ratings the person received (with a value)")
    nb_asked_ratings: int = Field(
        description="Ratings asked of others about the person (answered or not)"
    )
    avg_rating: float | None = Field(
        description="Mean value of the ratings received; null when none was given"
    )
    nb_publications: int = Field(description=NO_SOURCE.format(what="publications", value="0"))


class DeclineRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[
        str,
        Field(
            strict=True,
            min_length=1,
            max_length=1000,
            pattern=r"^[^\x00]*[^\s\x00][^\x00]*$",
            description="Why the application is declined (kept, and shown in the mail)",
        ),
    ]


class DecisionOut(BaseModel):
    message: str
