"""The document seal: a PDF signature (CMS, SHA-256, ECDSA P-256) that makes any later change
to a sealed PDF visible, and the check that a PDF someone holds still carries it intact.

The key and its self-signed certificate come from `settings.SEAL_KEY_PATH` and
`settings.SEAL_CERT_PATH` (environment variables of the same names). When the files are not
there yet, the first process that needs them creates them: each file is written to a
temporary name and then hard-linked into place only if nothing is there, so two workers
starting at once end up with one key; the slower one reads the winner's files.

A seal proves the PDF is the one this installation sealed: verification trusts exactly our
own certificate and nothing else.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import io
import os
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

SEAL_COMMON_NAME = "Quotery document seal"
SEAL_FIELD = "QuoterySeal"
# A certificate that expires would make every older sealed PDF fail to verify.
CERT_LIFETIME = dt.timedelta(days=365 * 50)
# Room for the CMS signature (an ECDSA signature and one certificate take about 1.5 KB).
# Fixed, so pyHanko skips the trial signature it otherwise makes to measure it: half the
# sealing time.
SIGNATURE_SPACE = 8192


@dataclass(frozen=True)
class SealIdentity:
    """The seal key and certificate, as pyHanko reads them."""

    key: asn1_keys.PrivateKeyInfo
    certificate: asn1_x509.Certificate

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the certificate, so people can compare it out of band."""
        return str(self.certificate.sha256.hex())


@dataclass(frozen=True)
class SealReport:
    """Whether a PDF carries our intact seal, and in plain words why (not)."""

    ok: bool
    detail: str


_identities: dict[tuple[str, str], SealIdentity] = {}
_identities_lock = threading.Lock()


def seal_paths() -> tuple[Path, Path]:
    """Where the seal key and certificate live (settings SEAL_KEY_PATH, SEAL_CERT_PATH)."""
    return Path(settings.SEAL_KEY_PATH), Path(settings.SEAL_CERT_PATH)


def seal_identity(*, create: bool = True) -> SealIdentity:
    """The seal key and certificate, created on first use when `create` is true.

    Loaded once per process and per configured pair of paths.
    """
    key_path, cert_path = seal_paths()
    cache_key = (str(key_path), str(cert_path))
    with _identities_lock:
        identity = _identities.get(cache_key)
        if identity is None:
            identity = _load_identity(key_path, cert_path, create=create)
            _identities[cache_key] = identity
        return identity


def _load_identity(key_path: Path, cert_path: Path, *, create: bool) -> SealIdentity:
    if create and not key_path.exists():
        # The key is published before its certificate, so a certificate whose key is still
        # missing when looked for again after it was lost; one whose key has appeared since
        # was made by another worker starting at the same moment.
        if cert_path.exists() and not key_path.exists():
            raise ImproperlyConfigured(
                f"The seal certificate {cert_path} exists but its key {key_path} does not. "
                "Restore the key, or move both away to have a new seal made."
            )
        _publish_once(key_path, _new_key_pem(), mode=0o600)
    try:
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    except FileNotFoundError as error:
        raise ImproperlyConfigured(f"No seal key at {key_path} (SEAL_KEY_PATH).") from error
    except (ValueError, TypeError) as error:
        raise ImproperlyConfigured(
            f"The seal key at {key_path} is not an unencrypted PEM private key."
        ) from error
    if create and not cert_path.exists():
        _publish_once(cert_path, _new_certificate_pem(key), mode=0o644)
    try:
        certificate = x509.load_pem_x509_certificate(cert_path.read_bytes())
    except FileNotFoundError as error:
        raise ImproperlyConfigured(
            f"No seal certificate at {cert_path} (SEAL_CERT_PATH)."
        ) from error
    except ValueError as error:
        raise ImproperlyConfigured(
            f"The seal certificate at {cert_path} is not a PEM certificate."
        ) from error
    if _public_der(certificate.public_key()) != _public_der(key.public_key()):
        raise ImproperlyConfigured(
            f"The seal certificate {cert_path} does not belong to the key {key_path}."
        )
    return SealIdentity(
        key=asn1_keys.PrivateKeyInfo.load(
            key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        ),
        certificate=asn1_x509.Certificate.load(
            certificate.public_bytes(serialization.Encoding.DER)
        ),
    )


def _public_der(public_key: Any) -> bytes:
    return bytes(
        public_key.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )


def _new_key_pem() -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _new_certificate_pem(key: Any) -> bytes:
    """A self-signed certificate for the seal key, marked for signatures that commit to
    content (non-repudiation), which PDF validators expect of a signer."""
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, SEAL_COMMON_NAME),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Quotery"),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + CERT_LIFETIME)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM)


def _publish_once(path: Path, data: bytes, *, mode: int) -> None:
    """Puts `data` at `path` unless a file is already there, atomically: readers see either
    no file or a complete one, and of two concurrent writers the first link wins."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(handle, mode)
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        # If another process published first, its file is the one everybody uses.
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        os.unlink(temporary)


def _outside_event_loop[T](function: Callable[[], T]) -> T:
    """pyHanko's synchronous calls start their own event loop, which Python refuses inside a
    running one (an async caller, or a test driving a browser): run them in a thread then."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function).result()


def seal_pdf(pdf: bytes, *, reason: str) -> bytes:
    """`pdf` with our seal appended as an incremental update: a certifying PDF signature
    (no changes allowed afterwards) over every byte of the result except the signature
    itself. Not deterministic: the signature records the time of signing."""
    # pyHanko takes about a third of a second to import: only a process that seals or
    # checks a seal pays for it, not every process that starts (see verify_pdf_seal too).
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    identity = seal_identity()
    signer = signers.SimpleSigner(
        signing_cert=identity.certificate,
        signing_key=identity.key,
        cert_registry=SimpleCertificateStore.from_certs([identity.certificate]),
    )
    metadata = signers.PdfSignatureMetadata(
        field_name=SEAL_FIELD,
        md_algorithm="sha256",
        reason=reason,
        name=SEAL_COMMON_NAME,
        subfilter=fields.SigSeedSubFilter.PADES,
        certify=True,
        docmdp_permissions=fields.MDPPerm.NO_CHANGES,
    )

    def sign() -> bytes:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
        output = signers.PdfSigner(metadata, signer).sign_pdf(
            writer, bytes_reserved=SIGNATURE_SPACE
        )
        return bytes(output.getvalue())

    return _outside_event_loop(sign)


def verify_pdf_seal(pdf: bytes) -> SealReport:
    """Checks that `pdf` carries exactly one seal, made with our seal certificate, intact,
    and covering the whole file (nothing added after sealing). Never raises for a bad file:
    the report says what is wrong."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    try:
        identity = seal_identity(create=False)
    except ImproperlyConfigured as error:
        return SealReport(False, f"no seal certificate to check against: {error}")
    try:
        reader = PdfFileReader(io.BytesIO(pdf))
        signatures = reader.embedded_signatures
    except Exception:
        return SealReport(False, "the file is not a readable PDF")
    if not signatures:
        return SealReport(False, "the PDF carries no seal (it has no signature)")
    if len(signatures) > 1:
        return SealReport(
            False, f"the PDF carries {len(signatures)} signatures; a sealed PDF carries one"
        )
    signature = signatures[0]
    context = ValidationContext(trust_roots=[identity.certificate])
    try:
        status = _outside_event_loop(lambda: validate_pdf_signature(signature, context))
    except Exception as error:
        return SealReport(False, f"the seal could not be checked: {type(error).__name__}")
    if not status.intact:
        return SealReport(
            False, "the PDF was changed after sealing: its content no longer matches the seal"
        )
    if not status.valid:
        return SealReport(False, "the seal's signature is not valid for the sealed content")
    if signature.signer_cert.sha256 != identity.certificate.sha256 or not status.trusted:
        return SealReport(False, "the seal was not made with this installation's seal key")
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        return SealReport(
            False, "bytes were added after sealing: the seal does not cover the whole file"
        )
    signed_at = status.signer_reported_dt
    when = f" on {signed_at.astimezone(dt.UTC):%Y-%m-%d %H:%M:%S} UTC" if signed_at else ""
    return SealReport(True, f"sealed by {SEAL_COMMON_NAME}{when}, intact, covering the whole file")
