"""The REST API at ``/api/v10``: the bot's requests, checked for permissions and limits like Discord does.

Routing is a small table of (method, pattern) rather than aiohttp's router so that every unknown
route, whatever its method, answers 404 and lands in :attr:`State.unknown_routes`.
"""

from __future__ import annotations

import json
import math
import mimetypes
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import BodyPartReader, web

from standin.config import Config
from standin.core import Core, Upload
from standin.errors import ApiError, FormErrors, missing_access, missing_permissions, unknown
from standin.gateway import Gateway
from standin.permissions import Permission
from standin.state import JSON, Channel, ChannelType, Command, Guild, Interaction, Message, RequestRecord, State
from standin.validation import check_scheduled_event

API_PREFIX = "/api/v10"
COMMAND_NAME = re.compile(r"^[-_\w]{1,32}$")

Reply = JSON | list[Any] | None | web.StreamResponse


@dataclass
class Call:
    """One request: path parameters, query, and the JSON body (``payload_json`` for multipart) with files."""

    request: web.Request
    params: dict[str, str]
    body: Any = None
    uploads: list[Upload] = field(default_factory=list)

    def int(self, name: str) -> int:
        try:
            return int(self.params[name])
        except ValueError:
            raise ApiError(404, 0, "404: Not Found") from None

    @property
    def query(self) -> Any:
        return self.request.query

    @property
    def json(self) -> JSON:
        return self.body if isinstance(self.body, dict) else {}


Handler = Callable[[Call], Awaitable[Reply]]


def _pattern(template: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template) + "$")


class Rest:
    def __init__(self, state: State, core: Core, gateway: Gateway, config: Config) -> None:
        self.state = state
        self.core = core
        self.gateway = gateway
        self.config = config
        self.routes: list[tuple[str, re.Pattern[str], Handler, bool]] = []
        for method, template, handler, public in self._table():
            self.routes.append((method, _pattern(template), handler, public))

    def _table(self) -> list[tuple[str, str, Handler, bool]]:
        """(method, path, handler, reachable without the bot token)."""
        app = "/applications/{app_id}"
        gcmd = app + "/guilds/{guild_id}/commands"
        hook = "/webhooks/{app_id}/{token}"
        chan = "/channels/{channel_id}"
        msg = chan + "/messages/{message_id}"
        event = "/guilds/{guild_id}/scheduled-events"
        return [
            ("GET", "/users/@me", self.me, False),
            ("GET", "/users/{user_id}", self.get_user, False),
            ("GET", "/gateway", self.gateway_url, True),
            ("GET", "/gateway/bot", self.gateway_bot, False),
            ("GET", "/oauth2/applications/@me", self.application, False),
            ("GET", "/applications/@me", self.application, False),
            ("GET", app + "/commands", self.list_commands, False),
            ("PUT", app + "/commands", self.put_commands, False),
            ("POST", app + "/commands", self.post_command, False),
            ("GET", app + "/commands/{command_id}", self.get_command, False),
            ("PATCH", app + "/commands/{command_id}", self.patch_command, False),
            ("DELETE", app + "/commands/{command_id}", self.delete_command, False),
            ("GET", gcmd, self.list_commands, False),
            ("PUT", gcmd, self.put_commands, False),
            ("POST", gcmd, self.post_command, False),
            ("GET", gcmd + "/permissions", self.command_permissions, False),
            ("GET", gcmd + "/{command_id}", self.get_command, False),
            ("PATCH", gcmd + "/{command_id}", self.patch_command, False),
            ("DELETE", gcmd + "/{command_id}", self.delete_command, False),
            ("POST", "/interactions/{interaction_id}/{token}/callback", self.callback, True),
            ("POST", hook, self.followup, True),
            ("GET", hook + "/messages/{message_id}", self.get_webhook_message, True),
            ("PATCH", hook + "/messages/{message_id}", self.edit_webhook_message, True),
            ("DELETE", hook + "/messages/{message_id}", self.delete_webhook_message, True),
            ("GET", chan, self.get_channel, False),
            ("PATCH", chan, self.patch_channel, False),
            ("DELETE", chan, self.delete_channel, False),
            ("POST", chan + "/typing", self.typing, False),
            ("GET", chan + "/messages", self.history, False),
            ("POST", chan + "/messages", self.send_message, False),
            ("GET", msg, self.get_message, False),
            ("PATCH", msg, self.edit_message, False),
            ("DELETE", msg, self.delete_message, False),
            ("PUT", msg + "/reactions/{emoji}/@me", self.add_reaction, False),
            ("DELETE", msg + "/reactions/{emoji}/@me", self.remove_reaction, False),
            ("POST", msg + "/threads", self.thread_from_message, False),
            ("POST", chan + "/threads", self.standalone_thread, False),
            ("GET", chan + "/thread-members", self.thread_members, False),
            ("GET", chan + "/thread-members/{user_id}", self.thread_member, False),
            ("PUT", chan + "/thread-members/{user_id}", self.add_thread_member, False),
            ("DELETE", chan + "/thread-members/{user_id}", self.remove_thread_member, False),
            ("GET", "/guilds/{guild_id}", self.get_guild, False),
            ("GET", "/guilds/{guild_id}/channels", self.guild_channels, False),
            ("GET", "/guilds/{guild_id}/roles", self.guild_roles, False),
            ("GET", "/guilds/{guild_id}/members/{user_id}", self.guild_member, False),
            ("GET", "/guilds/{guild_id}/threads/active", self.active_threads, False),
            ("GET", event, self.list_events, False),
            ("POST", event, self.create_event, False),
            ("GET", event + "/{event_id}", self.get_event, False),
            ("PATCH", event + "/{event_id}", self.update_event, False),
            ("DELETE", event + "/{event_id}", self.delete_event, False),
            ("GET", event + "/{event_id}/users", self.event_users, False),
        ]

    # Plumbing

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Entry point for every HTTP request to the stand-in (except the gateway websocket)."""
        path = request.path
        if request.method == "GET" and path.startswith("/attachments/"):
            return self.attachment(path)
        relative = path.removeprefix(API_PREFIX) if path.startswith(API_PREFIX + "/") else None
        try:
            if relative is None:
                raise self._unknown_route(request.method, path)
            for method, pattern, handler, public in self.routes:
                match = pattern.match(relative)
                if match and method == request.method:
                    if not public:
                        self._authorise(request)
                    if (limited := self._rate_limited(request.method, relative)) is not None:
                        return limited
                    call = Call(request, match.groupdict())
                    await self._read_body(call)
                    reply = await handler(call)
                    response = reply if isinstance(reply, web.StreamResponse) else _json_response(reply)
                    self.state.requests.append(RequestRecord(request.method, relative, response.status))
                    return response
            raise self._unknown_route(request.method, relative)
        except ApiError as error:
            self.state.requests.append(RequestRecord(request.method, relative or path, error.status, error.body()))
            self.state.changed()
            return _json_response(error.body(), status=error.status)

    def _rate_limited(self, method: str, path: str) -> web.Response | None:
        """A 429 as Discord sends it, while a test's rate limit for this route lasts (discord.py retries after
        ``retry_after``, a few times, and then raises; ``Via`` tells it this is Discord's answer, not a ban)."""
        for limit in self.state.rate_limits:
            if limit.times > 0 and limit.method == method and re.fullmatch(limit.path, path):
                limit.times -= 1
                body = {"message": "You are being rate limited.", "retry_after": limit.retry_after,
                        "global": limit.is_global}  # fmt: skip
                response = _json_response(body, status=429)
                response.headers.update(
                    {
                        "Retry-After": str(max(1, math.ceil(limit.retry_after))),
                        "X-RateLimit-Bucket": f"standin-{limit.method}-{limit.path}".encode().hex()[:32],
                        "X-RateLimit-Limit": "5",
                        "X-RateLimit-Remaining": "0",
                        "X-RateLimit-Reset-After": f"{limit.retry_after:.3f}",
                        "X-RateLimit-Scope": "global" if limit.is_global else "user",
                        "Via": "1.1 google",
                    }
                )
                self.state.requests.append(RequestRecord(method, path, 429, body))
                self.state.changed()
                return response
        return None

    def _unknown_route(self, method: str, path: str) -> ApiError:
        self.state.unknown_routes.append(f"{method} {path}")
        return ApiError(404, 0, "404: Not Found")

    def _authorise(self, request: web.Request) -> None:
        if request.headers.get("Authorization") != f"Bot {self.config.token}":
            raise ApiError(401, 0, "401: Unauthorized")

    async def _read_body(self, call: Call) -> None:
        request = call.request
        if not request.can_read_body:
            return
        if request.content_type == "multipart/form-data":
            reader = await request.multipart()
            files: dict[int, Upload] = {}
            while (part := await reader.next()) is not None:
                if not isinstance(part, BodyPartReader):
                    continue
                name = part.name or ""
                raw = await part.read()
                if name == "payload_json":
                    call.body = json.loads(raw)
                elif match := re.fullmatch(r"files\[(\d+)\]", name):
                    filename = part.filename or f"file{match[1]}"
                    files[int(match[1])] = Upload(filename, bytes(raw), _content_type(filename, part))
            call.uploads = [files[n] for n in sorted(files)]
        else:
            text = await request.text()
            if text:
                try:
                    call.body = json.loads(text)
                except ValueError:
                    raise ApiError(400, 50109, "The request body contains invalid JSON.") from None

    def attachment(self, path: str) -> web.StreamResponse:
        parts = path.split("/")
        found = self.state.attachments.get(int(parts[3])) if len(parts) >= 5 and parts[3].isdigit() else None
        if found is None:
            self.state.unknown_routes.append(f"GET {path}")
            return web.Response(status=404, text="404: Not Found")
        return web.Response(body=found.data, content_type=found.content_type or "application/octet-stream")

    # Look-ups with Discord's errors

    def _channel(self, call: Call) -> Channel:
        channel = self.state.find_channel(call.int("channel_id"))
        if channel is None:
            raise unknown("channel")
        return channel

    def _guild(self, call: Call) -> Guild:
        guild = self.state.guilds.get(call.int("guild_id"))
        if guild is None or self.state.bot.id not in guild.members:
            raise unknown("guild")
        return guild

    def _message(self, call: Call, channel: Channel) -> Message:
        message = self.state.messages.get(call.int("message_id"))
        if message is None or message.deleted or message.channel_id != channel.id or message.ephemeral:
            raise unknown("message")
        return message

    def _require(self, channel: Channel, *needed: Permission) -> Permission:
        """403 unless the bot has every permission in the channel (50001 when it cannot even see it)."""
        have = self.state.permissions(channel, self.state.bot.id)
        if not have & Permission.VIEW_CHANNEL:
            raise missing_access()
        for permission in needed:
            if not have & permission:
                raise missing_permissions()
        return have

    def _send_permission(self, channel: Channel) -> Permission:
        return Permission.SEND_MESSAGES_IN_THREADS if channel.is_thread else Permission.SEND_MESSAGES

    # Users, gateway, application

    async def me(self, call: Call) -> Reply:
        return {**self.state.bot.to_payload(), "verified": True, "mfa_enabled": False, "email": None, "locale": "en-US"}

    async def get_user(self, call: Call) -> Reply:
        user = self.state.users.get(call.int("user_id"))
        if user is None:
            raise unknown("user")
        return user.to_payload()

    async def gateway_url(self, call: Call) -> Reply:
        return {"url": self.gateway.url}

    async def gateway_bot(self, call: Call) -> Reply:
        return {
            "url": self.gateway.url,
            "shards": self.config.recommended_shards,
            "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 86_400_000, "max_concurrency": 1},
        }

    async def application(self, call: Call) -> Reply:
        return self.state.application.to_payload()

    # Application commands

    def _commands(self, call: Call) -> tuple[dict[int, Command], int | None]:
        if call.int("app_id") != self.state.application.id:
            raise ApiError(403, 50001, "Missing Access")
        if "guild_id" in call.params:
            guild = self._guild(call)
            return guild.commands, guild.id
        return self.state.global_commands, None

    def _check_command(self, form: FormErrors, path: list[str | int], schema: JSON) -> None:
        kind = int(schema.get("type", 1))
        name = schema.get("name")
        if not isinstance(name, str) or not COMMAND_NAME.match(name) or (kind == 1 and name != name.lower()):
            form.add([*path, "name"], "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
        if kind == 1:
            form.length([*path, "description"], schema.get("description") or "", 100, 1)
        self._check_options(form, [*path, "options"], schema.get("options") or [])

    def _check_options(self, form: FormErrors, path: list[str | int], options: list[JSON]) -> None:
        form.length(path, options, 25)
        seen_optional = False
        for index, option in enumerate(options):
            name = option.get("name")
            if not isinstance(name, str) or not COMMAND_NAME.match(name) or name != name.lower():
                form.add([*path, index, "name"], "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
            form.length([*path, index, "description"], option.get("description") or "", 100, 1)
            form.length([*path, index, "choices"], option.get("choices") or [], 25)
            if option.get("type") in (1, 2):
                self._check_options(form, [*path, index, "options"], option.get("options") or [])
            elif option.get("required"):
                if seen_optional:
                    form.add(
                        [*path, index, "required"],
                        "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                        "Required options must be placed before non-required options",
                    )
            else:
                seen_optional = True

    def _make_command(self, commands: dict[int, Command], guild_id: int | None, schema: JSON) -> Command:
        """A command from its schema, keeping the id (and version, if unchanged) of the one it replaces."""
        kind = int(schema.get("type", 1))
        clean = {k: v for k, v in schema.items() if k not in ("id", "application_id", "version", "guild_id")}
        old = next((c for c in commands.values() if c.name == schema["name"] and c.type == kind), None)
        return Command(
            id=old.id if old else self.state.new_id(),
            application_id=self.state.application.id,
            guild_id=guild_id,
            version=old.version if old and old.schema == clean else self.state.new_id(),
            schema=clean,
        )

    async def list_commands(self, call: Call) -> Reply:
        commands, _ = self._commands(call)
        return [c.to_payload() for c in commands.values()]

    async def put_commands(self, call: Call) -> Reply:
        commands, guild_id = self._commands(call)
        schemas = call.body if isinstance(call.body, list) else []
        form = FormErrors()
        for index, schema in enumerate(schemas):
            self._check_command(form, [index], schema)
        keys = [(s.get("name"), int(s.get("type", 1))) for s in schemas]
        if len(set(keys)) != len(keys):
            form.add([], "APPLICATION_COMMANDS_DUPLICATE_NAME", "Application command names must be unique")
        form.length([], schemas, 100)
        form.check()
        replaced = [self._make_command(commands, guild_id, schema) for schema in schemas]
        commands.clear()
        commands.update((c.id, c) for c in replaced)
        self.state.changed()
        return [c.to_payload() for c in commands.values()]

    async def post_command(self, call: Call) -> Reply:
        commands, guild_id = self._commands(call)
        form = FormErrors()
        self._check_command(form, [], call.json)
        form.check()
        command = self._make_command(commands, guild_id, call.json)
        commands[command.id] = command
        self.state.changed()
        return command.to_payload()

    def _command(self, call: Call) -> tuple[dict[int, Command], Command]:
        commands, _ = self._commands(call)
        command = commands.get(call.int("command_id"))
        if command is None:
            raise unknown("application command")
        return commands, command

    async def get_command(self, call: Call) -> Reply:
        return self._command(call)[1].to_payload()

    async def patch_command(self, call: Call) -> Reply:
        _, command = self._command(call)
        schema = {**command.schema, **call.json}
        form = FormErrors()
        self._check_command(form, [], schema)
        form.check()
        command.schema = schema
        command.version = self.state.new_id()
        self.state.changed()
        return command.to_payload()

    async def delete_command(self, call: Call) -> Reply:
        commands, command = self._command(call)
        del commands[command.id]
        self.state.changed()
        return None

    async def command_permissions(self, call: Call) -> Reply:
        self._commands(call)
        return []

    # Interactions and their webhooks

    def _interaction(self, call: Call) -> Interaction:
        if "interaction_id" in call.params:
            interaction = self.state.interactions.get(call.int("interaction_id"))
            if interaction is None or interaction.token != call.params["token"]:
                raise unknown("interaction")
            return interaction
        interaction = self.state.interaction_by_token(call.params["token"])
        if interaction is None or call.int("app_id") != self.state.application.id:
            raise unknown("webhook")
        self.core.check_token(interaction)
        return interaction

    async def callback(self, call: Call) -> Reply:
        interaction = self._interaction(call)
        message = self.core.respond(interaction, call.json, call.uploads)
        if call.query.get("with_response") not in ("1", "true", "True"):
            return web.Response(status=204)
        callback = interaction.callback
        assert callback is not None
        response_id = message.id if message is not None else interaction.message_id
        resource: JSON = {"type": callback.type}
        if message is not None:
            resource["message"] = self.state.message_payload(message)
        return {
            "interaction": {
                "id": str(interaction.id),
                "type": interaction.type,
                "activity_instance_id": None,
                "response_message_id": None if response_id is None else str(response_id),
                "response_message_loading": bool(message is not None and message.loading),
                "response_message_ephemeral": bool(message is not None and message.ephemeral),
            },
            "resource": resource,
        }

    def _webhook_message(self, call: Call) -> tuple[Interaction, Message]:
        interaction = self._interaction(call)
        if call.params["message_id"] == "@original":
            return interaction, self.core.original_message(interaction)
        message_id = call.int("message_id")
        message = self.state.messages.get(message_id)
        own = message_id in interaction.followup_ids or message_id == interaction.original_message_id
        if message is None or message.deleted or not own:
            raise unknown("message")
        return interaction, message

    async def followup(self, call: Call) -> Reply:
        interaction = self._interaction(call)
        message = self.core.followup(interaction, call.json, call.uploads)
        if call.query.get("wait") in ("true", "1", "True"):
            return self.state.message_payload(message)
        return web.Response(status=204)

    async def get_webhook_message(self, call: Call) -> Reply:
        return self.state.message_payload(self._webhook_message(call)[1])

    async def edit_webhook_message(self, call: Call) -> Reply:
        _, message = self._webhook_message(call)
        return self.state.message_payload(self.core.edit_message(message, call.json, call.uploads))

    async def delete_webhook_message(self, call: Call) -> Reply:
        _, message = self._webhook_message(call)
        self.core.delete_message(message)
        return None

    # Channels and messages

    async def get_channel(self, call: Call) -> Reply:
        channel = self._channel(call)
        self._require(channel)
        return channel.to_payload()

    async def patch_channel(self, call: Call) -> Reply:
        channel = self._channel(call)
        changes = call.json
        have = self._require(channel)
        if channel.is_thread:
            owner = channel.owner_id == self.state.bot.id
            needs_manage = "locked" in changes or "invitable" in changes or not owner
            if needs_manage and not have & Permission.MANAGE_THREADS:
                raise missing_permissions()
            if channel.locked and not have & Permission.MANAGE_THREADS:
                raise ApiError(400, 50083, "Thread is archived")
        elif not have & Permission.MANAGE_CHANNELS:
            raise missing_permissions()
        return self.core.update_channel(channel, changes).to_payload()

    async def delete_channel(self, call: Call) -> Reply:
        channel = self._channel(call)
        self._require(channel, Permission.MANAGE_THREADS if channel.is_thread else Permission.MANAGE_CHANNELS)
        self.core.delete_channel(channel)
        return channel.to_payload()

    async def typing(self, call: Call) -> Reply:
        channel = self._channel(call)
        self._require(channel, self._send_permission(channel))
        return None

    async def history(self, call: Call) -> Reply:
        channel = self._channel(call)
        have = self._require(channel)
        if not have & Permission.READ_MESSAGE_HISTORY:
            return []
        limit = int(call.query.get("limit", 50))
        if not 1 <= limit <= 100:
            form = FormErrors()
            form.add(["limit"], "NUMBER_TYPE_MAX", "Must be between 1 and 100.")
            form.check()
        messages = self.state.channel_messages(channel.id)
        if "after" in call.query:
            after = int(call.query["after"])
            picked = [m for m in messages if m.id > after][:limit]
        elif "around" in call.query:
            around = int(call.query["around"])
            older = [m for m in messages if m.id <= around][-((limit + 1) // 2) :]
            picked = older + [m for m in messages if m.id > around][: limit - len(older)]
        else:
            before = int(call.query.get("before", 1 << 63))
            picked = [m for m in messages if m.id < before][-limit:]
        return [self.state.message_payload(m) for m in reversed(picked)]

    async def get_message(self, call: Call) -> Reply:
        channel = self._channel(call)
        self._require(channel, Permission.READ_MESSAGE_HISTORY)
        return self.state.message_payload(self._message(call, channel))

    async def send_message(self, call: Call) -> Reply:
        channel = self._channel(call)
        needed = [self._send_permission(channel)]
        if call.json.get("embeds"):
            needed.append(Permission.EMBED_LINKS)
        if call.uploads:
            needed.append(Permission.ATTACH_FILES)
        if call.json.get("message_reference"):
            needed.append(Permission.READ_MESSAGE_HISTORY)
        self._require(channel, *needed)
        if channel.is_thread and channel.locked and channel.archived:
            raise ApiError(400, 50083, "Thread is archived")
        message = self.core.post_message(channel, self.state.bot, call.json, call.uploads)
        return self.state.message_payload(message)

    async def edit_message(self, call: Call) -> Reply:
        channel = self._channel(call)
        self._require(channel)
        message = self._message(call, channel)
        if message.author.id != self.state.bot.id or message.webhook_id is not None:
            raise ApiError(403, 50005, "Cannot edit a message authored by another user")
        return self.state.message_payload(self.core.edit_message(message, call.json, call.uploads))

    async def delete_message(self, call: Call) -> Reply:
        channel = self._channel(call)
        have = self._require(channel)
        message = self._message(call, channel)
        if message.author.id != self.state.bot.id and not have & Permission.MANAGE_MESSAGES:
            raise missing_permissions()
        self.core.delete_message(message)
        return None

    async def add_reaction(self, call: Call) -> Reply:
        channel = self._channel(call)
        self._require(channel, Permission.READ_MESSAGE_HISTORY, Permission.ADD_REACTIONS)
        self.core.react(self._message(call, channel), call.params["emoji"], self.state.bot)
        return None

    async def remove_reaction(self, call: Call) -> Reply:
        channel = self._channel(call)
        self._require(channel)
        self.core.react(self._message(call, channel), call.params["emoji"], self.state.bot, add=False)
        return None

    # Threads

    async def thread_from_message(self, call: Call) -> Reply:
        channel = self._channel(call)
        self._require(channel, Permission.CREATE_PUBLIC_THREADS, Permission.READ_MESSAGE_HISTORY)
        message = self._message(call, channel)
        body = call.json
        thread = self.core.create_thread(
            channel,
            self.state.bot,
            name=str(body.get("name") or ""),
            kind=ChannelType.NEWS_THREAD if channel.type == ChannelType.NEWS else ChannelType.PUBLIC_THREAD,
            auto_archive_duration=int(body.get("auto_archive_duration") or 1440),
            from_message=message,
        )
        return thread.to_payload()

    async def standalone_thread(self, call: Call) -> Reply:
        channel = self._channel(call)
        body = call.json
        kind = ChannelType(int(body.get("type") or ChannelType.PRIVATE_THREAD))
        if kind not in (ChannelType.PUBLIC_THREAD, ChannelType.PRIVATE_THREAD, ChannelType.NEWS_THREAD):
            form = FormErrors()
            form.add(["type"], "BASE_TYPE_CHOICES", "Value must be one of {10, 11, 12}.")
            form.check()
        needed = (
            Permission.CREATE_PRIVATE_THREADS
            if kind == ChannelType.PRIVATE_THREAD
            else Permission.CREATE_PUBLIC_THREADS
        )
        self._require(channel, needed)
        thread = self.core.create_thread(
            channel,
            self.state.bot,
            name=str(body.get("name") or ""),
            kind=kind,
            auto_archive_duration=int(body.get("auto_archive_duration") or 1440),
            invitable=bool(body.get("invitable", True)),
        )
        return thread.to_payload()

    def _thread(self, call: Call) -> Channel:
        thread = self._channel(call)
        if not thread.is_thread:
            raise ApiError(400, 50024, "Cannot execute action on this channel type")
        return thread

    def _thread_user(self, call: Call) -> int:
        raw = call.params["user_id"]
        return self.state.bot.id if raw == "@me" else call.int("user_id")

    async def thread_members(self, call: Call) -> Reply:
        thread = self._thread(call)
        self._require(thread)
        with_member = call.query.get("with_member") in ("true", "1", "True")
        return [self._thread_member_payload(thread, user_id, with_member) for user_id in thread.thread_members]

    def _thread_member_payload(self, thread: Channel, user_id: int, with_member: bool) -> JSON:
        payload = thread.thread_members[user_id].to_payload()
        member = self.state.member_payload(thread.guild_id, user_id) if with_member else None
        if member is not None:
            payload["member"] = member
        return payload

    async def thread_member(self, call: Call) -> Reply:
        thread = self._thread(call)
        self._require(thread)
        user_id = self._thread_user(call)
        if user_id not in thread.thread_members:
            raise unknown("member")
        return self._thread_member_payload(thread, user_id, call.query.get("with_member") in ("true", "1", "True"))

    async def add_thread_member(self, call: Call) -> Reply:
        thread = self._thread(call)
        user_id = self._thread_user(call)
        if user_id == self.state.bot.id:
            self._require(thread)
        else:
            self._require(thread, Permission.SEND_MESSAGES_IN_THREADS)
        if thread.archived:
            raise ApiError(400, 50083, "Thread is archived")
        if user_id not in self.state.guilds[thread.guild_id].members:
            raise unknown("member")
        self.core.add_thread_member(thread, user_id)
        return None

    async def remove_thread_member(self, call: Call) -> Reply:
        thread = self._thread(call)
        user_id = self._thread_user(call)
        have = self._require(thread)
        owns_private = thread.type == ChannelType.PRIVATE_THREAD and thread.owner_id == self.state.bot.id
        if user_id != self.state.bot.id and not (have & Permission.MANAGE_THREADS or owns_private):
            raise missing_permissions()
        if thread.archived:
            raise ApiError(400, 50083, "Thread is archived")
        self.core.remove_thread_member(thread, user_id)
        return None

    # Guilds

    async def get_guild(self, call: Call) -> Reply:
        guild = self._guild(call)
        payload = self.state.guild_payload(guild, all_members=False)
        for key in ("members", "channels", "threads", "presences", "voice_states", "guild_scheduled_events"):
            payload.pop(key)
        if call.query.get("with_counts") in ("true", "1", "True"):
            payload.update(approximate_member_count=len(guild.members), approximate_presence_count=0)
        return payload

    async def guild_channels(self, call: Call) -> Reply:
        guild = self._guild(call)
        return [c.to_payload() for c in guild.channels.values() if not c.is_thread]

    async def guild_roles(self, call: Call) -> Reply:
        return [r.to_payload() for r in self._guild(call).roles.values()]

    async def guild_member(self, call: Call) -> Reply:
        guild = self._guild(call)
        member = guild.members.get(call.int("user_id"))
        if member is None:
            raise unknown("member")
        return member.to_payload()

    async def active_threads(self, call: Call) -> Reply:
        guild = self._guild(call)
        threads = [c for c in guild.channels.values() if c.is_thread and not c.archived]
        members = [
            t.thread_members[self.state.bot.id].to_payload() for t in threads if self.state.bot.id in t.thread_members
        ]
        return {"threads": [t.to_payload() for t in threads], "members": members}

    # Scheduled events

    def _require_guild(self, guild: Guild, *any_of: Permission) -> None:
        have = self.state.guild_permissions(guild.id, self.state.bot.id)
        if not any(have & p for p in any_of):
            raise missing_permissions()

    def _event(self, call: Call) -> tuple[Guild, Any]:
        guild = self._guild(call)
        event = guild.scheduled_events.get(call.int("event_id"))
        if event is None:
            raise unknown("guild scheduled event")
        return guild, event

    async def list_events(self, call: Call) -> Reply:
        guild = self._guild(call)
        with_count = call.query.get("with_user_count") in ("true", "1", "True")
        return [
            self.state.scheduled_event_payload(e, with_user_count=with_count) for e in guild.scheduled_events.values()
        ]

    async def create_event(self, call: Call) -> Reply:
        guild = self._guild(call)
        self._require_guild(guild, Permission.MANAGE_EVENTS, Permission.CREATE_EVENTS)
        check_scheduled_event(call.json, creating=True, now=self.config.clock())
        channel_id = call.json.get("channel_id")
        if channel_id is not None and int(channel_id) not in guild.channels:
            raise unknown("channel")
        return self.state.scheduled_event_payload(self.core.create_event(guild.id, self.state.bot, call.json))

    def _may_manage(self, guild: Guild, event: Any) -> None:
        if event.creator_id == self.state.bot.id:
            self._require_guild(guild, Permission.MANAGE_EVENTS, Permission.CREATE_EVENTS)
        else:
            self._require_guild(guild, Permission.MANAGE_EVENTS)

    async def get_event(self, call: Call) -> Reply:
        _, event = self._event(call)
        with_count = call.query.get("with_user_count") in ("true", "1", "True")
        return self.state.scheduled_event_payload(event, with_user_count=with_count)

    async def update_event(self, call: Call) -> Reply:
        guild, event = self._event(call)
        self._may_manage(guild, event)
        current = self.state.scheduled_event_payload(event)
        check_scheduled_event(call.json, creating=False, now=self.config.clock(), current=current)
        return self.state.scheduled_event_payload(self.core.update_event(event, call.json))

    async def delete_event(self, call: Call) -> Reply:
        guild, event = self._event(call)
        self._may_manage(guild, event)
        self.core.delete_event(event)
        return None

    async def event_users(self, call: Call) -> Reply:
        guild, event = self._event(call)
        limit = min(int(call.query.get("limit", 100)), 100)
        with_member = call.query.get("with_member") in ("true", "1", "True")
        ids = sorted(event.user_ids)
        if "before" in call.query:
            ids = [u for u in ids if u < int(call.query["before"])][-limit:]
        else:
            ids = [u for u in ids if u > int(call.query.get("after", 0))][:limit]
        users = []
        for user_id in ids:
            entry: JSON = {"guild_scheduled_event_id": str(event.id), "user": self.state.users[user_id].to_payload()}
            member = self.state.member_payload(guild.id, user_id, with_user=False) if with_member else None
            if member is not None:
                entry["member"] = member
            users.append(entry)
        return users


def _content_type(filename: str, part: BodyPartReader) -> str | None:
    """Discord sniffs the type; discord.py always sends application/octet-stream, so guess from the name."""
    sent = part.headers.get("Content-Type")
    if sent and sent != "application/octet-stream":
        return sent
    return mimetypes.guess_type(filename)[0] or sent


def _json_response(body: Any, *, status: int = 200) -> web.Response:
    """Discord's responses; discord.py only parses them with ``Content-Type`` exactly ``application/json``."""
    if body is None:
        return web.Response(status=204)
    response = web.Response(status=status, body=json.dumps(body).encode())
    response.headers["Content-Type"] = "application/json"
    return response
