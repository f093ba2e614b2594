from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, WithJsonSchema
from pydantic_core import PydanticCustomError

from salon.api.wire import (
    InputDateTime,
    InputEmail,
    InputImageUrl,
    InputText,
    Int32,
    Name,
    WireDateTime,
    null_refused,
)
from salon.clock import format_wire_datetime
from salon.records import Ambassador, Profile


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


Text255 = Annotated[InputText, Field(max_length=255)]
Text32 = Annotated[InputText, Field(max_length=32)]
_ISO_DAY = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


def _real_day(value: str) -> str:
    try:
        date.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError("datetime_parsing", "not a date") from None
    return value


InputDay = Annotated[
    str,
    Field(strict=True, pattern=_ISO_DAY),
    AfterValidator(_real_day),
    WithJsonSchema({"type": "string", "format": "date", "description": "YYYY-MM-DD"}),
]
"""A day in a JSON body, `YYYY-MM-DD` (the schema's `format: date`), kept as that text."""

SOCIAL_ACCOUNTS = (
    "fb_account",
    "twitter_account",
    "instagram_account",
    "linkedin_account",
    "youtube_account",
    "tiktok_account",
)
"""The social accounts Salon keeps (the reference's register body, and the mirror's
`tiktok_account`); `linkedin_account` is `linkedIn_account` on the wire."""

NOTIFICATIONS = (
    "email_notification_enabled",
    "browser_notification_enabled",
    "notification_chat",
    "notification_email_chat",
)
"""The notification switches Salon keeps: those about chat (docs/decisions.md)."""

# Of the reference's full form, what Salon has no source for: always null (0 for the score).
ABSENT_FIELDS: dict[str, Any] = {
    "key_data": None,
    "broker_id": None,
    "shopify_customer_id": None,
    "facebook_id": None,
    "google_id": None,
    "apple_id": None,
    "supervisor_identity": None,
    "ambassador_id_referrer": None,
    "id_ws": None,
    "id_ws_referrer": None,
    "motivation_letter": None,
    "email_notification_delay": None,
    "last_notification_date": None,
    "last_notification_flow": None,
    "gamification_score": 0,
    "gamification_current_level": None,
    "gamification_next_level": None,
}


class SocialAccounts(BaseModel):
    fb_account: str | None
    twitter_account: str | None
    instagram_account: str | None
    linkedin_account: str | None = Field(alias="linkedIn_account")
    youtube_account: str | None
    tiktok_account: str | None


def social_wire(profile: Profile) -> dict[str, Any]:
    return {
        "fb_account": profile.fb_account,
        "twitter_account": profile.twitter_account,
        "instagram_account": profile.instagram_account,
        "linkedIn_account": profile.linkedin_account,
        "youtube_account": profile.youtube_account,
        "tiktok_account": profile.tiktok_account,
    }


class AmbassadorFull(AmbassadorMicro, SocialAccounts):
    """The connected person, as `/auth/login` returns it: the micro form and the profile.
    Fields Salon has no source for are null (`gamification_score` 0)."""

    id_brand: int
    date_insert: WireDateTime
    date_update: WireDateTime
    gender: str | None
    description: str | None
    dob: str | None = Field(description="YYYY-MM-DD")
    lang: str | None
    phone_1: str | None
    phone_2: str | None
    city: str | None
    country: str | None
    postcode: str | None
    availability: str | None
    unavailable: bool
    is_absent: bool
    absent_msg: str | None
    email_notification_enabled: bool
    browser_notification_enabled: bool
    notification_chat: bool
    notification_email_chat: bool
    optin_cgu: bool
    optin_cgu_photos: bool
    key_data: str | None = Field(description="Always null in Salon")
    broker_id: str | None = Field(description="Always null in Salon")
    shopify_customer_id: str | None = Field(description="Always null in Salon")
    facebook_id: str | None = Field(description="Always null in Salon")
    google_id: str | None = Field(description="Always null in Salon")
    apple_id: str | None = Field(description="Always null in Salon")
    supervisor_identity: str | None = Field(description="Always null in Salon")
    ambassador_id_referrer: str | None = Field(description="Always null in Salon")
    id_ws: str | None = Field(description="Always null in Salon")
    id_ws_referrer: str | None = Field(description="Always null in Salon")
    motivation_letter: str | None = Field(description="Always null in Salon")
    email_notification_delay: str | None = Field(description="Always null in Salon")
    last_notification_date: str | None = Field(description="Always null in Salon")
    last_notification_flow: str | None = Field(description="Always null in Salon")
    gamification_score: int = Field(description="Always 0 in Salon (no gamification)")
    gamification_current_level: str | None = Field(description="Always null in Salon")
    gamification_next_level: str | None = Field(description="Always null in Salon")


def full_wire(
    ambassador: Ambassador,
    profile: Profile,
    now: datetime,
    online_window: timedelta,
) -> dict[str, Any]:
    """An `AmbassadorFull` as sent: the person's row and the rest of their profile."""
    return (
        micro_wire(ambassador, now, online_window)
        | {
            "id_brand": ambassador.id_brand,
            "date_insert": format_wire_datetime(profile.date_insert),
            "date_update": format_wire_datetime(profile.date_update),
            "gender": profile.gender,
            "description": profile.description,
            "dob": profile.dob,
            "lang": profile.lang,
            "phone_1": profile.phone_1,
            "phone_2": profile.phone_2,
            "city": profile.city,
            "country": profile.country,
            "postcode": profile.postcode,
            "availability": profile.availability,
            "unavailable": profile.unavailable,
            "is_absent": profile.is_absent,
            "absent_msg": profile.absent_msg,
            "email_notification_enabled": profile.email_notification_enabled,
            "browser_notification_enabled": profile.browser_notification_enabled,
            "notification_chat": profile.notification_chat,
            "notification_email_chat": profile.notification_email_chat,
            "optin_cgu": profile.optin_cgu,
            "optin_cgu_photos": profile.optin_cgu_photos,
        }
        | social_wire(profile)
        | ABSENT_FIELDS
    )


def _nullable(description: str) -> Any:
    return Field(default=None, description=f"{description}; null clears it")


def _required(description: str = "") -> Any:
    return Field(default=None, description=description or None, json_schema_extra=null_refused)


class ProfileChanges(BaseModel):
    """The profile fields a person edits on themselves (`PATCH /{environment}/me`) and brand
    staff on anyone of the brand (`PATCH /manager/ambassadors/{id}`): only the fields sent
    change. One writer serves both (`ambassadors.profile`)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=False)

    image: InputImageUrl | None = _nullable("an image's http(s) URL")
    firstname: Name | None = _required()
    lastname: Annotated[InputText, Field(max_length=255)] | None = _required()
    username: Text255 | None = _nullable("the public name")
    email: InputEmail | None = _required(
        "the sign-in email, unique in the brand (stored lower case)"
    )
    gender: Text32 | None = _nullable("free text")
    description: Annotated[InputText, Field(max_length=2000)] | None = _nullable("about me")
    dob: InputDay | None = _nullable("date of birth, YYYY-MM-DD")
    lang: Annotated[InputText, Field(max_length=16)] | None = _nullable("e.g. fr_FR")
    phone_1: Text32 | None = _nullable("a phone number")
    phone_2: Text32 | None = _nullable("a phone number")
    city: Text255 | None = _nullable("city")
    country: Text255 | None = _nullable("country")
    postcode: Text32 | None = _nullable("postcode")
    availability: Text255 | None = _nullable("when the person is available, free text")
    unavailable: StrictBool | None = _required()
    is_absent: StrictBool | None = _required()
    absent_msg: Annotated[InputText, Field(max_length=1000)] | None = _nullable(
        "shown while is_absent"
    )
    fb_account: Text255 | None = _nullable("Facebook account")
    twitter_account: Text255 | None = _nullable("X (Twitter) account")
    instagram_account: Text255 | None = _nullable("Instagram account")
    linkedin_account: Text255 | None = Field(
        default=None, alias="linkedIn_account", description="LinkedIn account; null clears it"
    )
    youtube_account: Text255 | None = _nullable("YouTube account")
    tiktok_account: Text255 | None = _nullable("TikTok account")
    email_notification_enabled: StrictBool | None = _required()
    browser_notification_enabled: StrictBool | None = _required()
    notification_chat: StrictBool | None = _required()
    notification_email_chat: StrictBool | None = _required()
    optin_cgu: StrictBool | None = _required("acceptance of the terms")
    optin_cgu_photos: StrictBool | None = _required("acceptance of the terms for photos")


NOT_NULL_FIELDS = frozenset(
    name
    for name, field in ProfileChanges.model_fields.items()
    if field.json_schema_extra is null_refused
)
"""The fields a body may omit but not set to null (their columns are not nullable)."""


Password = Annotated[InputText, Field(min_length=8, max_length=1024)]


class MeUpdate(ProfileChanges):
    """Body of `PATCH /{environment}/me`. A new `password` (or `email`) needs the
    `current_password` of a person who has one (docs/decisions.md)."""

    password: Password | None = Field(default=None, description="a new password, 8+ chars")
    password_confirmation: Annotated[InputText, Field(max_length=1024)] | None = Field(
        default=None, description="required when password is set; must equal it"
    )
    current_password: Annotated[InputText, Field(max_length=1024)] | None = Field(
        default=None,
        description="required to change password or email when the person has a password",
    )


ROLE_NAMES = {
    "ambassador": 0,
    "employee": 1,
    "administrator": 2,
    "seller": 3,
    "shop_manager": 4,
    "manager": 5,
    "expert": 6,
}
"""The roles brand staff may give (members, 0-6: clients and guests come from the shop)."""


class Role(BaseModel):
    """One role of `roles`: Salon keeps one `status` per person, so `roles` holds at most one;
    its `manager_role`, when given, is the status, else its `status_role`."""

    model_config = ConfigDict(extra="forbid")

    status_role: Literal[
        "ambassador", "employee", "administrator", "seller", "shop_manager", "manager", "expert"
    ]
    manager_role: Literal["employee", "administrator", "shop_manager", "manager"] | None = None

    @property
    def status(self) -> int:
        return ROLE_NAMES[self.manager_role or self.status_role]


Comment = Annotated[InputText, Field(max_length=2000)]


class ManagerCreate(ProfileChanges):
    """Body of `POST /manager/ambassadors`."""

    firstname: Name
    lastname: Annotated[InputText, Field(max_length=255)]
    email: InputEmail = Field(description="unique in the brand (stored lower case)")
    customer_id: Text255 | None = Field(default=None, description="id in the brand's system")
    comment: Comment | None = Field(default=None, description="the staff's note on the person")
    roles: list[Role] | None = Field(
        default=None,
        max_length=1,
        description="at most one: Salon keeps one status per person (default: ambassador, 0)",
    )


class ManagerUpdate(ProfileChanges):
    """Body of `PATCH /manager/ambassadors/{id}`."""

    active: StrictBool | None = Field(
        default=None,
        description="true: active (1), false: unactivated (0)",
        json_schema_extra=null_refused,
    )
    customer_id: Text255 | None = _nullable("id in the brand's system")
    comment: Comment | None = _nullable("the staff's note on the person")
    unsubscribe: InputDateTime | None = Field(
        default=None,
        description="the date of unsubscription: the person becomes unsubscribed by the brand "
        "(active -3) and is signed out everywhere",
        json_schema_extra=null_refused,
    )


class ManagedAmbassador(AmbassadorFull):
    """The full form, as brand staff see it: with their note."""

    comment: str | None


class CreatedAmbassador(ManagedAmbassador):
    api_key: str = Field(
        description="Shown once: the new person has no password; exchange it at POST /auth/token"
    )


def managed_wire(
    ambassador: Ambassador, profile: Profile, now: datetime, online_window: timedelta
) -> dict[str, Any]:
    return full_wire(ambassador, profile, now, online_window) | {"comment": profile.comment}


class AddressGeocode(BaseModel):
    latitude: float | None
    longitude: float | None
    city: str | None
    country: str | None
    postcode: str | None
    street: str | None
    street2: str | None


class WidgetAmbassador(SocialAccounts):
    """An ambassador's card in the brand's widget: nothing private (no email, customer id)."""

    id_ambassador: Int32
    image: str | None
    full_name: str
    username: str | None
    description: str | None
    status: Int32
    availability: str | None
    unavailable: bool
    is_absent: bool
    absent_msg: str | None
    online: bool = Field(description="true: when last_action_date is less than 5 minutes ago")
    last_action_date: WireDateTime | None
    location: str | None = Field(description="the person's city (Salon keeps no point of sale)")
    address_geocode: AddressGeocode | None = Field(
        description="Always null: Salon keeps no geocoded address"
    )


def widget_wire(
    ambassador: Ambassador, profile: Profile, now: datetime, online_window: timedelta
) -> dict[str, Any]:
    last_action = ambassador.last_action_date
    return {
        "id_ambassador": ambassador.id_ambassador,
        "image": ambassador.image,
        "full_name": f"{ambassador.firstname} {ambassador.lastname}".strip(),
        "username": ambassador.username,
        "description": profile.description,
        "status": ambassador.status,
        "availability": profile.availability,
        "unavailable": profile.unavailable,
        "is_absent": profile.is_absent,
        "absent_msg": profile.absent_msg,
        "online": last_action is not None and now - last_action < online_window,
        "last_action_date": format_wire_datetime(last_action) if last_action else None,
        "location": profile.city,
        "address_geocode": None,
    } | social_wire(profile)


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
