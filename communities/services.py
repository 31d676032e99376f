"""Every write in communities that is more than a form save.

Each function is keyword-only, validates before it writes, and runs in one
transaction: bad input raises ValidationError with a message for the person
at the screen, and nothing is stored.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import (
    Area,
    CelebrationEvent,
    Consent,
    Conversation,
    Group,
    Introduction,
    Resident,
    ResidentTag,
    Site,
    Tag,
    User,
)

# The words shown beside each consent box, stored with each consent given.
CONSENT_WORDING = {
    Consent.Purpose.CONTACT: (
        "I agree that the Community Builder may contact me using the details "
        "I have given."
    ),
    Consent.Purpose.INTRODUCE: (
        "I agree to be introduced to other residents and groups who share my "
        "interests, and for them to be told my first name and what we share."
    ),
    Consent.Purpose.STORY: (
        "I agree that my name may be used in stories about the programme."
    ),
}


# Tags -------------------------------------------------------------------


TAG_MAX_LENGTH = Tag._meta.get_field("key").max_length


def _tag_key(name: str) -> str:
    """The key a tag is known by, or a refusal for a name no tag can have."""
    key = Tag.normalise(name)
    if not key:
        raise ValidationError("Enter a word or phrase for the interest or gift.")
    if len(key) > TAG_MAX_LENGTH:
        raise ValidationError(
            f"An interest or gift must be {TAG_MAX_LENGTH} characters or fewer."
        )
    return key


def tag_get_or_create(*, name: str) -> Tag:
    """The one way a word enters the shared vocabulary of gifts, passions and
    asset tags: "Cooking", " cooking" and "COOKING" are one tag, named as it
    was first typed; a word too long or empty is refused; two people typing
    a new word at the same moment get the same tag."""
    key = _tag_key(name)
    tag = Tag.objects.filter(key=key).first()
    if tag:
        return tag
    try:
        with transaction.atomic():
            return Tag.objects.create(name=name)
    except IntegrityError:  # typed at the same moment by someone else
        return Tag.objects.get(key=key)


def tags_get_or_create(*, names: Iterable[str]) -> list[Tag]:
    """The tags for these words (blank ones skipped, no repeats), in the
    order first typed, adding any new ones through ``tag_get_or_create``."""
    tags: dict[int, Tag] = {}
    for name in names:
        if name.strip():
            tag = tag_get_or_create(name=name)
            tags.setdefault(tag.pk, tag)
    return list(tags.values())


# Residents and consent -------------------------------------------------


def _check_site_access(*, user: User, site: Site) -> None:
    if not site.is_visible_to(user):
        raise ValidationError("You can only record people for your own sites.")


def _check_area_in_site(*, area: Area | None, site: Site) -> None:
    if area is not None and not site.covers(area):
        raise ValidationError(f"{area} is not one of {site}'s wards.")


@transaction.atomic
def resident_create(
    *,
    site: Site,
    created_by: User,
    first_name: str,
    last_name: str = "",
    phone: str = "",
    email: str = "",
    street: str = "",
    postcode: str = "",
    area: Area | None = None,
    cares_about: str = "",
    would_like_to_do: str = "",
    is_connector: bool = False,
    connector_gift: str = "",
    gifts: dict[str, Iterable[str]] | None = None,
    passions: Iterable[str] = (),
    consents: Iterable[str] = (),
) -> Resident:
    """Record a resident met by a builder. Only a first name is needed.

    ``gifts`` maps "head", "hands" and "heart" to tag names; ``consents``
    lists the purposes the resident agreed to, with today's wording.
    """
    _check_site_access(user=created_by, site=site)
    _check_area_in_site(area=area, site=site)
    if is_connector and not connector_gift.strip():
        raise ValidationError(
            {"connector_gift": "Enter the gift this Community Connector shares."}
        )
    resident = Resident(
        site=site,
        created_by=created_by,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        phone=phone.strip(),
        email=email.strip(),
        street=street.strip(),
        postcode=postcode.strip().upper(),
        area=area,
        cares_about=cares_about,
        would_like_to_do=would_like_to_do,
        is_connector=is_connector,
        connector_gift=connector_gift.strip(),
    )
    resident.full_clean()
    resident.save()
    _resident_tags_set(resident=resident, gifts=gifts or {}, passions=passions)
    for purpose in consents:
        consent_give(resident=resident, purpose=purpose, recorded_by=created_by)
    return resident


@transaction.atomic
def resident_update(*, resident: Resident, updated_by: User, **fields) -> Resident:
    """Change a resident's details; ``gifts`` and ``passions`` replace theirs."""
    _check_site_access(user=updated_by, site=resident.site)
    gifts = fields.pop("gifts", None)
    passions = fields.pop("passions", None)
    allowed = {
        "first_name", "last_name", "phone", "email", "street", "postcode",
        "area", "cares_about", "would_like_to_do", "is_connector",
        "connector_gift",
    }  # fmt: skip
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"resident_update() cannot change {sorted(unknown)}")
    for name, value in fields.items():
        setattr(resident, name, value.strip() if isinstance(value, str) else value)
    resident.postcode = resident.postcode.upper()
    _check_area_in_site(area=resident.area, site=resident.site)
    if resident.is_connector and not resident.connector_gift:
        raise ValidationError(
            {"connector_gift": "Enter the gift this Community Connector shares."}
        )
    resident.full_clean()
    resident.save()
    if gifts is not None or passions is not None:
        _resident_tags_set(
            resident=resident, gifts=gifts or {}, passions=passions or (), replace=True
        )
    return resident


def _resident_tags_set(
    *,
    resident: Resident,
    gifts: dict[str, Iterable[str]],
    passions: Iterable[str],
    replace: bool = False,
) -> None:
    """A resident's gifts and passions, inside the transaction of the
    service that calls it (resident_create, resident_update)."""
    wanted: set[tuple[int, str]] = set()
    kinds = {ResidentTag.Kind.HEAD, ResidentTag.Kind.HANDS, ResidentTag.Kind.HEART}
    for kind, names in gifts.items():
        if kind not in kinds:
            raise ValidationError(f"Unknown kind of gift: {kind}.")
        for name in names:
            if name.strip():
                wanted.add((tag_get_or_create(name=name).pk, kind))
    for name in passions:
        if name.strip():
            wanted.add((tag_get_or_create(name=name).pk, ResidentTag.Kind.PASSION))
    existing = set(resident.tags.values_list("tag_id", "kind"))
    if replace:
        for tag_id, kind in existing - wanted:
            resident.tags.filter(tag_id=tag_id, kind=kind).delete()
    ResidentTag.objects.bulk_create(
        [
            ResidentTag(resident=resident, tag_id=tag_id, kind=kind)
            for tag_id, kind in wanted - existing
        ]
    )


@transaction.atomic
def consent_give(
    *,
    resident: Resident,
    purpose: str,
    recorded_by: User,
    wording: str | None = None,
    given_at: datetime.datetime | None = None,
) -> Consent:
    """Record that a resident agreed, in the words they were shown. Agreeing
    again while already agreed changes nothing."""
    if purpose not in Consent.Purpose.values:
        raise ValidationError(f"Unknown consent purpose: {purpose}.")
    current = resident.consents.current().filter(purpose=purpose)
    if current.exists():
        return current.get()
    return Consent.objects.create(
        resident=resident,
        purpose=purpose,
        wording=wording or CONSENT_WORDING[purpose],
        given_at=given_at or timezone.now(),
        recorded_by=recorded_by,
    )


@transaction.atomic
def consent_withdraw(*, resident: Resident, purpose: str, recorded_by: User) -> None:
    """Withdraw a consent. It takes effect everywhere at once, because every
    query asks for consent that has not been withdrawn."""
    resident.consents.current().filter(purpose=purpose).update(
        withdrawn_at=timezone.now(), withdrawn_recorded_by=recorded_by
    )


# Conversations ---------------------------------------------------------


def conversation_log(
    *,
    builder: User,
    site: Site,
    held_on: datetime.date,
    area: Area | None = None,
    place: str = "",
    residents: Iterable[Resident] = (),
    new_resident: dict | None = None,
    what_matters: str = "",
    gifts_discovered: Iterable[str] = (),
    follow_up: str = "",
) -> Conversation:
    """Log a conversation, optionally recording a resident met for the first
    time in the same step. A conversation with nobody named still counts."""
    # Everything that can refuse is checked before anything is written.
    _check_site_access(user=builder, site=site)
    _check_area_in_site(area=area, site=site)
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": "The date cannot be in the future."})
    residents = list(residents)
    for resident in residents:
        if resident.site_id != site.pk:
            raise ValidationError(f"{resident} is not known to {site}.")
    gift_names = [name for name in gifts_discovered if name.strip()]
    for name in gift_names:
        _tag_key(name)
    conversation = Conversation(
        builder=builder,
        site=site,
        held_on=held_on,
        area=area,
        place=place.strip(),
        what_matters=what_matters,
        follow_up=follow_up,
    )
    # The builder, site and ward are rows already read and checked above.
    conversation.full_clean(exclude=["builder", "site", "area"])
    # So the writes need a savepoint (two more round trips, on every
    # conversation the phones send) only when they include a new resident,
    # whose details resident_create checks as it writes them: then a refusal
    # must take back what was written, and leave the request's transaction
    # usable for the form to be drawn again with the message.
    with transaction.atomic(savepoint=bool(new_resident)):
        if new_resident:
            residents.append(
                resident_create(
                    site=site, created_by=builder, area=area, **new_resident
                )
            )
        conversation.save()
        if residents:
            conversation.residents.add(*residents)
        gifts = [tag_get_or_create(name=name) for name in gift_names]
        if gifts:
            conversation.gifts_discovered.add(*gifts)
    # Who was met, as an annotation would give it: the screens' next step
    # depends on it (ConversationForm.done), and it is known here.
    conversation.residents_met = residents
    return conversation


# Introductions ---------------------------------------------------------


@transaction.atomic
def introduction_make(
    *,
    resident: Resident,
    interest: Tag | str,
    builder: User,
    introduced_on: datetime.date,
    to_resident: Resident | None = None,
    to_group: Group | None = None,
    made_by: str = Introduction.MadeBy.BUILDER,
    connector: Resident | None = None,
    notes: str = "",
) -> Introduction:
    """Introduce a resident to another resident or to a group, through an
    interest or gift they share (a tag, or the words for one)."""
    if (to_resident is None) == (to_group is None):
        raise ValidationError("Choose one resident or one group to introduce them to.")
    if to_resident is not None and to_resident.pk == resident.pk:
        raise ValidationError("A resident cannot be introduced to themselves.")
    _check_site_access(user=builder, site=resident.site)
    visible = Resident.objects.visible_to(builder)
    if to_resident is not None and not visible.filter(pk=to_resident.pk).exists():
        raise ValidationError("You can only introduce residents your sites know.")
    if (
        to_group is not None
        and not Group.objects.visible_to(builder).filter(pk=to_group.pk).exists()
    ):
        raise ValidationError("You can only introduce residents to your sites' groups.")
    for person in filter(None, (resident, to_resident)):
        if not person.has_agreed_to(Consent.Purpose.INTRODUCE):
            raise ValidationError(
                f"{person.first_name} has not agreed to be introduced to others. "
                "Ask them, and record their agreement first."
            )
    if made_by == Introduction.MadeBy.CONNECTOR:
        if connector is None or not connector.is_connector:
            raise ValidationError(
                {"connector": "Choose the Community Connector who made it."}
            )
    else:
        connector = None
    if introduced_on > timezone.localdate():
        raise ValidationError({"introduced_on": "The date cannot be in the future."})
    if isinstance(interest, str):
        interest = tag_get_or_create(name=interest)

    duplicate = Introduction.objects.open().filter(interest=interest)
    if to_resident is not None:
        duplicate = duplicate.filter(
            resident__in=(resident, to_resident),
            to_resident__in=(resident, to_resident),
        )
    else:
        duplicate = duplicate.filter(resident=resident, to_group=to_group)
    if duplicate.exists():
        target = to_resident.first_name if to_resident else str(to_group)
        raise ValidationError(
            f"{resident.first_name} and {target} already have an open introduction "
            f"through {interest}. Update that one instead."
        )
    introduction = Introduction(
        resident=resident,
        to_resident=to_resident,
        to_group=to_group,
        interest=interest,
        site=resident.site,
        made_by=made_by,
        builder=builder,
        connector=connector,
        introduced_on=introduced_on,
        notes=notes,
    )
    introduction.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            introduction.save()
    except IntegrityError as error:  # the same pair made at the same moment
        raise ValidationError(
            "This introduction has just been recorded by someone else."
        ) from error
    return introduction


@transaction.atomic
def introduction_set_status(
    *, introduction: Introduction, status: str, by: User, notes: str = ""
) -> Introduction:
    if status not in Introduction.Status.values:
        raise ValidationError("Choose what happened.")
    _check_site_access(user=by, site=introduction.site)
    introduction.status = status
    if notes.strip():
        introduction.notes = "\n".join(
            filter(None, (introduction.notes, notes.strip()))
        )
    introduction.save(update_fields=["status", "notes"])
    return introduction


# Groups ----------------------------------------------------------------


@transaction.atomic
def group_record(
    *,
    name: str,
    interest: str,
    site: Site,
    founded_on: datetime.date,
    created_by: User,
    area: Area | None = None,
    description: str = "",
    members: Iterable[Resident] = (),
    grew_from: Iterable[Introduction] = (),
) -> Group:
    """Record a group that formed around an interest."""
    _check_site_access(user=created_by, site=site)
    _check_area_in_site(area=area, site=site)
    if founded_on > timezone.localdate():
        raise ValidationError({"founded_on": "The date cannot be in the future."})
    members = list(members)
    grew_from = list(grew_from)
    if any(m.site_id != site.pk for m in members):
        raise ValidationError("Every member must be a resident known to this site.")
    if any(i.site_id != site.pk for i in grew_from):
        raise ValidationError("Every introduction must belong to this site.")
    group = Group(
        name=name.strip(),
        interest=tag_get_or_create(name=interest),
        site=site,
        area=area,
        founded_on=founded_on,
        description=description,
        created_by=created_by,
    )
    group.full_clean()
    group.save()
    group.members.set(members)
    group.grew_from.set(grew_from)
    return group


@transaction.atomic
def celebration_record(
    *, group: Group, name: str, held_on: datetime.date, attendance: int, by: User
) -> CelebrationEvent:
    _check_site_access(user=by, site=group.site)
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": "The date cannot be in the future."})
    event = CelebrationEvent(
        group=group, name=name.strip(), held_on=held_on, attendance=attendance
    )
    event.full_clean()
    event.save()
    return event
