"""The verifier runs where only the standard library, cryptography, bagit and rfc3161-client are
installed: a fresh virtual environment with those three and Testament's own source, nothing else.

This is what a recipient who trusts nothing of ours but the key needs: `python -m
testament.packages.verifier PACKAGE --trust-key FILE` (docs/packages.md). Any import of the database
stack, the web framework or another dependency would fail here.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import testament
from testament.custody import cases, custody_log, ingest
from testament.custody.instance import Instance
from testament.packages.create import PackageRequest, create

ALLOWED = {
    "cryptography", "bagit", "rfc3161_client", "cffi", "_cffi_backend", "testament",
    "_openssl",  # cryptography's compiled binding
    "_distutils_hack",  # setuptools' import hook, in every virtual environment
    "__main__",  # the probe itself
}  # fmt: skip


def _environment(root: Path) -> Path:
    """A new virtual environment holding the three packages and a copy of Testament's source."""
    subprocess.run([sys.executable, "-m", "venv", str(root)], check=True)
    python = root / "bin" / "python"
    install = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*install, "cryptography", "bagit", "rfc3161-client"], check=True)
    source = root / "testament-source"
    shutil.copytree(
        Path(testament.__file__).parent,
        source / "testament",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    Path(site, "testament-source.pth").write_text(str(source) + "\n", encoding="utf-8")
    return python


def test_the_verifier_needs_nothing_but_its_three_libraries(
    instance: Instance, tmp_path: Path
) -> None:
    cases.create_case(instance, "Case A")
    evidence = tmp_path / "photo.jpg"
    evidence.write_bytes(b"\xff\xd8\xff\xe0" + os.urandom(2048))
    ingest.ingest(instance, [evidence], case_name="Case A")
    package = tmp_path / "package.zip"
    create(instance, PackageRequest("Case A", "icc-otp", "criminal-investigation", "ICC OTP",
                                    package, zipped=True))  # fmt: skip
    key = tmp_path / "log.key"
    key.write_text(custody_log.verifier_key(instance) + "\n", encoding="utf-8")
    python = _environment(tmp_path / "venv")
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path)}
    checked = subprocess.run(
        [str(python), "-m", "testament.packages.verifier", str(package), "--trust-key", str(key),
         "--json"],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert json.loads(checked.stdout)["verdict"] == "valid"
    probe = (
        "import sys, testament.packages.verifier as v; "
        "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    loaded = subprocess.run([str(python), "-c", probe], capture_output=True, text=True, env=env,
                            check=True).stdout.split()  # fmt: skip
    foreign = set(loaded) - set(sys.stdlib_module_names) - ALLOWED
    assert not foreign, f"the verifier imported {sorted(foreign)}"
    missing = subprocess.run([str(python), "-c", "import sqlalchemy"], capture_output=True, env=env,
                             check=False)  # fmt: skip
    assert missing.returncode != 0  # the environment is bare: Testament's own stack is not there
