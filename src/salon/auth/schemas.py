from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from salon.ambassadors.schemas import AmbassadorFull, InputDay, Text32
from salon.api.wire import InputEmail, InputText

Text255 = Annotated[InputText, Field(min_length=1, max_length=255)]


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Text255
    password: Annotated[InputText, Field(min_length=1, max_length=1024)]


class ApiKeyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    api_key: Text255


class TokenOut(BaseModel):
    token: str = Field(description="Send as `Authorization: Bearer <token>`")


class LoginOut(TokenOut):
    user: AmbassadorFull


Optional255 = Annotated[InputText, Field(max_length=255)] | None


class BrandUserRequest(BaseModel):
    """Body of `POST /auth/brand`: the shop's signed-in customer, as the shop knows them."""

    model_config = ConfigDict(extra="forbid")

    email_tmp: InputEmail = Field(description="the customer's email at the shop")
    firstname: Text255
    user_api_key: Text255 = Field(
        description="the API key of a staff member of the brand (its integration key)"
    )
    customer_id: Optional255 = Field(default=None, description="the customer's id at the shop")
    lang: Annotated[InputText, Field(max_length=16)] | None = None
    gender: Text32 | None = None
    lastname: Optional255 = None
    dob: InputDay | None = None
    city: Optional255 = None
    country: Optional255 = None
    postcode: Text32 | None = None
    image: Annotated[InputText, Field(max_length=2048)] | None = None
