"""Waypoint's Rasa input channels: hardened REST now, Telegram and SMS later."""
