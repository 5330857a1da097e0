"""rasa-sdk custom actions: thin wrappers that read slots, call ``directory`` and reply by name."""
