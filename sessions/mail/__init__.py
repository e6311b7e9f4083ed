"""What panels and webinars both write with, below both: the outbox (`outbox`, sent by
sessions/services/mail.py), the letter layout (`letters`) and this site's public address
(`links`)."""
