"""Watch parties: scheduled screenings of a film, RSVPs, reminders and their calendar export."""
