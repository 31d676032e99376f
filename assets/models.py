"""The asset inventory: what a neighbourhood already has, in the ABCD
Institute's six categories, and the mapping sessions that found it.

Individuals' gifts are the sixth category, but they are people: they are never
stored here as named assets. They are counted per area from the residents'
gifts that builders record (see ``gift_counts``)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, Q

from communities.models import Area, Group, ResidentTag, Tag
from core.roles import Capability, can


class Category(models.TextChoices):
    GIFTS = "gifts", "Individuals' gifts"
    ASSOCIATIONS = "associations", "Associations and groups"
    INSTITUTIONS = "institutions", "Institutions"
    PHYSICAL = "physical", "Physical spaces"
    ECONOMY = "economy", "Local economy"
    CULTURE = "culture", "Culture and stories"


# The categories an Asset row may have: gifts are counted, never named.
ASSET_CATEGORIES = [(c.value, c.label) for c in Category if c != Category.GIFTS]

GIFT_KINDS = (
    ResidentTag.Kind.HEAD,
    ResidentTag.Kind.HANDS,
    ResidentTag.Kind.HEART,
)


class MappingSessionQuerySet(models.QuerySet):
    def for_detail(self) -> MappingSessionQuerySet:
        """With their ward and who ran them."""
        return self.select_related("area", "run_by")

    def for_list(self) -> MappingSessionQuerySet:
        """As ``for_detail``, newest first, with ``assets_found``."""
        return self.for_detail().with_asset_counts().order_by("-held_on", "-pk")

    def with_asset_counts(self) -> MappingSessionQuerySet:
        return self.annotate(assets_found=Count("assets"))


class MappingSession(models.Model):
    """A collective mapping event: residents and staff walking or talking an
    area through and listing what is there."""

    name = models.CharField(max_length=200)
    held_on = models.DateField("Date")
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="mapping_sessions"
    )
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    participants = models.PositiveIntegerField(
        "How many people took part", validators=[MinValueValidator(1)]
    )
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MappingSessionQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.held_on:%-d %B %Y})"


class AssetQuerySet(models.QuerySet):
    def public(self) -> AssetQuerySet:
        return self.filter(visibility=Asset.Visibility.PUBLIC)

    def active(self) -> AssetQuerySet:
        return self.filter(status=Asset.Status.ACTIVE)

    def visible_to(self, user) -> AssetQuerySet:
        """Staff who may see staff-only assets see everything; everyone
        else, signed in or not, sees public assets only."""
        return self if can(user, Capability.MAP_ASSETS) else self.public()

    def on_map_for(self, user) -> AssetQuerySet:
        """What the map and its table show ``user``: visitors see active
        public assets; staff see closed and staff-only ones too, labelled."""
        if can(user, Capability.MAP_ASSETS):
            return self
        return self.public().active()

    def for_list(self) -> AssetQuerySet:
        """With their ward, in name order."""
        return self.select_related("area").order_by("name", "pk")

    def for_detail(self) -> AssetQuerySet:
        """With their ward, mapping session, who mapped them, and tags."""
        return self.select_related(
            "area", "mapping_session", "mapped_by"
        ).prefetch_related("tags")

    def published(self) -> AssetQuerySet:
        """The assets published as Open Referral services: public ones, with
        their ward and tags, in name order."""
        return self.public().for_list().prefetch_related("tags")

    def count_per_ward(self) -> list[Area]:
        """Every ward, the most deprived first, each with ``asset_count``:
        how many of these assets it has (the map's shading, for people who
        cannot see it)."""
        counts = dict(
            self.order_by()
            .values_list("area")
            .annotate(total=Count("pk"))
            .values_list("area", "total")
        )
        wards = list(Area.objects.current().by_deprivation())
        for ward in wards:
            ward.asset_count = counts.get(ward.pk, 0)
        return wards

    def in_area(self, area) -> AssetQuerySet:
        return self.filter(area=area)

    def in_category(self, category: str) -> AssetQuerySet:
        return self.filter(category=category)

    def tagged(self, tag) -> AssetQuerySet:
        """Assets with this tag, matched by id so that the tag filter's join
        is not the one a later read of every tag (the map's) goes through."""
        return self.filter(
            pk__in=Asset.tags.through.objects.filter(tag=tag).values("asset_id")
        )

    def located(self) -> AssetQuerySet:
        return self.filter(latitude__isnull=False, longitude__isnull=False)

    def filtered(self, *, category="", tag=None, area=None) -> AssetQuerySet:
        queryset = self
        if category:
            queryset = queryset.in_category(category)
        if tag is not None:
            queryset = queryset.tagged(tag)
        if area is not None:
            queryset = queryset.in_area(area)
        return queryset


class Asset(models.Model):
    """Something a neighbourhood has that people can use, join or build on."""

    class Visibility(models.TextChoices):
        PUBLIC = "public", "Public: anyone can see it on the map"
        STAFF = "staff", "Staff only"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        CLOSED = "closed", "Closed"

    # Stable public identifier, used as the Open Referral service id.
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    category = models.CharField(max_length=20, choices=ASSET_CATEGORIES)
    tags = models.ManyToManyField(Tag, related_name="assets", blank=True)
    latitude = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    address = models.CharField(max_length=300, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    # Not indexed alone: the first column of an index in Meta below.
    area = models.ForeignKey(
        Area,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assets",
        help_text="Found from the location when left blank.",
        db_index=False,
    )
    contact_email = models.EmailField("Public email address", blank=True)
    contact_phone = models.CharField("Public phone number", max_length=40, blank=True)
    website = models.URLField(blank=True)
    opening_times = models.TextField(blank=True)
    mapped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    mapping_session = models.ForeignKey(
        MappingSession,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assets",
    )
    visibility = models.CharField(
        max_length=10, choices=Visibility, default=Visibility.PUBLIC
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.ACTIVE)
    # A group that formed in the communities app appears here as an
    # association; this link keeps the two in step.
    group = models.OneToOneField(
        Group, null=True, blank=True, on_delete=models.CASCADE, related_name="asset"
    )
    imported_by = models.ForeignKey(
        "AssetImport",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assets",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AssetQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(category="gifts"),
                name="asset_never_an_individual",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="asset_latitude_and_longitude_together",
            ),
        ]
        indexes = [
            models.Index(fields=["visibility", "category"]),
            models.Index(fields=["area", "category"]),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        super().clean()
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError(
                "Enter both the latitude and the longitude, or neither."
            )

    @property
    def is_public(self) -> bool:
        return self.visibility == self.Visibility.PUBLIC


class AssetImportQuerySet(models.QuerySet):
    def without_content(self) -> AssetImportQuerySet:
        """Leaving out the uploaded file, which only the import itself reads."""
        return self.defer("content")

    def recent(self, *, limit: int = 10) -> AssetImportQuerySet:
        """The latest uploads, with who uploaded them."""
        return self.select_related("uploaded_by")[:limit]


class AssetImport(models.Model):
    """One CSV upload, from its column mapping to its all-or-nothing result."""

    class Status(models.TextChoices):
        MAPPING = "mapping", "Waiting for the columns to be matched"
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Importing"
        FAILED = "failed", "Not imported: some rows have errors"
        DONE = "done", "Imported"

    file_name = models.CharField(max_length=200)
    content = models.TextField(help_text="The uploaded CSV, decoded as UTF-8.")
    headers = models.JSONField(default=list)
    row_count = models.PositiveIntegerField(default=0)
    # Template column -> the file's column ("" when not in the file).
    mapping = models.JSONField(default=dict, blank=True)
    default_category = models.CharField(
        max_length=20, choices=ASSET_CATEGORIES, blank=True
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.MAPPING)
    # [{"row": 3, "errors": ["..."]}, ...], file row numbers counting the header.
    errors = models.JSONField(default=list, blank=True)
    created_count = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = AssetImportQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.file_name

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.FAILED, self.Status.DONE)

    @property
    def progress_key(self) -> str:
        """Where the running import counts the rows it has checked."""
        return f"assets:import-progress:{self.pk}"

    def rows_checked(self) -> int:
        """Rows checked so far (kept in the cache: the import's own
        transaction is not visible to the progress page until it commits)."""
        if self.is_finished:
            return self.row_count
        return cache.get(self.progress_key, 0)


def gift_counts(*, area=None, minimum: int = 1):
    """How many residents have each gift, per area: rows of
    {"area_id", "area__name", "tag__name", "residents"}. Counts only, never
    who: the query never selects a resident's name."""
    rows = ResidentTag.objects.filter(kind__in=GIFT_KINDS, resident__area__isnull=False)
    if area is not None:
        rows = rows.filter(resident__area=area)
    return (
        rows.values("resident__area_id", "resident__area__name", "tag__name")
        .annotate(residents=Count("resident", distinct=True))
        .filter(residents__gte=minimum)
        .order_by("resident__area__name", "-residents", "tag__name")
    )
