"""The mails of an application's decision (approved, declined), as HTML.

Salon sends no mail (it has no mailer: a brand's own mailer or CRM sends what its webhooks
carry); `?preview-mail=true` on the decision routes answers this HTML so the brand's staff see
what their person would be told. Everything that comes from people (names, the brand's label,
the reason) is escaped."""

from html import escape

from salon.records import Ambassador, Brand

_PAGE = (
    '<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8"><title>{title}</title></head>\n'
    "<body>\n<p>Hello {name},</p>\n{body}\n<p>The {brand} team</p>\n</body>\n</html>\n"
)


def _name(person: Ambassador) -> str:
    return escape(f"{person.firstname} {person.lastname}".strip() or "there")


def approved(person: Ambassador, brand: Brand) -> str:
    label = escape(brand.label)
    return _PAGE.format(
        title=f"Welcome to {label}",
        name=_name(person),
        brand=label,
        body=f"<p>Your application to join {label} has been approved: you can sign in now.</p>",
    )


def declined(person: Ambassador, brand: Brand, reason: str) -> str:
    label = escape(brand.label)
    return _PAGE.format(
        title=f"Your application to {label}",
        name=_name(person),
        brand=label,
        body=f"<p>Your application to join {label} has been declined.</p>\n"
        f"<p>Reason: {escape(reason)}</p>",
    )
