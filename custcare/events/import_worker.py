"""A worker process of `custcare events import --workers N` (see custcare.events.management.commands.events).

Started with multiprocessing's 'spawn' method: a fresh interpreter that imports this module before
Django is set up, so it imports nothing of Django's at module level; `work` sets Django up, connects to
the parent's database and receives the batches it is given.
"""

from __future__ import annotations

import os
import traceback
from typing import Any


def work(settings_module: str, database: str, kind: str, user_pk: Any, inbox: Any, outbox: Any, index: int) -> None:
    """Receive the batches put in `inbox` until None, answering each on `outbox` with (worker, batch
    number, "done", outcomes), or "refused" (the whole batch: no permission...) or "failed" (anything
    else, e.g. the database went away) with the reason, after which the worker stops. A worker that
    ends without a word (killed) is noticed by the parent from its exit code."""
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    import django
    from django.conf import settings

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connections

    from custcare.events.management.commands.events import BatchRefused, receive_batch

    settings.DATABASES["default"]["NAME"] = database  # the parent's database (a test database, in tests)
    connections["default"].settings_dict["NAME"] = database
    try:
        user = get_user_model().objects.get(pk=user_pk)
        while (job := inbox.get()) is not None:
            seq, batch = job
            try:
                outbox.put((index, seq, "done", receive_batch(kind, batch, user)))
            except BatchRefused as exc:
                outbox.put((index, seq, "refused", str(exc)))
                return
    except BaseException as exc:  # reported to the parent, which names the rows not confirmed
        outbox.put((index, -1, "failed", f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"))
    finally:
        connections.close_all()
