"""The safety net, Rasa-free: it must answer a crisis even when Rasa, the action
server and the database are all down.

- ``crisis``: detect an overdose, suicide or other emergency in a message;
- ``replies``: the emergency and help-line replies, the catalogue's words
  (``words/safety.yml``) numbered from ``data/hotlines.yaml``;
- ``fallback``: the reply when nothing else answers (2-1-1, 911, 9-8-8).
"""
