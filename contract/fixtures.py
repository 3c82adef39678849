"""Prepares a running development instance for a fuzzing run: a draft application, a submitted
one, a helpdesk session, an activated account with a full session and a password reset, and
prints them as shell `export` lines for schemathesis.toml.

Standard library only. Usage:
    python3 contract/fixtures.py http://127.0.0.1:8080 <helpdesk username> <helpdesk password>
The instance must be in development mode with the development message provider, so that
passcodes and temporary passwords can be read from its development outbox.
"""

import json
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

BASE, ADMIN_USER, ADMIN_PASSWORD = sys.argv[1], sys.argv[2], sys.argv[3]


def call(method, path, body=None, token=None, expect=(200, 201, 202, 204)):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(BASE + path, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(request) as response:
            status, text = response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read().decode()
    if status not in expect:
        sys.exit(f"{method} {path} answered {status}: {text}")
    return json.loads(text) if text else None


def message(to, pattern):
    """Waits for the development provider's newest message to `to` and returns the match."""
    for _ in range(100):
        page = call("GET", f"/v1/development/messages?to={urllib.parse.quote(to)}&limit=5")
        for item in page["items"]:
            found = re.search(pattern, item["body"])
            if found:
                return found.group(1)
        time.sleep(0.1)
    sys.exit(f"no message to {to} matching {pattern}")


def start():
    created = call("POST", "/v1/applications", {
        "has_nhsmail_account": False, "ig_return_submitted": True, "recent_passcode_received": False,
        "knows_cqc_contact_id": True, "passcode_channel": "email"})
    return created["application"]["id"], created["token"]


def listed(app, token, postcode, name, location, contact):
    search = call("GET", f"/v1/practices?postcode={urllib.parse.quote(postcode)}", token=token)
    practice = next(c["id"] for c in search["candidates"] if c["name"] == name)
    call("PUT", f"/v1/applications/{app}/practice", {"route": "a", "postcode": postcode, "practice_id": practice}, token)
    call("POST", f"/v1/applications/{app}/verification",
         {"method": "cqc_contact_id", "cqc_location_id": location, "cqc_contact_id": contact}, token)


def member(app, token, first, last, mobile, **extra):
    body = {"first_name": first, "last_name": last, "email": f"{first}.{last}@example.org".lower(),
            "mobile": mobile, "role": "dentist", **extra}
    return call("POST", f"/v1/applications/{app}/members", body, token)["member"]["id"]


helpdesk = call("POST", "/v1/admin/sessions", {"username": ADMIN_USER, "password": ADMIN_PASSWORD})["access_token"]

# A submitted application, approved: its first member's account is activated for a full session.
approved, approved_token = start()
listed(approved, approved_token, "LS1 4AP", "BRIGHT SMILE DENTAL PRACTICE", "1-1000000101", "CON-DEMO-0101")
call("PUT", f"/v1/applications/{approved}/town", {"town": "Leeds"}, approved_token)
member(approved, approved_token, "Ada", "Fuzz", "07700 900801")
member(approved, approved_token, "Bea", "Fuzz", "07700 900802")
call("POST", f"/v1/applications/{approved}/submission", {"confirm_data_correct": True}, approved_token)
view = call("POST", f"/v1/admin/applications/{approved}/approval", token=helpdesk)
account = view["accounts"][0]
temporary = message("+447700900801", r"temporary password is ([A-Za-z0-9-]{19})")
session = call("POST", "/v1/account/sessions", {"username": account["username"], "password": temporary})
password = "quiet harbour lantern maple"
state = call("PUT", "/v1/account/password", {"current_password": temporary, "new_password": password},
             session["access_token"])
token = state["session"]["access_token"]
call("PUT", "/v1/account/security-questions", {"answers": [
    {"question": "first_pet", "answer": "Biscuit"}, {"question": "first_school", "answer": "St Marys"}]}, token)
call("PUT", "/v1/account/acceptable-use-policy", {"accepted": True}, token)
state = call("PUT", "/v1/account/directory-visibility", {"mobile_visible": False}, token)
account_token = state["session"]["access_token"]
reset = call("POST", "/v1/account/password-resets", {"username": account["username"]})

# A submitted application waiting for the helpdesk, and a draft with members.
waiting, waiting_token = start()
listed(waiting, waiting_token, "LS1 4AP", "LEEDS CITY DENTAL CARE", "1-1000000104", "CON-DEMO-0104")
call("PUT", f"/v1/applications/{waiting}/town", {"town": "Leeds"}, waiting_token)
member(waiting, waiting_token, "Cal", "Fuzz", "07700 900803")
member(waiting, waiting_token, "Dee", "Fuzz", "07700 900804")
call("POST", f"/v1/applications/{waiting}/submission", {"confirm_data_correct": True}, waiting_token)

draft, draft_token = start()
listed(draft, draft_token, "NE1 3DX", "RIVERSIDE DENTAL PRACTICE", "1-1000000105", "CON-DEMO-0105")
draft_member = member(draft, draft_token, "Eve", "Fuzz", "07700 900805")

# Sessions of their own for the sign-out operations, so that signing out ends only those.
spare_helpdesk = call("POST", "/v1/admin/sessions", {"username": ADMIN_USER, "password": ADMIN_PASSWORD})["access_token"]
spare_account = call("POST", "/v1/account/sessions", {"username": account["username"], "password": password})["access_token"]

exports = {
    "HELPDESK_TOKEN": helpdesk,
    "SPARE_HELPDESK_TOKEN": spare_helpdesk,
    "SPARE_ACCOUNT_TOKEN": spare_account,
    "ACCOUNT_TOKEN": account_token,
    "ACCOUNT_ID": account["id"],
    "RESET_ID": reset["reset_id"],
    "WAITING_APPLICATION_ID": waiting,
    "DRAFT_APPLICATION_ID": draft,
    "DRAFT_APPLICATION_TOKEN": draft_token,
    "DRAFT_MEMBER_ID": draft_member,
}
for name, value in exports.items():
    print(f"export {name}='{value}'")
