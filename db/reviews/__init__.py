"""Review storage: members' current reviews, their earlier versions (the diary) and unsent drafts, per server."""
