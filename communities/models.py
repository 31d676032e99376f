from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.postgres.aggregates import ArrayAgg
from django.db import models
from django.db.models import Count, F, Sum
from django.db.models.functions import Coalesce, Greatest, Least
from django.urls import reverse
from django.utils import timezone

from core.dates import financial_year_label
from core.roles import Role, roles_of

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
        """Every ward, including those of an earlier boundary set that old
        records still name."""
        return self.filter(kind=Area.Kind.WARD)

    def current(self) -> AreaQuerySet:
        """Wards of the boundary set in force: the ones a new record, the map
        and point-in-polygon use. A boundary review keeps the earlier wards
        (records name them) but marks them as no longer current."""
        return self.filter(kind=Area.Kind.WARD, is_current=True)

    def extent(self) -> tuple[float, float, float, float] | None:
        """(min_lon, min_lat, max_lon, max_lat) around these areas'
        boundaries, or None when none has a boundary."""
        box = self.aggregate(
            min_lon=models.Min("min_lon"),
            min_lat=models.Min("min_lat"),
            max_lon=models.Max("max_lon"),
            max_lat=models.Max("max_lat"),
        )
        if box["min_lon"] is None:
            return None
        return box["min_lon"], box["min_lat"], box["max_lon"], box["max_lat"]

    def with_boundary(self) -> AreaQuerySet:
        return self.exclude(boundary__isnull=True)

    def for_choices(self) -> AreaQuerySet:
        """Without the boundary, a large GeoJSON text no form shows."""
        return self.defer("boundary")

    def by_deprivation(self) -> AreaQuerySet:
        """The most deprived first (IMD decile 1), then by name."""
        return self.order_by("imd_decile", "name")

    def containing_point(self, *, lon: float, lat: float) -> AreaQuerySet:
        """Areas whose bounding box holds the point: a cheap first filter that
        Area.contains() then settles exactly."""
        return self.filter(
            min_lon__lte=lon, max_lon__gte=lon, min_lat__lte=lat, max_lat__gte=lat
        )

    def locate(self, *, lon: float, lat: float) -> Area | None:
        """The ward holding a point (neighbourhoods are found by their own
        query), or None outside every boundary."""
        for area in self.current().containing_point(lon=lon, lat=lat):
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
    vintage = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="The year of the boundary set the ward comes from, such as "
        "2023 for ONS's WD23 codes.",
    )
    is_current = models.BooleanField(
        "current",
        default=True,
        help_text="False for a ward of an earlier boundary set: records made "
        "before a boundary review still name it, new records cannot.",
    )
    # A GeoJSON geometry (Polygon or MultiPolygon, WGS84 lon/lat). The bounding
    # box is kept beside it so that a point can be matched in the database
    # before the exact test; a pre_save signal derives it on every path,
    # fixtures included (communities/signals.py).
    boundary = models.JSONField(null=True, blank=True)
    min_lon = models.FloatField(null=True, blank=True, editable=False)
    min_lat = models.FloatField(null=True, blank=True, editable=False)
    max_lon = models.FloatField(null=True, blank=True, editable=False)
    max_lat = models.FloatField(null=True, blank=True, editable=False)
    # Deprivation, worked out from the LSOAs whose inner point lies in the
    # ward (communities/places.py); the release is DeprivationRelease's latest.
    imd_decile = models.PositiveSmallIntegerField(
        "IMD decile of the average rank",
        null=True,
        blank=True,
        help_text="The national decile the ward's average LSOA rank falls in: "
        "1 is the most deprived tenth of England, 10 the least.",
    )
    imd_average_rank = models.FloatField(
        "IMD average LSOA rank",
        null=True,
        blank=True,
        help_text="Mean national rank of the LSOAs whose centroid lies in the "
        "ward (1 is the most deprived in England).",
    )
    imd_lsoa_count = models.PositiveSmallIntegerField(
        "LSOAs", default=0, help_text="The LSOAs counted in the ward."
    )
    imd_lsoas_most_deprived_10 = models.PositiveSmallIntegerField(
        "LSOAs in England's most deprived 10%", default=0
    )
    imd_lsoas_most_deprived_20 = models.PositiveSmallIntegerField(
        "LSOAs in England's most deprived 20%", default=0
    )
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
            models.CheckConstraint(
                condition=models.Q(boundary__isnull=True)
                | models.Q(min_lon__isnull=False, max_lat__isnull=False),
                name="area_boundary_has_its_bounding_box",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    imd_lsoas_most_deprived_10__lte=F("imd_lsoas_most_deprived_20"),
                    imd_lsoas_most_deprived_20__lte=F("imd_lsoa_count"),
                ),
                name="area_most_deprived_counts_nest",
            ),
        ]
        indexes = [models.Index(fields=["min_lon", "max_lon", "min_lat", "max_lat"])]

    def __str__(self) -> str:
        if not self.is_current and self.vintage:
            return f"{self.name} ({self.vintage} boundaries)"
        return self.name

    def save(self, *args, update_fields=None, **kwargs):
        # The bounding box goes wherever the boundary goes (the pre_save
        # signal works it out on every path, fixtures included).
        if update_fields is not None and "boundary" in update_fields:
            update_fields = {*update_fields, *self.BOUNDING_BOX}
        super().save(*args, update_fields=update_fields, **kwargs)

    BOUNDING_BOX = ("min_lon", "min_lat", "max_lon", "max_lat")

    def set_bounding_box(self) -> None:
        """Derive the bounding box from the boundary (never set by hand)."""
        box = geo.bounds(self.boundary) if self.boundary else (None,) * 4
        self.min_lon, self.min_lat, self.max_lon, self.max_lat = box

    @property
    def share_most_deprived_10(self) -> float | None:
        """The share of the ward's LSOAs in England's most deprived tenth."""
        if not self.imd_lsoa_count:
            return None
        return self.imd_lsoas_most_deprived_10 / self.imd_lsoa_count

    @property
    def share_most_deprived_20(self) -> float | None:
        if not self.imd_lsoa_count:
            return None
        return self.imd_lsoas_most_deprived_20 / self.imd_lsoa_count

    def contains(self, *, lon: float, lat: float) -> bool:
        return bool(self.boundary) and geo.contains(self.boundary, lon=lon, lat=lat)


class WardMeasureQuerySet(models.QuerySet):
    def for_list(self) -> WardMeasureQuerySet:
        """In name order, each with ``ward_count``: how many wards have a
        value."""
        return self.annotate(ward_count=Count("values")).order_by("name")

    def with_values(self) -> WardMeasureQuerySet:
        """In name order, each with its values (and their wards' ids) read
        in one more query."""
        return self.order_by("name").prefetch_related(
            models.Prefetch(
                "values",
                queryset=WardMeasureValue.objects.only(
                    "measure_id", "area_id", "value"
                ),
            )
        )

    def beside(self, wards: list[Area]) -> list[WardMeasure]:
        """The measures in name order, for columns beside ``wards``: each
        ward gains ``measure_cells``, its value of each measure as shown
        (an empty string where it has none)."""
        measures = list(self.with_values())
        shown = {
            (value.measure_id, value.area_id): value.shown
            for measure in measures
            for value in measure.values.all()
        }
        for ward in wards:
            ward.measure_cells = [shown.get((m.pk, ward.pk), "") for m in measures]
        return measures


class WardMeasure(models.Model):
    """A figure known for each ward, such as the Community Needs Index or a
    census count, loaded from a CSV file (communities.places): wards can be
    shaded and compared by it beside deprivation."""

    name = models.CharField(max_length=120, unique=True)
    source = models.CharField(
        max_length=300, help_text="Where the figures come from, and which release."
    )
    higher_is_more_need = models.BooleanField(
        "higher values mean more need",
        default=True,
        help_text="Decides which end of the scale is shaded darkest on the map.",
    )
    unit = models.CharField(
        max_length=40, blank=True, help_text="Such as: score, %, people."
    )
    description = models.TextField(blank=True)
    loaded_at = models.DateTimeField(default=timezone.now)

    objects = WardMeasureQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def heading(self) -> str:
        """The name with its unit, for a column or a legend."""
        return f"{self.name} ({self.unit})" if self.unit else self.name


class WardMeasureValue(models.Model):
    """One ward's value of a measure."""

    measure = models.ForeignKey(
        WardMeasure, on_delete=models.CASCADE, related_name="values"
    )
    area = models.ForeignKey(
        Area, on_delete=models.CASCADE, related_name="measure_values"
    )
    value = models.DecimalField(max_digits=20, decimal_places=6)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "area"], name="ward_measure_value_once_per_ward"
            )
        ]

    def __str__(self) -> str:
        return f"{self.measure}: {self.area} {self.shown}"

    @property
    def shown(self) -> str:
        """The value as written, without trailing zeros: 12.5, not 12.500000."""
        return format_measure(self.value)


def format_measure(value: Decimal) -> str:
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    whole, _, decimals = text.partition(".")
    sign = "-" if whole.startswith("-") else ""
    whole = f"{int(whole.lstrip('-') or 0):,}"
    return sign + whole + (f".{decimals}" if decimals else "")


class DeprivationReleaseQuerySet(models.QuerySet):
    def latest_loaded(self) -> DeprivationRelease | None:
        return self.order_by("-loaded_at", "-pk").first()


class DeprivationRelease(models.Model):
    """One load of the English Indices of Deprivation: which release, and how
    many LSOAs England had in it (from the file, never a constant)."""

    name = models.CharField(
        max_length=120, help_text="Such as “English Indices of Deprivation 2019”."
    )
    short_name = models.CharField(max_length=20, help_text="Such as “IMD 2019”.")
    lsoa_vintage = models.PositiveSmallIntegerField(
        "LSOA boundaries", help_text="2011 or 2021: the LSOAs the ranks are for."
    )
    lsoas_in_england = models.PositiveIntegerField(
        help_text="Rank 1 is the most deprived LSOA, this number the least."
    )
    ranks_file = models.CharField(max_length=200, blank=True)
    lsoas_file = models.CharField(max_length=200, blank=True)
    loaded_at = models.DateTimeField(default=timezone.now)

    objects = DeprivationReleaseQuerySet.as_manager()

    class Meta:
        ordering = ["-loaded_at"]

    def __str__(self) -> str:
        return self.name


class Lsoa(models.Model):
    """A Lower layer Super Output Area in or near the council's wards, kept
    with its rank so that a boundary review can work the wards' deprivation
    out again without the files."""

    code = models.CharField(max_length=9, unique=True)
    name = models.CharField(max_length=120, blank=True)
    release = models.ForeignKey(
        DeprivationRelease, on_delete=models.CASCADE, related_name="lsoas"
    )
    imd_rank = models.PositiveIntegerField()
    # A point inside the LSOA: the ward that holds it counts the LSOA.
    longitude = models.FloatField()
    latitude = models.FloatField()

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class PlacesUploadQuerySet(models.QuerySet):
    def without_content(self) -> PlacesUploadQuerySet:
        """Leaving out the uploaded files, which only the load itself reads."""
        return self.defer("content", "second_content")

    def recent(self, *, limit: int = 10) -> PlacesUploadQuerySet:
        return self.without_content().select_related("uploaded_by")[:limit]


class PlacesUpload(models.Model):
    """Ward boundaries or deprivation files an officer uploaded, loaded in the
    background: all or nothing, with a report."""

    class Kind(models.TextChoices):
        WARDS = "wards", "Ward boundaries"
        DEPRIVATION = "deprivation", "Deprivation"

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Loading"
        FAILED = "failed", "Not loaded"
        DONE = "done", "Loaded"

    kind = models.CharField(max_length=20, choices=Kind)
    file_name = models.CharField(max_length=200)
    content = models.TextField(help_text="The ward or LSOA boundaries (GeoJSON).")
    second_file_name = models.CharField(max_length=200, blank=True)
    second_content = models.TextField(
        blank=True, help_text="The deprivation ranks (CSV)."
    )
    # What the officer chose: property or column names, vintage, count.
    options = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status, default=Status.QUEUED)
    errors = models.JSONField(default=list, blank=True)
    report = models.JSONField(default=list, blank=True)
    total = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        "communities.User", on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = PlacesUploadQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.file_name}"

    def get_absolute_url(self) -> str:
        return reverse("communities:places-upload", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.FAILED, self.Status.DONE)

    @property
    def progress_key(self) -> str:
        return f"communities:places-progress:{self.pk}"


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

    def for_list(self) -> SiteQuerySet:
        """With their host, and ``resident_count`` and ``ward_count``."""
        return self.select_related("host").annotate(
            resident_count=models.Count("residents", distinct=True),
            ward_count=models.Count("areas", distinct=True),
        )


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

    def covers(self, area: Area) -> bool:
        """Whether ``area`` is one of the site's wards."""
        return self.areas.filter(pk=area.pk).exists()


class SiteFinanceQuerySet(models.QuerySet):
    def in_year(self, financial_year: int) -> SiteFinanceQuerySet:
        return self.filter(financial_year=financial_year)

    def totals(self) -> dict[str, Decimal]:
        """The budget and the spend of these rows together: what each row's
        ``budget_total`` and ``spend_total`` add up to."""

        def added(lines):
            total = sum((F(line) for line in lines[1:]), F(lines[0]))
            return Coalesce(Sum(total), Decimal(0), output_field=models.DecimalField())

        return self.aggregate(
            budget=added(SiteFinance.BUDGET_LINES), spend=added(SiteFinance.SPEND_LINES)
        )


class SiteFinance(models.Model):
    """A site's budget and spend in one financial year (1 April to 31 March),
    by line, so that reports can show cost per introduction and per group."""

    BUDGET_LINES = ("budget_builder_posts", "budget_small_sparks", "budget_other")
    SPEND_LINES = ("spend_builder_posts", "spend_small_sparks", "spend_other")

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

    objects = SiteFinanceQuerySet.as_manager()

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
        return f"{self.site} {financial_year_label(self.financial_year)}"

    @property
    def budget_total(self) -> Decimal:
        return sum((getattr(self, line) for line in self.BUDGET_LINES), Decimal(0))

    @property
    def spend_total(self) -> Decimal:
        return sum((getattr(self, line) for line in self.SPEND_LINES), Decimal(0))


class TagQuerySet(models.QuerySet):
    def vocabulary(self, *, limit: int = 500):
        """The first ``limit`` names, in key order: offered as builders type."""
        return self.values_list("name", flat=True)[:limit]


class Tag(models.Model):
    """One word or phrase in the shared vocabulary of gifts and passions.

    Builders grow it as they type; ``key`` (lower case, single spaces) is what
    makes "Cooking", "cooking " and "COOKING" one tag.
    """

    name = models.CharField(max_length=60)
    key = models.CharField(max_length=60, unique=True, editable=False)

    objects = TagQuerySet.as_manager()

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
    residents, conversations, introductions and groups.

    Each kind also says how the staff lists' filters reach it: the day it
    is dated by (``date_path``), its ward (``ward_path``) and its interest
    (``interest_path``; ``interest_is_many`` when a row may have several)."""

    site_path = "site"
    date_path = ""
    ward_path = "area"
    interest_path = ""
    interest_is_many = False

    def for_list(self):
        """With their site and ward, leaving out the ward's boundary (a large
        GeoJSON text no list shows)."""
        return self.select_related("site", "area").defer("area__boundary")

    def sorted_by(self, field: str, *, descending: bool = False):
        """In ``field``'s order, ties going the same way as the column (newest
        day, then newest record), so one index in (column, id) order serves
        both directions."""
        direction = "-" if descending else ""
        return self.order_by(f"{direction}{field}", f"{direction}pk")

    def visible_to(self, user):
        ids = sites_visible_to(user)
        return self if ids is None else self.filter(**{f"{self.site_path}__in": ids})

    def in_site(self, site):
        return self.filter(**{self.site_path: site})

    def in_ward(self, ward):
        return self.filter(**{self.ward_path: ward})

    def sharing(self, interest):
        """The rows with this interest (a tag). Across a many-to-many they
        are matched by id, so no row appears twice."""
        if self.interest_is_many:
            matching = self.model.objects.filter(**{self.interest_path: interest})
            return self.filter(pk__in=matching.values("pk"))
        return self.filter(**{self.interest_path: interest})

    def since(self, day):
        return self.filter(**{f"{self.date_path}__gte": day})

    def until(self, day):
        return self.filter(**{f"{self.date_path}__lte": day})

    def this_month(self):
        """Dated this calendar month, so far (the local day decides)."""
        return self.since(timezone.localdate().replace(day=1))

    def filtered(
        self, *, q="", site=None, ward=None, interest=None, since=None, until=None
    ):
        """The staff lists' filters, each applied only when given."""
        rows = self
        if q:
            rows = rows.search(q)
        if site:
            rows = rows.in_site(site)
        if ward:
            rows = rows.in_ward(ward)
        if interest:
            rows = rows.sharing(interest)
        if since:
            rows = rows.since(since)
        if until:
            rows = rows.until(until)
        return rows


class ConsentQuerySet(models.QuerySet):
    def current(self):
        """Given and not withdrawn: the only consents that count."""
        return self.filter(withdrawn_at__isnull=True)


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

    objects = ConsentQuerySet.as_manager()

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
    date_path = "created_at__date"
    interest_path = "tags__tag"
    interest_is_many = True

    def inactive_since(self, day: datetime.date) -> ResidentQuerySet:
        """Residents with no activity since ``day``: their record unchanged,
        and no conversation, introduction or consent given since."""
        since = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
        recent_introduction = Introduction.objects.filter(
            models.Q(resident=models.OuterRef("pk"))
            | models.Q(to_resident=models.OuterRef("pk"))
            | models.Q(connector=models.OuterRef("pk")),
            introduced_on__gte=day,
        )
        return (
            self.filter(updated_at__lt=since)
            .exclude(conversations__held_on__gte=day)
            .exclude(consents__given_at__gte=since)
            .exclude(models.Exists(recent_introduction))
        )

    def for_detail(self):
        """With their site, ward and who recorded them, for their own page."""
        return self.select_related("site", "area", "created_by")

    def with_ward(self):
        return self.select_related("area")

    def with_tags(self):
        """Their gifts and passions, each with its tag, in name order."""
        return self.prefetch_related(
            models.Prefetch("tags", queryset=ResidentTag.objects.with_tag().by_name())
        )

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
        return reverse("communities:resident-detail", args=[self.pk])

    def has_agreed_to(self, purpose: str) -> bool:
        """Whether they have a current consent for ``purpose`` (read now, not
        from any consents already loaded)."""
        return Resident.objects.consented(purpose).filter(pk=self.pk).exists()

    def current_consents(self) -> dict[str, Consent]:
        """Their current consents by purpose."""
        return {consent.purpose: consent for consent in self.consents.current()}

    def timeline(self, user) -> list[tuple[str, datetime.date, models.Model]]:
        """What happened with them, newest first, as (kind, day, record):
        their conversations, the introductions ``user`` may see that they
        were part of, and the groups they joined."""
        conversations = self.conversations.with_builder()
        introductions = (
            Introduction.objects.visible_to(user)
            .involving(self)
            .with_parties()
            .with_builder()
        )
        groups = self.groups.with_interest()
        timeline = (
            [("conversation", c.held_on, c) for c in conversations]
            + [("introduction", i.introduced_on, i) for i in introductions]
            + [("group", g.founded_on, g) for g in groups]
        )
        timeline.sort(key=lambda item: (item[1], item[0]), reverse=True)
        return timeline


class ResidentTagQuerySet(models.QuerySet):
    def with_tag(self):
        return self.select_related("tag")

    def by_name(self):
        return self.order_by("tag__key")

    def by_kind(self):
        """Gifts of the head, hands and heart, then passions; each by name."""
        return self.order_by("kind", "tag__key")


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

    objects = ResidentTagQuerySet.as_manager()

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
    date_path = "held_on"
    interest_path = "gifts_discovered"
    interest_is_many = True

    def search(self, text: str):
        """Conversations are not searched by name, postcode or interest: the
        list's search box leaves them as they are."""
        return self

    def with_builder(self):
        return self.select_related("builder")

    def with_residents(self):
        return self.prefetch_related("residents")

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
    date_path = "founded_on"
    interest_path = "interest"

    def for_detail(self):
        """With their site, ward and interest, for their own page."""
        return self.select_related("site", "area", "interest")

    def with_interest(self):
        return self.select_related("interest")

    def search(self, text: str):
        return self.filter(name__icontains=text)

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
    date_path = "introduced_on"
    ward_path = "resident__area"
    interest_path = "interest"

    def for_list(self):
        """With their parties (see ``with_parties``), site and connector."""
        return self.with_parties().select_related("site").prefetch_related("connector")

    def for_network(self):
        """Only the names and wards of who was introduced to whom or which
        group: all a site's network drawing reads."""
        return self.select_related(
            "resident__area", "to_resident__area", "to_group__area"
        ).only(
            "resident__first_name", "resident__last_name", "resident__area__name",
            "to_resident__first_name", "to_resident__last_name",
            "to_resident__area__name", "to_group__name", "to_group__area__name",
        )  # fmt: skip

    def search(self, text: str):
        """Introductions of or to a resident the words find."""
        matching = Resident.objects.search(text).values("pk")
        return self.filter(
            models.Q(resident__in=matching) | models.Q(to_resident__in=matching)
        )

    def with_builder(self):
        return self.select_related("builder")

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


class SyncItemQuerySet(models.QuerySet):
    def sent(self, *, device_id, user, kind: str) -> SyncItem | None:
        """What ``user``'s phone sent of ``kind`` under ``device_id``, if
        anything: an ID that another user's phone used is not theirs."""
        return self.filter(device_id=device_id, user=user, kind=kind).first()


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

    objects = SyncItemQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.device_id}"

    def record(self) -> Resident | Conversation | Introduction | Group:
        """The resident, conversation, introduction or group it made."""
        made = {
            self.Kind.RESIDENT: Resident,
            self.Kind.CONVERSATION: Conversation,
            self.Kind.INTRODUCTION: Introduction,
            self.Kind.GROUP: Group,
        }[self.kind]
        return made.objects.get(pk=self.object_id)


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

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"Conflict for {self.device_id}"
