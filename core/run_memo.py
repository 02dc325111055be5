"""Reads answered once per run (one batch of a department file), not once per row.

A feed writes its rows one by one through the one door, and each row asked again for what the
batch does not change: the policy profile of a pooling region, the profile's year standards, the
county a residence is pooled in. Inside `run_memo()` a function marked `@per_run` answers each
distinct call once; outside one it reads every time. Nothing outlives the block, so a profile
edited in the admin counts from the next batch on, and no worker holds a stale copy.
"""
from __future__ import annotations

import contextvars
import functools
from contextlib import contextmanager

_answers: contextvars.ContextVar[dict | None] = contextvars.ContextVar("canbao_run_memo",
                                                                       default=None)


@contextmanager
def run_memo():
    """A run: `@per_run` answers are kept until it ends (a run inside a run is the outer one).
    Also a decorator: each call of the decorated function is a run."""
    if _answers.get() is not None:
        yield
        return
    token = _answers.set({})
    try:
        yield
    finally:
        _answers.reset(token)


def per_run(function):
    """Answer each distinct call once per run. For reads whose answer the run does not change,
    with hashable arguments; callers must not mutate what they get."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        answers = _answers.get()
        if answers is None:
            return function(*args, **kwargs)
        key = (function, args, tuple(sorted(kwargs.items())))
        if key not in answers:
            answers[key] = function(*args, **kwargs)
        return answers[key]

    return wrapper
