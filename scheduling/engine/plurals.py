"""Counts in words, one way: 'the peer on the panel' for one, 'each of the 3 peers on the
panel' for more, so no page or letter says 'each of the 1 peer'."""


def counted(n: int, one: str, many: str) -> str:
    """`one` when `n` is 1, else `many` with `{n}` replaced by the number (with commas)."""
    return one if n == 1 else many.replace("{n}", f"{n:,}")
