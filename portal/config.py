"""Settings, read from the environment.

APP_ENV chooses the profile: ``production`` (the default, refuses to start without a real
SECRET_KEY), ``development`` (``make run``: a random key kept in instance/) or ``testing``.
"""
import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = Path(os.environ.get("INSTANCE_PATH", ROOT / "instance"))


def _flag(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def _dev_secret() -> str:
    """A development key that survives restarts, so `make run` keeps people signed in."""
    path = INSTANCE / "dev-secret-key"
    if not path.exists():
        INSTANCE.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
    return path.read_text().strip()


class Config:
    APP_ENV = os.environ.get("APP_ENV", "production")
    SECRET_KEY = os.environ.get("SECRET_KEY", "")
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE / 'dudao.sqlite3'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SQLITE_BUSY_TIMEOUT_MS = int(os.environ.get("SQLITE_BUSY_TIMEOUT_MS", "15000"))
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER", str(INSTANCE / "uploads"))
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_UPLOAD_MB", "25")) * 1024 * 1024
    BACKUP_FOLDER = os.environ.get("BACKUP_FOLDER", str(INSTANCE / "backups"))

    # Tablets roam between access points mid-inspection: "strong" would sign them out.
    SESSION_PROTECTION = "basic"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _flag("SECURE_COOKIES")
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = _flag("SECURE_COOKIES")
    # 保持登录 on a device: two weeks, not Flask-Login's 365 days; signing out ends it everywhere.
    REMEMBER_COOKIE_DURATION = int(os.environ.get("REMEMBER_DAYS", "14")) * 24 * 3600
    PERMANENT_SESSION_LIFETIME = int(os.environ.get("SESSION_HOURS", "12")) * 3600
    # A two-hour inspection must not lose its token; the token is bound to the session.
    WTF_CSRF_TIME_LIMIT = None
    WTF_CSRF_SSL_STRICT = _flag("SECURE_COOKIES")

    # Number of proxies in front of the app (nginx: 1); 0 trusts no X-Forwarded-* header.
    PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))

    # argon2id, OWASP 2024 minimum: m=19 MiB, t=2, p=1; we use m=64 MiB, t=3 (RFC 9106 second choice).
    ARGON2_TIME_COST = int(os.environ.get("ARGON2_TIME_COST", "3"))
    ARGON2_MEMORY_KIB = int(os.environ.get("ARGON2_MEMORY_KIB", str(64 * 1024)))

    # Sign-in throttling (auth/throttle.py): failures that cost nothing, then a delay doubling from 1 s up to
    # LOGIN_MAX_DELAY_SECONDS; nothing is locked. A school's staff share one address behind its NAT.
    LOGIN_FREE_FAILURES_PER_ACCOUNT = int(os.environ.get("LOGIN_FREE_FAILURES_PER_ACCOUNT", "5"))
    LOGIN_FREE_FAILURES_PER_ADDRESS = int(os.environ.get("LOGIN_FREE_FAILURES_PER_ADDRESS", "20"))
    LOGIN_MAX_DELAY_SECONDS = int(os.environ.get("LOGIN_MAX_DELAY_SECONDS", "60"))
    LOGIN_FAILURE_WINDOW_MINUTES = int(os.environ.get("LOGIN_FAILURE_WINDOW_MINUTES", "60"))

    # Admin and leader accounts must enrol a second factor (TOTP) before their first sign-in completes.
    # Default: on in production, off in development (the demo accounts sign in without a phone) and tests.
    TWO_FACTOR_REQUIRED = None  # for_env() reads it: its default depends on APP_ENV
    TWO_FACTOR_ISSUER = os.environ.get("TWO_FACTOR_ISSUER", "督导平台")

    TIMEZONE = os.environ.get("TIMEZONE", "Asia/Shanghai")

    # The office's letterhead (公文, portal/pdf): 发文机关, its 发文机关标志 (文件格式), the prefix of its
    # document numbers (X教督〔2026〕3号), and the usual 主送 and 抄送 of a circular.
    DOC_ISSUER = os.environ.get("DOC_ISSUER", "XX县人民政府教育督导室")
    DOC_MARK = os.environ.get("DOC_MARK", DOC_ISSUER + "文件")
    DOC_NUMBER_PREFIX = os.environ.get("DOC_NUMBER_PREFIX", "X教督")
    DOC_ADDRESSEE = os.environ.get("DOC_ADDRESSEE", "各中小学、幼儿园")
    DOC_CC = os.environ.get("DOC_CC", "县教育局")
    # The office's licensed faces (方正小标宋简体, 仿宋_GB2312, 黑体, 楷体_GB2312 as .ttf/.otf files): used
    # first when there; otherwise the free faces `make` installs (portal/pdf/fonts.py).
    DOC_FONT_DIR = os.environ.get("DOC_FONT_DIR", str(INSTANCE / "fonts"))
    # 督办 (portal/accountability/escalation.py, run daily by `flask duban run`): an item this many days
    # overdue gets a 督办通知 (numbered with its own prefix) giving the school this many more days; this
    # many days overdue it is put before the leaders on their home page. A school with this many
    # 督办通知 in one school year is a 问责 candidate.
    DUBAN_NOTICE_DAYS = int(os.environ.get("DUBAN_NOTICE_DAYS", "7"))
    DUBAN_LEADER_DAYS = int(os.environ.get("DUBAN_LEADER_DAYS", "30"))
    DUBAN_NEW_DEADLINE_DAYS = int(os.environ.get("DUBAN_NEW_DEADLINE_DAYS", "15"))
    DUBAN_NUMBER_PREFIX = os.environ.get("DUBAN_NUMBER_PREFIX", "X教督办")
    DUBAN_CANDIDATE_ORDERS = int(os.environ.get("DUBAN_CANDIDATE_ORDERS", "2"))
    # 挂牌督导 (portal/visits): the office's 监督电话 printed on every school's sign, and how many visits
    # a 责任督学 owes each of their schools a semester (about monthly: due again after the semester's
    # length divided by it).
    SUPERVISION_PHONE = os.environ.get("SUPERVISION_PHONE", "")
    VISITS_PER_SEMESTER = int(os.environ.get("VISITS_PER_SEMESTER", "4"))
    # Background jobs (portal/jobs.py: the 公文 batches): "worker" keeps the queue in the database for
    # `flask jobs work`, a process of its own (`make run` starts one); "rq" puts it on Redis, for
    # workers on other machines.
    JOBS = os.environ.get("JOBS", "worker")
    REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    JOB_QUEUE = os.environ.get("JOB_QUEUE", "dudao-jobs")
    # A queued or running job that has not moved for this long has stopped (its worker restarted).
    JOB_STALE_SECONDS = int(os.environ.get("JOB_STALE_SECONDS", "300"))
    # Photos lose their EXIF on the tablet and on the server, the camera's location with it, unless the
    # office keeps locations: then the position is written back into the stored photo.
    PHOTO_KEEP_LOCATION = _flag("PHOTO_KEEP_LOCATION")
    # 学校自查 beside the inspector's answers: an item is marked when the two differ by more than this share of
    # its maximum (0.2: 2 of 10 points), or give a different rating, or one of them finds it not applicable.
    SELF_CHECK_MARGIN = float(os.environ.get("SELF_CHECK_MARGIN", "0.2"))
    # Rankings (supervision/ranking.py) compare schools of one category: "类别=学校类型,学校类型;…", in
    # the order the tables show them; kinds no category names rank under 其他. Empty: the default below.
    RANKING_CATEGORIES = (os.environ.get("RANKING_CATEGORIES", "")
                          or "幼儿园=幼儿园;小学=小学,教学点;初中=初中;九年一贯制=九年一贯制;高中=高中,完全中学")
    PER_PAGE = 50
    TEMPLATES_STRICT = False  # StrictUndefined in development and tests

    @classmethod
    def for_env(cls, overrides: dict | None = None) -> dict:
        settings = {k: getattr(cls, k) for k in dir(cls) if k.isupper()}
        settings.update(overrides or {})
        env = settings["APP_ENV"]
        if settings["TWO_FACTOR_REQUIRED"] is None:
            settings["TWO_FACTOR_REQUIRED"] = _flag("TWO_FACTOR_REQUIRED", env == "production")
        if env in {"development", "testing"}:
            settings["TEMPLATES_STRICT"] = True
            settings["SECRET_KEY"] = settings["SECRET_KEY"] or _dev_secret()
        if env == "testing":
            # Jobs stay queued in the database until a test runs them, whatever the machine's JOBS says.
            settings.update(TESTING=True, ARGON2_TIME_COST=1, ARGON2_MEMORY_KIB=8, JOBS="worker")
            settings.update(overrides or {})
        return settings


def check(config) -> None:
    """Refuse to start on settings that would be unsafe in production."""
    if config["APP_ENV"] not in {"production", "development", "testing"}:
        raise RuntimeError(f"APP_ENV 必须是 production/development/testing，而不是 {config['APP_ENV']!r}")
    if config["JOBS"] not in {"worker", "rq"}:
        raise RuntimeError(f"JOBS 必须是 worker 或 rq，而不是 {config['JOBS']!r}")
    if not 0 < config["DUBAN_NOTICE_DAYS"] < config["DUBAN_LEADER_DAYS"]:
        raise RuntimeError("DUBAN_NOTICE_DAYS 必须大于 0 且小于 DUBAN_LEADER_DAYS（先发督办通知，再报领导）")
    if config["DUBAN_NEW_DEADLINE_DAYS"] < 1 or config["DUBAN_CANDIDATE_ORDERS"] < 1:
        raise RuntimeError("DUBAN_NEW_DEADLINE_DAYS 和 DUBAN_CANDIDATE_ORDERS 必须至少为 1")
    if not 1 <= config["VISITS_PER_SEMESTER"] <= 30:
        raise RuntimeError(f"VISITS_PER_SEMESTER 必须在 1 到 30 之间，而不是 {config['VISITS_PER_SEMESTER']!r}")
    from .supervision.ranking import Grouping
    try:
        Grouping(config["RANKING_CATEGORIES"])
    except ValueError as problem:
        raise RuntimeError(f"RANKING_CATEGORIES：{problem}") from None
    key = config.get("SECRET_KEY") or ""
    if config["APP_ENV"] == "production" and (len(key) < 32 or key in {"dev", "changeme", "secret"}):
        raise RuntimeError(
            "SECRET_KEY 未设置或太短：生产环境请设置至少 32 个字符的随机 SECRET_KEY"
            "（例如 python -c 'import secrets; print(secrets.token_hex(32))'）。"
        )
