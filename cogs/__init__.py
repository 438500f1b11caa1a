"""Discord adapters, one extension per feature: parse the interaction, call a service, render the answer.

Every module here with a ``setup(bot)`` function is loaded at start-up.
"""
