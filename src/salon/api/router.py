from fastapi import APIRouter

from salon.ambassadors.router import router as ambassadors
from salon.auth.router import router as auth
from salon.chatrooms.router import router as chatrooms
from salon.messages.router import router as messages
from salon.ratings.router import router as ratings
from salon.realtime.router import router as realtime

api_router = APIRouter()
for router in (auth, ambassadors, chatrooms, messages, ratings, realtime):
    api_router.include_router(router)
