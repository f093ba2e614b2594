from datetime import datetime, timedelta

from pydantic import BaseModel, Field

from salon.api.wire import Int32, WireDateTime
from salon.db.models import Ambassador


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

    @classmethod
    def of(
        cls, ambassador: Ambassador, *, now: datetime, online_window: timedelta
    ) -> "AmbassadorMicro":
        last_action = ambassador.last_action_date
        return cls(
            id_ambassador=ambassador.id_ambassador,
            image=ambassador.image,
            firstname=ambassador.firstname,
            lastname=ambassador.lastname,
            username=ambassador.username,
            email=ambassador.email,
            email_tmp=ambassador.email_tmp,
            active=ambassador.active,
            status=ambassador.status,
            online=last_action is not None and now - last_action < online_window,
            last_action_date=last_action,
            customer_id=ambassador.customer_id,
            anonymized=ambassador.anonymized,
        )
