"""Chinwag's product: framework-neutral conversation logic.

In aiogram and python-telegram-bot a "handler" is a framework callback. Here it
means a use case: it takes a normalised inbound event (``handlers.inbound``) and a
context, and returns plain outbound replies (``handlers.outbound``). Nothing in
this package imports a Telegram framework, the CLI or the ``bot`` package.
"""
