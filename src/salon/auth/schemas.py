from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from salon.ambassadors.schemas import AmbassadorFull
from salon.api.wire import InputText

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
