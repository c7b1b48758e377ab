"""Runtime around Rasa: domain, endpoints, channels, the Swedish spaCy pipeline and commands."""
