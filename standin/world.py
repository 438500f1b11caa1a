"""Build guilds to test in: channels, roles, members and the bot, with the permissions you choose."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from standin.permissions import BOT_DEFAULT, EVERYONE_DEFAULT, MODERATOR_DEFAULT
from standin.state import Channel, ChannelType, Guild, Member, Role, State, User


@dataclass(frozen=True)
class GuildSpec:
    """One guild. ``bot_permissions`` go on the bot's managed role; @everyone's apply to the bot as well."""

    name: str = "Film Club Test"
    id: int | None = None
    channels: Sequence[str] = ("general", "film-talk")
    voice_channels: Sequence[str] = ()
    members: Sequence[str] = ("alice", "bob", "carol")
    moderators: Sequence[str] = ("alice",)
    bot_permissions: int = BOT_DEFAULT
    everyone_permissions: int = EVERYONE_DEFAULT
    moderator_permissions: int = MODERATOR_DEFAULT


DEMO = GuildSpec(
    name="Film Club Demo", channels=("general", "film-talk", "watch-parties"), voice_channels=("movie-night",)
)
"""The console's world."""


def user(state: State, name: str) -> User:
    """The user called ``name``, created on first use (users are shared between guilds)."""
    if (found := state.find_user(name)) is not None:
        return found
    created = User(state.new_id(), name, name.capitalize())
    state.add_user(created)
    return created


def build_guild(state: State, spec: GuildSpec) -> Guild:
    """Add a guild: #channels, @everyone, Moderators and the bot's role, an owner, the members and the bot."""
    guild_id = spec.id if spec.id is not None else state.new_id()
    if guild_id in state.guilds:
        raise ValueError(f"guild id {guild_id} is taken")
    owner = user(state, "guild-owner")
    guild = Guild(guild_id, spec.name, owner.id)
    everyone = Role(guild_id, guild_id, "@everyone", int(spec.everyone_permissions))
    moderators = Role(state.new_id(), guild_id, "Moderators", int(spec.moderator_permissions), position=1)
    bot_role = Role(
        state.new_id(), guild_id, state.application.name, int(spec.bot_permissions), position=2, bot_id=state.bot.id
    )
    guild.roles = {r.id: r for r in (everyone, moderators, bot_role)}
    for position, name in enumerate(spec.channels):
        channel = Channel(state.new_id(), guild_id, name, position=position)
        guild.channels[channel.id] = channel
    for name in (owner.username, *spec.members):
        person = user(state, name)
        roles = [moderators.id] if name in spec.moderators else []
        guild.members[person.id] = Member(person, guild_id, roles)
    guild.members[state.bot.id] = Member(state.bot, guild_id, [bot_role.id])
    for position, name in enumerate(spec.voice_channels, start=len(spec.channels)):  # after members: ids stay stable
        voice = Channel(state.new_id(), guild_id, name, type=ChannelType.VOICE, position=position)
        guild.channels[voice.id] = voice
    state.guilds[guild_id] = guild
    return guild


def build_world(state: State, specs: Sequence[GuildSpec]) -> list[Guild]:
    return [build_guild(state, spec) for spec in specs]
