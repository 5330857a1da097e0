"""Rasa-free helpers shared by the action server and the channels.

Reading what people write (``language``: English or French; ``when``: "tonight",
"dimanche") and writing what they read (``listings``: a listing as words; ``sms``:
what a text costs in segments). The actions and the channels both import these, so
neither depends on the other.
"""
