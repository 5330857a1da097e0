"""Custom Rasa NLU components: directory-aware entities and the crisis safety net."""
