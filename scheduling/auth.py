"""Sign-in: django-axes counts failed passwords per username and client address and locks that
pair out for a while; the pages and the admin sign-in both go through it."""

from axes.backends import AxesStandaloneBackend


class SignInLockout(AxesStandaloneBackend):
    """Axes' check before the password is tried. A sign-in without a request (management
    commands, `authenticate()` in code) has no client to count, so it passes through."""

    def authenticate(self, request=None, *args, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, *args, **kwargs)
