"""Signing keys (签名密钥): the Ed25519 key pair that proves a bundle comes from the publisher.

The private key signs every bundle manifest on the publishing machine; the headend holds only the public key.
A private key is refused when other users could read it, and when it sits inside a folder that gets published
(the content, output or bundle folders), because then it would travel with the site it is meant to protect.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from sitegen.content.files import inside


class KeyProblem(Exception):
    """A key that is missing, unreadable, of the wrong kind, too widely readable, or in a published folder.

    The message is Chinese first, then an English line, ready for an operator."""


def public_path(private: Path) -> Path:
    return private.with_name(private.name + ".pub")


def generate(private: Path) -> Path:
    """Write a new key pair: `private` (mode 600) and `private`.pub. Never overwrites; returns the public path."""
    pub = public_path(private)
    for path in (private, pub):
        if path.exists():
            raise KeyProblem(f"密钥文件已存在，不会覆盖：{path}\nkey file exists, not overwritten: {path}")
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    private.parent.mkdir(parents=True, exist_ok=True)
    # O_EXCL with mode 600 from the first byte: the key is never readable by others, not even briefly.
    fd = os.open(private, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    pub.write_bytes(
        key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    return pub


def load_private(path: Path, published: tuple[Path, ...] = ()) -> Ed25519PrivateKey:
    """The signing key at `path`, after checking who can read it and where it lives."""
    for folder in published:
        if inside(folder, path):
            raise KeyProblem(
                f"私钥不能放在会被发布的文件夹 {folder} 里：{path}\n"
                f"the private key must live outside the published folder {folder}: {path}"
            )
    try:
        info = path.stat()
    except OSError as exc:
        raise KeyProblem(
            f"找不到私钥文件 {path}（可用 sitegen keys generate 生成）\n"
            f"cannot read the private key {path}: {exc.strerror}"
        ) from exc
    if not stat.S_ISREG(info.st_mode):
        raise KeyProblem(f"私钥不是普通文件：{path}\nthe private key is not a regular file: {path}")
    folder = path.absolute().parent
    where = folder.stat()
    if where.st_mode & 0o022 or where.st_uid not in (0, os.geteuid()):
        # whoever can write the folder can swap the key for one they hold, or a link to one
        raise KeyProblem(
            f"私钥所在的文件夹别人也能写（{folder}，权限 {stat.S_IMODE(where.st_mode):03o}），"
            f"请把私钥放进只有自己能写的文件夹（chmod 700）\n"
            f"the folder holding the private key is writable by others ({folder}, mode "
            f"{stat.S_IMODE(where.st_mode):03o}); keep the key in a folder only you can write (chmod 700)"
        )
    if info.st_mode & 0o077:
        raise KeyProblem(
            f"私钥文件其他用户也能访问（权限 {stat.S_IMODE(info.st_mode):03o}），请执行 chmod 600 {path}\n"
            f"the private key is accessible by group or others "
            f"(mode {stat.S_IMODE(info.st_mode):03o}); run chmod 600 {path}"
        )
    return _load_pem(
        path, lambda data: serialization.load_pem_private_key(data, password=None), Ed25519PrivateKey, "私钥", "private"
    )


def load_public(path: Path) -> Ed25519PublicKey:
    return _load_pem(path, serialization.load_pem_public_key, Ed25519PublicKey, "公钥", "public")


def _load_pem(path: Path, loader, kind: type, zh: str, en: str):
    """One PEM key file, which must hold an Ed25519 key of `kind`; any failure is a KeyProblem naming the file."""
    try:
        key = loader(path.read_bytes())
    except (ValueError, TypeError, UnsupportedAlgorithm, OSError) as exc:
        raise KeyProblem(f"{zh}文件无法读取：{path}\ncannot load the {en} key {path}: {exc}") from exc
    if not isinstance(key, kind):
        raise KeyProblem(f"{zh}不是 Ed25519 密钥：{path}\nthe {en} key is not an Ed25519 key: {path}")
    return key


def key_id(public: Ed25519PublicKey) -> str:
    """A short fingerprint, written into every manifest so a wrong-key rejection can name both keys."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]
