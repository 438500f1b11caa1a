"""Reviews: members' ratings and texts of films, per server, and what a server thinks of a film."""
