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

# Sent inside the transaction that loads a new set of ward boundaries, once
# the wards are saved. A receiver moves its records that have a location to
# the current ward that holds them, and returns a sentence for the load's
# report (such as "3 assets moved to the ward that now holds them.") or "".
wards_changed = Signal()
