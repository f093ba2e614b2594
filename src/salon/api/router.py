from fastapi import APIRouter

from salon.chatrooms.router import router as chatrooms
from salon.ratings.router import router as ratings

api_router = APIRouter()
api_router.include_router(chatrooms)
api_router.include_router(ratings)
