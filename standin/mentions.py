"""Who a message would ping: mentions parsed from the content, filtered by ``allowed_mentions``.

Discord's rules: without ``allowed_mentions`` every parsed mention counts (roles only when mentionable
or when the author may mention everyone; @everyone/@here only with MENTION_EVERYONE) and a reply pings
the replied-to author. With ``allowed_mentions``, only the listed kinds in ``parse`` or the listed ids
count, and the replied-to author only when ``replied_user`` is true. Like Discord's server, the parser
does not look at markdown, so a mention inside a code span still counts.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

USER_MENTION = re.compile(r"<@!?(\d{1,20})>")
ROLE_MENTION = re.compile(r"<@&(\d{1,20})>")
EVERYONE_MENTION = re.compile(r"@(everyone|here)")

PARSE_TYPES = frozenset({"users", "roles", "everyone"})


@dataclass(frozen=True)
class ParsedMentions:
    users: tuple[int, ...]
    roles: tuple[int, ...]
    everyone: bool


@dataclass(frozen=True)
class Pings:
    """Who a message notifies."""

    users: frozenset[int] = frozenset()
    roles: frozenset[int] = frozenset()
    everyone: bool = False

    @property
    def nobody(self) -> bool:
        return not (self.users or self.roles or self.everyone)


def parse_mentions(content: str) -> ParsedMentions:
    """Mentions in order of appearance, without duplicates."""
    users = tuple(dict.fromkeys(int(m) for m in USER_MENTION.findall(content)))
    roles = tuple(dict.fromkeys(int(m) for m in ROLE_MENTION.findall(content)))
    return ParsedMentions(users, roles, EVERYONE_MENTION.search(content) is not None)


def allowed_mentions_errors(allowed: Mapping[str, Any]) -> dict[str, str]:
    """Problems Discord rejects with 50035, keyed by field."""
    errors: dict[str, str] = {}
    parse = allowed.get("parse", [])
    if not isinstance(parse, list) or any(p not in PARSE_TYPES for p in parse):
        errors["parse"] = "Value must be one of {'users', 'roles', 'everyone'}."
        parse = []
    for kind in ("users", "roles"):
        ids = allowed.get(kind, [])
        if kind in parse and ids:
            errors[kind] = f'parse:["{kind}"] and {kind}: [ids...] are mutually exclusive.'
        elif len(ids) > 100:
            errors[kind] = "Must be 100 or fewer in length."
    return errors


def compute_pings(
    content: str,
    allowed: Mapping[str, Any] | None,
    *,
    known_users: Collection[int],
    roles: Mapping[int, bool],
    can_mention_everyone: bool,
    replied_user_id: int | None = None,
) -> Pings:
    """Apply Discord's rules; ``roles`` maps each of the guild's role ids to whether it is mentionable."""
    parsed = parse_mentions(content)
    if allowed is None:
        parse: Collection[str] = PARSE_TYPES
        user_ids: Collection[int] = ()
        role_ids: Collection[int] = ()
        replied = True
    else:
        parse = allowed.get("parse", [])
        user_ids = {int(u) for u in allowed.get("users", [])}
        role_ids = {int(r) for r in allowed.get("roles", [])}
        replied = bool(allowed.get("replied_user", False))
    users = {u for u in parsed.users if u in known_users and ("users" in parse or u in user_ids)}
    if replied and replied_user_id is not None:
        users.add(replied_user_id)
    pinged_roles = {
        r
        for r in parsed.roles
        if r in roles and ("roles" in parse or r in role_ids) and (roles[r] or can_mention_everyone)
    }
    everyone = parsed.everyone and "everyone" in parse and can_mention_everyone
    return Pings(frozenset(users), frozenset(pinged_roles), everyone)
