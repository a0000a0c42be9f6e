"""How long what people send may be: one table for the shapes (and so the OpenAPI document) and the services.

A value over its limit is refused with a 422 naming the field and the limit, never cut short
without a word. Harvested values are not refused: the harvest trims them where it must.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

#: An entry's text fields (characters).
ENTRY_TEXT_MAX = {"name": 300, "summary": 1000, "description": 200_000, "version": 100, "homepage": 2000}
#: One value of a list field (a tag, task, framework or language) and how many values a list holds.
TERM_MAX, TERMS_MAX = 100, 50
#: A proposal's note, a reviewer's note for the author.
NOTE_MAX = 2000
#: Why an entry was edited, reverted or hidden.
REASON_MAX = 500
#: Why an admin purged an entry (kept in the audit record).
PURGE_REASON_MAX = 1000
#: An API token's name.
TOKEN_NAME_MAX = 100
#: A search query (`q`).
QUERY_MAX = 500
#: A community's text: its name, description and region, and the message of a request to join it.
COMMUNITY_TEXT_MAX = {"name": 200, "description": 20_000, "region": 200, "message": 500}
#: A collection's text: its title and description (a translation's too), an item's curator note
#: (as long as any note) and the title of a group of items.
COLLECTION_TEXT_MAX = {"title": 300, "description": 20_000, "note": NOTE_MAX, "group": 300}
#: A community's or a collection's slug (one segment: lower-case letters, digits and '-').
SLUG_MAX = 80

Note = Annotated[str, Field(max_length=NOTE_MAX)]
Reason = Annotated[str, Field(max_length=REASON_MAX)]
TokenName = Annotated[str, Field(max_length=TOKEN_NAME_MAX)]
Terms = Annotated[list[Annotated[str, Field(max_length=TERM_MAX)]], Field(max_length=TERMS_MAX)]
EntryName = Annotated[str, Field(max_length=ENTRY_TEXT_MAX["name"])]
Summary = Annotated[str, Field(max_length=ENTRY_TEXT_MAX["summary"])]
Description = Annotated[str, Field(max_length=ENTRY_TEXT_MAX["description"])]
Version = Annotated[str, Field(max_length=ENTRY_TEXT_MAX["version"])]
Homepage = Annotated[str, Field(max_length=ENTRY_TEXT_MAX["homepage"])]
Slug = Annotated[str, Field(max_length=SLUG_MAX)]
CommunityName = Annotated[str, Field(max_length=COMMUNITY_TEXT_MAX["name"])]
CommunityDescription = Annotated[str, Field(max_length=COMMUNITY_TEXT_MAX["description"])]
CommunityRegion = Annotated[str, Field(max_length=COMMUNITY_TEXT_MAX["region"])]
JoinMessage = Annotated[str, Field(max_length=COMMUNITY_TEXT_MAX["message"])]
CollectionTitle = Annotated[str, Field(max_length=COLLECTION_TEXT_MAX["title"])]
CollectionDescription = Annotated[str, Field(max_length=COLLECTION_TEXT_MAX["description"])]
CuratorNote = Annotated[str, Field(max_length=COLLECTION_TEXT_MAX["note"])]
GroupTitle = Annotated[str, Field(max_length=COLLECTION_TEXT_MAX["group"])]
