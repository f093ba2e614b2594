from fastapi import APIRouter

from salon.ambassadors.manager import router as manager_ambassador_writes
from salon.ambassadors.me import router as me
from salon.ambassadors.router import router as ambassadors
from salon.ambassadors.staff import manager as manager_ambassadors
from salon.ambassadors.staff import platform as platform_ambassadors
from salon.ambassadors.widget import router as widget_ambassadors
from salon.auth.router import router as auth
from salon.brands.router import router as brands
from salon.catalog.router import router as catalog
from salon.chatrooms.manager import router as manager_chatrooms
from salon.chatrooms.router import router as chatrooms
from salon.messages.router import router as messages
from salon.ratings.public import router as public_ratings
from salon.ratings.router import router as ratings
from salon.realtime.router import router as realtime
from salon.waiting_list.router import router as waiting_list
from salon.webhooks.router import router as webhooks

# Routes are matched in order: the hot ones (a page of messages, rating a chatroom) first.
ROUTERS: tuple[APIRouter, ...] = (
    messages,
    ratings,
    chatrooms,
    ambassadors,
    auth,
    realtime,
    webhooks,
    public_ratings,
    manager_chatrooms,
    manager_ambassadors,
    manager_ambassador_writes,
    platform_ambassadors,
    waiting_list,
    brands,
    catalog,
    widget_ambassadors,
    me,  # /{environment}/me: last, its first segment is a parameter
)
