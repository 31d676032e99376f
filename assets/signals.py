"""Keep the map's cache version and the groups-as-associations in step with
every write, whatever path it takes (forms, services, the admin)."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from communities.models import Group

from . import mapdata
from .models import Asset
from .services import asset_sync_group


@receiver(post_save, sender=Asset)
@receiver(post_delete, sender=Asset)
def asset_changed(sender, **kwargs):
    mapdata.bump_version()


@receiver(m2m_changed, sender=Asset.tags.through)
def asset_tags_changed(sender, action, **kwargs):
    if action.startswith("post_"):
        mapdata.bump_version()


@receiver(post_save, sender=Group)
def group_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    asset_sync_group(group=instance)
