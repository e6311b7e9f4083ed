"""The one base exception for a request the service refuses to carry out.

Services raise a `Refusal` (or a subclass) with the HTTP status it means, a sentence for the
person and any extras (alternatives, a code, a Retry-After); the API root maps it to a response
once, and pages show `detail`. It lives beside the engine because it is plain Python that every
app may import without importing another app.
"""


class Refusal(Exception):
    """Nothing was changed, and `detail` says why in words for the person who asked."""

    status = 409

    def __init__(self, detail: str, *, status: int | None = None, **extras):
        super().__init__(detail)
        self.detail = detail
        if status is not None:
            self.status = status
        self.extras = extras

    def body(self) -> dict:
        return {"detail": self.detail, **self.extras}

    def headers(self) -> dict[str, str]:
        return {}
