"""What happens in Discord when someone acts: state changes plus the gateway events they cause.

The REST handlers (for the bot) and the driver (for people) both come here, after their own checks.
"""

from __future__ import annotations

import datetime as dt
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass

from standin.config import Config
from standin.errors import ApiError, FormErrors, unknown
from standin.gateway import Gateway
from standin.mentions import Pings, compute_pings
from standin.permissions import Overwrite, Permission
from standin.snowflake import now
from standin.state import (
    EPHEMERAL,
    HAS_THREAD,
    JSON,
    LOADING,
    Attachment,
    Callback,
    Channel,
    ChannelType,
    Interaction,
    Message,
    Role,
    ScheduledEvent,
    State,
    ThreadMember,
    User,
)
from standin.validation import COMPONENTS_V2, check_choices, check_message, check_modal

EDITABLE_FLAGS = (1 << 2) | COMPONENTS_V2
EVENT_TRANSITIONS = {1: {1, 2, 4}, 2: {2, 3}}
NONCE_WINDOW = dt.timedelta(minutes=5)  # "the past few minutes" in which Discord enforces a nonce

# Interaction types and callback types
APPLICATION_COMMAND, MESSAGE_COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 2, 3, 4, 5
MESSAGE_WITH_SOURCE, DEFERRED, DEFERRED_UPDATE, UPDATE_MESSAGE, AUTOCOMPLETE_RESULT, MODAL = 4, 5, 6, 7, 8, 9
ALLOWED_CALLBACKS = {
    APPLICATION_COMMAND: {MESSAGE_WITH_SOURCE, DEFERRED, MODAL},
    MESSAGE_COMPONENT: {MESSAGE_WITH_SOURCE, DEFERRED, DEFERRED_UPDATE, UPDATE_MESSAGE, MODAL},
    AUTOCOMPLETE: {AUTOCOMPLETE_RESULT},
    MODAL_SUBMIT: {MESSAGE_WITH_SOURCE, DEFERRED, DEFERRED_UPDATE, UPDATE_MESSAGE},
}


@dataclass
class Upload:
    """A file sent in a multipart request (``files[n]``)."""

    filename: str
    data: bytes
    content_type: str | None = None


class Core:
    def __init__(self, state: State, gateway: Gateway, config: Config) -> None:
        self.state = state
        self.gateway = gateway
        self.config = config

    # Messages

    def post_message(
        self,
        channel: Channel,
        author: User,
        body: JSON,
        uploads: Sequence[Upload] = (),
        *,
        interaction: Interaction | None = None,
        message_type: int = 0,
    ) -> Message:
        """Create a message (validated like Discord does) and dispatch MESSAGE_CREATE unless ephemeral."""
        check_message(body, has_files=bool(uploads))
        if body.get("enforce_nonce") and (earlier := self._same_nonce(channel, author, body.get("nonce"))):
            return earlier
        flags = int(body.get("flags") or 0) & (EDITABLE_FLAGS | (1 << 12) | (EPHEMERAL if interaction else 0))
        reference = self._reference(channel, body.get("message_reference"))
        replied = self.state.messages[int(reference["message_id"])].author.id if reference else None
        message = Message(
            id=self.state.new_id(),
            channel_id=channel.id,
            guild_id=channel.guild_id,
            author=author,
            content=str(body.get("content") or ""),
            embeds=list(body.get("embeds") or []),
            components=list(body.get("components") or []),
            flags=flags,
            type=19 if reference and message_type == 0 else message_type,
            allowed_mentions=body.get("allowed_mentions"),
            message_reference=reference,
            tts=bool(body.get("tts")),
            nonce=body.get("nonce"),
        )
        message.attachments = self._attachments(channel.id, body, uploads, ephemeral=message.ephemeral)
        message.pings = self._pings(channel, author, message.content, message.allowed_mentions, replied)
        if interaction is not None:
            message.webhook_id = message.application_id = self.state.application.id
            message.interaction_id = interaction.id
            message.interaction_metadata = self._metadata(interaction)
        self.state.add_message(message)
        if not message.ephemeral:
            channel.last_message_id = message.id
            if channel.is_thread:
                channel.message_count += 1
                self._unarchive_for_message(channel)
                if interaction is None and author.id not in channel.thread_members:
                    self.add_thread_member(channel, author.id)
            self.gateway.dispatch(
                "MESSAGE_CREATE",
                self.state.message_payload(message),
                channel.guild_id,
                content_exempt=self._content_exempt(message),
            )
        self.state.changed()
        return message

    def _same_nonce(self, channel: Channel, author: User, nonce: object) -> Message | None:
        """The author's recent message in the channel with this nonce: with ``enforce_nonce`` Discord returns it
        instead of posting again (a client retrying a send that did arrive)."""
        if nonce is None:
            return None
        for message in reversed(self.state.channel_messages(channel.id)):
            if now() - message.created_at > NONCE_WINDOW:
                break
            if message.author.id == author.id and message.nonce == nonce:
                return message
        return None

    def edit_message(self, message: Message, body: JSON, uploads: Sequence[Upload] = ()) -> Message:
        """Apply an edit; the previous version goes to ``message.edits``. A loading message stops loading."""
        check_message(body, has_files=bool(uploads), editing=True)
        replacing_placeholder = message.loading
        message.edits.append(message.snapshot())
        if "content" in body:
            message.content = str(body["content"] or "")
        for key in ("embeds", "components"):
            if key in body:
                setattr(message, key, list(body[key] or []))
        if "flags" in body and body["flags"] is not None:
            message.flags = (message.flags & ~EDITABLE_FLAGS) | (int(body["flags"]) & EDITABLE_FLAGS)
        message.flags &= ~LOADING
        if "attachments" in body or uploads:
            message.attachments = self._attachments(
                message.channel_id, body, uploads, ephemeral=message.ephemeral, existing=message.attachments
            )
        if "allowed_mentions" in body:
            message.allowed_mentions = body["allowed_mentions"]
        channel = self.state.channel(message.channel_id)
        message.pings = self._pings(channel, message.author, message.content, message.allowed_mentions, None)
        if not replacing_placeholder:
            message.edited_at = now()
        if not message.ephemeral:
            self.gateway.dispatch(
                "MESSAGE_UPDATE",
                self.state.message_payload(message),
                message.guild_id,
                content_exempt=self._content_exempt(message),
            )
        self.state.changed()
        return message

    def delete_message(self, message: Message) -> None:
        message.deleted = True
        if not message.ephemeral:
            payload: JSON = {"id": str(message.id), "channel_id": str(message.channel_id)}
            if message.guild_id is not None:
                payload["guild_id"] = str(message.guild_id)
            self.gateway.dispatch("MESSAGE_DELETE", payload, message.guild_id)
        self.state.changed()

    def _content_exempt(self, message: Message) -> bool:
        bot = self.state.bot.id
        return message.author.id == bot or bot in message.pings.users

    def _reference(self, channel: Channel, reference: JSON | None) -> JSON | None:
        if not reference or reference.get("type", 0) != 0:
            return None
        target = self.state.messages.get(int(reference.get("message_id") or 0))
        if target is None or target.deleted or target.channel_id != int(reference.get("channel_id") or channel.id):
            if reference.get("fail_if_not_exists", True):
                form = FormErrors()
                form.add(["message_reference"], "REPLIES_UNKNOWN_MESSAGE", "Unknown message")
                form.check()
            return None
        return {
            "type": 0,
            "message_id": str(target.id),
            "channel_id": str(channel.id),
            "guild_id": str(channel.guild_id),
        }

    def _pings(self, channel: Channel, author: User, content: str, allowed: JSON | None, replied: int | None) -> Pings:
        guild = self.state.guilds[channel.guild_id]
        return compute_pings(
            content,
            allowed,
            known_users=self.state.users.keys(),
            roles={r.id: r.mentionable for r in guild.roles.values() if r.id != guild.id},
            can_mention_everyone=bool(self.state.permissions(channel, author.id) & Permission.MENTION_EVERYONE),
            replied_user_id=replied,
        )

    def _attachments(
        self,
        channel_id: int,
        body: JSON,
        uploads: Sequence[Upload],
        *,
        ephemeral: bool,
        existing: Sequence[Attachment] = (),
    ) -> list[Attachment]:
        """Attachments named in ``body["attachments"]``: existing ids are kept, small ids index ``uploads``."""
        kept = {a.id: a for a in existing}
        listed = body.get("attachments")
        if listed is None:
            listed = [{"id": str(a.id)} for a in existing] + [{"id": n} for n in range(len(uploads))]
        result: list[Attachment] = []
        used: set[int] = set()
        for entry in listed:
            ref = int(entry.get("id", -1))
            if ref in kept:
                result.append(kept[ref])
            elif 0 <= ref < len(uploads):
                used.add(ref)
                result.append(self._store_upload(channel_id, uploads[ref], entry, ephemeral=ephemeral))
        result += [
            self._store_upload(channel_id, u, {}, ephemeral=ephemeral) for n, u in enumerate(uploads) if n not in used
        ]
        return result

    def _store_upload(self, channel_id: int, upload: Upload, entry: JSON, *, ephemeral: bool) -> Attachment:
        if len(upload.data) > self.config.attachment_size_limit:
            raise ApiError(413, 40005, "Request entity too large")
        attachment_id = self.state.new_id()
        filename = str(entry.get("filename") or upload.filename)
        attachment = Attachment(
            id=attachment_id,
            filename=filename,
            content_type=upload.content_type,
            data=upload.data,
            url=f"{self.config.http_base}/attachments/{channel_id}/{attachment_id}/{filename}",
            description=entry.get("description"),
            ephemeral=ephemeral,
        )
        self.state.attachments[attachment_id] = attachment
        return attachment

    # Interactions

    def new_interaction(
        self, kind: int, user: User, channel: Channel, data: JSON, *, message: Message | None = None
    ) -> Interaction:
        """Create an interaction as Discord would when a person acts, and dispatch INTERACTION_CREATE."""
        guild = self.state.guilds[channel.guild_id]
        member = guild.members[user.id]
        user_permissions = self.state.permissions(channel, user.id)
        interaction = Interaction(
            id=self.state.new_id(),
            token=f"standin.{secrets.token_urlsafe(24)}",
            type=kind,
            guild_id=guild.id,
            channel_id=channel.id,
            user=user,
            payload={},
            message_id=None if message is None else message.id,
        )
        payload: JSON = {
            "id": str(interaction.id),
            "application_id": str(self.state.application.id),
            "type": kind,
            "data": data,
            "guild": {"id": str(guild.id), "locale": guild.locale, "features": []},
            "guild_id": str(guild.id),
            "channel_id": str(channel.id),
            "channel": {**channel.to_payload(), "permissions": str(int(user_permissions))},
            "member": {**member.to_payload(), "permissions": str(int(user_permissions))},
            "token": interaction.token,
            "version": 1,
            "app_permissions": str(int(self.state.permissions(channel, self.state.bot.id))),
            "locale": "en-US",
            "guild_locale": guild.locale,
            "entitlements": [],
            "entitlement_sku_ids": [],
            "authorizing_integration_owners": {"0": str(guild.id)},
            "context": 0,
            "attachment_size_limit": self.config.attachment_size_limit,
        }
        if message is not None:
            payload["message"] = self.state.message_payload(message)
        interaction.payload = payload
        self.state.interactions[interaction.id] = interaction
        self.gateway.dispatch("INTERACTION_CREATE", payload, guild.id)
        self.state.changed()
        return interaction

    def _metadata(self, interaction: Interaction) -> JSON:
        metadata: JSON = {
            "id": str(interaction.id),
            "type": interaction.type,
            "user": interaction.user.to_payload(),
            "authorizing_integration_owners": {"0": str(interaction.guild_id)},
        }
        if interaction.type == APPLICATION_COMMAND:
            metadata["name"] = interaction.data.get("name")
            metadata["command_type"] = interaction.data.get("type", 1)
        if interaction.message_id is not None:
            metadata["interacted_message_id"] = str(interaction.message_id)
        if interaction.original_message_id is not None:
            metadata["original_response_message_id"] = str(interaction.original_message_id)
        return metadata

    def check_token(self, interaction: Interaction) -> None:
        if time.monotonic() - interaction.created > self.config.token_lifetime:
            raise ApiError(401, 50027, "Invalid Webhook Token")

    def respond(self, interaction: Interaction, body: JSON, uploads: Sequence[Upload] = ()) -> Message | None:
        """The initial response (``/callback``): at most once, within the deadline, of an allowed type."""
        if interaction.acked:
            raise ApiError(400, 40060, "Interaction has already been acknowledged.")
        if time.monotonic() - interaction.created > self.config.ack_deadline:
            raise unknown("interaction")
        kind = int(body.get("type", 0))
        if kind not in ALLOWED_CALLBACKS.get(interaction.type, set()) or (
            kind in (DEFERRED_UPDATE, UPDATE_MESSAGE) and interaction.message_id is None
        ):
            form = FormErrors()
            form.add(["type"], "INTERACTION_RESPONSE_TYPE_INVALID", f"Response type {kind} is not valid here")
            form.check()
        data: JSON = dict(body.get("data") or {})
        channel = self.state.channel(interaction.channel_id)
        message: Message | None = None
        if kind == MESSAGE_WITH_SOURCE:
            message_type = 20 if interaction.type == APPLICATION_COMMAND else 0
            message = self.post_message(
                channel, self.state.bot, data, uploads, interaction=interaction, message_type=message_type
            )
            interaction.original_message_id = message.id
        elif kind == DEFERRED:
            flags = LOADING | (int(data.get("flags") or 0) & EPHEMERAL)
            message = self._placeholder(channel, interaction, flags)
            interaction.original_message_id = message.id
        elif kind == UPDATE_MESSAGE:
            assert interaction.message_id is not None
            message = self.edit_message(self.state.messages[interaction.message_id], data, uploads)
        elif kind == AUTOCOMPLETE_RESULT:
            check_choices(data)
        elif kind == MODAL:
            check_modal(data)
        interaction.callback = Callback(kind, data, None if message is None else message.id)
        self.state.changed()
        return message

    def _placeholder(self, channel: Channel, interaction: Interaction, flags: int) -> Message:
        message = Message(
            id=self.state.new_id(),
            channel_id=channel.id,
            guild_id=channel.guild_id,
            author=self.state.bot,
            flags=flags,
            type=20 if interaction.type == APPLICATION_COMMAND else 0,
            webhook_id=self.state.application.id,
            application_id=self.state.application.id,
            interaction_id=interaction.id,
            interaction_metadata=self._metadata(interaction),
        )
        self.state.add_message(message)
        if not message.ephemeral:
            self.gateway.dispatch("MESSAGE_CREATE", self.state.message_payload(message), channel.guild_id)
        return message

    def original_message(self, interaction: Interaction) -> Message:
        """``@original``: the response message, or for DEFERRED_UPDATE/UPDATE_MESSAGE the component's message."""
        if interaction.callback is None:
            raise unknown("webhook")
        message_id = interaction.original_message_id or interaction.message_id
        message = self.state.messages.get(message_id or 0)
        if message is None or message.deleted:
            raise unknown("message")
        return message

    def followup(self, interaction: Interaction, body: JSON, uploads: Sequence[Upload] = ()) -> Message:
        """A follow-up; the first one after a deferred response replaces the "thinking" message (unless the
        bot deleted it: then, as on Discord, the follow-up is a message of its own)."""
        if interaction.callback is None:
            raise unknown("webhook")
        self.check_token(interaction)
        original = self.state.messages.get(interaction.original_message_id or 0)
        if interaction.callback.type == DEFERRED and original is not None and original.loading and not original.deleted:
            message = self.edit_message(original, {k: v for k, v in body.items() if k != "flags"}, uploads)
        else:
            channel = self.state.channel(interaction.channel_id)
            message = self.post_message(channel, self.state.bot, body, uploads, interaction=interaction)
        interaction.followup_ids.append(message.id)
        self.state.changed()
        return message

    # Threads

    def create_thread(
        self,
        parent: Channel,
        owner: User,
        *,
        name: str,
        kind: ChannelType,
        auto_archive_duration: int = 1440,
        invitable: bool = True,
        from_message: Message | None = None,
    ) -> Channel:
        form = FormErrors()
        form.length(["name"], name, 100, 1)
        if auto_archive_duration not in (60, 1440, 4320, 10080):
            form.add(["auto_archive_duration"], "BASE_TYPE_CHOICES", "Value must be one of {60, 1440, 4320, 10080}.")
        form.check()
        if from_message is not None and from_message.thread_id is not None:
            raise ApiError(400, 160004, "A thread has already been created for this message")
        thread = Channel(
            id=from_message.id if from_message is not None else self.state.new_id(),
            guild_id=parent.guild_id,
            name=name,
            type=kind,
            parent_id=parent.id,
            owner_id=owner.id,
            auto_archive_duration=auto_archive_duration,
            invitable=invitable,
        )
        thread.thread_members[owner.id] = ThreadMember(thread.id, owner.id)
        self.state.guilds[parent.guild_id].channels[thread.id] = thread
        payload = {**thread.to_payload(), "newly_created": True}
        if owner.id == self.state.bot.id:
            payload["member"] = thread.thread_members[owner.id].to_payload()
        self.gateway.dispatch("THREAD_CREATE", payload, thread.guild_id)
        if from_message is not None:
            from_message.thread_id = thread.id
            from_message.flags |= HAS_THREAD
            self.gateway.dispatch(
                "MESSAGE_UPDATE",
                self.state.message_payload(from_message),
                from_message.guild_id,
                content_exempt=self._content_exempt(from_message),
            )
        self.state.changed()
        return thread

    def update_channel(self, channel: Channel, changes: JSON) -> Channel:
        form = FormErrors()
        if "name" in changes:
            form.length(["name"], changes["name"] or "", 100, 1)
        form.check()
        for key in ("name", "topic", "archived", "locked", "auto_archive_duration", "invitable"):
            if key in changes and changes[key] is not None:
                setattr(channel, key, changes[key])
        if "archived" in changes:
            channel.archive_timestamp = now()
        event = "THREAD_UPDATE" if channel.is_thread else "CHANNEL_UPDATE"
        self.gateway.dispatch(event, channel.to_payload(), channel.guild_id)
        self.state.changed()
        return channel

    def _unarchive_for_message(self, thread: Channel) -> None:
        if thread.archived and not thread.locked:
            thread.archived = False
            thread.archive_timestamp = now()
            self.gateway.dispatch("THREAD_UPDATE", thread.to_payload(), thread.guild_id)

    def delete_channel(self, channel: Channel) -> None:
        """Delete a channel or thread (its threads and messages go with it)."""
        guild = self.state.guilds[channel.guild_id]
        for child in [c for c in guild.channels.values() if c.parent_id == channel.id]:
            self.delete_channel(child)
        del guild.channels[channel.id]
        for message in self.state.channel_messages(channel.id):
            message.deleted = True
        if channel.is_thread:
            payload = {"id": str(channel.id), "guild_id": str(channel.guild_id), "parent_id": str(channel.parent_id),
                       "type": int(channel.type)}  # fmt: skip
            self.gateway.dispatch("THREAD_DELETE", payload, channel.guild_id)
        else:
            self.gateway.dispatch("CHANNEL_DELETE", channel.to_payload(), channel.guild_id)
        self.state.changed()

    def remove_bot(self, guild_id: int) -> None:
        """The bot is kicked: it leaves the guild's members and gets GUILD_DELETE (without ``unavailable``)."""
        self.gateway.dispatch("GUILD_DELETE", {"id": str(guild_id)}, guild_id)
        del self.state.guilds[guild_id].members[self.state.bot.id]
        self.state.changed()

    def add_thread_member(self, thread: Channel, user_id: int) -> None:
        if user_id in thread.thread_members:
            return
        member = ThreadMember(thread.id, user_id)
        thread.thread_members[user_id] = member
        added: JSON = member.to_payload()
        guild_member = self.state.member_payload(thread.guild_id, user_id)
        if guild_member is not None:
            added["member"] = guild_member
        self._thread_members_update(thread, added=[added])

    def remove_thread_member(self, thread: Channel, user_id: int) -> None:
        if thread.thread_members.pop(user_id, None) is not None:
            self._thread_members_update(thread, removed=[str(user_id)])

    def _thread_members_update(
        self, thread: Channel, *, added: Sequence[JSON] = (), removed: Sequence[str] = ()
    ) -> None:
        payload = {
            "id": str(thread.id),
            "guild_id": str(thread.guild_id),
            "member_count": min(len(thread.thread_members), 50),
            "added_members": list(added),
            "removed_member_ids": list(removed),
        }
        self.gateway.dispatch("THREAD_MEMBERS_UPDATE", payload, thread.guild_id)
        self.state.changed()

    # Scheduled events

    def create_event(self, guild_id: int, creator: User, body: JSON) -> ScheduledEvent:
        event = ScheduledEvent(
            id=self.state.new_id(),
            guild_id=guild_id,
            name=str(body["name"]),
            creator_id=creator.id,
            scheduled_start_time=str(body["scheduled_start_time"]),
            entity_type=int(body["entity_type"]),
            description=body.get("description"),
            scheduled_end_time=body.get("scheduled_end_time"),
            channel_id=None if body.get("channel_id") is None else int(body["channel_id"]),
            entity_metadata=body.get("entity_metadata"),
            image=body.get("image"),
            recurrence_rule=body.get("recurrence_rule"),
        )
        self.state.guilds[guild_id].scheduled_events[event.id] = event
        self._event_changed("GUILD_SCHEDULED_EVENT_CREATE", event)
        return event

    def update_event(self, event: ScheduledEvent, body: JSON) -> ScheduledEvent:
        if "status" in body and int(body["status"]) not in EVENT_TRANSITIONS.get(event.status, {event.status}):
            form = FormErrors()
            form.add(["status"], "GUILD_SCHEDULED_EVENT_INVALID_STATUS_TRANSITION", "Invalid status transition")
            form.check()
        for key in (
            "name",
            "description",
            "scheduled_start_time",
            "scheduled_end_time",
            "entity_type",
            "entity_metadata",
            "status",
            "image",
            "recurrence_rule",
            "privacy_level",
        ):
            if key in body:
                setattr(event, key, body[key])
        if "channel_id" in body:
            event.channel_id = None if body["channel_id"] is None else int(body["channel_id"])
        self._event_changed("GUILD_SCHEDULED_EVENT_UPDATE", event)
        return event

    def delete_event(self, event: ScheduledEvent) -> None:
        del self.state.guilds[event.guild_id].scheduled_events[event.id]
        self._event_changed("GUILD_SCHEDULED_EVENT_DELETE", event)

    def set_event_interest(self, event: ScheduledEvent, user: User, interested: bool) -> None:
        if interested == (user.id in event.user_ids):
            return
        if interested:
            event.user_ids.append(user.id)
        else:
            event.user_ids.remove(user.id)
        payload = {"guild_scheduled_event_id": str(event.id), "user_id": str(user.id), "guild_id": str(event.guild_id)}
        name = "GUILD_SCHEDULED_EVENT_USER_ADD" if interested else "GUILD_SCHEDULED_EVENT_USER_REMOVE"
        self.gateway.dispatch(name, payload, event.guild_id)
        self.state.changed()

    def _event_changed(self, name: str, event: ScheduledEvent) -> None:
        self.gateway.dispatch(name, self.state.scheduled_event_payload(event), event.guild_id)
        self.state.changed()

    # Reactions

    def react(self, message: Message, emoji: str, user: User, *, add: bool = True) -> None:
        users = message.reactions.setdefault(emoji, [])
        if add == (user.id in users):
            return
        if add:
            users.append(user.id)
        else:
            users.remove(user.id)
        name, _, emoji_id = emoji.partition(":")
        payload: JSON = {
            "user_id": str(user.id),
            "channel_id": str(message.channel_id),
            "message_id": str(message.id),
            "guild_id": str(message.guild_id),
            "emoji": {"id": emoji_id or None, "name": name},
            "burst": False,
            "type": 0,
        }
        if add:
            payload["member"] = self.state.member_payload(message.guild_id or 0, user.id)
            payload["message_author_id"] = str(message.author.id)
        self.gateway.dispatch("MESSAGE_REACTION_ADD" if add else "MESSAGE_REACTION_REMOVE", payload, message.guild_id)
        self.state.changed()

    # World changes tests make while the bot runs

    def set_overwrite(self, channel: Channel, target_id: int, *, allow: int = 0, deny: int = 0) -> None:
        """Set a channel overwrite for a role or member (CHANNEL_UPDATE tells the bot)."""
        guild = self.state.guilds[channel.guild_id]
        kind = 0 if target_id in guild.roles else 1
        channel.overwrites = [o for o in channel.overwrites if o.id != target_id]
        if allow or deny:
            channel.overwrites.append(Overwrite(target_id, kind, allow, deny))
        self.gateway.dispatch("CHANNEL_UPDATE", channel.to_payload(), channel.guild_id)
        self.state.changed()

    def set_role_permissions(self, role: Role, permissions: int) -> None:
        role.permissions = permissions
        self.gateway.dispatch(
            "GUILD_ROLE_UPDATE", {"guild_id": str(role.guild_id), "role": role.to_payload()}, role.guild_id
        )
        self.state.changed()
