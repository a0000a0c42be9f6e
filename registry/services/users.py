"""Accounts: creation with argon2id-hashed passwords, and loading for Flask-Login."""
from __future__ import annotations

import re
import secrets

from argon2 import PasswordHasher
from flask_login import UserMixin
from sqlmodel import Session, select

from ..errors import Conflict, Invalid
from ..models import ROLES, User

# argon2id with at least 19 MiB and 2 passes (OWASP's floor for argon2id).
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,38}[a-z0-9]$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 10


class LoginUser(UserMixin):
    """What Flask-Login keeps for the signed-in person: never the ORM row."""

    def __init__(self, user_id: int, name: str, role: str):
        self.id, self.name, self.role = user_id, name, role

    def get_id(self) -> str:
        return str(self.id)


def generate_password() -> str:
    """Return a random password suitable to print once."""
    return secrets.token_urlsafe(12)


def create_user(session: Session, *, name: str, email: str, password: str, role: str = "user",
                display_name: str | None = None, preferred_language: str | None = None) -> User:
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
    if session.exec(select(User).where(User.name == name)).first():
        raise Conflict(f"the name {name!r} is taken", details={"field": "name"})
    if session.exec(select(User).where(User.email == email)).first():
        raise Conflict("an account with that e-mail address exists", details={"field": "email"})
    user = User(name=name, email=email, password_hash=_hasher.hash(password), role=role,
                display_name=display_name, preferred_language=preferred_language)
    session.add(user)
    session.flush()
    return user


def user_exists(session: Session, *, name: str) -> bool:
    """Tell whether an account with this name exists."""
    return session.exec(select(User.id).where(User.name == name.lower())).first() is not None


def verify_password(user: User, password: str) -> bool:
    """Check a password against the stored argon2id hash."""
    try:
        return _hasher.verify(user.password_hash, password)
    except Exception:  # argon2 raises VerifyMismatchError, InvalidHashError…
        return False


def load_login_user(user_id: str) -> LoginUser | None:
    """Load the signed-in user for Flask-Login."""
    from ..db import read_session

    try:
        user = read_session().get(User, int(user_id))
    except ValueError:
        return None
    return LoginUser(user.id, user.name, user.role) if user else None
