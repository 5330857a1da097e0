"""What plugs into the Rasa server: input channels, NLU components, Rasa patches
and retention. Everything here may import Rasa; nothing Rasa-free belongs here
(see ``conversation`` and ``safety``)."""
