"""Domain services: the logic of each feature, with no knowledge of Discord. They take plain values."""
