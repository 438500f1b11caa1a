"""Questions in members' own words: understanding them and answering from the catalogue and the reviews."""
