"""RFC 3161 trusted timestamps over a signed checkpoint (evidence packages: docs/packages.md, TSP-01…05).

The builder asks a Time-Stamp Authority for a token over the exact bytes of the signed checkpoint
(:func:`request_stamp`): SHA-256, a random nonce and ``certReq`` true, posted as
``application/timestamp-query``. The reply is verified before it is kept (:func:`check`), and the
package then holds the DER reply and the TSA's certificate chain, leaf first, root last.

The stand-alone verifier (step 6) calls :func:`check` again, on the package's files alone. So this
module imports only the standard library, ``cryptography`` (X.509 certificates) and ``rfc3161-client``,
which checks the CMS signature, the chain up to the root at the token's time, the signer's critical
``id-kp-timeStamping`` extended key usage, the nonce when given, and the message imprint.

Trust: the root is the last certificate of the chain file. A package's chain file travels with the
package, so a recipient who wants more than "some TSA signed this" compares the root's fingerprint,
which the verifier reports, with that of the TSA they trust.
"""

from __future__ import annotations

import hashlib
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime

import rfc3161_client as tsp
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding

QUERY_TYPE = "application/timestamp-query"
TIMEOUT_S = 10.0
MAX_REPLY = 1 << 20  # a TSA's reply is a few KiB; anything past 1 MiB is not one
_SHA256 = "2.16.840.1.101.3.4.2.1"


class TimestampError(Exception):
    """No usable token: why, in words (the TSA is unreachable, the reply does not verify…)."""


@dataclass(frozen=True)
class Checked:
    """A token that verified: when, by whom, and under which root."""

    gen_time: datetime
    tsa: str  # the signer certificate's subject, RFC 4514
    root: str  # the root's subject
    root_sha256: str  # the root certificate's SHA-256 fingerprint, hex


@dataclass(frozen=True)
class Stamp:
    """What a package keeps: the DER reply and the chain (PEM, leaf first, root last)."""

    response: bytes
    chain_pem: bytes
    checked: Checked


def load_chain(pem: bytes) -> list[x509.Certificate]:
    """The certificates of a PEM chain file, in order; at least one."""
    try:
        certificates = x509.load_pem_x509_certificates(pem)
    except ValueError:
        raise TimestampError("the TSA chain is not a file of PEM certificates") from None
    return certificates


def check(
    response: bytes, message: bytes, chain_pem: bytes, *, nonce: int | None = None
) -> Checked:
    """Verify the DER reply ``response`` as a token over SHA-256 of ``message``, under the chain
    ``chain_pem`` (root last); ``nonce``: the request's, when the reply answers one just sent."""
    try:
        decoded = tsp.decode_timestamp_response(response)
    except ValueError:
        raise TimestampError("it is not an RFC 3161 time-stamp response") from None
    if decoded.status != tsp.PKIStatus.GRANTED:
        raise TimestampError(f"the TSA refused the request (status {decoded.status})")
    imprint = decoded.tst_info.message_imprint
    if imprint.hash_algorithm != x509.ObjectIdentifier(_SHA256):
        raise TimestampError("the token's message imprint is not a SHA-256 digest")
    digest = hashlib.sha256(message).digest()
    if imprint.message != digest:
        raise TimestampError("the token is for other bytes than the checkpoint's")
    chain = load_chain(chain_pem)
    builder = tsp.VerifierBuilder().add_root_certificate(chain[-1])
    for certificate in chain[1:-1]:
        builder = builder.add_intermediate_certificate(certificate)
    if nonce is not None:
        builder = builder.nonce(nonce)
    try:
        builder.build().verify(decoded, digest)
    except tsp.VerificationError as exc:
        raise TimestampError(f"the token does not verify against the TSA chain: {exc}") from None
    root = chain[-1]
    return Checked(
        gen_time=decoded.tst_info.gen_time,
        tsa=_signer(decoded, chain).subject.rfc4514_string(),
        root=root.subject.rfc4514_string(),
        root_sha256=root.fingerprint(hashes.SHA256()).hex(),
    )


def _signer(decoded: tsp.TimeStampResponse, chain: list[x509.Certificate]) -> x509.Certificate:
    """The certificate that signed the token: the one its SignerInfo names."""
    infos = list(decoded.signed_data.signer_infos)
    embedded = [x509.load_der_x509_certificate(der) for der in decoded.signed_data.certificates]
    for certificate in [*embedded, *chain]:
        if infos and (certificate.issuer, certificate.serial_number) == (
            infos[0].issuer,
            infos[0].serial_number,
        ):
            return certificate
    return chain[0]


def request_stamp(url: str, message: bytes, chain_pem: bytes) -> Stamp:
    """Ask the TSA at ``url`` for a token over ``message``; verify it; raise :class:`TimestampError`
    (never anything else for a TSA's fault) when there is no usable token."""
    chain = load_chain(chain_pem)
    query = (
        tsp.TimestampRequestBuilder()
        .data(message)
        .hash_algorithm(tsp.HashAlgorithm.SHA256)
        .nonce(nonce=True)
        .cert_request(cert_request=True)
        .build()
    )
    body = _post(url, query.as_bytes())
    try:
        checked = check(body, message, chain_pem, nonce=query.nonce)
    except TimestampError as exc:
        raise TimestampError(f"the TSA's reply was not kept: {exc}") from None
    decoded = tsp.decode_timestamp_response(body)
    signer = _signer(decoded, chain)
    kept = chain if chain[0] == signer else [signer, *chain]
    pem = b"".join(certificate.public_bytes(Encoding.PEM) for certificate in kept)
    return Stamp(response=body, chain_pem=pem, checked=checked)


def _post(url: str, query: bytes) -> bytes:
    if not url.startswith(("http://", "https://")):
        raise TimestampError("the TSA URL is not an http:// or https:// URL")
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        url, data=query, method="POST", headers={"Content-Type": QUERY_TYPE}
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as reply:  # noqa: S310 - as above
            body: bytes = reply.read(MAX_REPLY + 1)
    except urllib.error.HTTPError as exc:
        raise TimestampError(f"the TSA answered HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise TimestampError(f"the TSA could not be reached ({reason})") from None
    if len(body) > MAX_REPLY:
        raise TimestampError("the TSA's reply is too large to be a time-stamp response")
    return body
