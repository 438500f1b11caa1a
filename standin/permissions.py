"""Discord permission bits and the documented algorithm for a member's permissions in a channel."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass


class Permission(enum.IntFlag):
    CREATE_INSTANT_INVITE = 1 << 0
    KICK_MEMBERS = 1 << 1
    BAN_MEMBERS = 1 << 2
    ADMINISTRATOR = 1 << 3
    MANAGE_CHANNELS = 1 << 4
    MANAGE_GUILD = 1 << 5
    ADD_REACTIONS = 1 << 6
    VIEW_AUDIT_LOG = 1 << 7
    VIEW_CHANNEL = 1 << 10
    SEND_MESSAGES = 1 << 11
    SEND_TTS_MESSAGES = 1 << 12
    MANAGE_MESSAGES = 1 << 13
    EMBED_LINKS = 1 << 14
    ATTACH_FILES = 1 << 15
    READ_MESSAGE_HISTORY = 1 << 16
    MENTION_EVERYONE = 1 << 17
    USE_EXTERNAL_EMOJIS = 1 << 18
    CONNECT = 1 << 20
    SPEAK = 1 << 21
    CHANGE_NICKNAME = 1 << 26
    MANAGE_NICKNAMES = 1 << 27
    MANAGE_ROLES = 1 << 28
    MANAGE_WEBHOOKS = 1 << 29
    USE_APPLICATION_COMMANDS = 1 << 31
    MANAGE_EVENTS = 1 << 33
    MANAGE_THREADS = 1 << 34
    CREATE_PUBLIC_THREADS = 1 << 35
    CREATE_PRIVATE_THREADS = 1 << 36
    SEND_MESSAGES_IN_THREADS = 1 << 38
    MODERATE_MEMBERS = 1 << 40
    CREATE_EVENTS = 1 << 44


ALL = Permission((1 << 51) - 1)
NONE = Permission(0)

EVERYONE_DEFAULT = (
    Permission.VIEW_CHANNEL
    | Permission.SEND_MESSAGES
    | Permission.READ_MESSAGE_HISTORY
    | Permission.EMBED_LINKS
    | Permission.ATTACH_FILES
    | Permission.ADD_REACTIONS
    | Permission.USE_EXTERNAL_EMOJIS
    | Permission.USE_APPLICATION_COMMANDS
    | Permission.CREATE_PUBLIC_THREADS
    | Permission.SEND_MESSAGES_IN_THREADS
    | Permission.CREATE_INSTANT_INVITE
    | Permission.CHANGE_NICKNAME
    | Permission.CONNECT
    | Permission.SPEAK
)
"""What a fresh guild's @everyone role may do (roughly Discord's default)."""

BOT_DEFAULT = (
    Permission.VIEW_CHANNEL
    | Permission.SEND_MESSAGES
    | Permission.SEND_MESSAGES_IN_THREADS
    | Permission.CREATE_PUBLIC_THREADS
    | Permission.MANAGE_THREADS
    | Permission.EMBED_LINKS
    | Permission.ATTACH_FILES
    | Permission.READ_MESSAGE_HISTORY
    | Permission.ADD_REACTIONS
    | Permission.MANAGE_EVENTS
    | Permission.CREATE_EVENTS
)
"""The permissions Film Club's invite link asks for."""

MODERATOR_DEFAULT = (
    Permission.MANAGE_MESSAGES
    | Permission.MANAGE_THREADS
    | Permission.MANAGE_EVENTS
    | Permission.CREATE_EVENTS
    | Permission.MENTION_EVERYONE
    | Permission.MODERATE_MEMBERS
    | Permission.MANAGE_NICKNAMES
)

_NEED_SEND = (
    Permission.SEND_TTS_MESSAGES | Permission.MENTION_EVERYONE | Permission.EMBED_LINKS | Permission.ATTACH_FILES
)


@dataclass
class Overwrite:
    """A channel permission overwrite for a role (type 0) or a member (type 1)."""

    id: int
    type: int
    allow: int = 0
    deny: int = 0

    def to_payload(self) -> dict[str, object]:
        return {"id": str(self.id), "type": self.type, "allow": str(self.allow), "deny": str(self.deny)}


def base_permissions(
    *, guild_id: int, owner_id: int, user_id: int, role_permissions: dict[int, int], member_roles: Iterable[int]
) -> Permission:
    """Guild-level permissions: @everyone (whose id is the guild's) plus every role the member has."""
    if user_id == owner_id:
        return ALL
    value = role_permissions.get(guild_id, 0)
    for role in member_roles:
        value |= role_permissions.get(role, 0)
    if value & Permission.ADMINISTRATOR:
        return ALL
    return Permission(value)


def channel_permissions(
    base: Permission,
    *,
    guild_id: int,
    user_id: int,
    member_roles: Iterable[int],
    overwrites: Iterable[Overwrite],
    thread_like: bool = False,
) -> Permission:
    """Apply channel overwrites in Discord's order: @everyone, then all roles together, then the member."""
    if base & Permission.ADMINISTRATOR or base == ALL:
        return ALL
    by_id = {o.id: o for o in overwrites}
    value = int(base)
    everyone = by_id.get(guild_id)
    if everyone is not None:
        value = (value & ~everyone.deny) | everyone.allow
    allow = deny = 0
    for role in member_roles:
        overwrite = by_id.get(role)
        if overwrite is not None and overwrite.type == 0:
            allow |= overwrite.allow
            deny |= overwrite.deny
    value = (value & ~deny) | allow
    member = by_id.get(user_id)
    if member is not None and member.type == 1:
        value = (value & ~member.deny) | member.allow
    if not value & Permission.VIEW_CHANNEL:
        return NONE
    if not thread_like and not value & Permission.SEND_MESSAGES:
        value &= ~_NEED_SEND
    return Permission(value)


def names(value: int) -> list[str]:
    """The names of the set bits, for error messages."""
    return [p.name for p in Permission if p.name and value & p]
