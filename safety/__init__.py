"""The safety net, Rasa-free: it must answer a crisis even when Rasa, the action
server and the database are all down.

- ``crisis``: detect an overdose, suicide or other emergency in a message;
- ``replies``: the emergency and help-line replies, built from ``data/hotlines.yaml``;
- ``fallback``: the reply when nothing else answers (2-1-1, 911, 9-8-8).
"""
