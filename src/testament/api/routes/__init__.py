"""One module per group of services; each route calls one service function."""
