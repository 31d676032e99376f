"""Signals other apps listen to. They are defined here, in the leftmost app,
so that an app further right can react to something without the sender
importing it."""

from django.dispatch import Signal

# Sent inside the transaction that anonymises a resident (an erasure request
# or the retention schedule), with ``resident``: every app that keeps
# something about residents removes what identifies them.
resident_anonymised = Signal()

# Sent while answering a subject access request, with ``resident``. A
# receiver returns {"title": ..., "items": [{label: value, ...}, ...]} for
# what its app holds about them, so that the answer is complete without the
# app that answers importing every other.
personal_data_requested = Signal()
