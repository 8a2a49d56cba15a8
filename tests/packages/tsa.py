"""A real RFC 3161 Time-Stamp Authority on a loopback port: certificates made with ``cryptography``,
each request answered by ``openssl ts -reply``, served over HTTP from a thread.

The reply embeds the signer's certificate alone (Testament completes the chain from its ``tsa_chain``
file): OpenSSL writes a token's certificates as an unsorted SET OF, which the strict DER parser of
``rfc3161-client`` refuses when there are two or more."""

from __future__ import annotations

import contextlib
import datetime
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

TSA_CONFIG = """\
[ tsa ]
default_tsa = tsa_config1

[ tsa_config1 ]
dir = {dir}
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/tsa.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


@dataclass(frozen=True)
class Tsa:
    url: str
    directory: Path

    @property
    def chain(self) -> Path:
        """The TSA's chain as Testament is configured with it: leaf first, root last."""
        return self.directory / "chain.pem"

    @property
    def root(self) -> Path:
        return self.directory / "root.pem"


def _name(common: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Test TSA"),
            x509.NameAttribute(NameOID.COMMON_NAME, common),
        ]
    )


def _certificate(
    subject: str, key: ec.EllipticCurvePrivateKey, issuer: tuple[str, ec.EllipticCurvePrivateKey]
) -> x509.CertificateBuilder:
    now = datetime.datetime.now(datetime.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer[0]))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
    )


def make_authority(directory: Path) -> None:
    """A root CA and a TSA certificate (extendedKeyUsage critical timeStamping) in ``directory``."""
    root_key = ec.generate_private_key(ec.SECP256R1())
    tsa_key = ec.generate_private_key(ec.SECP256R1())
    root = (
        _certificate("Test Root CA", root_key, ("Test Root CA", root_key))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .sign(root_key, hashes.SHA256())
    )
    tsa = (
        _certificate("Test Time-Stamp Authority", tsa_key, ("Test Root CA", root_key))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, False, False, False, False, False, False, False, False),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(root_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    (directory / "root.pem").write_bytes(root.public_bytes(pem))
    (directory / "tsa.pem").write_bytes(tsa.public_bytes(pem))
    (directory / "chain.pem").write_bytes(tsa.public_bytes(pem) + root.public_bytes(pem))
    (directory / "tsa.key").write_bytes(
        tsa_key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    (directory / "serial").write_text("01\n")
    (directory / "tsa.cnf").write_text(TSA_CONFIG.format(dir=directory))


def reply(directory: Path, query: bytes) -> bytes:
    """``openssl ts -reply`` to a DER query: the DER TimeStampResp."""
    with tempfile.TemporaryDirectory(dir=directory) as work:
        query_file, reply_file = Path(work) / "query.tsq", Path(work) / "reply.tsr"
        query_file.write_bytes(query)
        subprocess.run(
            ["openssl", "ts", "-reply", "-config", str(directory / "tsa.cnf"),
             "-queryfile", str(query_file), "-inkey", str(directory / "tsa.key"),
             "-signer", str(directory / "tsa.pem"),
             "-out", str(reply_file)],
            check=True, capture_output=True,
        )  # fmt: skip
        return reply_file.read_bytes()


@contextlib.contextmanager
def served(directory: Path) -> Iterator[Tsa]:
    """A TSA answering ``POST /`` with ``application/timestamp-query`` bodies, until the block ends."""
    make_authority(directory)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            query = self.rfile.read(int(self.headers["Content-Length"]))
            if self.headers["Content-Type"] != "application/timestamp-query":
                self.send_error(415)
                return
            body = reply(directory, query)
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Tsa(f"http://127.0.0.1:{server.server_address[1]}/", directory)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=20)
