"""Film knowledge: the catalogue, title resolution, and the sources that fill it."""
