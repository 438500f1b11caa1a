"""A local stand-in for the parts of Discord a bot uses, for tests and the offline console."""
