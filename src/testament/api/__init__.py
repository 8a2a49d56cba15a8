"""The JSON API: the same service functions as the CLI, over HTTP, with one error envelope."""
