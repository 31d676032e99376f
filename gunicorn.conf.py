"""gunicorn's settings for abcd: gunicorn reads this file from the directory
it starts in (the project root), so `gunicorn abcd.wsgi` and `make bench`
both use it. Settings given on the command line win over these."""

import gc


def post_worker_init(worker):
    """Keep what the app loaded at start out of the garbage collector's way.

    A worker starts with about 90,000 objects (Django, the apps, their
    modules) that live as long as it does. Python's full collection walks
    all of them every few dozen requests, and the requests it lands on make
    every page's slow tail (docs/scaling.md).
    Frozen, they are never walked; what requests make is still collected."""
    gc.freeze()
