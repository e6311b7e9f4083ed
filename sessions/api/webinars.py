"""Webinars and registrations."""

from ninja import Router

router = Router(tags=["webinars"])
