"""Act as people in a guild: run slash commands, click, select, fill modals, talk; then read the results.

Every action is built from what the bot registered and sent (its command schema, its components,
its modals), so a renamed command, option or button fails the test with a clear :class:`DriverError`.
Waiting is on the stand-in's state changes, never on sleeps.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from standin.core import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE,
    AUTOCOMPLETE_RESULT,
    DEFERRED,
    MESSAGE_COMPONENT,
    MODAL,
    MODAL_SUBMIT,
    Upload,
)
from standin.permissions import Permission, names
from standin.state import (
    JSON,
    Channel,
    Command,
    Guild,
    Interaction,
    Message,
    Role,
    ScheduledEvent,
    User,
    walk_components,
)

if TYPE_CHECKING:
    from standin.server import StandIn

T = TypeVar("T")

OPTION_TYPES = {
    1: "subcommand",
    2: "subcommand group",
    3: "string",
    4: "integer",
    5: "boolean",
    6: "user",
    7: "channel",
    8: "role",
    9: "mentionable",
    10: "number",
    11: "attachment",
}
SELECT_TYPES = {3: "string", 5: "user", 6: "role", 7: "mentionable", 8: "channel"}

UserRef = str | int | User
ChannelRef = str | int | Channel
MessageRef = Message | int


class DriverError(AssertionError):
    """The person could not do that in Discord (unknown command, option, button, missing permission...)."""


@dataclass
class Response:
    """An interaction's initial response: its callback type, data, and the message it made or updated."""

    type: int
    data: JSON
    message: Message | None

    @property
    def deferred(self) -> bool:
        return self.type == DEFERRED

    @property
    def ephemeral(self) -> bool:
        return self.message is not None and self.message.ephemeral


class InteractionHandle:
    """An interaction a person started; await what the bot does with it."""

    def __init__(self, driver: Driver, record: Interaction) -> None:
        self.driver = driver
        self.record = record

    @property
    def id(self) -> int:
        return self.record.id

    def __repr__(self) -> str:
        data = self.record.data
        return f"<InteractionHandle type={self.record.type} {data.get('name') or data.get('custom_id')}>"

    async def response(self, *, timeout: float = 5.0) -> Response:  # noqa: ASYNC109
        """The callback the bot answered with (waits for it)."""
        record = self.record
        callback = await self.driver.wait_for(
            lambda: record.callback, timeout=timeout, what=f"a response to interaction {self!r}"
        )
        message = self.driver.state.messages.get(callback.message_id or 0)
        return Response(callback.type, callback.data, message)

    async def message(self, *, timeout: float = 5.0) -> Message:  # noqa: ASYNC109
        """The response message once it is no longer "thinking" (after a defer: once edited or followed up)."""
        state = self.driver.state
        record = self.record

        def done() -> Message | None:
            message_id = record.original_message_id or (record.message_id if record.callback else None)
            message = state.messages.get(message_id or 0)
            return None if message is None or message.loading else message

        return await self.driver.wait_for(done, timeout=timeout, what=f"the response message of {self!r}")

    async def followups(self, count: int = 1, *, timeout: float = 5.0) -> list[Message]:  # noqa: ASYNC109
        """The first ``count`` follow-ups (ephemeral ones included; one that replaced "thinking" counts)."""
        state = self.driver.state
        record = self.record

        def enough() -> list[Message] | None:
            if len(record.followup_ids) < count:
                return None
            return [state.messages[m] for m in record.followup_ids[:count]]

        return await self.driver.wait_for(enough, timeout=timeout, what=f"{count} follow-up(s) to {self!r}")

    async def modal(self, *, timeout: float = 5.0) -> JSON:  # noqa: ASYNC109
        response = await self.response(timeout=timeout)
        if response.type != MODAL:
            raise DriverError(f"{self!r} was answered with callback type {response.type}, not a modal")
        return response.data


class Driver:
    """People acting in one guild; ``user`` and ``channel`` are defaults each call can override."""

    def __init__(self, standin: StandIn, *, user: str, channel: str, guild: Guild) -> None:
        self.standin = standin
        self.state = standin.state
        self.core = standin.core
        self.guild = guild
        self.default_user = self.user(user)
        self.default_channel = self.channel(channel)

    # Resolving names

    def user(self, who: UserRef | None = None) -> User:
        if who is None:
            return self.default_user
        if isinstance(who, User):
            return who
        if isinstance(who, int):
            return self.state.users[who]
        try:
            found = self.state.user_named(who)
        except KeyError as error:
            raise DriverError(str(error)) from None
        if found.id not in self.guild.members:
            raise DriverError(f"{found.username} is not a member of {self.guild.name}")
        return found

    def channel(self, where: ChannelRef | None = None) -> Channel:
        if where is None:
            return self.default_channel
        if isinstance(where, Channel):
            return where
        if isinstance(where, int):
            return self.guild.channels[where]
        try:
            return self.guild.channel_named(where)
        except KeyError as error:
            raise DriverError(str(error)) from None

    def role(self, which: str | int | Role) -> Role:
        if isinstance(which, Role):
            return which
        if isinstance(which, int):
            return self.guild.roles[which]
        try:
            return self.guild.role_named(which)
        except KeyError as error:
            raise DriverError(str(error)) from None

    def _mentionable(self, value: Any, *, users: bool, roles: bool) -> User | Role:
        """A user or a role named by ``value`` (users first), limited to the kinds the option accepts."""
        if isinstance(value, User | Role):
            found: User | Role = value
        elif not roles:
            found = self.user(value)
        elif not users:
            found = self.role(value)
        else:
            try:
                found = self.user(value)
            except (DriverError, KeyError):
                found = self.role(value)
        if (isinstance(found, User) and not users) or (isinstance(found, Role) and not roles):
            raise DriverError(f"{value!r} is not a {'role' if roles else 'user'}")
        return found

    def message(self, ref: MessageRef) -> Message:
        message = self.state.messages.get(ref.id if isinstance(ref, Message) else ref)
        if message is None or message.deleted:
            raise DriverError(f"message {ref!r} does not exist (or was deleted)")
        return message

    def _can(self, user: User, channel: Channel, *needed: Permission) -> None:
        have = self.state.permissions(channel, user.id)
        missing = [p for p in needed if not have & p]
        if missing:
            raise DriverError(f"{user.username} lacks {names(sum(missing))} in #{channel.name}")

    def _bot_connected(self) -> None:
        shards = self.standin.gateway.shards
        if not any(
            s.connection is not None and self.guild.shard_id(s.shard_count) == s.shard_id for s in shards.values()
        ):
            raise DriverError(
                f"no bot shard is connected for {self.guild.name} ({self.standin.gateway.describe()}); "
                "await standin.wait_ready() first"
            )

    # Slash commands and autocomplete

    def commands(self) -> list[Command]:
        """Chat-input commands the person would see here: this guild's, then the global ones."""
        found = [c for c in self.guild.commands.values() if c.type == 1]
        names_here = {c.name for c in found}
        found += [c for c in self.state.global_commands.values() if c.type == 1 and c.name not in names_here]
        return sorted(found, key=lambda c: c.name)

    def command(self, name: str) -> Command:
        for command in self.commands():
            if command.name == name:
                return command
        raise DriverError(
            f"no /{name} registered for {self.guild.name}; registered: {[c.name for c in self.commands()] or 'none'}"
        )

    def _leaf(self, name_path: str) -> tuple[Command, list[str], list[JSON]]:
        """The command, the subcommand path, and the leaf's option schemas."""
        first, *path = name_path.strip().removeprefix("/").split()
        command = self.command(first)
        options: list[JSON] = command.schema.get("options") or []
        for part in path:
            sub = next((o for o in options if o.get("type") in (1, 2) and o["name"] == part), None)
            if sub is None:
                subs = [o["name"] for o in options if o.get("type") in (1, 2)]
                raise DriverError(f"/{first} has no subcommand {part!r} at this level; it has {subs or 'none'}")
            options = sub.get("options") or []
        subs = [o["name"] for o in options if o.get("type") in (1, 2)]
        if subs:
            raise DriverError(f"/{name_path} needs a subcommand: one of {subs}")
        return command, path, options

    async def slash(
        self,
        name_path: str,
        *,
        user: UserRef | None = None,
        channel: ChannelRef | None = None,
        **options: Any,
    ) -> InteractionHandle:
        """Run ``/name sub option:value`` as ``user``; option names with ``-`` may be given with ``_``."""
        return self._command_interaction(APPLICATION_COMMAND, name_path, user, channel, options, focused=None)

    async def autocomplete(
        self,
        name_path: str,
        option: str,
        typed: str,
        *,
        user: UserRef | None = None,
        channel: ChannelRef | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109
        **options: Any,
    ) -> list[JSON]:
        """Type ``typed`` into ``option`` and return the choices the bot offers."""
        handle = self._command_interaction(AUTOCOMPLETE, name_path, user, channel, options, focused=(option, typed))
        response = await handle.response(timeout=timeout)
        if response.type != AUTOCOMPLETE_RESULT:
            raise DriverError(f"autocomplete answered with callback type {response.type}")
        return list(response.data.get("choices") or [])

    def _command_interaction(
        self,
        kind: int,
        name_path: str,
        who: UserRef | None,
        where: ChannelRef | None,
        supplied: Mapping[str, Any],
        *,
        focused: tuple[str, str] | None,
    ) -> InteractionHandle:
        self._bot_connected()
        user, channel = self.user(who), self.channel(where)
        self._can(user, channel, Permission.VIEW_CHANNEL, Permission.USE_APPLICATION_COMMANDS)
        command, path, schemas = self._leaf(name_path)
        required = command.schema.get("default_member_permissions")
        have = self.state.permissions(channel, user.id)
        if required is not None and int(required) & ~have and not have & Permission.ADMINISTRATOR:
            raise DriverError(f"{user.username} may not use /{command.name} (needs {names(int(required))})")
        resolved: dict[str, dict[str, JSON]] = {}
        values = self._options(command.name, schemas, supplied, resolved, channel, focused=focused)
        for part in reversed(path):
            kind_of = next(o["type"] for o in self._schemas_for(command, path) if o["name"] == part)
            values = [{"type": kind_of, "name": part, "options": values}]
        data: JSON = {"id": str(command.id), "name": command.name, "type": command.type, "options": values}
        if resolved:
            data["resolved"] = resolved
        if command.guild_id is not None:
            data["guild_id"] = str(command.guild_id)
        return InteractionHandle(self, self.core.new_interaction(kind, user, channel, data))

    @staticmethod
    def _schemas_for(command: Command, path: Sequence[str]) -> list[JSON]:
        """Every option schema along the path (to find each part's type)."""
        found: list[JSON] = []
        options: list[JSON] = command.schema.get("options") or []
        for part in path:
            found += options
            options = next(o for o in options if o["name"] == part).get("options") or []
        return found

    def _options(
        self,
        command: str,
        schemas: list[JSON],
        supplied: Mapping[str, Any],
        resolved: dict[str, dict[str, JSON]],
        channel: Channel,
        *,
        focused: tuple[str, str] | None,
    ) -> list[JSON]:
        by_name = {o["name"]: o for o in schemas}
        given = dict(supplied)
        if focused is not None:
            given[focused[0]] = focused[1]
        values: list[JSON] = []
        for raw_name, value in given.items():
            name = raw_name if raw_name in by_name else raw_name.replace("_", "-")
            schema = by_name.get(name)
            if schema is None:
                raise DriverError(f"/{command} has no option {raw_name!r}; it has {list(by_name) or 'none'}")
            if focused is not None and name == focused[0]:
                if not schema.get("autocomplete"):
                    raise DriverError(f"option {name!r} of /{command} has no autocomplete")
                values.append({"type": schema["type"], "name": name, "value": value, "focused": True})
                continue
            converted = self._convert(command, schema, value, resolved, channel)
            values.append({"type": schema["type"], "name": name, "value": converted})
        if focused is None:
            missing = [o["name"] for o in schemas if o.get("required") and o["name"] not in {v["name"] for v in values}]
            if missing:
                raise DriverError(f"/{command} needs option(s) {missing}")
        order = list(by_name)
        return sorted(values, key=lambda v: order.index(v["name"]))

    def _convert(
        self, command: str, schema: JSON, value: Any, resolved: dict[str, dict[str, JSON]], channel: Channel
    ) -> Any:
        kind, name = schema["type"], schema["name"]
        label = f"option {name!r} of /{command} ({OPTION_TYPES.get(kind, kind)})"
        if kind == 3:
            value = self._choice(label, schema, value, str)
            if not isinstance(value, str):
                raise DriverError(f"{label} takes text, not {value!r}")
            if not schema.get("min_length", 0) <= len(value) <= schema.get("max_length", 6000):
                raise DriverError(f"{label}: {len(value)} characters is outside its length limits")
            return value
        if kind in (4, 10):
            value = self._choice(label, schema, value, int if kind == 4 else float)
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or (kind == 4 and isinstance(value, float))
            ):
                raise DriverError(f"{label} takes a number, not {value!r}")
            low, high = schema.get("min_value"), schema.get("max_value")
            if (low is not None and value < low) or (high is not None and value > high):
                raise DriverError(f"{label}: {value} is outside [{low}, {high}]")
            return value if kind == 4 else float(value)
        if kind == 5:
            if not isinstance(value, bool):
                raise DriverError(f"{label} takes True or False, not {value!r}")
            return value
        if kind in (6, 8, 9):
            found = self._mentionable(value, users=kind != 8, roles=kind != 6)
            if isinstance(found, User):
                self._resolve_user(resolved, found, channel)
            else:
                resolved.setdefault("roles", {})[str(found.id)] = found.to_payload()
            return str(found.id)
        if kind == 7:
            target = self.channel(value)
            allowed = schema.get("channel_types")
            if allowed and int(target.type) not in allowed:
                raise DriverError(f"{label}: #{target.name} is not one of the channel types {allowed}")
            resolved.setdefault("channels", {})[str(target.id)] = self._partial_channel(target, channel)
            return str(target.id)
        if kind == 11:
            upload = value if isinstance(value, Upload) else Upload(*value)
            attachment = self.core._store_upload(channel.id, upload, {}, ephemeral=True)
            resolved.setdefault("attachments", {})[str(attachment.id)] = attachment.to_payload()
            return str(attachment.id)
        raise DriverError(f"{label}: option type {kind} is not supported by the driver")

    @staticmethod
    def _choice(label: str, schema: JSON, value: Any, kind: Callable[[Any], Any]) -> Any:
        choices = schema.get("choices")
        if not choices:
            return value
        for choice in choices:
            if value in (choice["value"], choice["name"]):
                return choice["value"]
        raise DriverError(f"{label} must be one of {[c['name'] for c in choices]}, not {value!r}")

    def _resolve_user(self, resolved: dict[str, dict[str, JSON]], user: User, channel: Channel) -> None:
        resolved.setdefault("users", {})[str(user.id)] = user.to_payload()
        member = self.state.member_payload(self.guild.id, user.id, with_user=False)
        if member is not None:
            member["permissions"] = str(int(self.state.permissions(channel, user.id)))
            resolved.setdefault("members", {})[str(user.id)] = member

    def _partial_channel(self, target: Channel, channel: Channel) -> JSON:
        payload = target.to_payload()
        payload["permissions"] = str(int(self.state.permissions(target, self.default_user.id)))
        return payload

    # Components and modals

    def _component(self, message: Message, wanted: str, types: Iterable[int]) -> JSON:
        kinds = set(types)
        candidates = [c for c in walk_components(message.components) if c.get("type") in kinds]
        for component in candidates:
            if wanted in (component.get("custom_id"), component.get("label")):
                return component
        offered = [c.get("label") or c.get("custom_id") for c in candidates]
        raise DriverError(f"no component {wanted!r} on {message!r}; it has {offered or 'none'}")

    def _component_interaction(self, message: Message, user: User, data: JSON) -> InteractionHandle:
        self._bot_connected()
        if message.ephemeral:
            owner = self.state.interactions.get(message.interaction_id or 0)
            if owner is not None and owner.user.id != user.id:
                raise DriverError(f"{user.username} cannot see {message!r}: it is ephemeral for {owner.user.username}")
        channel = self.state.channel(message.channel_id)
        return InteractionHandle(
            self, self.core.new_interaction(MESSAGE_COMPONENT, user, channel, data, message=message)
        )

    async def click(self, message: MessageRef, button: str, *, user: UserRef | None = None) -> InteractionHandle:
        """Press the button whose custom_id or label is ``button``."""
        target, who = self.message(message), self.user(user)
        component = self._component(target, button, [2])
        if component.get("disabled"):
            raise DriverError(f"button {button!r} is disabled")
        if component.get("style") in (5, 6) or "custom_id" not in component:
            raise DriverError(f"button {button!r} is a link or premium button: clicking it does not reach the bot")
        data = {"custom_id": component["custom_id"], "component_type": 2}
        if "id" in component:
            data["id"] = component["id"]
        return self._component_interaction(target, who, data)

    async def select(
        self, message: MessageRef, select: str, values: Sequence[Any], *, user: UserRef | None = None
    ) -> InteractionHandle:
        """Pick ``values`` (option values or labels; users, roles or channels for those selects)."""
        target, who = self.message(message), self.user(user)
        component = self._component(target, select, SELECT_TYPES)
        if component.get("disabled"):
            raise DriverError(f"select {select!r} is disabled")
        low, high = component.get("min_values", 1), component.get("max_values", 1)
        if not low <= len(values) <= high:
            raise DriverError(f"select {select!r} takes {low} to {high} values, not {len(values)}")
        kind = component["type"]
        data: JSON = {"custom_id": component["custom_id"], "component_type": kind}
        channel = self.state.channel(target.channel_id)
        picked, resolved = self._select_values(component, values, channel)
        data["values"] = picked
        if resolved:
            data["resolved"] = resolved
        if "id" in component:
            data["id"] = component["id"]
        return self._component_interaction(target, who, data)

    def _select_values(
        self, component: JSON, values: Sequence[Any], channel: Channel
    ) -> tuple[list[str], dict[str, dict[str, JSON]]]:
        kind = component["type"]
        resolved: dict[str, dict[str, JSON]] = {}
        picked: list[str] = []
        for value in values:
            if kind == 3:
                option = next((o for o in component.get("options", []) if value in (o["value"], o["label"])), None)
                if option is None:
                    offered = [o["label"] for o in component.get("options", [])]
                    raise DriverError(f"select {component['custom_id']!r} has no option {value!r}; it has {offered}")
                picked.append(option["value"])
            elif kind == 8:
                target = self.channel(value)
                resolved.setdefault("channels", {})[str(target.id)] = self._partial_channel(target, channel)
                picked.append(str(target.id))
            else:
                found = self._mentionable(value, users=kind != 6, roles=kind != 5)
                if isinstance(found, User):
                    self._resolve_user(resolved, found, channel)
                else:
                    resolved.setdefault("roles", {})[str(found.id)] = found.to_payload()
                picked.append(str(found.id))
        return picked, resolved

    async def submit_modal(
        self,
        source: InteractionHandle,
        values: Mapping[str, str | Sequence[str]],
        *,
        user: UserRef | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> InteractionHandle:
        """Fill in the modal the bot answered ``source`` with (``{custom_id: value}``) and submit it."""
        modal = await source.modal(timeout=timeout)
        who = self.user(user) if user is not None else source.record.user
        fields = [c for c in walk_components(modal.get("components") or []) if c.get("type") in (3, 4, 5, 6, 7, 8)]
        known = {f.get("custom_id") for f in fields}
        unknown = [k for k in values if k not in known]
        if unknown:
            raise DriverError(
                f"modal {modal.get('title')!r} has no field(s) {unknown}; it has {sorted(map(str, known))}"
            )
        for field in fields:
            value = values.get(field["custom_id"])
            if field["type"] == 4:
                text = "" if value is None else str(value)
                if field.get("required", True) and not text:
                    raise DriverError(f"modal field {field['custom_id']!r} is required")
                if text and not field.get("min_length", 0) <= len(text) <= field.get("max_length", 4000):
                    raise DriverError(f"modal field {field['custom_id']!r}: {len(text)} characters is out of bounds")
        channel = self.state.channel(source.record.channel_id)
        components = [self._submitted(row, values) for row in modal.get("components") or []]
        data: JSON = {"custom_id": modal["custom_id"], "components": [c for c in components if c is not None]}
        message = self.state.messages.get(source.record.message_id or 0)
        self._bot_connected()
        record = self.core.new_interaction(MODAL_SUBMIT, who, channel, data, message=message)
        return InteractionHandle(self, record)

    def _submitted(self, component: JSON, values: Mapping[str, str | Sequence[str]]) -> JSON | None:
        kind = component.get("type")
        if kind == 1:
            inner = [self._submitted(c, values) for c in component.get("components") or []]
            return {"type": 1, "components": [c for c in inner if c is not None]}
        if kind == 18:
            inner_component = self._submitted(component["component"], values)
            return None if inner_component is None else {"type": 18, "component": inner_component}
        if kind == 4:
            return {
                "type": 4,
                "custom_id": component["custom_id"],
                "value": str(values.get(component["custom_id"], "")),
            }
        if kind in SELECT_TYPES:
            chosen = values.get(component["custom_id"], [])
            return {
                "type": kind,
                "custom_id": component["custom_id"],
                "values": [chosen] if isinstance(chosen, str) else list(chosen),
            }
        return None

    # Messages

    async def say(
        self,
        content: str,
        *,
        channel: ChannelRef | None = None,
        user: UserRef | None = None,
        reply_to: MessageRef | None = None,
        files: Sequence[Upload] = (),
    ) -> Message:
        """Post a message as a person (MESSAGE_CREATE; mentions in the content are parsed as Discord does)."""
        who, where = self.user(user), self.channel(channel)
        send = Permission.SEND_MESSAGES_IN_THREADS if where.is_thread else Permission.SEND_MESSAGES
        self._can(who, where, Permission.VIEW_CHANNEL, send)
        body: JSON = {"content": content}
        if reply_to is not None:
            body["message_reference"] = {"message_id": str(self.message(reply_to).id), "channel_id": str(where.id)}
        return self.core.post_message(where, who, body, files)

    async def react(self, message: MessageRef, emoji: str, *, user: UserRef | None = None) -> None:
        self.core.react(self.message(message), emoji, self.user(user))

    async def interested(self, event: ScheduledEvent, *, user: UserRef | None = None, interested: bool = True) -> None:
        """Mark (or unmark) "Interested" on a scheduled event."""
        self.core.set_event_interest(event, self.user(user), interested)

    def messages(self, channel: ChannelRef | None = None, *, ephemeral: bool = True) -> list[Message]:
        """The channel's messages, oldest first (ephemeral ones included unless ``ephemeral=False``)."""
        return self.state.channel_messages(self.channel(channel).id, ephemeral=ephemeral)

    async def wait_for_message(
        self,
        predicate: Callable[[Message], bool] | None = None,
        *,
        channel: ChannelRef | None = None,
        author: UserRef | None = None,
        after: MessageRef | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> Message:
        """The first message (by id) matching everything given; ``after`` limits it to newer messages."""
        channel_id = None if channel is None else self.channel(channel).id
        author_id = None if author is None else self.user(author).id
        after_id = 0 if after is None else (after.id if isinstance(after, Message) else after)

        def match() -> Message | None:
            for message in sorted(self.state.messages.values(), key=lambda m: m.id):
                if (
                    message.id > after_id
                    and not message.deleted
                    and (channel_id is None or message.channel_id == channel_id)
                    and (author_id is None or message.author.id == author_id)
                    and (predicate is None or predicate(message))
                ):
                    return message
            return None

        what = f"a message (channel={channel}, author={author}, after={after_id}, predicate={predicate})"
        return await self.wait_for(match, timeout=timeout, what=what)

    async def wait_for_edit(self, message: Message, edits: int = 1, *, timeout: float = 5.0) -> Message:  # noqa: ASYNC109
        """Wait until ``message`` has been edited ``edits`` times in all."""
        return await self.wait_for(
            lambda: message if len(message.edits) >= edits else None,
            timeout=timeout,
            what=f"{edits} edit(s) of {message!r}",
        )

    async def wait_for(self, probe: Callable[[], T | None], *, timeout: float = 5.0, what: str) -> T:  # noqa: ASYNC109
        """Wait until ``probe()`` returns a value; re-checked on every change of the stand-in's state."""
        return await self.state.wait_for(probe, timeout=timeout, what=what)
