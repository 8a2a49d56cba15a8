"""The legal taxonomy and controlled vocabularies, kept as reviewed YAML data that a lawyer can read."""
