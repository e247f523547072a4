"""Replay the outside test's findings (issue 17) against a running demo, over real HTTP, the way an
attacker and a malicious insider tried them; prints one line per finding: REFUSED or STILL OPEN.

    make run                      # prints the demo admins' one-time enrolment codes
    .venv/bin/python bench/replay_findings.py --url http://127.0.0.1:5000 --enrol-code qian=ABCD-EFGH-JKMN

Needs the demo county (tenants/demo.yaml) with its content; changes some of its data (a failed
login, a locked account, a tracking code looked up), so run it on a demo, never in production.
"""
from __future__ import annotations

import argparse
import html
import http.cookiejar
import io
import json
import re
import sys
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PASSWORD = "qinglan-demo-2026"


class Browser:
    def __init__(self, base: str):
        self.base, self.jar = base.rstrip("/"), http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect())

    def open(self, path: str, data: dict | bytes | None = None, headers: dict | None = None, method: str | None = None):
        body = urllib.parse.urlencode(data).encode() if isinstance(data, dict) else data
        request = urllib.request.Request(self.base + path, data=body, headers=headers or {}, method=method)
        try:
            response = self.opener.open(request, timeout=60)
        except urllib.error.HTTPError as error:
            response = error
        return response.status, response.headers, response.read().decode("utf-8", "replace")

    def csrf(self, path: str) -> str:
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', self.open(path)[2]).group(1)

    def login(self, username: str, password: str = PASSWORD, enrol: str | None = None) -> int:
        status, headers, _ = self.open("/admin/login", {"username": username, "password": password,
                                                       "csrf_token": self.csrf("/admin/login")})
        if status == 302 and headers["Location"].endswith("/admin/login/totp/setup"):
            import pyotp
            page = self.open("/admin/login/totp/setup")[2]
            secret = re.search(r'id="totp-secret"[^>]*>([A-Z2-7]+)<', page).group(1)
            token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
            status = self.open("/admin/login/totp/setup", {"enrol_code": enrol or "", "code": pyotp.TOTP(secret).now(),
                                                           "csrf_token": token})[0]
        return status

    def cookie(self, name: str = "session") -> str | None:
        return next((c.value for c in self.jar if c.name == name), None)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def report(finding: str, refused: bool, detail: str = "") -> bool:
    print(f"{'REFUSED   ' if refused else 'STILL OPEN'}  {finding}" + (f"  ({detail})" if detail else ""))
    return refused


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--enrol-code", action="append", default=[], help="name=CODE, as make run printed them")
    args = parser.parse_args()
    codes = dict(item.split("=", 1) for item in args.enrol_code)
    results = []

    # 1. Logout ends the session: a copied cookie opens nothing afterwards.
    li = Browser(args.url)
    li.login("li")
    copied = li.cookie()
    before = li.open("/admin/baishui/")[0]
    li.open("/admin/logout", {"csrf_token": li.csrf("/admin/account")})
    after = Browser(args.url).open("/admin/baishui/", headers={"Cookie": f"session={copied}"})[0]
    results.append(report("a cookie copied before logout opens the admin area after it", before == 200 and after == 302,
                          f"before logout {before}, replayed after {after}"))

    # 2. The cookie ends with the browser.
    status, headers, _ = Browser(args.url).open("/admin/login")
    cookies = headers.get_all("Set-Cookie") or []
    results.append(report("the session cookie is persistent", all("Expires=" not in c for c in cookies)))

    # 3. One answer for a wrong name, a wrong password and a locked account.
    answers = set()
    probe = Browser(args.url)
    for _ in range(6):
        answers.add(re.sub(r"\s+", " ", html.unescape(re.search(r'role="alert">([^<]+)<', probe.open(
            "/admin/login", {"username": "zhao", "password": "wrong", "csrf_token": probe.csrf("/admin/login")})[2]).group(1))))
    for username, password in (("zhao", PASSWORD), ("nobody-here", "wrong")):     # locked, with the right one; nobody
        answers.add(re.sub(r"\s+", " ", html.unescape(re.search(r'role="alert">([^<]+)<', probe.open(
            "/admin/login", {"username": username, "password": password,
                             "csrf_token": probe.csrf("/admin/login")})[2]).group(1))))
    results.append(report("the lockout message tells whether an account exists", len(answers) == 1, answers.pop()))

    # 4. A security admin grants himself content roles.
    qian = Browser(args.url)
    if qian.login("qian", enrol=codes.get("qian")) in (200, 302) and qian.open("/admin/qinglan/users")[0] == 200:
        page = qian.open("/admin/qinglan/users", {"grant-username": "qian", "grant-tenant": "qinglan",
                                                  "grant-role": "editor", "csrf_token": qian.csrf("/admin/qinglan/users")})[2]
        refused = "不能修改自己的角色" in page or "三员分立" in page
        results.append(report("a security admin grants himself the editor role", refused
                              and qian.open("/admin/baishui/catalog/records")[0] in (403, 404)))
    else:
        results.append(report("a security admin grants himself the editor role (needs --enrol-code qian=…)", False))

    # 5. A village editor uploads a spreadsheet bomb.
    chen = Browser(args.url)
    chen.login("chen")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                   '<sheetData/><mergeCells count="1"><mergeCell ref="A1:T20000"/></mergeCells></worksheet>')
    boundary = "----replay"
    token = chen.csrf("/admin/dongpo/catalog/import")
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"bomb.xlsx\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode() + buffer.getvalue() + f"\r\n--{boundary}--\r\n".encode()
    import time
    started = time.perf_counter()
    status, _, page = chen.open("/admin/dongpo/catalog/import", body,
                                {"Content-Type": f"multipart/form-data; boundary={boundary}"})
    seconds = time.perf_counter() - started
    results.append(report("a 5 KB workbook with one merged range over 400,000 cells ties up a worker",
                          "合并单元格超出范围" in page and seconds < 1, f"{len(buffer.getvalue())} bytes, answered in {seconds:.2f} s"))

    # 6. Deeply nested JSON on a public endpoint.
    api = Browser(args.url)
    status, _, body = api.open("/api/v1/tenants/baishui/opinions/consultations/1/comments", b"[" * 100_000 + b"]" * 100_000,
                               {"Content-Type": "application/json"})
    results.append(report("100,000 nested brackets answer 500", status == 400 and "error" in json.loads(body), f"{status}"))

    # 7. Tracking-code lookups are rate limited.
    looker = Browser(args.url)
    statuses = [looker.open("/qinglan/baishui/opinions/track?code=AAAA-BBBB-CCCC")[0] for _ in range(65)]
    results.append(report("comment tracking codes can be guessed without limit", 429 in statuses,
                          f"first 429 at request {statuses.index(429) + 1 if 429 in statuses else '-'}"))

    print(f"{sum(results)} of {len(results)} findings refused")
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
