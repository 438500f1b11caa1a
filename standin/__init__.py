"""A local stand-in for the parts of Discord a bot uses, for tests and the offline console.

async with StandIn([GuildSpec(bot_permissions=...)]) as discord:
    discord.configure_discord_py()           # or set Route.BASE / DEFAULT_GATEWAY from config
    ...start the bot with discord.token...
    await discord.wait_ready()
    ix = await discord.driver("alice").slash("film score", film="Never Let Me Go")
    message = await ix.message()
"""

from standin.core import Upload
from standin.driver import Driver, DriverError, InteractionHandle, Response
from standin.permissions import Permission
from standin.server import StandIn
from standin.state import Message, State, TimedOut
from standin.world import DEMO, GuildSpec

__all__ = [
    "DEMO",
    "Driver",
    "DriverError",
    "GuildSpec",
    "InteractionHandle",
    "Message",
    "Permission",
    "Response",
    "StandIn",
    "State",
    "TimedOut",
    "Upload",
]
