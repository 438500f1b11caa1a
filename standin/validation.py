"""Discord's documented limits for messages, embeds, components, modals, choices and events."""

from __future__ import annotations

import datetime as dt
from typing import Any

from standin.errors import ApiError, FormErrors
from standin.mentions import allowed_mentions_errors

JSON = dict[str, Any]

COMPONENTS_V2 = 1 << 15
ALLOWED_MESSAGE_FLAGS = (1 << 2) | (1 << 6) | (1 << 12) | COMPONENTS_V2


def embed_size(embed: JSON) -> int:
    """Characters counted towards the 6,000 total."""
    total = len(embed.get("title") or "") + len(embed.get("description") or "")
    total += len((embed.get("footer") or {}).get("text") or "") + len((embed.get("author") or {}).get("name") or "")
    for item in embed.get("fields") or []:
        total += len(item.get("name") or "") + len(item.get("value") or "")
    return total


def check_message(body: JSON, *, has_files: bool, editing: bool = False, errors: FormErrors | None = None) -> None:
    """Raise 50035 (or 50006 for an empty new message) when ``body`` breaks Discord's rules."""
    form = errors or FormErrors()
    form.length(["content"], body.get("content"), 2000)
    embeds = body.get("embeds") or []
    form.length(["embeds"], embeds, 10)
    for index, embed in enumerate(embeds):
        check_embed(form, ["embeds", index], embed)
    if sum(embed_size(e) for e in embeds) > 6000:
        form.add(["embeds"], "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000")
    flags = int(body.get("flags") or 0)
    if flags & ~ALLOWED_MESSAGE_FLAGS:
        form.add(["flags"], "MESSAGE_FLAGS_INVALID", "Invalid message flags")
    check_components(form, ["components"], body.get("components") or [], v2=bool(flags & COMPONENTS_V2))
    if body.get("allowed_mentions") is not None:
        for key, problem in allowed_mentions_errors(body["allowed_mentions"]).items():
            form.add(["allowed_mentions", key], "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE", problem)
    form.check()
    empty = not (body.get("content") or embeds or body.get("components") or has_files or body.get("sticker_ids"))
    if empty and not editing and not body.get("poll"):
        raise ApiError(400, 50006, "Cannot send an empty message")


def check_embed(form: FormErrors, path: list[str | int], embed: JSON) -> None:
    form.length([*path, "title"], embed.get("title"), 256)
    form.length([*path, "description"], embed.get("description"), 4096)
    form.length([*path, "footer", "text"], (embed.get("footer") or {}).get("text"), 2048)
    form.length([*path, "author", "name"], (embed.get("author") or {}).get("name"), 256)
    fields = embed.get("fields") or []
    form.length([*path, "fields"], fields, 25)
    for index, item in enumerate(fields):
        form.required([*path, "fields", index, "name"], bool(item.get("name")))
        form.required([*path, "fields", index, "value"], bool(item.get("value")))
        form.length([*path, "fields", index, "name"], item.get("name"), 256)
        form.length([*path, "fields", index, "value"], item.get("value"), 1024)


def check_components(form: FormErrors, path: list[str | int], components: list[JSON], *, v2: bool) -> None:
    """Action rows of buttons and selects (at most 5 rows of 5), or Components V2 (at most 40 in all)."""
    if not v2:
        form.length(path, components, 5)
    for index, component in enumerate(components):
        here = [*path, index]
        kind = component.get("type")
        interactive = "custom_id" in component or kind in (2, 3, 4, 5, 6, 7, 8)
        if interactive and not (kind == 2 and component.get("style") in (5, 6)):
            form.length([*here, "custom_id"], component.get("custom_id") or "", 100, 1)
        if kind == 1:
            form.length([*here, "components"], component.get("components") or [], 5, 1)
        elif kind == 2:
            form.length([*here, "label"], component.get("label"), 80)
            if component.get("style") == 5:
                form.required([*here, "url"], bool(component.get("url")))
        elif kind == 3:
            options = component.get("options") or []
            form.length([*here, "options"], options, 25, 1)
            for number, option in enumerate(options):
                form.length([*here, "options", number, "label"], option.get("label"), 100, 1)
                form.length([*here, "options", number, "value"], option.get("value"), 100, 1)
        if kind in (3, 5, 6, 7, 8):
            form.length([*here, "placeholder"], component.get("placeholder"), 150)
        for key in ("components", "accessory", "component"):
            nested = component.get(key)
            children = [nested] if isinstance(nested, dict) else nested if isinstance(nested, list) else []
            if children:
                check_components(form, [*here, key], children, v2=True)


def check_modal(data: JSON) -> None:
    form = FormErrors()
    form.length(["data", "custom_id"], data.get("custom_id") or "", 100, 1)
    form.length(["data", "title"], data.get("title") or "", 45, 1)
    rows = data.get("components") or []
    form.length(["data", "components"], rows, 5, 1)
    for index, row in enumerate(rows):
        inner = row.get("components") or ([row["component"]] if "component" in row else [])
        if row.get("type") == 18:
            form.length(["data", "components", index, "label"], row.get("label"), 45, 1)
        for item in inner:
            form.length(["data", "components", index, "custom_id"], item.get("custom_id") or "", 100, 1)
            if item.get("type") == 4:
                form.length(["data", "components", index, "label"], item.get("label"), 45)
                form.length(["data", "components", index, "value"], item.get("value"), 4000)
                if item.get("max_length") is not None and not 1 <= int(item["max_length"]) <= 4000:
                    form.add(["data", "components", index, "max_length"], "NUMBER_TYPE_MAX", "Must be 4000 or less.")
    form.check()


def check_choices(data: JSON) -> None:
    form = FormErrors()
    choices = data.get("choices") or []
    form.length(["data", "choices"], choices, 25)
    for index, choice in enumerate(choices):
        form.length(["data", "choices", index, "name"], choice.get("name") or "", 100, 1)
        if isinstance(choice.get("value"), str):
            form.length(["data", "choices", index, "value"], choice["value"], 100)
    form.check()


def parse_time(value: Any) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def check_scheduled_event(body: JSON, *, creating: bool, now: dt.datetime, current: JSON | None = None) -> None:
    """Name ≤100, description ≤1000, a future start before the end; external events need a location and an end."""
    merged = {**(current or {}), **body}
    form = FormErrors()
    if creating:
        for key in ("name", "privacy_level", "scheduled_start_time", "entity_type"):
            form.required([key], body.get(key) is not None)
    if "name" in body:
        form.length(["name"], body["name"] or "", 100, 1)
    form.length(["description"], body.get("description"), 1000)
    start = parse_time(merged.get("scheduled_start_time")) if merged.get("scheduled_start_time") else None
    end = parse_time(merged.get("scheduled_end_time")) if merged.get("scheduled_end_time") else None
    if merged.get("scheduled_start_time") and start is None:
        form.add(["scheduled_start_time"], "DATE_TIME_TYPE_PARSE", "Could not parse the date.")
    elif start is not None and "scheduled_start_time" in body and start < now:
        form.add(["scheduled_start_time"], "GUILD_SCHEDULED_EVENT_SCHEDULE_PAST", "Cannot schedule event in the past.")
    if start is not None and end is not None and end <= start:
        form.add(["scheduled_end_time"], "GUILD_SCHEDULED_EVENT_END_BEFORE_START", "End time must be after start.")
    entity_type = merged.get("entity_type")
    if entity_type == 3:
        location = (merged.get("entity_metadata") or {}).get("location")
        form.required(["entity_metadata", "location"], bool(location))
        form.length(["entity_metadata", "location"], location, 100)
        form.required(["scheduled_end_time"], bool(merged.get("scheduled_end_time")))
        if merged.get("channel_id") is not None:
            form.add(["channel_id"], "CHANNEL_ID_MUST_BE_NULL", "Channel must be null for external events.")
    elif entity_type in (1, 2):
        form.required(["channel_id"], merged.get("channel_id") is not None)
    elif entity_type is not None:
        form.add(["entity_type"], "BASE_TYPE_CHOICES", "Value must be one of {1, 2, 3}.")
    if merged.get("privacy_level") not in (None, 2):
        form.add(["privacy_level"], "BASE_TYPE_CHOICES", "Value must be one of {2}.")
    form.check()
