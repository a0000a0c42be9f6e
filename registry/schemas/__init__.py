"""The public shapes of the registry, by domain: what the API answers and takes, and what services return.

Every shape is importable from here (`from registry.schemas import EntryPublic`) as well as from
its domain module.
"""
from __future__ import annotations

from .common import ErrorDetail, ErrorEnvelope
from .entries import (EDITABLE_FIELDS, ENTRY_FIELDS, LIST_FIELDS, TEXT_FIELDS,
                      TranslationPublic, RelationPublic, EntryPublic, EntrySummary, HarvestNotes, CollectionLink,
                      EntryPage, EntryList, EntryPatch, EntryRegister, HideRequest, RevertRequest,
                      TranslationList)
from .history import RevisionPublic, RevisionList
from .proposals import ProposalCreate, ProposalCreated, ProposalDecision, ProposalPublic, ProposalList
from .people import TokenCreate, TokenPublic, TokenCreated, TokenList, MePublic
from .jobs import JobPublic
from .sources import RunPublic, SourcePublic, SourceList, RunList, HarvestOutcome, HookSecret, HookResult
from .communities import (CommunityPublic, CommunityMemberPublic, CommunityDetail, CommunityList, JoinRequested,
                          CommunityCreate, CommunityPatch, JoinRequest, MemberDecision)
from .collections import (CollectionOwner, CollectionTranslationPublic, CollectionPublic, CollectionGroupPublic,
                          CollectionItemPublic, CollectionDetail, CollectionList,
                          CollectionProposalPublic, CollectionProposalList,
                          CollectionSyncResult, CollectionTranslationCreated,
                          CollectionCreate, CollectionPatch, CollectionItemCreate,
                          CollectionItemPatch, CollectionOrder, CollectionSyncRequest,
                          CollectionTranslationCreate)

__all__ = [
    "EDITABLE_FIELDS",
    "ENTRY_FIELDS",
    "LIST_FIELDS",
    "TEXT_FIELDS",
    "ErrorDetail",
    "ErrorEnvelope",
    "TranslationPublic",
    "RelationPublic",
    "EntryPublic",
    "EntrySummary",
    "HarvestNotes",
    "CollectionLink",
    "EntryPage",
    "EntryList",
    "EntryPatch",
    "EntryRegister",
    "HideRequest",
    "RevertRequest",
    "TranslationList",
    "RevisionPublic",
    "RevisionList",
    "ProposalCreate",
    "ProposalCreated",
    "ProposalDecision",
    "ProposalPublic",
    "ProposalList",
    "TokenCreate",
    "TokenPublic",
    "TokenCreated",
    "TokenList",
    "MePublic",
    "JobPublic",
    "RunPublic",
    "SourcePublic",
    "SourceList",
    "RunList",
    "HarvestOutcome",
    "HookSecret",
    "HookResult",
    "CommunityPublic",
    "CommunityMemberPublic",
    "CommunityDetail",
    "CommunityList",
    "JoinRequested",
    "CommunityCreate",
    "CommunityPatch",
    "JoinRequest",
    "MemberDecision",
    "CollectionOwner",
    "CollectionTranslationPublic",
    "CollectionPublic",
    "CollectionGroupPublic",
    "CollectionItemPublic",
    "CollectionDetail",
    "CollectionList",
    "CollectionProposalPublic",
    "CollectionProposalList",
    "CollectionSyncResult",
    "CollectionTranslationCreated",
    "CollectionCreate",
    "CollectionPatch",
    "CollectionItemCreate",
    "CollectionItemPatch",
    "CollectionOrder",
    "CollectionSyncRequest",
    "CollectionTranslationCreate",
]
