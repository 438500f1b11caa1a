"""What each member last asked about, per channel or thread, so that "and who composed it?" has a film.

Kept in this process only, bounded in size and age: after a restart (or on another bot process) a follow-up
names its film again. A channel's messages reach one process (the shard that owns its server), so members
asking in one channel meet the same memory.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime, timedelta

from services.clock import Clock

ENTRIES = 10_000
KEPT_FOR = timedelta(hours=2)


class FollowUps:
    """The film of each member's previous question in a channel or thread: the newest ENTRIES, for KEPT_FOR."""

    def __init__(self, clock: Clock, *, entries: int = ENTRIES, kept_for: timedelta = KEPT_FOR) -> None:
        self.clock = clock
        self.entries = entries
        self.kept_for = kept_for
        self._films: OrderedDict[tuple[int, int], tuple[int, datetime]] = OrderedDict()

    def remember(self, channel_id: int, member_id: int, film_id: int) -> None:
        key = (channel_id, member_id)
        self._films[key] = (film_id, self.clock.now())
        self._films.move_to_end(key)
        while len(self._films) > self.entries:
            self._films.popitem(last=False)

    def recall(self, channel_id: int, member_id: int) -> int | None:
        """The film the member last asked about here, if not too long ago."""
        found = self._films.get((channel_id, member_id))
        if found is None:
            return None
        film_id, at = found
        if self.clock.now() - at > self.kept_for:
            del self._films[(channel_id, member_id)]
            return None
        return film_id
