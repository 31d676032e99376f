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

# Sent when something a security officer would want to see happens, with
# ``kind`` (one of SECURITY_EVENT_KINDS), ``request`` (or None, outside a
# request), ``user`` (the account concerned, or None) and ``detail`` (a dict
# of plain values, never a password or a resident's personal data). The
# trust app keeps each as a row officers can read and a structured log line;
# an app that notices an event sends this rather than importing trust.
security_event = Signal()

SECURITY_EVENT_KINDS = (
    "sign_in",
    "sign_in_failed",
    "locked_out",
    "second_factor_failed",
    "second_factor_added",
    "second_factor_removed",
    "password_changed",
    "password_reset_requested",
    "password_reset_done",
    "user_changed",
    "role_changed",
    "export",
    "subject_access",
    "erasure",
)
