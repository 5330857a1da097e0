"""Waypoint's resource directory: what can I get, where, and is it open now?

The long-lived core shared by every front end (the Rasa assistant, the CLI,
outside scripts). It never imports Rasa, and its functions take a SQLAlchemy
``Session`` that the caller owns.
"""
