"""Watch-party storage: parties, who is coming, their pending reminders, and members' and servers' time settings."""
