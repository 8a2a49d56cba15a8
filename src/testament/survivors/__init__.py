"""Survivors: the identity vault, consent for each use, interviews and testimonies, the re-interview
registry, support needs and referrals, training attestations, and erasure.

Owns the tables person_key, person_identity, consent_grant, consent_use, consent_withdrawal,
risk_assessment, testimony, testimony_fact, registry_request, support_service, support_need,
referral, training_attestation and erasure. May use custody and accounts; never
documentation (no documentation code reads a survivor's identity or words).
"""
