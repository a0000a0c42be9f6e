"""Accounts: creation with argon2id-hashed passwords, and loading for Flask-Login."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from flask_login import UserMixin
from sqlmodel import Session, col, select

from harvesters.language import normalize_tag

from ..errors import Conflict, Invalid, NotFound
from ..models import ROLES, PasswordReset, User, utcnow
from ..schemas import MePublic
from . import Actor

# argon2id with at least 19 MiB and 2 passes (OWASP's floor for argon2id).
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,38}[a-z0-9]$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 10


RESET_VALID = timedelta(hours=2)


class LoginUser(UserMixin):
    """What Flask-Login keeps for the signed-in person: never the ORM row."""

    def __init__(
        self,
        user_id: int,
        name: str,
        role: str,
        display_name: str | None = None,
        preferred_language: str | None = None,
        *,
        session_key: str = "",
    ):
        self.id, self.name, self.role = user_id, name, role
        self.display_name = display_name or name
        self.preferred_language = preferred_language
        self.session_key = session_key

    def get_id(self) -> str:
        # What the session (and a remember-me cookie) stores: the id and a key that changes
        # with the password, so a new password ends every session signed in with the old one.
        return f"{self.id}:{self.session_key}"

    def actor(self) -> Actor:
        return Actor(name=self.name, role=self.role, user_id=self.id)


def generate_password() -> str:
    """Return a random password suitable to print once."""
    return secrets.token_urlsafe(12)


def create_user(
    session: Session,
    *,
    name: str,
    email: str,
    password: str,
    role: str = "user",
    display_name: str | None = None,
    preferred_language: str | None = None,
) -> User:
    """Create an account; refuse bad names, e-mails, weak passwords and duplicates with a clear reason."""
    name = name.strip().lower()
    email = email.strip()
    errors = {}
    if not _NAME.match(name):
        errors["name"] = "3–40 characters: lower-case letters, digits, '.', '_' or '-'"
    if not _EMAIL.match(email):
        errors["email"] = "not an e-mail address"
    if len(password) < MIN_PASSWORD:
        errors["password"] = f"at least {MIN_PASSWORD} characters"
    if role not in ROLES:
        errors["role"] = f"one of {', '.join(ROLES)}"
    if errors:
        raise Invalid("; ".join(f"{k}: {v}" for k, v in errors.items()), details={"fields": errors})
    if session.exec(select(User).where(col(User.name) == name)).first():
        raise Conflict(f"the name {name!r} is taken", details={"field": "name"})
    if session.exec(select(User).where(col(User.email) == email)).first():
        raise Conflict("an account with that e-mail address exists", details={"field": "email"})
    user = User(
        name=name,
        email=email,
        password_hash=_hasher.hash(password),
        role=role,
        display_name=display_name,
        preferred_language=preferred_language,
    )
    session.add(user)
    session.flush()
    return user


def user_exists(session: Session, *, name: str) -> bool:
    """Tell whether an account with this name exists."""
    return session.exec(select(User.id).where(col(User.name) == name.lower())).first() is not None


def verify_password(user: User, password: str) -> bool:
    """Check a password against the stored argon2id hash."""
    try:
        return _hasher.verify(user.password_hash, password)
    except Exception:  # argon2 raises VerifyMismatchError, InvalidHashError…
        return False


def session_key(user: User) -> str:
    """Return the key a session of this account carries: it changes whenever the password does.

    A keyed hash of the password hash: the session cookie can be read by its holder, and it
    must say nothing about the password hash. (A rehash with new hashing parameters on sign-in
    also changes it, ending other sessions once.)
    """
    from flask import current_app

    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, user.password_hash.encode(), hashlib.sha256).hexdigest()[:32]


def login_user_for(user: User) -> LoginUser:
    """Return what Flask-Login keeps for this account."""
    assert user.id is not None  # a stored account
    return LoginUser(
        user.id, user.name, user.role, user.display_name, user.preferred_language, session_key=session_key(user)
    )


def load_login_user(user_id: str) -> LoginUser | None:
    """Load the signed-in user for Flask-Login; a session from before a password change is refused."""
    from ..db import read_session

    number, _, key = user_id.partition(":")
    try:
        user = read_session().get(User, int(number))
    except ValueError:
        return None
    if user is None or user.deleted_at is not None or not hmac.compare_digest(key, session_key(user)):
        return None
    return login_user_for(user)


def authenticate(session: Session, *, name: str, password: str) -> LoginUser | None:
    """Check a name (or e-mail) and password; rehash when the hashing parameters changed."""
    key = name.strip().lower()
    user = session.exec(
        select(User).where((col(User.name) == key) | (col(User.email) == name.strip()), col(User.deleted_at).is_(None))
    ).first()
    if user is None:
        _hasher.hash(password)  # spend the same time as a real check, so names cannot be probed
        return None
    if not verify_password(user, password):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
        session.add(user)
    return login_user_for(user)


def get_me(session: Session, *, actor: Actor) -> MePublic:
    """Return the acting person's own account as the API shows it."""
    user = session.get(User, actor.user_id)
    if user is None or user.deleted_at is not None:
        raise NotFound("No such account.")
    return MePublic(
        name=user.name,
        display_name=user.display_name,
        role=user.role,
        preferred_language=user.preferred_language,
        token_scope=actor.scope,
    )


def update_profile(session: Session, *, actor: Actor, display_name: str | None, preferred_language: str | None) -> User:
    """Change the display name and preferred language."""
    user = session.get(User, actor.user_id)
    if user is None or user.deleted_at is not None:
        raise NotFound("No such account.")
    display_name = (display_name or "").strip()
    if len(display_name) > 100:
        raise Invalid("display name: at most 100 characters", details={"fields": {"display_name": "too long"}})
    lang = normalize_tag(preferred_language) if preferred_language else None
    if preferred_language and lang is None:
        raise Invalid("preferred language: not a language tag", details={"fields": {"preferred_language": "invalid"}})
    user.display_name, user.preferred_language = display_name or None, lang
    session.add(user)
    return user


def delete_account(session: Session, *, actor: Actor, password: str) -> None:
    """Delete an account: personal data goes, the row stays as a tombstone so contributions keep an author."""
    user = session.get(User, actor.user_id)
    if user is None or user.deleted_at is not None or not verify_password(user, password):
        raise Invalid("The password is not right.", details={"fields": {"password": "wrong"}})
    user.email = f"deleted-{user.id}@invalid"
    user.display_name = None
    user.preferred_language = None
    user.password_hash = "!"
    user.deleted_at = utcnow()
    session.add(user)
    from .tokens import revoke_all_tokens

    assert user.id is not None  # a stored account
    revoke_all_tokens(session, user_id=user.id)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_password_reset(session: Session, *, email: str) -> tuple[str, str] | None:
    """Make a one-time reset token for the account with this e-mail; return (address, token) or None."""
    user = session.exec(select(User).where(col(User.email) == email.strip(), col(User.deleted_at).is_(None))).first()
    if user is None:
        return None
    token = secrets.token_urlsafe(32)
    assert user.id is not None  # read from the database, so it has its id
    session.add(PasswordReset(user_id=user.id, token_hash=_digest(token), expires_at=utcnow() + RESET_VALID))
    return user.email, token


def finish_password_reset(session: Session, *, token: str, password: str) -> None:
    """Set a new password with a reset token; each token works once and expires."""
    reset = session.exec(select(PasswordReset).where(col(PasswordReset.token_hash) == _digest(token))).first()
    if reset is None or reset.used_at is not None or reset.expires_at <= utcnow():
        raise Invalid(
            "This reset link is not valid any more; ask for a new one.", details={"fields": {"token": "expired"}}
        )
    if len(password) < MIN_PASSWORD:
        raise Invalid(f"password: at least {MIN_PASSWORD} characters", details={"fields": {"password": "too short"}})
    user = session.get(User, reset.user_id)
    assert user is not None  # the reset row's user_id is a foreign key to it
    user.password_hash = _hasher.hash(password)
    reset.used_at = utcnow()
    session.add_all([user, reset])
