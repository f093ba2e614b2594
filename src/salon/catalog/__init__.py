"""The brand's catalog for chat: brand tags (groups of people a chatroom can gather) and chat
topics (what a waiting-list request is about), each with texts in several languages."""
