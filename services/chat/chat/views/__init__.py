"""Read models of the chat: conversations (queues, agents' chats, customers' past chats) and entries."""
