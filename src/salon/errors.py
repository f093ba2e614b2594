"""The application's error hierarchy. HTTP status codes are attached only where errors are
rendered (`salon.api.errors`); services and repositories raise these."""


class AppError(Exception):
    pass


class Unauthorized(AppError):
    """No valid credentials. `message` replaces the standard sentence where the documented
    API has another one (login: "Invalid email or password")."""

    def __init__(self, message: str = "Unauthorized.") -> None:
        super().__init__(message)
        self.message = message


class Forbidden(AppError):
    """Authenticated, but not allowed to do this."""


class NotFound(AppError):
    def __init__(self, resource: str) -> None:
        super().__init__(f"The {resource} does not exist")
        self.resource = resource


class Conflict(AppError):
    """The request lost to the current state of the resource (another request took it
    first); `message` says what, the wire prefixes "Conflict - "."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Gone(AppError):
    """It existed and no longer works (an expired or withdrawn link); `message` says which."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Invalid(AppError):
    """The request is well-formed but breaks a rule; errors are keyed by the field as sent."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(next(iter(errors.values()))[0])
        self.errors = errors

    @classmethod
    def field(cls, name: str, message: str) -> "Invalid":
        return cls({name: [message]})


class Overloaded(AppError):
    """The service has no room for this work now (not the caller's fault): retry later."""

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(f"overloaded, retry after {retry_after_seconds} s")
        self.retry_after_seconds = retry_after_seconds


class TooManyRequests(AppError):
    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(f"retry after {retry_after_seconds} s")
        self.retry_after_seconds = retry_after_seconds
