"""The JSON API of offers, bookings, seats, staffing, history and the programme: a router per
subject (`bookings` holds the catalogue, slots and bookings), without logic; the routers are
mounted by scheduling/api.py."""
