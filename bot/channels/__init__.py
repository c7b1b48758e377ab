"""Input channels: they move messages, check their senders and limit what comes in."""
