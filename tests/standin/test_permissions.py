"""Discord's permission algorithm: roles, then channel overwrites in their documented order."""

from __future__ import annotations

import aiohttp

from standin.permissions import ALL, NONE, Overwrite, Permission, base_permissions, channel_permissions
from standin.server import StandIn
from standin.world import GuildSpec

GUILD, OWNER, MEMBER, MODS, BOTS = 1, 2, 3, 10, 11
P = Permission
EVERYONE = P.VIEW_CHANNEL | P.SEND_MESSAGES | P.EMBED_LINKS | P.ATTACH_FILES


def perms(overwrites: list[Overwrite], roles: tuple[int, ...] = (MODS,), role_perms: int = 0) -> Permission:
    base = base_permissions(
        guild_id=GUILD,
        owner_id=OWNER,
        user_id=MEMBER,
        role_permissions={GUILD: EVERYONE, MODS: role_perms, BOTS: 0},
        member_roles=roles,
    )
    return channel_permissions(base, guild_id=GUILD, user_id=MEMBER, member_roles=roles, overwrites=overwrites)


def test_roles_add_to_everyone() -> None:
    assert perms([], role_perms=P.MANAGE_THREADS) == EVERYONE | P.MANAGE_THREADS


def test_overwrite_order_everyone_then_roles_then_member() -> None:
    deny_everyone = Overwrite(GUILD, 0, deny=P.EMBED_LINKS)
    allow_role = Overwrite(MODS, 0, allow=P.EMBED_LINKS)
    deny_member = Overwrite(MEMBER, 1, deny=P.EMBED_LINKS)
    assert not perms([deny_everyone]) & P.EMBED_LINKS
    assert perms([deny_everyone, allow_role]) & P.EMBED_LINKS
    assert not perms([deny_everyone, allow_role, deny_member]) & P.EMBED_LINKS
    # Among roles, an allow wins over another role's deny.
    both = [Overwrite(MODS, 0, deny=P.ATTACH_FILES), Overwrite(BOTS, 0, allow=P.ATTACH_FILES)]
    assert perms(both, roles=(MODS, BOTS)) & P.ATTACH_FILES


def test_no_view_means_nothing_and_no_send_means_no_embeds() -> None:
    assert perms([Overwrite(GUILD, 0, deny=P.VIEW_CHANNEL)]) == NONE
    muted = perms([Overwrite(MEMBER, 1, deny=P.SEND_MESSAGES)])
    assert muted & P.VIEW_CHANNEL
    assert not muted & (P.EMBED_LINKS | P.ATTACH_FILES)


def test_administrator_and_owner_bypass_everything() -> None:
    assert perms([Overwrite(MEMBER, 1, deny=P.VIEW_CHANNEL)], role_perms=P.ADMINISTRATOR) == ALL
    owner = base_permissions(guild_id=GUILD, owner_id=OWNER, user_id=OWNER, role_permissions={}, member_roles=())
    assert owner == ALL


async def test_world_builder_gives_each_guild_its_own_bot_permissions() -> None:
    strict = GuildSpec(name="Strict", bot_permissions=P.VIEW_CHANNEL, everyone_permissions=P.VIEW_CHANNEL)
    async with StandIn([GuildSpec(), strict]) as standin, aiohttp.ClientSession() as http:
        open_channel = standin.guild("Film Club Test").channel_named("general")
        strict_channel = standin.guild("Strict").channel_named("general")
        assert standin.state.permissions(strict_channel, standin.bot.id) == P.VIEW_CHANNEL
        assert standin.state.permissions(open_channel, standin.bot.id) & P.SEND_MESSAGES
        headers = {"Authorization": f"Bot {standin.token}"}
        for channel, expected in ((open_channel, 200), (strict_channel, 403)):
            url = f"{standin.api_base}/channels/{channel.id}/messages"
            async with http.post(url, json={"content": "hi"}, headers=headers) as response:
                assert response.status == expected
        assert [m.channel_id for m in standin.state.messages.values()] == [open_channel.id]
