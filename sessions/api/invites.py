"""Seats and answers: a peer's seats, accept and decline."""

from ninja import Router

router = Router(tags=["seats"])
