"""The project's Swedish spaCy pipeline (built, not downloaded)."""
