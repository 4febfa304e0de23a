"""Accounts: workers, peers and agency admins; agencies and their join codes."""

from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from api.extensions import db
from api.lib import codes, passwords
from api.lib.clock import utcnow
from api.models import Agency, AgencyJoinCode, CalendarFeed, Partnership, User
from api.services import audit
from api.services.accounts import sessions

JOIN_CODE_LIFETIME = timedelta(days=30)


class AccountError(Exception):
    """A request about an account that cannot be met; `field` names the input at fault.

    `status` is 422 for a value that breaks a rule, 409 for a name already taken, 403 when
    the caller failed to prove who they are (a wrong current password).
    """

    def __init__(self, field: str, message: str, *, status: int = 422):
        super().__init__(message)
        self.field = field
        self.message = message
        self.status = status


def content_agency_id(user: User):
    """The agency whose content a person reads: their own, or for a peer (who joins through
    a worker, not an agency), that of their most recent partnership still going."""
    if user.agency_id is not None or user.role != "peer":
        return user.agency_id
    return db.session.scalar(
        select(Partnership.agency_id)
        .where(Partnership.peer_id == user.id, Partnership.status != "ended",
               Partnership.agency_id.is_not(None))
        .order_by(Partnership.created_at.desc()).limit(1))


def normalise_email(email: str) -> str:
    return email.strip().lower()


def normalise_username(username: str) -> str:
    return username.strip().lower()


def check_new_password(password: str, *personal: str | None) -> None:
    found = passwords.problems(password, personal=personal)
    if found:
        raise AccountError("password", found[0])


EMAIL_TAKEN = "An account with this email already exists."


def _email_free(email: str) -> None:
    if db.session.scalar(select(User.id).where(User.email == email)):
        raise AccountError("email", EMAIL_TAKEN, status=409)


def add_account(user: User, field: str, taken: str) -> None:
    """Add `user` now; two sign-ups racing for one email or username: the second is a 409
    (the unique index decides, on PostgreSQL too), never a 500."""
    db.session.add(user)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise AccountError(field, taken, status=409) from None


def register_worker(email: str, password: str, display_name: str,
                    agency_code: str | None = None) -> User:
    email = normalise_email(email)
    check_new_password(password, email.split("@")[0], display_name)
    # Hashed before the first statement: on SQLite, the write lock is taken there, and the
    # slow hash would hold up every other write.
    password_hash = passwords.hash_password(password)
    _email_free(email)
    join = _live_code(agency_code, "agency_code") if agency_code else None
    user = User(role="worker", email=email, display_name=display_name.strip(),
                password_hash=password_hash, agency_id=join.agency_id if join else None,
                agency_joined_at=utcnow() if join else None)
    add_account(user, "email", EMAIL_TAKEN)
    if join is not None:
        _count_use(join)
    audit.record(user, "account.register", object_type="user", object_id=user.id)
    db.session.flush()
    return user


def _live_code(code: str, field: str) -> AgencyJoinCode:
    """The join code this text is, while it lets people in: the same refusal for unknown,
    expired and revoked, so a guess learns nothing."""
    join = db.session.scalar(select(AgencyJoinCode).where(
        AgencyJoinCode.code_hash == codes.code_hash(code), AgencyJoinCode.expires_at > utcnow(),
        AgencyJoinCode.revoked_at.is_(None)))
    if join is None:
        raise AccountError(field, "This agency code is not valid or has expired.")
    return join


def _count_use(join: AgencyJoinCode) -> None:
    # In SQL, so two workers joining at once both count.
    join.uses = AgencyJoinCode.uses + 1
    db.session.flush()


def join_agency(worker: User, code: str) -> User:
    """A worker who signed up without a code joins an agency with one.

    Their partnerships stay as they are: each keeps the agency it was made under (none), so
    nothing said before joining becomes part of the agency's insights. Partnerships made from
    now on belong to the agency. The same code again for the same agency changes nothing.
    """
    join = _live_code(code, "code")
    if worker.agency_id == join.agency_id:
        return worker
    if worker.agency_id is not None:
        raise AccountError("code", "You are already a member of another agency.", status=409)
    worker.agency_id = join.agency_id
    worker.agency_joined_at = utcnow()
    _count_use(join)
    audit.record(worker, "membership.join", object_type="agency", object_id=join.agency_id)
    db.session.flush()
    return worker


def create_agency(name: str, admin_email: str, admin_password: str,
                  admin_name: str = "Agency admin") -> tuple[Agency, User]:
    admin_email = normalise_email(admin_email)
    check_new_password(admin_password, admin_email.split("@")[0])
    _email_free(admin_email)
    agency = Agency(name=name.strip())
    admin = User(role="agency_admin", email=admin_email, display_name=admin_name,
                 password_hash=passwords.hash_password(admin_password), agency=agency)
    db.session.add_all([agency, admin])
    db.session.flush()
    audit.record(None, "agency.create", object_type="agency", object_id=agency.id)
    return agency, admin


def create_join_code(admin: User, label: str | None = None) -> tuple[str, AgencyJoinCode]:
    code = codes.new_code(groups=3)
    join = AgencyJoinCode(agency_id=admin.agency_id, code_hash=codes.code_hash(code),
                          created_by=admin.id, expires_at=utcnow() + JOIN_CODE_LIFETIME,
                          label=label.strip() if label else None)
    db.session.add(join)
    db.session.flush()
    audit.record(admin, "agency.join_code.create", object_type="agency",
                 object_id=admin.agency_id)
    return code, join


def update_profile(user: User, current_session, *, display_name: str | None = None,
                   password: str | None = None, current_password: str | None = None) -> User:
    if password is not None:
        if not current_password or not passwords.verify(user.password_hash, current_password):
            raise AccountError("current_password",
                               "To set a new password, send your current one as well.",
                               status=403)
        check_new_password(password, user.email, user.username, user.display_name)
        user.password_hash = passwords.hash_password(password)
        user.password_changed_at = utcnow()
        # Whoever else holds a token (a lost phone, say) is signed out, and whoever holds
        # one of the person's calendar links (they need no sign-in) is cut off too.
        sessions.revoke_all(user, keep=current_session)
        db.session.execute(delete(CalendarFeed).where(CalendarFeed.user_id == user.id))
    if display_name is not None:
        user.display_name = display_name.strip()
    audit.record(user, "account.update", object_type="user", object_id=user.id)
    db.session.flush()
    return user
