"""Security headers on every response, and `cms security-check`: the installation's settings
read the way an assessor (等保 2.0 level 3) would, like Django's `check --deploy`."""
from __future__ import annotations

import stat
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, request
from flask_login import current_user

# No page has inline script or inline style: scripts and styles come from this site only, and
# nothing may frame the site but itself. `form-action 'self'` keeps a injected form from
# posting elsewhere; `base-uri 'none'` stops a <base> tag from redirecting relative links.
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'self'",
))
HSTS_DEFAULT_SECONDS = 365 * 24 * 3600


def security_headers(response):
    """Set on every response; a view that needs a stricter policy (attachments) sets its own first."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
    if request.is_secure:
        from flask import current_app
        seconds = int(current_app.config.get("HSTS_SECONDS", HSTS_DEFAULT_SECONDS))
        if seconds > 0:
            headers.setdefault("Strict-Transport-Security", f"max-age={seconds}; includeSubDomains")
    if request.path.startswith("/admin/") or (current_user and current_user.is_authenticated):
        headers["Cache-Control"] = "no-store"
    if response.mimetype == "text/html":
        response.vary.add("Cookie")        # the display mode changes the page
    return response


# --- cms security-check -----------------------------------------------------------------------

ERROR, WARNING = "错误", "警告"


@dataclass(frozen=True)
class Finding:
    level: str      # ERROR: must be fixed before going live; WARNING: check it is intended
    code: str       # stable identifier, e.g. "S001", for silencing and for documentation
    message: str
    hint: str


WEAK_SECRET_KEYS = frozenset({"", "dev", "test", "test-secret", "secret", "changeme", "change-me"})


def deploy_findings(app: Flask) -> list[Finding]:
    """Settings that are insecure for a public installation. Reads configuration and the
    database; changes nothing."""
    config = app.config
    found: list[Finding] = []

    def add(level, code, message, hint):
        found.append(Finding(level, code, message, hint))

    key = config.get("SECRET_KEY") or ""
    if key in WEAK_SECRET_KEYS or len(key) < 32:
        add(ERROR, "S001", "SECRET_KEY 过短或为常见值，会话和 CSRF 令牌可被伪造。",
            "设置至少 32 个随机字符的 SECRET_KEY（例如 python -c 'import secrets; print(secrets.token_urlsafe(48))'）。")
    if config.get("DEBUG") or config.get("TESTING"):
        add(ERROR, "S002", "DEBUG 或 TESTING 已开启：出错时会暴露代码和数据，并关闭部分安全检查。",
            "生产环境不要设置 FLASK_DEBUG。")
    if not config.get("SESSION_COOKIE_SECURE"):
        add(ERROR, "S003", "会话 Cookie 未设置 Secure：在 HTTP 上传输时可被截获。",
            "在 HTTPS 之后部署，并设置 SESSION_COOKIE_SECURE=1（docs/deployment.md）。")
    if int(config.get("HSTS_SECONDS", HSTS_DEFAULT_SECONDS)) < 180 * 24 * 3600:
        add(WARNING, "S004", "HSTS 有效期短于 180 天（或已关闭）。", "HSTS_SECONDS 至少 15552000。")
    if not config.get("REDIS_URL"):
        add(ERROR, "S005", "未配置 REDIS_URL：限流只在单个进程内有效，多个工作进程时形同虚设（会话保存在数据库中，注销后即失效）。",
            "设置 REDIS_URL=redis://…，限流、会话和页面缓存将保存在 Redis，所有工作进程共用。")
    if config.get("SESSION_COOKIE_SAMESITE") not in ("Lax", "Strict"):
        add(ERROR, "S006", "会话 Cookie 的 SameSite 不是 Lax 或 Strict。", "不要修改 SESSION_COOKIE_SAMESITE。")
    if not config.get("SESSION_COOKIE_HTTPONLY", True):
        add(ERROR, "S007", "会话 Cookie 未设置 HttpOnly，脚本可读取。", "不要修改 SESSION_COOKIE_HTTPONLY。")
    method = str(config.get("PASSWORD_HASH_METHOD", ""))
    if not (method.startswith("scrypt") or _strong_pbkdf2(method)):
        add(ERROR, "S008", f"密码哈希算法强度不足：{method}。", "使用默认的 scrypt。")
    if config.get("WTF_CSRF_ENABLED") is False:
        add(ERROR, "S009", "CSRF 保护已关闭。", "不要设置 WTF_CSRF_ENABLED=False。")
    database = str(config.get("SQLALCHEMY_DATABASE_URI", ""))
    if database.startswith("sqlite"):
        add(WARNING, "S010", "数据库是 SQLite：只适合单台机器、演示和小规模使用，且没有行级安全。",
            "生产环境设置 DATABASE_URL=postgresql://…（docs/deployment.md）。")
    attachments = Path(config.get("ATTACHMENT_DIR", ""))
    if attachments.exists() and attachments.stat().st_mode & stat.S_IWOTH:
        add(ERROR, "S011", f"附件目录 {attachments} 对所有用户可写。", f"chmod o-w {attachments}")
    if not config.get("TOTP_ENCRYPTION_KEY"):
        add(WARNING, "S022", "未设置 TOTP_ENCRYPTION_KEY：双因素登录密钥以 SECRET_KEY 派生的密钥加密保存，更换 SECRET_KEY 后所有人需重新绑定。",
            "设置单独的 TOTP_ENCRYPTION_KEY（至少 32 个随机字符），与数据库备份分开妥善保存，不要更换。")
    if not config.get("AUDIT_HMAC_KEY"):
        add(WARNING, "S014", "未设置 AUDIT_HMAC_KEY：审计日志的哈希链以 SECRET_KEY 派生的密钥计算，更换 SECRET_KEY 后旧记录将无法校验。",
            "设置单独的 AUDIT_HMAC_KEY（至少 32 个随机字符），与备份分开妥善保存，不要更换。")
    found += _account_findings(app)
    found += _calendar_findings(app)
    if database.startswith("postgresql"):
        found += _row_level_security_findings(app)
    return found


def _row_level_security_findings(app: Flask) -> list[Finding]:
    from core.security import rls
    from core.db import db
    found = []
    with app.app_context(), db.engine.connect() as connection:
        why = rls.bypasses_rls(connection)
        missing = rls.unprotected_tables(connection)
    if why:
        found.append(Finding(ERROR, "S012", f"应用以{why}身份连接数据库，行级安全对其不起作用，租户之间只剩一道隔离。",
                             "创建一个不拥有数据表的角色，运行 cms db grant-app-role <角色>，让 DATABASE_URL 使用它；"
                             "迁移仍以所有者身份运行（docs/security.md）。"))
    if missing:
        found.append(Finding(ERROR, "S013", f"以下租户数据表没有行级安全策略：{'、'.join(missing)}。",
                             "运行 cms db upgrade；插件的迁移应调用 core.security.rls.enable_in_migration。"))
    return found


def _strong_pbkdf2(method: str) -> bool:
    parts = method.split(":")
    return len(parts) == 3 and parts[0] == "pbkdf2" and parts[2].isdigit() and int(parts[2]) >= 600_000


def _account_findings(app: Flask) -> list[Finding]:
    """Accounts that still take a published password (the demo's), read from the database."""
    from sqlalchemy import select

    from core.accounts import ROLE_LABELS, User, excluded_combination
    from core.db import db
    found = []
    with app.app_context():
        users = db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.id)).all()
        known = published_passwords()
        weak = [u.username for u in users if any(u.check_password(p) for p in known)]
        mixed = {u.username: excluded_combination({g.role for g in u.grants} | ({"admin"} if u.is_superadmin else set()))
                 for u in users}
    if weak:
        found.append(Finding(ERROR, "S020", f"以下账号仍使用示例数据中公开的密码：{'、'.join(weak)}。",
                             "删除示例账号，或让其本人改为新密码（cms users password <用户名>）。"))
    mixed = {name: roles for name, roles in mixed.items() if roles}
    if mixed:
        listed = "；".join(f"{name}（{'、'.join(ROLE_LABELS[r] for r in sorted(roles) if r in ROLE_LABELS)}）"
                          for name, roles in mixed.items())
        found.append(Finding(ERROR, "S021", f"以下账号同时担任三员分立不允许兼任的角色：{listed}。",
                             "撤销其中的角色（cms users revoke <用户名> <角色> <单位>），三类管理员不兼任编辑、审核员，也不互相兼任。"))
    return found


def _calendar_findings(app: Flask) -> list[Finding]:
    """This year's holidays, or next year's from December, not known: deadlines count weekends only."""
    from core.clock import china_today
    from core.workdays import coverage_warnings
    with app.app_context():
        return [Finding(WARNING, "S015", w.message, w.hint) for w in coverage_warnings(china_today())]


def published_passwords() -> set[str]:
    """Passwords written in the provisioning files shipped with the code (tenants/*.yaml): the
    demo's accounts, which anyone who has read the repository can log in with."""
    import yaml
    found = set()
    for path in sorted((Path(__file__).resolve().parents[2] / "tenants").glob("*.y*ml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError):
            continue
        for user in data.get("users") or []:
            if isinstance(user, dict) and isinstance(user.get("password"), str):
                found.add(user["password"])
    return found
