"""Discord UI every feature shares: the bot as cogs see it, embeds within Discord's limits, private replies,
restart-safe buttons and pages, and the `film` option with its picker."""
