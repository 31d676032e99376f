from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Coalesce, Greatest, Least

from . import geo


class User(AbstractUser):
    """Everyone who signs in: officers, builders, panel and cabinet members.

    Residents never sign in; they are records that builders keep.
    """

    objects = UserManager()

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class AreaQuerySet(models.QuerySet):
    def wards(self) -> AreaQuerySet:
        return self.filter(kind=Area.Kind.WARD)

    def with_boundary(self) -> AreaQuerySet:
        return self.exclude(boundary__isnull=True)

    def for_choices(self) -> AreaQuerySet:
        """Without the boundary, a large GeoJSON text no form shows."""
        return self.defer("boundary")

    def containing_point(self, *, lon: float, lat: float) -> AreaQuerySet:
        """Areas whose bounding box holds the point: a cheap first filter that
        Area.contains() then settles exactly."""
        return self.filter(
            min_lon__lte=lon, max_lon__gte=lon, min_lat__lte=lat, max_lat__gte=lat
        )

    def locate(self, *, lon: float, lat: float) -> Area | None:
        """The ward holding a point (neighbourhoods are found by their own
        query), or None outside every boundary."""
        for area in self.wards().containing_point(lon=lon, lat=lat):
            if area.contains(lon=lon, lat=lat):
                return area
        return None


class Area(models.Model):
    """A ward (with its ONS code) or a neighbourhood inside one."""

    class Kind(models.TextChoices):
        WARD = "ward", "Ward"
        NEIGHBOURHOOD = "neighbourhood", "Neighbourhood"

    kind = models.CharField(max_length=20, choices=Kind, default=Kind.WARD)
    name = models.CharField(max_length=120)
    ons_code = models.CharField(
        "ONS code",
        max_length=9,
        blank=True,
        help_text="The ward's GSS code, such as E05010950.",
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="neighbourhoods",
        help_text="The ward a neighbourhood lies in.",
    )
    # A GeoJSON geometry (Polygon or MultiPolygon, WGS84 lon/lat). The bounding
    # box is kept beside it so that a point can be matched in the database
    # before the exact test.
    boundary = models.JSONField(null=True, blank=True)
    min_lon = models.FloatField(null=True, blank=True, editable=False)
    min_lat = models.FloatField(null=True, blank=True, editable=False)
    max_lon = models.FloatField(null=True, blank=True, editable=False)
    max_lat = models.FloatField(null=True, blank=True, editable=False)
    imd_decile = models.PositiveSmallIntegerField(
        "IMD 2019 decile",
        null=True,
        blank=True,
        help_text="1 is the most deprived tenth of England, 10 the least.",
    )
    imd_average_rank = models.FloatField(
        "IMD 2019 average LSOA rank",
        null=True,
        blank=True,
        help_text="Mean national rank of the LSOAs whose centroid lies in the "
        "ward (1 is the most deprived of 32,844).",
    )
    imd_lsoa_count = models.PositiveSmallIntegerField(default=0)
    # Wards whose boundaries touch: suggestions look there after a site's own.
    neighbours = models.ManyToManyField("self", symmetrical=True, blank=True)

    objects = AreaQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["ons_code"],
                condition=~models.Q(ons_code=""),
                name="area_unique_ons_code",
            ),
            models.CheckConstraint(
                condition=models.Q(imd_decile__isnull=True)
                | models.Q(imd_decile__gte=1, imd_decile__lte=10),
                name="area_imd_decile_1_to_10",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="ward", parent__isnull=True)
                | models.Q(kind="neighbourhood", parent__isnull=False),
                name="area_ward_has_no_parent_neighbourhood_has_one",
            ),
        ]
        indexes = [models.Index(fields=["min_lon", "max_lon", "min_lat", "max_lat"])]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        # The bounding box is derived from the boundary and never set by hand.
        box = geo.bounds(self.boundary) if self.boundary else (None,) * 4
        self.min_lon, self.min_lat, self.max_lon, self.max_lat = box
        super().save(*args, **kwargs)

    def contains(self, *, lon: float, lat: float) -> bool:
        return bool(self.boundary) and geo.contains(self.boundary, lon=lon, lat=lat)


class Organisation(models.Model):
    """A host or partner organisation, with its public contact details only."""

    class Kind(models.TextChoices):
        VCSE = "vcse", "Voluntary, community or social enterprise"
        POLICE = "police", "Police"
        NHS = "nhs", "NHS"
        HOUSING = "housing", "Housing"
        COUNCIL = "council", "Council"
        FAITH = "faith", "Faith group"
        BUSINESS = "business", "Business"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind)
    public_email = models.EmailField(blank=True)
    public_phone = models.CharField(max_length=40, blank=True)
    website = models.URLField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def sites_visible_to(user):
    """The sites a user may see: None for every site (an officer), otherwise
    their ids (a builder's own sites; none for anyone else).

    Scoping by ids (``site_id IN (...)``) rather than by joining site and
    builders keeps the planner's work small: a list that also reads its rows'
    residents, group and interest took PostgreSQL far longer to plan through
    those joins than this way. The user read for a request brings a
    builder's ids with it (communities.backends), so their pages and
    submissions scope by a plain list; a user read any other way (a task,
    the shell, a test) is scoped by a subquery, so what it sees always
    follows the sites as they are now. A builder taken off a site
    mid-request keeps it for that request only, as before: the check was
    never under a lock."""
    from .roles import Role, roles_of

    held = roles_of(user)
    if Role.OFFICER in held:
        return None
    if Role.BUILDER not in held:
        return []
    built = getattr(user, "built_sites", None)
    if built is not None:
        return [site.pk for site in built]
    return Site.builders.through.objects.filter(user=user).values("site_id")


def sites_read_with(user):
    """The sites a user may see as rows, when they came with the user (a
    builder's own, read for each request by communities.backends): a form
    finds the site sent among them with no query. None when they must be
    read (an officer, who may see every site, or a user read another way)."""
    ids = sites_visible_to(user)
    if not isinstance(ids, list):
        return None
    return user.built_sites if ids else []


class SiteQuerySet(models.QuerySet):
    def visible_to(self, user) -> SiteQuerySet:
        ids = sites_visible_to(user)
        return self if ids is None else self.filter(pk__in=ids)


class Site(models.Model):
    """A pathfinder site: a host organisation's builders working some areas."""

    name = models.CharField(max_length=200, unique=True)
    host = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="hosted_sites"
    )
    areas = models.ManyToManyField(Area, related_name="sites", blank=True)
    start_date = models.DateField()
    builders = models.ManyToManyField(
        User, related_name="sites", blank=True, help_text="Community Builders"
    )

    objects = SiteQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def is_visible_to(self, user) -> bool:
        """Whether ``Site.objects.visible_to(user)`` holds this site, without
        a query when the user came with their sites (see sites_visible_to)."""
        ids = sites_visible_to(user)
        if ids is None:
            return True
        if isinstance(ids, list):
            return self.pk in ids
        return Site.objects.filter(pk=self.pk, pk__in=ids).exists()


class SiteFinance(models.Model):
    """A site's budget and spend in one financial year (1 April to 31 March),
    by line, so that reports can show cost per introduction and per group."""

    # Not indexed alone: the first column of an index in Meta below.
    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, related_name="finances", db_index=False
    )
    financial_year = models.PositiveSmallIntegerField(
        help_text="The year the financial year starts in: 2026 means 2026/27."
    )
    budget_builder_posts = models.DecimalField(
        max_digits=10, decimal_places=2, default=0
    )
    budget_small_sparks = models.DecimalField(
        max_digits=10, decimal_places=2, default=0
    )
    budget_other = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    spend_builder_posts = models.DecimalField(
        max_digits=10, decimal_places=2, default=0
    )
    spend_small_sparks = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    spend_other = models.DecimalField(max_digits=10, decimal_places=2, default=0)

    class Meta:
        ordering = ["site", "financial_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "financial_year"], name="site_finance_one_per_year"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    budget_builder_posts__gte=0,
                    budget_small_sparks__gte=0,
                    budget_other__gte=0,
                    spend_builder_posts__gte=0,
                    spend_small_sparks__gte=0,
                    spend_other__gte=0,
                ),
                name="site_finance_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.site} {self.financial_year}/{(self.financial_year + 1) % 100:02d}"
        )

    @property
    def budget_total(self):
        return self.budget_builder_posts + self.budget_small_sparks + self.budget_other

    @property
    def spend_total(self):
        return self.spend_builder_posts + self.spend_small_sparks + self.spend_other


class Tag(models.Model):
    """One word or phrase in the shared vocabulary of gifts and passions.

    Builders grow it as they type; ``key`` (lower case, single spaces) is what
    makes "Cooking", "cooking " and "COOKING" one tag.
    """

    name = models.CharField(max_length=60)
    key = models.CharField(max_length=60, unique=True, editable=False)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.name = " ".join(self.name.split())
        self.key = self.normalise(self.name)
        super().save(*args, **kwargs)

    @staticmethod
    def normalise(text: str) -> str:
        return " ".join(text.split()).lower()


def count_of(related: models.QuerySet, field: str) -> models.Expression:
    """How many of ``related`` point at each row through ``field``, as a
    correlated subquery: on a paginated list PostgreSQL works it out for the
    page's rows only, where a joined Count() groups the whole table first."""
    return Coalesce(
        models.Subquery(
            related.filter(**{field: models.OuterRef("pk")})
            .order_by()
            .values(field)
            .annotate(n=models.Count("*"))
            .values("n")
        ),
        0,
    )


class ScopedQuerySet(models.QuerySet):
    """Rows that belong to a site: a builder sees their own sites' rows,
    officers see all, every other role sees none. The one scoping rule for
    residents, conversations, introductions and groups."""

    site_path = "site"

    def for_list(self):
        """With their site and ward, leaving out the ward's boundary (a large
        GeoJSON text no list shows)."""
        return self.select_related("site", "area").defer("area__boundary")

    def visible_to(self, user):
        ids = sites_visible_to(user)
        return self if ids is None else self.filter(**{f"{self.site_path}__in": ids})

    def in_site(self, site):
        return self.filter(**{self.site_path: site})


class Consent(models.Model):
    """What a resident agreed to, per purpose, with the wording they were
    shown. A withdrawal sets ``withdrawn_at``; agreeing again makes a new row,
    so the history stays. Only rows with no ``withdrawn_at`` count."""

    class Purpose(models.TextChoices):
        CONTACT = "contact", "To be contacted"
        INTRODUCE = "introduce", "To be introduced to others"
        STORY = "story", "To be named in stories"

    resident = models.ForeignKey(
        "Resident", on_delete=models.CASCADE, related_name="consents"
    )
    purpose = models.CharField(max_length=20, choices=Purpose)
    wording = models.TextField(help_text="The words the resident agreed to.")
    given_at = models.DateTimeField()
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_recorded_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["resident", "purpose", "-given_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["resident", "purpose"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="consent_one_current_per_purpose",
            ),
        ]
        indexes = [
            models.Index(
                fields=["purpose", "resident"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="consent_current_idx",
            ),
            # Who may be introduced, checked once per candidate when
            # suggestions are ranked: read from the index alone.
            models.Index(
                fields=["resident"],
                condition=models.Q(purpose="introduce", withdrawn_at__isnull=True),
                name="consent_introduce_idx",
            ),
        ]

    def __str__(self) -> str:
        state = "withdrawn" if self.withdrawn_at else "given"
        return f"{self.get_purpose_display()} ({state})"


class ResidentQuerySet(ScopedQuerySet):
    def consented(self, purpose: str = Consent.Purpose.INTRODUCE):
        return self.filter(
            models.Exists(
                Consent.objects.filter(
                    resident=models.OuterRef("pk"),
                    purpose=purpose,
                    withdrawn_at__isnull=True,
                )
            )
        )

    def connectors(self):
        return self.filter(is_connector=True)

    def recently_met(self, *, limit: int) -> list[int]:
        """The ids of up to ``limit`` of these residents, those in the latest
        conversations first (newest first), then the newest never yet in
        one. Read from the latest conversations down, not by grouping every
        resident's conversations."""
        met = (
            Conversation.residents.through.objects.filter(resident__in=self)
            .order_by("-conversation__held_on", "-conversation_id")
            .values_list("resident_id", flat=True)
        )
        ids: dict[int, None] = {}
        step, start = limit * 4, 0
        while len(ids) < limit:
            chunk = list(met[start : start + step])
            ids.update(dict.fromkeys(chunk))
            if len(chunk) < step:
                break
            start += step
        chosen = list(ids)[:limit]
        if len(chosen) < limit:
            never_met = self.filter(conversations__isnull=True).order_by("-pk")
            chosen += never_met.values_list("pk", flat=True)[: limit - len(chosen)]
        return chosen

    def suggested_for(self, resident: Resident, *, limit: int = 10):
        """The ``limit`` best others who share one of the resident's interests
        or gifts, agreed to introductions, and have no open introduction with
        them yet; the same site first, then the resident's ward and the wards
        touching it, each ranked by how many interests and gifts they share.

        Computed in the database: each is annotated with ``overlap`` (shared
        tags), ``tier`` (0 same site, 1 same or neighbouring ward) and
        ``shared`` (the tag names). Residents further away are not suggested.
        The candidates are ranked by id alone first, so only the chosen few
        carry their whole rows through the grouping (a city's site has
        thousands of candidates), and the wards nearby are ranked only when
        the same site has fewer than ``limit``: one query for the site's
        ranking, a second for the wards' only then, and the rows."""
        from django.contrib.postgres.aggregates import ArrayAgg

        their_tags = ResidentTag.objects.filter(resident=resident).values("tag_id")
        introduced = Introduction.objects.open().filter(
            models.Q(resident=resident) | models.Q(to_resident=resident)
        )
        already = introduced.values("to_resident_id").union(
            introduced.values("resident_id")
        )
        nearby_wards = []
        if resident.area_id:
            nearby_wards = [
                resident.area_id,
                *resident.area.neighbours.values_list("pk", flat=True),
            ]
        shared = models.Q(tags__tag_id__in=their_tags)
        same_site = models.Q(site_id=resident.site_id)

        def tier():
            return models.Case(
                models.When(site_id=resident.site_id, then=0),
                models.When(area_id__in=nearby_wards, then=1),
                default=2,
                output_field=models.IntegerField(),
            )

        # Only the same site and the wards nearby: ABCD connects neighbours,
        # and keeping the candidates local keeps this fast at city scale.
        candidates = (
            self.consented(Consent.Purpose.INTRODUCE)
            .filter(shared)
            .exclude(pk=resident.pk)
            .exclude(pk__in=already)
        )

        def ranked(where):
            return (
                candidates.filter(where)
                .values("pk")
                .annotate(rank_overlap=models.Count("tags__tag_id", distinct=True))
                .order_by("-rank_overlap", "first_name", "pk")
                .values_list("pk", flat=True)[:limit]
            )

        # Each tier is ranked on its own, the same site's first: when the
        # site alone has ``limit`` candidates (as a city's sites do), the
        # wards nearby are never ranked.
        best = list(ranked(same_site))
        if len(best) < limit and nearby_wards:
            best += ranked(models.Q(area_id__in=nearby_wards) & ~same_site)[
                : limit - len(best)
            ]
        return (
            self.filter(pk__in=best)
            .annotate(
                overlap=models.Count("tags__tag_id", filter=shared, distinct=True),
                shared=ArrayAgg("tags__tag__name", filter=shared, distinct=True),
                tier=tier(),
            )
            .order_by("tier", "-overlap", "first_name", "pk")
        )

    def search(self, text: str):
        text = text.strip()
        if not text:
            return self
        query = models.Q()
        for word in text.split():
            query &= (
                models.Q(first_name__icontains=word)
                | models.Q(last_name__icontains=word)
                | models.Q(postcode__icontains=word)
                | models.Q(tags__tag__key__icontains=word.lower())
            )
        return self.filter(query).distinct()


class Resident(models.Model):
    """A person a builder has met. Only a first name is required."""

    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    street = models.CharField("Street", max_length=200, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.PROTECT, related_name="residents"
    )
    # Not indexed alone: the first column of an index in Meta below.
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="residents", db_index=False
    )
    cares_about = models.TextField("What they care about", blank=True)
    would_like_to_do = models.TextField(
        "What they would like to do more of", blank=True
    )
    is_connector = models.BooleanField("Community Connector", default=False)
    connector_gift = models.CharField(
        "The gift they share as a connector", max_length=200, blank=True
    )
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ResidentQuerySet.as_manager()

    class Meta:
        ordering = ["first_name", "last_name", "pk"]
        # The staff list's default order (first name, then id), for all
        # sites and for one.
        indexes = [
            models.Index(fields=["first_name", "id"]),
            models.Index(fields=["site", "first_name", "id"]),
            models.Index(fields=["created_at"]),
            # The Community Connectors in name order, for the introduction
            # form: a few hundred a site among thousands of residents.
            models.Index(
                fields=["first_name", "last_name"],
                condition=models.Q(is_connector=True),
                name="resident_connectors_idx",
            ),
        ]

    def __str__(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p)

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("communities:resident-detail", args=[self.pk])


class ResidentTag(models.Model):
    """A gift (of the head, hands or heart) or a passion a resident has."""

    class Kind(models.TextChoices):
        HEAD = "head", "Gift of the head"
        HANDS = "hands", "Gift of the hands"
        HEART = "heart", "Gift of the heart"
        PASSION = "passion", "Passion or interest"

    # Not indexed alone: the first column of an index in Meta below.
    resident = models.ForeignKey(
        Resident, on_delete=models.CASCADE, related_name="tags", db_index=False
    )
    # Not indexed alone: the first column of an index in Meta below.
    tag = models.ForeignKey(
        Tag, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    kind = models.CharField(max_length=10, choices=Kind)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["resident", "tag", "kind"], name="resident_tag_once"
            )
        ]
        indexes = [models.Index(fields=["tag", "resident"])]

    def __str__(self) -> str:
        return f"{self.tag} ({self.get_kind_display()})"


class ConversationQuerySet(ScopedQuerySet):
    def with_people(self):
        """``people``: how many residents each conversation names."""
        return self.annotate(
            people=count_of(Conversation.residents.through.objects, "conversation")
        )


class Conversation(models.Model):
    """A conversation a builder logged. It may name no resident at all: an
    anonymous doorstep chat still counts."""

    builder = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="conversations"
    )
    # Not indexed alone: the first column of an index in Meta below.
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="conversations", db_index=False
    )
    held_on = models.DateField()
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    place = models.CharField(max_length=200, blank=True)
    residents = models.ManyToManyField(
        Resident, related_name="conversations", blank=True
    )
    what_matters = models.TextField("What matters to them", blank=True)
    gifts_discovered = models.ManyToManyField(Tag, related_name="+", blank=True)
    follow_up = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ConversationQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-pk"]
        # The list's order exactly (newest first, then the newest id), for all
        # sites and for one, so "the latest few" reads a few index entries
        # however many share a day.
        indexes = [
            models.Index(fields=["-held_on", "-id"]),
            models.Index(fields=["site", "-held_on", "-id"]),
        ]

    def __str__(self) -> str:
        return f"Conversation on {self.held_on:%-d %B %Y}"


class GroupQuerySet(ScopedQuerySet):
    def active(self):
        return self.filter(is_active=True)

    def with_counts(self):
        """``member_count`` and ``celebration_count`` for each group."""
        return self.annotate(
            member_count=count_of(Group.members.through.objects, "group"),
            celebration_count=count_of(CelebrationEvent.objects, "group"),
        )


class Group(models.Model):
    """A group that formed around an interest."""

    name = models.CharField(max_length=200)
    interest = models.ForeignKey(Tag, on_delete=models.PROTECT, related_name="groups")
    # Not indexed alone: the first column of an index in Meta below.
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="groups", db_index=False
    )
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.PROTECT, related_name="groups"
    )
    description = models.TextField(blank=True)
    founded_on = models.DateField()
    members = models.ManyToManyField(Resident, related_name="groups", blank=True)
    grew_from = models.ManyToManyField(
        "Introduction", related_name="groups_formed", blank=True
    )
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    objects = GroupQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["name", "id"]),
            models.Index(fields=["site", "name", "id"]),
        ]

    def __str__(self) -> str:
        return self.name


class CelebrationEvent(models.Model):
    """A celebration a group held (Leeds counts these)."""

    group = models.ForeignKey(
        Group, on_delete=models.CASCADE, related_name="celebrations"
    )
    name = models.CharField(max_length=200)
    held_on = models.DateField()
    attendance = models.PositiveIntegerField()

    class Meta:
        ordering = ["-held_on"]

    def __str__(self) -> str:
        return self.name


class IntroductionQuerySet(ScopedQuerySet):
    def open(self):
        return self.exclude(status=Introduction.Status.DID_NOT_HAPPEN)

    def involving(self, resident):
        return self.filter(models.Q(resident=resident) | models.Q(to_resident=resident))

    def with_parties(self):
        """With who was introduced, through what, and to whom or which group,
        for showing in a list. The resident and interest are joined; the
        other resident and the group are read for the rows alone, because
        joining the residents table twice over made PostgreSQL spend longer
        choosing a join order than running it."""
        return self.select_related("resident", "interest").prefetch_related(
            "to_resident", "to_group"
        )


class Introduction(models.Model):
    """A builder or a connector introduced a resident to another resident, or
    to a group, through an interest or gift they share."""

    class Status(models.TextChoices):
        INTRODUCED = "introduced", "Introduced"
        MET = "met", "Met"
        ONGOING = "ongoing", "Ongoing"
        DID_NOT_HAPPEN = "did_not_happen", "Didn't happen"

    class MadeBy(models.TextChoices):
        BUILDER = "builder", "A Community Builder"
        CONNECTOR = "connector", "A Community Connector"

    resident = models.ForeignKey(
        Resident, on_delete=models.PROTECT, related_name="introductions_made"
    )
    to_resident = models.ForeignKey(
        Resident,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="introductions_received",
    )
    to_group = models.ForeignKey(
        Group,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="introductions",
    )
    interest = models.ForeignKey(Tag, on_delete=models.PROTECT, related_name="+")
    # Not indexed alone: the first column of an index in Meta below.
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="introductions", db_index=False
    )
    made_by = models.CharField(max_length=10, choices=MadeBy, default=MadeBy.BUILDER)
    builder = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="introductions"
    )
    connector = models.ForeignKey(
        Resident,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="introductions_as_connector",
    )
    introduced_on = models.DateField()
    status = models.CharField(max_length=20, choices=Status, default=Status.INTRODUCED)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = IntroductionQuerySet.as_manager()

    class Meta:
        ordering = ["-introduced_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(to_resident__isnull=False, to_group__isnull=True)
                    | models.Q(to_resident__isnull=True, to_group__isnull=False)
                ),
                name="introduction_to_a_resident_or_a_group",
            ),
            models.CheckConstraint(
                condition=~models.Q(resident=models.F("to_resident")),
                name="introduction_not_to_self",
            ),
            models.CheckConstraint(
                condition=models.Q(made_by="builder", connector__isnull=True)
                | models.Q(made_by="connector", connector__isnull=False),
                name="introduction_connector_named_when_made_by_one",
            ),
            # One open introduction per pair (either way round) and interest.
            models.UniqueConstraint(
                Least("resident", "to_resident"),
                Greatest("resident", "to_resident"),
                "interest",
                condition=models.Q(to_resident__isnull=False)
                & ~models.Q(status="did_not_happen"),
                name="introduction_one_open_per_pair_and_interest",
            ),
            models.UniqueConstraint(
                fields=["resident", "to_group", "interest"],
                condition=models.Q(to_group__isnull=False)
                & ~models.Q(status="did_not_happen"),
                name="introduction_one_open_per_resident_group_interest",
            ),
        ]
        indexes = [
            models.Index(fields=["-introduced_on", "-id"]),
            models.Index(fields=["site", "-introduced_on", "-id"]),
        ]

    def __str__(self) -> str:
        target = self.to_resident or self.to_group
        return f"{self.resident} → {target} ({self.interest})"


class SyncItem(models.Model):
    """A record a builder's phone sent, under the ID the phone made for it.

    Sending the same item again finds this row and gets the same answer; the
    phone deletes its copy only when it has that answer."""

    class Kind(models.TextChoices):
        RESIDENT = "resident", "Resident"
        CONVERSATION = "conversation", "Conversation"
        INTRODUCTION = "introduction", "Introduction"
        GROUP = "group", "Group"

    device_id = models.UUIDField(unique=True)
    kind = models.CharField(max_length=20, choices=Kind)
    payload = models.JSONField()
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.device_id}"


class SyncConflictQuerySet(models.QuerySet):
    def unresolved(self):
        return self.filter(resolved_at__isnull=True)


class SyncConflict(models.Model):
    """A second, different record sent under an ID already used. It is kept
    for an officer to look at, never silently dropped or applied."""

    device_id = models.UUIDField(db_index=True)
    kind = models.CharField(max_length=20, choices=SyncItem.Kind)
    payload = models.JSONField()
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    received_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolution = models.TextField(blank=True)

    objects = SyncConflictQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"Conflict for {self.device_id}"
