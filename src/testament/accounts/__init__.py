"""Accounts: users, passwords, per-case roles, second factors, browser sessions, API tokens, and which
cases a user may see (scope).

Owns the tables organisation, user_account, case_role, web_session, recovery_code and api_token. May use custody.
Its SQL is in ``queries.py``; what its use cases answer is declared in ``results.py``.
"""
