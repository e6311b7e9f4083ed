"""The project package and the scheduling engine (plain Python over plain data, no ORM)."""
