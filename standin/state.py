"""Everything the stand-in knows, as plain dataclasses tests can read, plus the JSON Discord would send.

Every mutation ends with :meth:`State.changed`, which wakes whoever waits in :meth:`State.wait_for`:
waiting is driven by state changes, never by polling or sleeping.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import enum
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from standin.mentions import Pings
from standin.permissions import Overwrite, Permission, base_permissions, channel_permissions
from standin.snowflake import Snowflakes, iso, now, snowflake_time

JSON = dict[str, Any]
T = TypeVar("T")

EPHEMERAL = 1 << 6
LOADING = 1 << 7
HAS_THREAD = 1 << 5


class ChannelType(enum.IntEnum):
    TEXT = 0
    VOICE = 2
    CATEGORY = 4
    NEWS = 5
    NEWS_THREAD = 10
    PUBLIC_THREAD = 11
    PRIVATE_THREAD = 12
    FORUM = 15


THREAD_TYPES = frozenset({ChannelType.NEWS_THREAD, ChannelType.PUBLIC_THREAD, ChannelType.PRIVATE_THREAD})


@dataclass
class User:
    id: int
    username: str
    global_name: str | None = None
    bot: bool = False

    @property
    def display_name(self) -> str:
        return self.global_name or self.username

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"

    def to_payload(self) -> JSON:
        return {
            "id": str(self.id),
            "username": self.username,
            "discriminator": "0",
            "global_name": self.global_name,
            "avatar": None,
            "bot": self.bot,
            "system": False,
            "public_flags": 0,
            "flags": 0,
            "banner": None,
            "accent_color": None,
            "avatar_decoration_data": None,
        }


@dataclass
class Role:
    id: int
    guild_id: int
    name: str
    permissions: int
    position: int = 0
    color: int = 0
    mentionable: bool = False
    bot_id: int | None = None

    @property
    def mention(self) -> str:
        return f"<@&{self.id}>"

    def to_payload(self) -> JSON:
        payload: JSON = {
            "id": str(self.id),
            "name": self.name,
            "color": self.color,
            "colors": {"primary_color": self.color, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "position": self.position,
            "permissions": str(self.permissions),
            "managed": self.bot_id is not None,
            "mentionable": self.mentionable,
            "flags": 0,
        }
        if self.bot_id is not None:
            payload["tags"] = {"bot_id": str(self.bot_id)}
        return payload


@dataclass
class Member:
    user: User
    guild_id: int
    roles: list[int] = field(default_factory=list)
    nick: str | None = None
    joined_at: dt.datetime = field(default_factory=now)

    def to_payload(self, *, with_user: bool = True) -> JSON:
        payload: JSON = {
            "nick": self.nick,
            "avatar": None,
            "banner": None,
            "roles": [str(r) for r in self.roles],
            "joined_at": iso(self.joined_at),
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "communication_disabled_until": None,
        }
        if with_user:
            payload["user"] = self.user.to_payload()
        return payload


@dataclass
class ThreadMember:
    thread_id: int
    user_id: int
    join_timestamp: dt.datetime = field(default_factory=now)

    def to_payload(self) -> JSON:
        return {
            "id": str(self.thread_id),
            "user_id": str(self.user_id),
            "join_timestamp": iso(self.join_timestamp),
            "flags": 0,
        }


@dataclass
class Channel:
    """A guild channel or a thread (``type`` 10-12, with ``parent_id`` and the thread fields)."""

    id: int
    guild_id: int
    name: str
    type: ChannelType = ChannelType.TEXT
    position: int = 0
    parent_id: int | None = None
    topic: str | None = None
    overwrites: list[Overwrite] = field(default_factory=list)
    last_message_id: int | None = None
    owner_id: int | None = None
    archived: bool = False
    locked: bool = False
    invitable: bool = True
    auto_archive_duration: int = 1440
    archive_timestamp: dt.datetime = field(default_factory=now)
    thread_members: dict[int, ThreadMember] = field(default_factory=dict)
    message_count: int = 0

    @property
    def is_thread(self) -> bool:
        return self.type in THREAD_TYPES

    @property
    def mention(self) -> str:
        return f"<#{self.id}>"

    def to_payload(self) -> JSON:
        payload: JSON = {
            "id": str(self.id),
            "guild_id": str(self.guild_id),
            "type": int(self.type),
            "name": self.name,
            "parent_id": None if self.parent_id is None else str(self.parent_id),
            "last_message_id": None if self.last_message_id is None else str(self.last_message_id),
            "rate_limit_per_user": 0,
            "flags": 0,
            "nsfw": False,
        }
        if self.is_thread:
            payload.update(
                owner_id=str(self.owner_id),
                message_count=self.message_count,
                total_message_sent=self.message_count,
                member_count=min(len(self.thread_members), 50),
                thread_metadata={
                    "archived": self.archived,
                    "locked": self.locked,
                    "auto_archive_duration": self.auto_archive_duration,
                    "archive_timestamp": iso(self.archive_timestamp),
                    "invitable": self.invitable,
                    "create_timestamp": iso(now()),
                },
                applied_tags=[],
            )
        else:
            payload.update(
                position=self.position,
                topic=self.topic,
                permission_overwrites=[o.to_payload() for o in self.overwrites],
                default_auto_archive_duration=1440,
                default_thread_rate_limit_per_user=0,
            )
        if self.type == ChannelType.VOICE:
            payload.update(bitrate=64000, user_limit=0, rtc_region=None, video_quality_mode=1)
        return payload


@dataclass
class Attachment:
    id: int
    filename: str
    content_type: str | None
    data: bytes
    url: str
    description: str | None = None
    ephemeral: bool = False

    @property
    def size(self) -> int:
        return len(self.data)

    def to_payload(self) -> JSON:
        payload: JSON = {
            "id": str(self.id),
            "filename": self.filename,
            "size": self.size,
            "url": self.url,
            "proxy_url": self.url,
            "content_type": self.content_type,
            "description": self.description,
        }
        if self.ephemeral:
            payload["ephemeral"] = True
        return payload


@dataclass
class Revision:
    """A message as it was before an edit."""

    at: dt.datetime
    content: str
    embeds: list[JSON]
    components: list[JSON]
    attachment_ids: list[int]
    flags: int


@dataclass
class Message:
    id: int
    channel_id: int
    guild_id: int | None
    author: User
    content: str = ""
    embeds: list[JSON] = field(default_factory=list)
    components: list[JSON] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    flags: int = 0
    type: int = 0
    allowed_mentions: JSON | None = None
    pings: Pings = field(default_factory=Pings)
    webhook_id: int | None = None
    application_id: int | None = None
    interaction_id: int | None = None
    interaction_metadata: JSON | None = None
    message_reference: JSON | None = None
    thread_id: int | None = None
    reactions: dict[str, list[int]] = field(default_factory=dict)
    edits: list[Revision] = field(default_factory=list)
    edited_at: dt.datetime | None = None
    deleted: bool = False
    tts: bool = False
    nonce: str | int | None = None

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & EPHEMERAL)

    @property
    def loading(self) -> bool:
        """A deferred response's "thinking" placeholder."""
        return bool(self.flags & LOADING)

    @property
    def created_at(self) -> dt.datetime:
        return snowflake_time(self.id)

    def buttons(self) -> list[JSON]:
        """Every button and select in the components, depth first."""
        return [c for c in walk_components(self.components) if c.get("type") in (2, 3, 5, 6, 7, 8)]

    def snapshot(self) -> Revision:
        return Revision(
            now(), self.content, list(self.embeds), list(self.components), [a.id for a in self.attachments], self.flags
        )

    def __repr__(self) -> str:
        bits = [f"id={self.id}", f"author={self.author.username}", f"content={self.content[:60]!r}"]
        if self.embeds:
            bits.append(f"embeds={[e.get('title') for e in self.embeds]}")
        if self.ephemeral:
            bits.append("ephemeral")
        if self.loading:
            bits.append("loading")
        if self.deleted:
            bits.append("deleted")
        return f"<Message {' '.join(bits)}>"


def walk_components(components: list[JSON]) -> list[JSON]:
    """Flatten action rows, containers, sections and labels into their interactive parts, in order."""
    found: list[JSON] = []
    for component in components:
        found.append(component)
        found.extend(walk_components(component.get("components", [])))
        for key in ("accessory", "component"):
            if isinstance(component.get(key), dict):
                found.extend(walk_components([component[key]]))
    return found


@dataclass
class ScheduledEvent:
    id: int
    guild_id: int
    name: str
    creator_id: int
    scheduled_start_time: str
    entity_type: int
    privacy_level: int = 2
    status: int = 1
    description: str | None = None
    scheduled_end_time: str | None = None
    channel_id: int | None = None
    entity_metadata: JSON | None = None
    image: str | None = None
    recurrence_rule: JSON | None = None
    user_ids: list[int] = field(default_factory=list)


@dataclass
class Command:
    """A registered application command: the schema as the bot sent it plus the ids Discord assigns."""

    id: int
    application_id: int
    guild_id: int | None
    version: int
    schema: JSON

    @property
    def name(self) -> str:
        return str(self.schema["name"])

    @property
    def type(self) -> int:
        return int(self.schema.get("type", 1))

    def to_payload(self) -> JSON:
        payload: JSON = {
            "type": 1,
            "description": "",
            "options": [],
            "default_member_permissions": None,
            "dm_permission": True,
            "nsfw": False,
            "contexts": None,
            "integration_types": [0],
            **self.schema,
            "id": str(self.id),
            "application_id": str(self.application_id),
            "version": str(self.version),
        }
        if self.guild_id is not None:
            payload["guild_id"] = str(self.guild_id)
        return payload


@dataclass
class Callback:
    """The interaction's initial response (what the bot POSTed to ``/callback``)."""

    type: int
    data: JSON
    message_id: int | None = None


@dataclass
class Interaction:
    id: int
    token: str
    type: int
    guild_id: int
    channel_id: int
    user: User
    payload: JSON
    created: float = field(default_factory=time.monotonic)
    message_id: int | None = None
    callback: Callback | None = None
    original_message_id: int | None = None
    followup_ids: list[int] = field(default_factory=list)

    @property
    def data(self) -> JSON:
        return dict(self.payload.get("data", {}))

    @property
    def acked(self) -> bool:
        return self.callback is not None


@dataclass
class Guild:
    id: int
    name: str
    owner_id: int
    roles: dict[int, Role] = field(default_factory=dict)
    members: dict[int, Member] = field(default_factory=dict)
    channels: dict[int, Channel] = field(default_factory=dict)
    scheduled_events: dict[int, ScheduledEvent] = field(default_factory=dict)
    commands: dict[int, Command] = field(default_factory=dict)
    locale: str = "en-US"

    def shard_id(self, shard_count: int) -> int:
        return (self.id >> 22) % shard_count

    def channel_named(self, name: str) -> Channel:
        wanted = name.removeprefix("#")
        for channel in self.channels.values():
            if channel.name == wanted:
                return channel
        raise KeyError(f"no channel #{wanted} in {self.name}; have {sorted(c.name for c in self.channels.values())}")

    def role_named(self, name: str) -> Role:
        for role in self.roles.values():
            if role.name == name.removeprefix("@"):
                return role
        raise KeyError(f"no role {name} in {self.name}")


@dataclass
class Application:
    id: int
    name: str
    bot: User
    owner: User
    flags: int = 0

    def to_payload(self) -> JSON:
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "description": "Film Club (local stand-in)",
            "summary": "",
            "type": None,
            "bot_public": True,
            "bot_require_code_grant": False,
            "verify_key": "0" * 64,
            "flags": self.flags,
            "owner": self.owner.to_payload(),
            "team": None,
            "bot": self.bot.to_payload(),
            "tags": [],
            "redirect_uris": [],
            "interactions_endpoint_url": None,
            "approximate_guild_count": 0,
        }


@dataclass
class RateLimit:
    """Answer the next ``times`` requests matching ``method`` and the ``path`` pattern with 429 (set by tests)."""

    method: str
    path: str  # a regular expression over the path after /api/v10, e.g. r"/channels/\d+/messages"
    times: int
    retry_after: float = 0.05
    is_global: bool = False


@dataclass
class RequestRecord:
    method: str
    path: str
    status: int
    error: JSON | None = None


class TimedOut(AssertionError):
    """A wait ran out; the message says what was observed instead."""


class State:
    """The stand-in's world. Tests read it; the REST handlers and the driver change it."""

    def __init__(self, *, application_name: str = "Film Club", ids_frozen_at: dt.datetime | None = None) -> None:
        self.snowflakes = Snowflakes(frozen_at=ids_frozen_at)
        owner = User(self.snowflakes.next(), "standin-owner")
        bot = User(self.snowflakes.next(), application_name.lower().replace(" ", ""), application_name, bot=True)
        self.application = Application(bot.id, application_name, bot, owner)
        self.users: dict[int, User] = {}
        self._named: dict[str, User] = {}  # users by lowercased username and display name
        for user in (owner, bot):
            self.add_user(user)
        self.guilds: dict[int, Guild] = {}
        self.messages: dict[int, Message] = {}
        self._in_channel: dict[int, list[Message]] = {}  # messages by channel id, so a channel's are found at once
        self.attachments: dict[int, Attachment] = {}
        self.interactions: dict[int, Interaction] = {}
        self.global_commands: dict[int, Command] = {}
        self.unknown_routes: list[str] = []
        self.requests: list[RequestRecord] = []
        self.rate_limits: list[RateLimit] = []
        self._watchers: list[tuple[Callable[[], Any], asyncio.Future[Any]]] = []

    @property
    def bot(self) -> User:
        return self.application.bot

    def new_id(self) -> int:
        return self.snowflakes.next()

    def add_user(self, user: User) -> None:
        self.users[user.id] = user
        for name in (user.username, user.display_name):
            self._named.setdefault(name.lower(), user)  # the first user with a name keeps it

    def add_message(self, message: Message) -> None:
        self.messages[message.id] = message
        self._in_channel.setdefault(message.channel_id, []).append(message)

    # Look-ups

    def channel(self, channel_id: int) -> Channel:
        for guild in self.guilds.values():
            if channel_id in guild.channels:
                return guild.channels[channel_id]
        raise KeyError(channel_id)

    def find_channel(self, channel_id: int) -> Channel | None:
        try:
            return self.channel(channel_id)
        except KeyError:
            return None

    def find_user(self, name: str) -> User | None:
        """The user with this username or display name (any case, with or without "@"), else None."""
        return self._named.get(name.removeprefix("@").lower())

    def user_named(self, name: str) -> User:
        if (user := self.find_user(name)) is not None:
            return user
        raise KeyError(f"no user named {name!r}; have {sorted(u.username for u in self.users.values())}")

    def interaction_by_token(self, token: str) -> Interaction | None:
        for interaction in self.interactions.values():
            if interaction.token == token:
                return interaction
        return None

    def channel_messages(self, channel_id: int, *, ephemeral: bool = False) -> list[Message]:
        """Messages in the channel, oldest first, without deleted ones (and without ephemerals unless asked)."""
        return sorted(
            (m for m in self._in_channel.get(channel_id, ()) if not m.deleted and (ephemeral or not m.ephemeral)),
            key=lambda m: m.id,
        )

    def permissions(self, channel: Channel, user_id: int) -> Permission:
        """The member's permissions in the channel (a thread's come from its parent)."""
        guild = self.guilds[channel.guild_id]
        member = guild.members.get(user_id)
        if member is None:
            return Permission(0)
        source = guild.channels[channel.parent_id] if channel.is_thread and channel.parent_id else channel
        base = base_permissions(
            guild_id=guild.id,
            owner_id=guild.owner_id,
            user_id=user_id,
            role_permissions={r.id: r.permissions for r in guild.roles.values()},
            member_roles=member.roles,
        )
        value = channel_permissions(
            base,
            guild_id=guild.id,
            user_id=user_id,
            member_roles=member.roles,
            overwrites=source.overwrites,
            thread_like=channel.is_thread,
        )
        if (
            channel.type == ChannelType.PRIVATE_THREAD
            and user_id not in channel.thread_members
            and not value & Permission.MANAGE_THREADS
        ):
            return Permission(0)
        return value

    def guild_permissions(self, guild_id: int, user_id: int) -> Permission:
        guild = self.guilds[guild_id]
        member = guild.members[user_id]
        return base_permissions(
            guild_id=guild.id,
            owner_id=guild.owner_id,
            user_id=user_id,
            role_permissions={r.id: r.permissions for r in guild.roles.values()},
            member_roles=member.roles,
        )

    # Payloads

    def member_payload(self, guild_id: int, user_id: int, *, with_user: bool = True) -> JSON | None:
        member = self.guilds[guild_id].members.get(user_id)
        return None if member is None else member.to_payload(with_user=with_user)

    def message_payload(self, message: Message, *, with_reference: bool = True) -> JSON:
        payload: JSON = {
            "id": str(message.id),
            "channel_id": str(message.channel_id),
            "type": message.type,
            "author": message.author.to_payload(),
            "content": message.content,
            "timestamp": iso(message.created_at),
            "edited_timestamp": None if message.edited_at is None else iso(message.edited_at),
            "tts": message.tts,
            "mention_everyone": message.pings.everyone,
            "mentions": [self.users[u].to_payload() for u in sorted(message.pings.users) if u in self.users],
            "mention_roles": [str(r) for r in sorted(message.pings.roles)],
            "attachments": [a.to_payload() for a in message.attachments],
            "embeds": message.embeds,
            "components": message.components,
            "pinned": False,
            "flags": message.flags,
        }
        if message.guild_id is not None:
            payload["guild_id"] = str(message.guild_id)
            if message.webhook_id is None:
                member = self.member_payload(message.guild_id, message.author.id, with_user=False)
                if member is not None:
                    payload["member"] = member
        if message.reactions:
            payload["reactions"] = [
                {
                    "emoji": _emoji_payload(key),
                    "count": len(users),
                    "count_details": {"burst": 0, "normal": len(users)},
                    "me": self.bot.id in users,
                    "me_burst": False,
                    "burst_colors": [],
                }
                for key, users in message.reactions.items()
                if users
            ]
        for key, value in (
            ("webhook_id", message.webhook_id),
            ("application_id", message.application_id),
            ("nonce", message.nonce),
        ):
            if value is not None:
                payload[key] = str(value) if key != "nonce" else value
        if message.interaction_metadata is not None:
            payload["interaction_metadata"] = message.interaction_metadata
            interaction = self.interactions.get(int(message.interaction_metadata["id"]))
            if interaction is not None and interaction.type == 2:
                payload["interaction"] = {
                    "id": str(interaction.id),
                    "type": interaction.type,
                    "name": interaction.data.get("name", ""),
                    "user": interaction.user.to_payload(),
                }
        if message.message_reference is not None:
            payload["message_reference"] = message.message_reference
            if with_reference:
                referenced = self.messages.get(int(message.message_reference.get("message_id", 0)))
                payload["referenced_message"] = (
                    None
                    if referenced is None or referenced.deleted
                    else self.message_payload(referenced, with_reference=False)
                )
        if message.thread_id is not None:
            thread = self.find_channel(message.thread_id)
            if thread is not None:
                payload["thread"] = thread.to_payload()
        return payload

    def scheduled_event_payload(self, event: ScheduledEvent, *, with_user_count: bool = False) -> JSON:
        payload: JSON = {
            "id": str(event.id),
            "guild_id": str(event.guild_id),
            "channel_id": None if event.channel_id is None else str(event.channel_id),
            "creator_id": str(event.creator_id),
            "name": event.name,
            "description": event.description,
            "scheduled_start_time": event.scheduled_start_time,
            "scheduled_end_time": event.scheduled_end_time,
            "privacy_level": event.privacy_level,
            "status": event.status,
            "entity_type": event.entity_type,
            "entity_id": None,
            "entity_metadata": event.entity_metadata,
            "image": event.image,
            "recurrence_rule": event.recurrence_rule,
        }
        creator = self.users.get(event.creator_id)
        if creator is not None:
            payload["creator"] = creator.to_payload()
        if with_user_count:
            payload["user_count"] = len(event.user_ids)
        return payload

    def guild_payload(self, guild: Guild, *, all_members: bool) -> JSON:
        """A GUILD_CREATE payload; without the GUILD_MEMBERS intent only the bot's own member is included."""
        members = [m for m in guild.members.values() if all_members or m.user.id == self.bot.id]
        bot_member = guild.members.get(self.bot.id)
        return {
            "id": str(guild.id),
            "name": guild.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(guild.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 1,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "premium_progress_bar_enabled": False,
            "preferred_locale": guild.locale,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "vanity_url_code": None,
            "max_members": 500000,
            "max_video_channel_users": 25,
            "features": [],
            "roles": [r.to_payload() for r in guild.roles.values()],
            "emojis": [],
            "stickers": [],
            "soundboard_sounds": [],
            "application_id": None,
            "unavailable": False,
            "large": False,
            "lazy": True,
            "member_count": len(guild.members),
            "joined_at": iso(bot_member.joined_at if bot_member else now()),
            "members": [m.to_payload() for m in members],
            "channels": [c.to_payload() for c in guild.channels.values() if not c.is_thread],
            "threads": [c.to_payload() for c in guild.channels.values() if c.is_thread and not c.archived],
            "presences": [],
            "voice_states": [],
            "stage_instances": [],
            "guild_scheduled_events": [self.scheduled_event_payload(e) for e in guild.scheduled_events.values()],
        }

    # Change notification

    def changed(self) -> None:
        """Something changed: resolve every waiter whose probe now returns a value."""
        still: list[tuple[Callable[[], Any], asyncio.Future[Any]]] = []
        for probe, future in self._watchers:
            if future.done():
                continue
            try:
                value = probe()
            except Exception as exc:
                future.set_exception(exc)
                continue
            if not value:
                still.append((probe, future))
            else:
                future.set_result(value)
        self._watchers = still

    async def wait_for(self, probe: Callable[[], T | None], *, timeout: float, what: str) -> T:  # noqa: ASYNC109
        """Wait until ``probe()`` returns something truthy (checked now and after each change).

        Raises :class:`TimedOut` naming ``what`` and the recent REST errors, so a failing test says why.
        """
        value = probe()
        if value:
            return value
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._watchers.append((probe, future))
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            raise TimedOut(f"timed out after {timeout}s waiting for {what}.\n{self.describe_recent()}") from None

    def describe_recent(self) -> str:
        """Recent activity, for time-out messages."""
        lines = []
        errors = [r for r in self.requests if r.status >= 400][-5:]
        if errors:
            lines.append("REST errors the bot got:")
            lines += [f"  {r.method} {r.path} -> {r.status} {r.error}" for r in errors]
        if self.unknown_routes:
            lines.append(f"unknown routes called: {self.unknown_routes}")
        recent = sorted(self.messages.values(), key=lambda m: m.id)[-5:]
        lines.append("latest messages:" if recent else "no messages at all")
        lines += [f"  {m!r}" for m in recent]
        return "\n".join(lines)


def _emoji_payload(key: str) -> JSON:
    name, _, emoji_id = key.partition(":")
    return {"id": emoji_id or None, "name": name}
