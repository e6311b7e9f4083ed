"""The pages of offers, bookings, requests, seats, staffing and the programme: a module per
subject (`bookings` holds the catalogue and the booking pages), without logic."""
