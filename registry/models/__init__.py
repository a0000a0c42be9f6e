"""SQLModel tables: what the registry stores, one module per domain (the shapes the API shows and accepts
are in registry/schemas/). Import tables from here: `from registry.models import Entry`."""

from __future__ import annotations

from .common import ENTRY_KINDS, FACETS, ROLES, SOURCE_KINDS, attributes, utcnow
from .communities import (
    COLLECTION_VISIBILITY,
    COMMUNITY_ROLES,
    Collection,
    CollectionGroup,
    CollectionItem,
    CollectionProposal,
    CollectionTranslation,
    Community,
    CommunityMember,
)
from .discovery import DiscoveredItem, Discovery, DiscoveryRun
from .entries import Entry, EntryBase, EntryDetails, FacetValue, Relation, RenderedText, Revision, Translation
from .people import ApiToken, Claim, Maintainer, PasswordReset, Proposal, PurgeRecord, User
from .sources import HarvestRun, HookDelivery, Source, SourceHook

__all__ = [
    "ENTRY_KINDS",
    "FACETS",
    "ROLES",
    "SOURCE_KINDS",
    "attributes",
    "utcnow",
    "COLLECTION_VISIBILITY",
    "COMMUNITY_ROLES",
    "EntryBase",
    "Entry",
    "FacetValue",
    "Translation",
    "RenderedText",
    "Relation",
    "Revision",
    "EntryDetails",
    "Source",
    "Discovery",
    "DiscoveryRun",
    "DiscoveredItem",
    "HarvestRun",
    "SourceHook",
    "HookDelivery",
    "User",
    "ApiToken",
    "Maintainer",
    "Claim",
    "Proposal",
    "PasswordReset",
    "PurgeRecord",
    "Community",
    "CommunityMember",
    "Collection",
    "CollectionGroup",
    "CollectionItem",
    "CollectionTranslation",
    "CollectionProposal",
]
