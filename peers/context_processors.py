from peers.selectors import caller_for


def roles(request):
    """The signed-in person's roles, for the navigation."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"caller_roles": frozenset()}
    return {"caller_roles": caller_for(user).roles}
