"""The web side of the bot: the embeddable chat widget (src/, built into dist/widget.js) and
a small server for the intranet page, the widget bundle and a demo of the embed.

The server needs no Rasa import: the browser talks to Rasa's Socket.IO channel directly.
"""
