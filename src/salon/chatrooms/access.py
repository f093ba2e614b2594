"""Who may see a chatroom and who may post in it: one definition, used by every route."""

from salon.errors import Forbidden
from salon.records import Ambassador, Chatroom


def ensure_can_read(chatroom: Chatroom, caller: Ambassador) -> None:
    """Participants and the brand's staff."""
    if not caller.is_staff and not is_participant(chatroom, caller.id_ambassador):
        raise Forbidden


def ensure_can_post(chatroom: Chatroom, caller: Ambassador) -> None:
    """Participants only; and not while another participant has blocked the chatroom.

    A block is one participant's "no more from this chatroom": the others can no longer post
    messages or rating requests in it; reading, and the blocker's own posting, are unaffected.
    """
    if not is_participant(chatroom, caller.id_ambassador):
        raise Forbidden
    ensure_not_blocked(chatroom, caller)


def ensure_not_blocked(chatroom: Chatroom, caller: Ambassador) -> None:
    if any(p.is_blocked and p.id_ambassador != caller.id_ambassador for p in chatroom.participants):
        raise Forbidden


def is_participant(chatroom: Chatroom, id_ambassador: int) -> bool:
    return any(p.id_ambassador == id_ambassador for p in chatroom.participants)
