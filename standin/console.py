"""The terminal front end of ``filmclub console``: type as a guild member, see the bot's replies.

Input lines:
  /film score film:Never Let Me Go      a slash command, options parsed against the registered schema
  /film info film:never le?             the bot's suggestions for what is typed so far (its autocomplete)
  pick 2                                run that command with suggestion 2
  @Film Club who played Ruth?           a message mentioning the bot (or anyone: @alice, @Moderators)
  anything else                         a plain message in the current channel
  click 2 | click 3.2 | click Upvote    press a button: 2 on the newest message that has any, 2 on message 3, by label
  select 1 2 3 | select 3.1 2           in menu 1 (of the newest message) or 3.1, pick options 2 and 3
  /help  /as bob  /in #film-talk  /quit
Buttons and menus are numbered per message, ``[3.2]`` being the second on message 3; a message keeps its
number and its buttons their places when the bot edits it. Modals are asked field by field. Attachments are
saved to ``attachments_dir``.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from rich.console import Console, Group, RenderableType
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from standin.core import DEFERRED, MODAL
from standin.driver import OPTION_TYPES, SELECT_TYPES, Driver, DriverError, InteractionHandle
from standin.server import StandIn
from standin.state import JSON, LOADING, Channel, Guild, Message, TimedOut, User, walk_components

BOOLEANS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
HELP_HINT = (
    "Type /help for the bot's commands (end an option with ? for suggestions, then pick N), /as NAME, "
    "/in #CHANNEL, click N (the newest message's button N) or click M.N (message M's), select N OPTION..., /quit."
)


class LineSource(Protocol):
    async def readline(self, prompt: str) -> str | None:
        """The next line (without its newline), or None at the end of input."""


class ScriptedInput:
    """Lines from a list, echoed after the prompt like a terminal would show them."""

    def __init__(self, lines: Iterable[str], console: Console) -> None:
        self.lines = list(lines)
        self.console = console

    async def readline(self, prompt: str) -> str | None:
        if not self.lines:
            return None
        line = self.lines.pop(0)
        self.console.print(Text(prompt, style="bold cyan") + Text(line))
        return line


class TerminalInput:
    """Lines typed by a person (read in a thread so the bot keeps running meanwhile)."""

    def __init__(self, console: Console) -> None:
        self.console = console

    async def readline(self, prompt: str) -> str | None:
        try:
            return await asyncio.to_thread(self.console.input, f"[bold cyan]{escape(prompt)}[/]")
        except EOFError:
            return None


class ConsoleError(Exception):
    """A line the console could not understand; shown to the person, who can try again."""


@dataclass(frozen=True)
class Typing:
    """An option still being typed (``film:never le?``): the console asks for suggestions instead of running."""

    option: JSON
    text: str


@dataclass(frozen=True)
class Suggestions:
    """What the bot suggested for ``option`` of ``/path``, with the other options as they were typed."""

    path: str
    option: str
    others: dict[str, Any]
    choices: list[JSON]


class ChatConsole:
    def __init__(
        self,
        standin: StandIn,
        driver: Driver,
        *,
        input: LineSource,
        console: Console,
        attachments_dir: Path,
        reply_timeout: float,
    ) -> None:
        self.standin = standin
        self.state = standin.state
        self.driver = driver
        self.input = input
        self.console = console
        self.attachments_dir = attachments_dir
        self.reply_timeout = reply_timeout
        self.shown: dict[int, int] = {}
        """Message id -> how many edits of it have been shown."""
        self.numbers: dict[int, int] = {}
        """Message id -> its number, given when it is first shown with buttons or menus."""
        self.recent: list[int] = []
        """Ids of the messages on screen with buttons or menus, the one shown last at the end."""
        self.suggestions: Suggestions | None = None
        self.start_id = self.state.new_id()

    # The loop

    async def run(self) -> None:
        self.console.print(
            Text(f"Film Club console: {self.driver.guild.name}, as {self.driver.default_user.username}.", style="bold")
        )
        self.console.print(Text(HELP_HINT, style="dim"))
        live = asyncio.create_task(self.live(), name="standin-console-live")
        try:
            while True:
                self.flush()
                line = await self.input.readline(self.prompt())
                if line is None or line.strip() == "/quit":
                    self.flush()
                    return
                if not line.strip():
                    continue
                try:
                    await self.handle(line.strip())
                except (ConsoleError, DriverError, TimedOut) as error:
                    self.console.print(Text(str(error).splitlines()[0], style="bold red"))
        finally:
            live.cancel()

    async def live(self) -> None:
        """Show what the bot posts while the person is typing (e.g. a slow follow-up)."""
        while True:
            try:
                await self.state.wait_for(self.pending, timeout=3600, what="anything new")
            except TimedOut:
                continue
            self.flush()

    def pending(self) -> bool:
        return any(
            self.visible(m) and self.shown.get(m.id) != (-1 if m.deleted else len(m.edits))
            for m in self.state.messages.values()
        )

    def prompt(self) -> str:
        return f"{self.driver.default_user.username} in #{self.driver.default_channel.name}> "

    async def handle(self, line: str) -> None:
        word, _, rest = line.partition(" ")
        if word == "/help":
            self.show_help()
        elif word == "/as":
            self.driver.default_user = member(self.driver.guild, rest)
        elif word == "/in":
            self.driver.default_channel = text_channel(self.driver.guild, rest)
            for message in self.driver.messages(ephemeral=False)[-5:]:
                self.shown.setdefault(message.id, len(message.edits))
                self.render(message)
        elif word == "click":
            await self.click(rest.strip())
        elif word == "select":
            await self.select(rest.split())
        elif word == "pick":
            await self.pick(rest.strip())
        elif line.startswith("/"):
            await self.slash(line)
        else:
            await self.say(line)

    # Actions

    async def slash(self, line: str) -> None:
        path, options = parse_slash(self.driver, line)
        typing = {name: value for name, value in options.items() if isinstance(value, Typing)}
        if len(typing) > 1:
            raise ConsoleError("ask for one option's suggestions at a time (end only that one with ?)")
        if typing:
            [(name, value)] = typing.items()
            await self.suggest(path, name, value, {k: v for k, v in options.items() if k != name})
            return
        await self.follow(await self.driver.slash(path, **options))

    async def suggest(self, path: str, name: str, typing: Typing, others: dict[str, Any]) -> None:
        """Show what Discord would offer while ``typing``: the option's fixed choices, or the bot's autocomplete."""
        if typing.option.get("choices"):
            wanted = typing.text.lower()
            choices = [c for c in typing.option["choices"] if wanted in str(c["name"]).lower()]
        else:
            choices = await self.driver.autocomplete(path, name, typing.text, timeout=self.reply_timeout, **others)
        if not choices:
            self.suggestions = None
            self.console.print(Text(f"no suggestions for {name}:{typing.text}", style="yellow"))
            return
        self.suggestions = Suggestions(path, name, others, choices)
        self.console.print(Text(f"suggestions for {name} (pick N runs /{path} with one):", style="dim"))
        for number, choice in enumerate(choices, 1):
            self.console.print(Text(f"  {number}. {choice['name']}"))

    async def pick(self, ref: str) -> None:
        offered = self.suggestions
        if offered is None:
            raise ConsoleError("nothing to pick from: end an option with ? first, e.g. /film info film:never le?")
        if not ref.isdigit() or not 1 <= int(ref) <= len(offered.choices):
            raise ConsoleError(f"pick a suggestion by its number, 1 to {len(offered.choices)}")
        options = {**offered.others, offered.option: offered.choices[int(ref) - 1]["value"]}
        await self.follow(await self.driver.slash(offered.path, **options))

    async def follow(self, handle: InteractionHandle) -> None:
        """Wait for the bot's answer to an interaction; fill in a modal if it asks for one."""
        response = await handle.response(timeout=self.reply_timeout)
        if response.type == MODAL:
            submitted = await self.fill_modal(handle, response.data)
            if submitted is not None:
                await self.follow(submitted)
            return
        if response.type == DEFERRED:
            self.flush()
            await handle.message(timeout=self.reply_timeout)

    async def fill_modal(self, handle: InteractionHandle, modal: JSON) -> InteractionHandle | None:
        self.console.print(
            Panel(
                Text("Answer each field; an empty line leaves an optional field blank; /cancel stops."),
                title=modal.get("title"),
            )
        )
        values: dict[str, Any] = {}
        for field in _fields(modal.get("components") or []):
            label, item = field
            required = item.get("required", True)
            if item["type"] == 4:
                hint = f"{label}{' (required)' if required else ''}: "
            else:
                options = item.get("options") or []
                listed = "  ".join(f"{n}. {o['label']}" for n, o in enumerate(options, 1))
                hint = f"{label} [{listed}] (numbers): "
            answer = await self.input.readline(hint)
            if answer is None or answer.strip() == "/cancel":
                self.console.print(Text("modal cancelled", style="yellow"))
                return None
            if item["type"] == 4:
                if answer:
                    values[item["custom_id"]] = answer
            else:
                options = item.get("options") or []
                values[item["custom_id"]] = [options[int(n) - 1]["value"] for n in answer.split() if n.isdigit()]
        return await self.driver.submit_modal(handle, values)

    async def say(self, line: str) -> None:
        content = mentions_to_markup(self.driver, line)
        said = await self.driver.say(content)
        self.shown[said.id] = 0
        self.render(said)
        if self.standin.bot.id in said.pings.users:
            try:
                await self.driver.wait_for_message(
                    lambda m: m.author.id == self.standin.bot.id, after=said, timeout=self.reply_timeout
                )
            except TimedOut:
                self.console.print(Text(f"({self.standin.bot.display_name} did not answer)", style="dim"))

    def _control(self, ref: str, kinds: Iterable[int]) -> tuple[Message, JSON]:
        """The button or menu ``ref`` names: ``N`` on the newest message that has any, ``M.N`` on message M, or a
        label. Says in words when it is gone, disabled, or of the other kind."""
        kinds = set(kinds)
        what = "button" if kinds == {2} else "menu"
        numbered = re.fullmatch(r"(?:(\d+)\.)?(\d+)", ref)
        if numbered is None:
            for message_id in reversed(self.recent):
                message = self.state.messages[message_id]
                for component in controls(message):
                    if ref in (component.get("label"), component.get("custom_id")) and component["type"] in kinds:
                        return message, self._usable(message, component, what)
            raise ConsoleError(f"no {what} called {ref!r} on screen")
        message = self._message(numbered[1])
        number, place, offered = self.numbers[message.id], int(numbered[2]), controls(message)
        if not 1 <= place <= len(offered):
            now = f"it has {len(offered)} now" if offered else "it has none any more"
            raise ConsoleError(f"message {number} has no button or menu {place}: {now}")
        component = offered[place - 1]
        if component["type"] not in kinds:
            other = f"click {number}.{place}" if component["type"] == 2 else f"select {number}.{place} OPTION..."
            raise ConsoleError(f"{number}.{place} is not a {what}: {other}")
        return message, self._usable(message, component, what)

    def _message(self, number: str | None) -> Message:
        """Message ``number``, or the newest one with buttons or menus."""
        if number is None:
            if not self.recent:
                raise ConsoleError("there are no buttons or menus on screen")
            message_id = self.recent[-1]
        else:
            found = [m for m, n in self.numbers.items() if n == int(number)]
            if not found:
                raise ConsoleError(f"there is no message {number} with buttons or menus (see the [M.N] numbers)")
            message_id = found[0]
        message = self.state.messages[message_id]
        if message.deleted:
            raise ConsoleError(f"message {self.numbers[message_id]} was deleted")
        return message

    def _usable(self, message: Message, component: JSON, what: str) -> JSON:
        if component.get("disabled"):
            label = component.get("label") or component.get("placeholder") or what
            raise ConsoleError(f"{what} {self._ref(message, component)} ({label}) is disabled")
        return component

    async def click(self, ref: str) -> None:
        message, component = self._control(ref, [2])
        await self.follow(await self.driver.click(message, component["custom_id"]))

    async def select(self, words: list[str]) -> None:
        if len(words) < 2:
            raise ConsoleError("usage: select MENU OPTION... (numbers as shown)")
        message, component = self._control(words[0], SELECT_TYPES)
        options = component.get("options") or []
        picked: list[Any] = []
        for word in words[1:]:
            if component["type"] == 3 and word.isdigit() and 1 <= int(word) <= len(options):
                picked.append(options[int(word) - 1]["value"])
            else:
                picked.append(word.removeprefix("@"))
        await self.follow(await self.driver.select(message, component["custom_id"], picked))

    # Showing what happened

    def visible(self, message: Message) -> bool:
        if message.channel_id != self.driver.default_channel.id or message.id < self.start_id:
            return False
        if message.ephemeral:
            owner = self.state.interactions.get(message.interaction_id or 0)
            return owner is not None and owner.user.id == self.driver.default_user.id
        return True

    def flush(self) -> None:
        """Show messages that are new or edited since last time."""
        for message in sorted(self.state.messages.values(), key=lambda m: m.id):
            if not self.visible(message):
                continue
            seen = self.shown.get(message.id)
            if seen is None or seen < len(message.edits) or (message.deleted and seen >= 0):
                self.shown[message.id] = -1 if message.deleted else len(message.edits)
                was_placeholder = (
                    seen is not None and 0 <= seen < len(message.edits) and message.edits[seen].flags & LOADING
                )
                self.render(message, edited=seen is not None and not was_placeholder)

    def render(self, message: Message, *, edited: bool = False) -> None:
        author = message.author.display_name + (" [bot]" if message.author.bot else "")
        header = Text(author, style="bold magenta" if message.author.bot else "bold green")
        if message.ephemeral:
            header.append("  (only you can see this)", style="italic yellow")
        if edited:
            header.append("  (edited)", style="italic dim")
        if message.id in self.recent:
            self.recent.remove(message.id)
        if message.deleted:
            self.console.print(header + Text("  (message deleted)", style="dim"))
            return
        if message.loading:
            self.console.print(header + Text(f"  {message.author.display_name} is thinking…", style="italic dim"))
            return
        if controls(message):  # the newest on screen now; numbered once, the first time
            self.numbers.setdefault(message.id, len(self.numbers) + 1)
            self.recent.append(message.id)
        parts: list[RenderableType] = [header]
        if message.content:
            parts.append(Text(markup_to_names(self.driver, message.content)))
        parts += [self.embed(e) for e in message.embeds]
        parts += self.components(message, message.components)
        parts += self.attachments(message)
        self.console.print(Group(*parts))

    def embed(self, embed: JSON) -> RenderableType:
        body: list[RenderableType] = []
        if embed.get("author", {}).get("name"):
            body.append(Text(embed["author"]["name"], style="dim"))
        if embed.get("description"):
            body.append(Text(markup_to_names(self.driver, embed["description"])))
        for item in embed.get("fields") or []:
            body.append(Text(item["name"], style="bold") + Text("\n" + markup_to_names(self.driver, item["value"])))
        for key in ("image", "thumbnail"):
            if embed.get(key, {}).get("url"):
                body.append(Text(f"{key}: {embed[key]['url']}", style="dim"))
        if embed.get("footer", {}).get("text"):
            body.append(Text(embed["footer"]["text"], style="dim italic"))
        color = embed.get("color")
        return Panel(
            Group(*body) if body else Text(""),
            title=escape(embed.get("title") or ""),
            border_style=f"#{color:06x}" if isinstance(color, int) else "blue",
            expand=False,
        )

    def components(self, message: Message, components: list[JSON]) -> list[RenderableType]:
        shown: list[RenderableType] = []
        buttons: list[Text] = []
        for component in components:
            kind = component.get("type")
            if kind == 1:
                shown += self.components(message, component.get("components") or [])
            elif kind == 2:
                buttons.append(self.button(message, component))
            elif kind in SELECT_TYPES:
                shown.append(self.select_menu(message, component))
            elif kind == 10:
                shown.append(Text(markup_to_names(self.driver, component.get("content", ""))))
            elif kind in (9, 17):
                inner = self.components(message, component.get("components") or [])
                if isinstance(component.get("accessory"), dict):
                    inner += self.components(message, [component["accessory"]])
                shown.append(Panel(Group(*inner), expand=False) if kind == 17 else Group(*inner))
            elif kind == 14:
                shown.append(Text("─" * 20, style="dim"))
            elif kind == 12:
                shown += [
                    Text(f"image: {i.get('media', {}).get('url')}", style="dim") for i in component.get("items", [])
                ]
        if buttons:
            shown.insert(0, Text("  ").join(buttons))
        return shown

    def _ref(self, message: Message, component: JSON) -> str:
        """``M.N``: the message's number and the component's place among its buttons and menus."""
        place = next(n for n, c in enumerate(controls(message), 1) if c is component)
        return f"{self.numbers[message.id]}.{place}"

    def button(self, message: Message, component: JSON) -> Text:
        if component.get("style") == 5:
            return Text(f"[{component.get('label', 'link')} ↗ {component.get('url')}]", style="blue underline")
        label = component.get("label") or (component.get("emoji") or {}).get("name") or component.get("custom_id")
        if "custom_id" not in component:  # a premium button: nothing to click here
            return Text(f"[{label}]", style="dim")
        if component.get("disabled"):
            return Text(f"[{self._ref(message, component)}] {label} (disabled)", style="dim")
        return Text(f"[{self._ref(message, component)}] {label}", style="bold reverse")

    def select_menu(self, message: Message, component: JSON) -> RenderableType:
        ref = self._ref(message, component)
        title = component.get("placeholder") or f"choose ({SELECT_TYPES[component['type']]})"
        how_many = _how_many(component.get("min_values", 1), component.get("max_values", 1))
        lines = [Text(f"[{ref}] {title} ({how_many})", style="dim" if component.get("disabled") else "bold")]
        for index, option in enumerate(component.get("options") or [], 1):
            description = f" — {option['description']}" if option.get("description") else ""
            lines.append(Text(f"    {index}. {option['label']}{description}"))
        if component["type"] != 3:
            lines.append(Text(f"    (type names: select {ref} NAME...)", style="dim"))
        return Group(*lines)

    def attachments(self, message: Message) -> list[RenderableType]:
        shown: list[RenderableType] = []
        for attachment in message.attachments:
            self.attachments_dir.mkdir(parents=True, exist_ok=True)
            path = self.attachments_dir / f"{attachment.id}-{Path(attachment.filename).name}"
            path.write_bytes(attachment.data)
            shown.append(Text(f"📎 {attachment.filename} ({attachment.size} bytes) saved to {path}", style="cyan"))
        return shown

    def show_help(self) -> None:
        table = Table(title="Commands the bot registered", show_lines=True)
        table.add_column("command", style="bold")
        table.add_column("options")
        table.add_column("description")
        for command in self.driver.commands():
            for path, options, description in _leaves(command.name, command.schema):
                table.add_row(Text(f"/{path}"), Text(_option_help(options)), Text(description))
        self.console.print(table)
        self.console.print(Text(HELP_HINT, style="dim"))


def controls(message: Message) -> list[JSON]:
    """The message's buttons and menus a person can use, in order: what ``[M.N]`` numbers (links are not)."""
    return [
        c
        for c in walk_components(message.components)
        if c.get("type") in SELECT_TYPES or (c.get("type") == 2 and "custom_id" in c and c.get("style") != 5)
    ]


def _how_many(low: int, high: int) -> str:
    if low == high:
        return "choose one" if low == 1 else f"choose {low}"
    if low == 0:
        return f"choose up to {high}"
    return f"choose {low} or {high}" if high == low + 1 else f"choose {low} to {high}"


def _leaves(path: str, schema: JSON) -> list[tuple[str, list[JSON], str]]:
    options: list[JSON] = schema.get("options") or []
    subs = [o for o in options if o.get("type") in (1, 2)]
    if not subs:
        return [(path, options, str(schema.get("description", "")))]
    return [leaf for sub in subs for leaf in _leaves(f"{path} {sub['name']}", sub)]


def _option_help(options: list[JSON]) -> str:
    parts = []
    for option in options:
        text = f"{option['name']}:{OPTION_TYPES.get(option['type'], option['type'])}"
        if option.get("choices"):
            text += "{" + ",".join(str(c["value"]) for c in option["choices"]) + "}"
        parts.append(text if option.get("required") else f"[{text}]")
    return " ".join(parts) or "—"


def _fields(components: list[JSON], label: str | None = None) -> list[tuple[str, JSON]]:
    """A modal's inputs with their labels (text inputs carry their own; others sit in a Label)."""
    found: list[tuple[str, JSON]] = []
    for component in components:
        kind = component.get("type")
        if kind == 1:
            found += _fields(component.get("components") or [], label)
        elif kind == 18:
            found += _fields([component["component"]], component.get("label"))
        elif kind == 4 or kind in SELECT_TYPES:
            found.append((component.get("label") or label or component["custom_id"], component))
    return found


def parse_slash(driver: Driver, line: str) -> tuple[str, dict[str, Any]]:
    """``/name sub key:value key2:"value with spaces"`` -> (``"name sub"``, options) using the schema."""
    words = line.removeprefix("/").split()
    if not words:
        raise ConsoleError("which command? /help lists them")
    command = driver.command(words[0])
    path, schema, index = [words[0]], command.schema, 1
    while index < len(words):
        sub = next(
            (o for o in schema.get("options") or [] if o.get("type") in (1, 2) and o["name"] == words[index]), None
        )
        if sub is None:
            break
        path.append(sub["name"])
        schema, index = sub, index + 1
    options: dict[str, JSON] = {o["name"]: o for o in schema.get("options") or [] if o.get("type") not in (1, 2)}
    rest = " ".join(words[index:])
    if not options:
        if rest:
            raise ConsoleError(f"/{' '.join(path)} takes no options (or needs a subcommand); got {rest!r}")
        return " ".join(path), {}
    keys = list(re.finditer(r"(?:(?<=\s)|^)(" + "|".join(map(re.escape, options)) + r"):", rest))
    before = rest[: keys[0].start()] if keys else rest
    stray = re.match(r"\s*([\w-]+):", before)
    if stray:
        raise ConsoleError(f"/{' '.join(path)} has no option {stray[1]!r}; it has {list(options)}")
    if before.strip():
        raise ConsoleError(f"write options as name:value; /{' '.join(path)} takes {list(options)}")
    values: dict[str, Any] = {}
    for number, key in enumerate(keys):
        end = keys[number + 1].start() if number + 1 < len(keys) else len(rest)
        raw = rest[key.end() : end].strip()
        if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'":
            raw = raw[1:-1]
        values[key[1]] = _typed(options[key[1]], raw)
    return " ".join(path), values


def _typed(option: JSON, raw: str) -> Any:
    kind, name = option["type"], option["name"]
    if raw.endswith("?") and (option.get("autocomplete") or option.get("choices")):
        return Typing(option, raw.removesuffix("?").strip())
    try:
        if kind == 4:
            return int(raw)
        if kind == 10:
            return float(raw)
    except ValueError:
        raise ConsoleError(f"{name} must be a number, not {raw!r}") from None
    if kind == 5:
        if raw.lower() not in BOOLEANS:
            raise ConsoleError(f"{name} must be true or false, not {raw!r}")
        return BOOLEANS[raw.lower()]
    if kind in (6, 8, 9):
        return raw.removeprefix("@")
    if kind == 11:
        raise ConsoleError("attachment options are not supported in the console")
    return raw


def mentions_to_markup(driver: Driver, text: str) -> str:
    """``@Film Club``, ``@alice``, ``@Moderators``, ``#film-talk`` -> Discord's mention syntax."""
    targets: dict[str, str] = {}
    for role in driver.guild.roles.values():
        if role.id != driver.guild.id:
            targets[f"@{role.name}"] = role.mention
    for member in driver.guild.members.values():  # a user wins over a role of the same name (the bot's role)
        for name in {member.user.username, member.user.display_name}:
            targets[f"@{name}"] = member.user.mention
    for channel in driver.guild.channels.values():
        targets[f"#{channel.name}"] = channel.mention
    for name in sorted(targets, key=len, reverse=True):
        text = re.sub(re.escape(name) + r"(?![\w-])", targets[name], text, flags=re.IGNORECASE)
    return text


def markup_to_names(driver: Driver, text: str) -> str:
    """Discord's mention syntax -> readable names."""
    state = driver.state

    def user(match: re.Match[str]) -> str:
        found = state.users.get(int(match[1]))
        return f"@{found.display_name}" if found else match[0]

    def role(match: re.Match[str]) -> str:
        found = driver.guild.roles.get(int(match[1]))
        return f"@{found.name}" if found else match[0]

    def channel(match: re.Match[str]) -> str:
        found = state.find_channel(int(match[1]))
        return f"#{found.name}" if found else match[0]

    text = re.sub(r"<@!?(\d+)>", user, text)
    text = re.sub(r"<@&(\d+)>", role, text)
    return re.sub(r"<#(\d+)>", channel, text)


def member(guild: Guild, name: str) -> User:
    """The member called ``name`` (or @name), whom a person may type as: not a bot, not the stand-in's owner."""
    people = [m.user for m in guild.members.values() if not m.user.bot and m.user.id != guild.owner_id]
    wanted = name.strip().removeprefix("@").lower()
    for user in people:
        if wanted in (user.username.lower(), user.display_name.lower()):
            return user
    choices = ", ".join(user.username for user in people)
    raise ConsoleError(f"no member {name.strip()!r} to type as; choose {choices}" if wanted else f"as whom? {choices}")


def text_channel(guild: Guild, name: str) -> Channel:
    """The channel called ``name`` (or #name)."""
    channels = [c for c in guild.channels.values() if not c.is_thread]
    wanted = name.strip().removeprefix("#")
    for channel in channels:
        if channel.name == wanted:
            return channel
    choices = ", ".join(f"#{channel.name}" for channel in channels)
    raise ConsoleError(f"no channel #{wanted} in {guild.name}; choose {choices}" if wanted else f"in which? {choices}")


def open_console(
    standin: StandIn,
    *,
    input: LineSource,
    console: Console,
    attachments_dir: Path,
    user: str = "alice",
    channel: str = "general",
    guild: str | int | None = None,
    reply_timeout: float = 10.0,
) -> ChatConsole:
    """The console of ``user`` in ``#channel``, to ``run()`` once the bot is connected; ConsoleError, naming
    the choices, if there is no such member or channel."""
    where = standin.guild(guild)
    driver = standin.driver(
        user=member(where, user).username, channel=text_channel(where, channel).name, guild=where.id
    )
    return ChatConsole(
        standin, driver, input=input, console=console, attachments_dir=attachments_dir, reply_timeout=reply_timeout
    )
