"""The web server's settings file (gunicorn.conf.py at the project root)."""

import gc
import runpy
from pathlib import Path

CONF = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"


def test_a_worker_freezes_what_it_loaded_at_start():
    """Objects alive when a worker has loaded the app are kept out of the
    garbage collector's full collections."""
    hooks = runpy.run_path(str(CONF))
    gc.unfreeze()
    try:
        assert gc.get_freeze_count() == 0
        hooks["post_worker_init"](worker=None)
        assert gc.get_freeze_count() > 1000
    finally:
        gc.unfreeze()
