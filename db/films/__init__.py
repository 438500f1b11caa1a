"""Film catalogue storage: source records, the keys titles are found by, the repository, bulk writes."""
