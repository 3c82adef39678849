"""The whole user journey, driven through a client generated from openapi.yaml alone.

openapi-python-client generates the package `nhsmail_dental_client` into ./generated (see
run.sh); this script uses only its models and the `sync_detailed` functions of its api
modules. The one exception is the reference-data upload (a `text/csv` request body), which the
generator cannot express: see `upload_reference_data`.

Environment: BASE_URL, ADMIN_USERNAME, ADMIN_PASSWORD. Exits non-zero on the first step that
gets an unexpected status or response type, printing the problem document.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
import uuid
from io import BytesIO
from collections.abc import Callable
from http import HTTPStatus
from pathlib import Path
from typing import TypeVar
from uuid import UUID

sys.path.insert(0, str(Path(__file__).resolve().parent / "generated"))

import httpx  # noqa: E402

from nhsmail_dental_client import AuthenticatedClient, Client  # noqa: E402
from nhsmail_dental_client.api.accounts import (  # noqa: E402
    accept_acceptable_use_policy,
    account_sign_in,
    change_password,
    complete_password_reset,
    get_me,
    list_security_questions,
    set_directory_visibility,
    set_security_questions,
    start_password_reset,
)
from nhsmail_dental_client.api.development import list_development_messages  # noqa: E402
from nhsmail_dental_client.api.helpdesk import (  # noqa: E402
    approve_application,
    helpdesk_sign_in,
    list_applications,
)
from nhsmail_dental_client.api.registration import (  # noqa: E402
    add_member,
    confirm_cqc_details,
    create_application,
    edit_member,
    identify_practice,
    preview_mailbox,
    request_passcode,
    search_practices,
    set_town,
    submit_application,
    suggest_towns,
    verify_practice,
)
from nhsmail_dental_client.models import (  # noqa: E402
    AcceptableUse,
    AccessToken,
    AccountState,
    AccountStatus,
    AdminApplicationView,
    ApplicationPage,
    ApplicationStatus,
    ApplicationView,
    ContactIdProof,
    ContactIdProofMethod,
    CqcConfirmation,
    CreatedApplication,
    Dataset,
    DirectoryVisibility,
    ImportReport,
    MailboxPreview,
    Me,
    MemberChanges,
    MemberChangesTitleType1,
    MemberResponse,
    MessageChannel,
    MessageTemplate,
    NewMember,
    OutboxMessage,
    OutboxPage,
    PasscodeChannel,
    PasscodeIssued,
    PasscodeProof,
    PasscodeProofMethod,
    PasscodeRequest,
    PasswordChange,
    PasswordOutcome,
    PracticeRoute,
    PracticeSearch,
    Problem,
    QuestionnaireAnswers,
    QuestionView,
    RequiredAction,
    ResetCompletion,
    ResetDone,
    ResetRequest,
    ResetStarted,
    Role,
    RouteAIdentification,
    RouteAIdentificationRoute,
    RouteBIdentification,
    RouteBIdentificationRoute,
    SecurityAnswerInput,
    SecurityAnswers,
    SecurityQuestionCode,
    Session,
    SessionScope,
    SignIn,
    SignInRequest,
    SubmissionReceipt,
    SubmissionRequest,
    TownChoice,
    TownSuggestions,
    Title,
)
from nhsmail_dental_client.api.helpdesk import upload_reference_data as upload_reference_data_operation  # noqa: E402
from nhsmail_dental_client.types import UNSET, File, Response, Unset  # noqa: E402

R = TypeVar("R")
T = TypeVar("T")

# This client's own reference data (other clients use other numbers).
ROUTE_A_ODS = "V92201"
ROUTE_A_NAME = "PYTHON SMILES DENTAL"
ROUTE_A_POSTCODE = "M1 1AE"
ROUTE_A_LOCATION = "1-2000000201"
ROUTE_A_CONTACT_ID = "CON-PY-0201"
ROUTE_B_NAME = "PYTHON FAMILY DENTAL"
ROUTE_B_POSTCODE = "M1 1PW"
ROUTE_B_LOCATION = "1-2000000202"
ROUTE_B_ODS = "V92202"

PRACTICES_CSV = (
    "ods_code,name,address_line_1,address_line_2,town,county,postcode,cqc_location_id,"
    "cqc_contact_id,registered_manager_email,ig_toolkit,ig_status,ig_assessed_on\n"
    f"{ROUTE_A_ODS},{ROUTE_A_NAME},1 PICCADILLY,,MANCHESTER,GREATER MANCHESTER,"
    f"{ROUTE_A_POSTCODE},{ROUTE_A_LOCATION},{ROUTE_A_CONTACT_ID},manager@pydental.example,"
    "IGT,2,2024-03-31\n"
)
CQC_LOCATIONS_CSV = (
    "Name,Address,Postcode,Service types,CQC Location ID (for office use only)\n"
    f'{ROUTE_B_NAME},"9 MARKET STREET, MANCHESTER",{ROUTE_B_POSTCODE},Dental service,'
    f"{ROUTE_B_LOCATION}\n"
)

NEW_PASSWORD = "plinth marmalade oboe lantern"
RESET_PASSWORD = "quartz meadow fiddle kettle"
SECURITY_ANSWERS = ("Biscuit", "St Marys")
OUTBOX_WAIT_SECONDS = 10.0
TIMEOUT = httpx.Timeout(30.0)


class StepFailed(Exception):
    """A step got something other than what the contract and the journey expect."""


def env(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        raise StepFailed(f"the environment variable {name} is not set")
    return value


def describe(response: Response[R]) -> str:
    """The response as the failure message shows it: the problem document when there is one."""
    parsed = response.parsed
    if isinstance(parsed, Problem):
        return "problem document:\n" + json.dumps(parsed.to_dict(), indent=2, default=str)
    body = response.content.decode("utf-8", errors="replace")
    if parsed is None:
        return f"a response the contract does not describe for this status:\n{body}"
    return f"{type(parsed).__name__}:\n{body}"


def expect(step: str, response: Response[R], status: HTTPStatus, kind: type[T]) -> T:
    """The parsed body when the status and the response type are the ones expected."""
    parsed = response.parsed
    if response.status_code == status and isinstance(parsed, kind):
        return parsed
    raise StepFailed(
        f"{step}: expected {status.value} {kind.__name__}, got {response.status_code.value} "
        f"{type(parsed).__name__}; {describe(response)}"
    )


def expect_list(step: str, response: Response[R], status: HTTPStatus, item: type[T]) -> list[T]:
    """The parsed list when the status is the one expected and every item has the type expected."""
    parsed = response.parsed
    if response.status_code == status and isinstance(parsed, list):
        items: list[T] = []
        for element in parsed:
            if not isinstance(element, item):
                break
            items.append(element)
        else:
            return items
    raise StepFailed(
        f"{step}: expected {status.value} list[{item.__name__}], got {response.status_code.value} "
        f"{type(parsed).__name__}; {describe(response)}"
    )


def check(step: str, condition: bool, detail: str) -> None:
    if not condition:
        raise StepFailed(f"{step}: {detail}")


def upload_reference_data(
    admin: AuthenticatedClient, dataset: Dataset, csv_text: str
) -> Response[ImportReport | Problem]:
    """PUT /v1/admin/reference-data/{dataset}: the CSV file as it is (text/csv)."""
    file = File(payload=BytesIO(csv_text.encode("utf-8")), file_name=f"{dataset.value}.csv", mime_type="text/csv")
    return upload_reference_data_operation.sync_detailed(dataset, client=admin, body=file)


def wait_for_message(
    step: str, public: Client, to: str | None, matches: Callable[[OutboxMessage], bool]
) -> OutboxMessage:
    """The newest development-outbox message that matches, polling while the dispatcher delivers."""
    deadline = time.monotonic() + OUTBOX_WAIT_SECONDS
    while True:
        page = expect(
            step,
            list_development_messages.sync_detailed(
                client=public, to=UNSET if to is None else to, limit=100
            ),
            HTTPStatus.OK,
            OutboxPage,
        )
        for message in page.items:
            if matches(message):
                return message
        if time.monotonic() > deadline:
            raise StepFailed(
                f"{step}: no matching message in the development outbox after "
                f"{OUTBOX_WAIT_SECONDS:.0f} s (to={to!r}); newest: "
                + json.dumps([m.to_dict() for m in page.items[:5]], indent=2)
            )
        time.sleep(0.2)


def secret_in(step: str, message: OutboxMessage, pattern: str) -> str:
    found = re.search(pattern, message.body)
    if found is None:
        raise StepFailed(f"{step}: {pattern!r} is not in the message: {message.body!r}")
    return found.group(1)


def application_client(base_url: str, created: CreatedApplication) -> AuthenticatedClient:
    return AuthenticatedClient(base_url=base_url, token=created.token, timeout=TIMEOUT)


def start_application(public: Client, base_url: str, knows_contact_id: bool, channel: PasscodeChannel) -> tuple[UUID, AuthenticatedClient]:
    step = "POST /v1/applications"
    created = expect(
        step,
        create_application.sync_detailed(
            client=public,
            body=QuestionnaireAnswers(
                has_nhsmail_account=False,
                ig_return_submitted=True,
                recent_passcode_received=False,
                knows_cqc_contact_id=knows_contact_id,
                passcode_channel=channel,
            ),
        ),
        HTTPStatus.CREATED,
        CreatedApplication,
    )
    check(step, created.application.status == ApplicationStatus.DRAFT, "a new application is not a draft")
    check(step, created.application.eligibility.eligible, "the questionnaire was found ineligible")
    return created.application.id, application_client(base_url, created)


def choose_town(app_id: UUID, applicant: AuthenticatedClient) -> str:
    suggestions = expect(
        "GET town-suggestions",
        suggest_towns.sync_detailed(app_id, client=applicant),
        HTTPStatus.OK,
        TownSuggestions,
    )
    check("GET town-suggestions", len(suggestions.suggestions) > 0, "no town suggested")
    town = suggestions.suggestions[0].town
    preview = expect(
        "GET mailbox-preview",
        preview_mailbox.sync_detailed(app_id, client=applicant, town=town),
        HTTPStatus.OK,
        MailboxPreview,
    )
    view = expect(
        "PUT town",
        set_town.sync_detailed(app_id, client=applicant, body=TownChoice(town=town)),
        HTTPStatus.OK,
        ApplicationView,
    )
    check(
        "PUT town",
        view.shared_mailbox_address == preview.shared_mailbox_address,
        f"the mailbox {view.shared_mailbox_address!r} is not the preview's "
        f"{preview.shared_mailbox_address!r}",
    )
    return preview.shared_mailbox_address


def add_members(app_id: UUID, applicant: AuthenticatedClient, members: list[NewMember]) -> list[MemberResponse]:
    added: list[MemberResponse] = []
    for member in members:
        response = expect(
            f"POST members ({member.first_name} {member.last_name})",
            add_member.sync_detailed(app_id, client=applicant, body=member),
            HTTPStatus.CREATED,
            MemberResponse,
        )
        added.append(response)
    check("POST members", added[0].member.is_owner, "the first member is not the shared mailbox owner")
    return added


def submit(app_id: UUID, applicant: AuthenticatedClient) -> SubmissionReceipt:
    key = f"python-client-{uuid.uuid4()}"
    body = SubmissionRequest(confirm_data_correct=True)
    first = submit_application.sync_detailed(app_id, client=applicant, body=body, idempotency_key=key)
    receipt = expect("POST submission", first, HTTPStatus.OK, SubmissionReceipt)
    again = submit_application.sync_detailed(app_id, client=applicant, body=body, idempotency_key=key)
    replay = expect("POST submission (replayed)", again, HTTPStatus.OK, SubmissionReceipt)
    check(
        "POST submission (replayed)",
        replay.to_dict() == receipt.to_dict(),
        f"the replay's receipt differs: {replay.to_dict()} != {receipt.to_dict()}",
    )
    check(
        "POST submission (replayed)",
        again.headers.get("Idempotent-Replayed") == "true",
        f"Idempotent-Replayed is {again.headers.get('Idempotent-Replayed')!r}",
    )
    check("POST submission", str(receipt.application_id) == str(app_id), "the receipt names another application")
    return receipt


def find_submitted(admin: AuthenticatedClient, app_id: UUID, location_id: str) -> None:
    step = "GET /v1/admin/applications?status=submitted"
    cursor: str | Unset = UNSET
    while True:
        page = expect(
            step,
            list_applications.sync_detailed(
                client=admin,
                status=ApplicationStatus.SUBMITTED,
                cqc_location_id=location_id,
                cursor=cursor,
                limit=50,
            ),
            HTTPStatus.OK,
            ApplicationPage,
        )
        if any(item.id == app_id for item in page.items):
            return
        if page.next_cursor is None:
            raise StepFailed(f"{step}: application {app_id} is not listed as submitted")
        cursor = page.next_cursor


def approve(admin: AuthenticatedClient, app_id: UUID, members: int) -> AdminApplicationView:
    step = f"POST /v1/admin/applications/{app_id}/approval"
    view = expect(step, approve_application.sync_detailed(app_id, client=admin), HTTPStatus.OK, AdminApplicationView)
    check(step, view.status == ApplicationStatus.APPROVED, f"status is {view.status}")
    check(step, len(view.accounts) == members, f"{len(view.accounts)} accounts for {members} members")
    return view


def route_b(base_url: str, public: Client, admin: AuthenticatedClient) -> tuple[AdminApplicationView, str]:
    app_id, applicant = start_application(public, base_url, knows_contact_id=False, channel=PasscodeChannel.POST)

    search = expect(
        "GET /v1/practices (route B)",
        search_practices.sync_detailed(client=applicant, postcode=ROUTE_B_POSTCODE),
        HTTPStatus.OK,
        PracticeSearch,
    )
    check("GET /v1/practices (route B)", search.route == PracticeRoute.B, f"route is {search.route}")

    view = expect(
        "PUT practice (route B)",
        identify_practice.sync_detailed(
            app_id,
            client=applicant,
            body=RouteBIdentification(
                route=RouteBIdentificationRoute.B,
                postcode=ROUTE_B_POSTCODE,
                practice_name="Python Family Dental",
                ods_code=ROUTE_B_ODS,
                cqc_location_id=ROUTE_B_LOCATION,
            ),
        ),
        HTTPStatus.OK,
        ApplicationView,
    )
    practice = view.practice
    check("PUT practice (route B)", not isinstance(practice, Unset), "no practice in the application")
    assert not isinstance(practice, Unset)
    check("PUT practice (route B)", not isinstance(practice.cqc_details, Unset), "no CQC details to confirm")

    issued = expect(
        "POST passcode-requests",
        request_passcode.sync_detailed(app_id, client=applicant, body=PasscodeRequest(channel=PasscodeChannel.POST)),
        HTTPStatus.ACCEPTED,
        PasscodeIssued,
    )
    check("POST passcode-requests", issued.channel == PasscodeChannel.POST, f"sent by {issued.channel}")

    # The outbox lists a letter under its postcode.
    def is_our_letter(message: OutboxMessage) -> bool:
        return message.template == MessageTemplate.PASSCODE_LETTER and message.channel == MessageChannel.LETTER

    letter = wait_for_message(
        "GET /v1/development/messages (passcode letter)", public, ROUTE_B_POSTCODE, is_our_letter
    )
    passcode = secret_in("passcode letter", letter, r"passcode is: ([0-9A-Z]{4}-[0-9A-Z]{4})")

    view = expect(
        "POST verification (passcode)",
        verify_practice.sync_detailed(
            app_id,
            client=applicant,
            body=PasscodeProof(method=PasscodeProofMethod.PASSCODE, cqc_location_id=ROUTE_B_LOCATION, passcode=passcode),
        ),
        HTTPStatus.OK,
        ApplicationView,
    )
    check("POST verification (passcode)", not isinstance(view.practice, Unset) and view.practice.verified, "not verified")

    view = expect(
        "PUT cqc-confirmation",
        confirm_cqc_details.sync_detailed(app_id, client=applicant, body=CqcConfirmation(confirmed=True)),
        HTTPStatus.OK,
        ApplicationView,
    )
    check(
        "PUT cqc-confirmation",
        not isinstance(view.practice, Unset) and view.practice.cqc_details_confirmed,
        "the CQC details are not confirmed",
    )

    mailbox = choose_town(app_id, applicant)

    added = add_members(
        app_id,
        applicant,
        [
            NewMember(
                first_name="Ada",
                last_name="Pyburn",
                email="ada.pyburn@pydental.example",
                mobile="07700 900201",
                role=Role.DENTIST,
            ),
            NewMember(
                first_name="Grace",
                last_name="Pyhopper",
                email="grace.pyhopper@pydental.example",
                mobile="07700 900202",
                role=Role.DENTAL_NURSE,
            ),
        ],
    )
    second = added[1].member
    edited = expect(
        "PATCH member",
        edit_member.sync_detailed(
            app_id,
            second.id,
            client=applicant,
            body=MemberChanges(title=MemberChangesTitleType1.MS, has_shared_mailbox_access=True),
        ),
        HTTPStatus.OK,
        MemberResponse,
    )
    check(
        "PATCH member",
        edited.member.has_shared_mailbox_access and edited.member.title == Title.MS,
        f"the change was not applied: {edited.member.to_dict()}",
    )
    check("PATCH member", edited.member.email == second.email, "a field not sent changed")

    receipt = submit(app_id, applicant)
    check("POST submission (route B)", receipt.status == ApplicationStatus.SUBMITTED, f"status is {receipt.status}")
    check("POST submission (route B)", receipt.shared_mailbox_address == mailbox, "another shared mailbox")

    find_submitted(admin, app_id, ROUTE_B_LOCATION)
    return approve(admin, app_id, 2), mailbox


def route_a(base_url: str, public: Client, admin: AuthenticatedClient) -> tuple[ApplicationStatus, str]:
    app_id, applicant = start_application(public, base_url, knows_contact_id=True, channel=PasscodeChannel.EMAIL)

    step = "GET /v1/practices (route A)"
    search = expect(
        step,
        search_practices.sync_detailed(client=applicant, postcode=ROUTE_A_POSTCODE),
        HTTPStatus.OK,
        PracticeSearch,
    )
    check(step, search.route == PracticeRoute.A, f"route is {search.route}")
    ours = [c for c in search.candidates if c.ods_code == ROUTE_A_ODS]
    check(step, len(ours) == 1, f"{ROUTE_A_ODS} is not among the candidates: {[c.to_dict() for c in search.candidates]}")
    check(step, ours[0].name == ROUTE_A_NAME, f"the candidate is named {ours[0].name!r}")

    expect(
        "PUT practice (route A)",
        identify_practice.sync_detailed(
            app_id,
            client=applicant,
            body=RouteAIdentification(
                route=RouteAIdentificationRoute.A, postcode=ROUTE_A_POSTCODE, practice_id=ours[0].id
            ),
        ),
        HTTPStatus.OK,
        ApplicationView,
    )

    view = expect(
        "POST verification (contact id)",
        verify_practice.sync_detailed(
            app_id,
            client=applicant,
            body=ContactIdProof(
                method=ContactIdProofMethod.CQC_CONTACT_ID,
                cqc_location_id=ROUTE_A_LOCATION,
                cqc_contact_id=ROUTE_A_CONTACT_ID.lower(),
            ),
        ),
        HTTPStatus.OK,
        ApplicationView,
    )
    check("POST verification (contact id)", not isinstance(view.practice, Unset) and view.practice.verified, "not verified")

    mailbox = choose_town(app_id, applicant)
    add_members(
        app_id,
        applicant,
        [
            NewMember(
                first_name="Alan",
                last_name="Pyturing",
                email="alan.pyturing@pydental.example",
                mobile="07700 900203",
                role=Role.PRACTICE_MANAGER,
            ),
            NewMember(
                first_name="Linus",
                last_name="Pyvalds",
                email="linus.pyvalds@pydental.example",
                mobile="07700 900204",
                role=Role.DENTIST,
            ),
        ],
    )
    receipt = submit(app_id, applicant)
    status = receipt.status
    if status == ApplicationStatus.SUBMITTED:
        status = approve(admin, app_id, 2).status
    check("route A", status == ApplicationStatus.APPROVED, f"the application ended {status}")
    return status, mailbox


def sign_in(public: Client, username: str, password: str, scope: SessionScope, step: str) -> Session:
    session = expect(
        step,
        account_sign_in.sync_detailed(client=public, body=SignIn(username=username, password=password)),
        HTTPStatus.CREATED,
        Session,
    )
    check(step, session.scope == scope, f"scope is {session.scope}, not {scope}")
    return session


def account_client(base_url: str, session: Session) -> AuthenticatedClient:
    return AuthenticatedClient(base_url=base_url, token=session.access_token, timeout=TIMEOUT)


def new_session(step: str, state: AccountState) -> Session:
    session = state.session
    if isinstance(session, Unset):
        raise StepFailed(f"{step}: the response carries no session: {state.to_dict()}")
    return session


def activate(base_url: str, public: Client, username: str, mobile: str) -> tuple[Me, dict[SecurityQuestionCode, str]]:
    sms = wait_for_message(
        "GET /v1/development/messages (temporary password)",
        public,
        mobile,
        lambda m: m.template == MessageTemplate.TEMPORARY_PASSWORD_SMS and m.channel == MessageChannel.SMS,
    )
    temporary = secret_in("temporary password SMS", sms, r"temporary password is (\S+?)[.,;]?(?:\s|$)")

    session = sign_in(public, username, temporary, SessionScope.ACTIVATION, "POST /v1/account/sessions (activation)")
    check(
        "POST /v1/account/sessions (activation)",
        RequiredAction.CHANGE_PASSWORD in session.required_actions,
        f"required actions: {session.required_actions}",
    )

    step = "PUT /v1/account/password"
    state = expect(
        step,
        change_password.sync_detailed(
            client=account_client(base_url, session),
            body=PasswordChange(current_password=temporary, new_password=NEW_PASSWORD),
        ),
        HTTPStatus.OK,
        AccountState,
    )
    holder = account_client(base_url, new_session(step, state))

    questions = expect_list(
        "GET /v1/account/security-questions",
        list_security_questions.sync_detailed(client=holder),
        HTTPStatus.OK,
        QuestionView,
    )
    check("GET /v1/account/security-questions", len(questions) >= 2, f"{len(questions)} questions")
    answers = {questions[0].code: SECURITY_ANSWERS[0], questions[1].code: SECURITY_ANSWERS[1]}
    expect(
        "PUT /v1/account/security-questions",
        set_security_questions.sync_detailed(
            client=holder,
            body=SecurityAnswers(answers=[SecurityAnswerInput(question=q, answer=a) for q, a in answers.items()]),
        ),
        HTTPStatus.OK,
        AccountState,
    )
    expect(
        "PUT /v1/account/acceptable-use-policy",
        accept_acceptable_use_policy.sync_detailed(client=holder, body=AcceptableUse(accepted=True)),
        HTTPStatus.OK,
        AccountState,
    )
    step = "PUT /v1/account/directory-visibility"
    state = expect(
        step,
        set_directory_visibility.sync_detailed(client=holder, body=DirectoryVisibility(mobile_visible=False)),
        HTTPStatus.OK,
        AccountState,
    )
    check(step, state.status == AccountStatus.ACTIVE, f"status is {state.status}")
    check(step, state.required_actions == [], f"still required: {state.required_actions}")
    full = new_session(step, state)
    check(step, full.scope == SessionScope.FULL, f"the session's scope is {full.scope}")

    me = expect("GET /v1/account/me", get_me.sync_detailed(client=account_client(base_url, full)), HTTPStatus.OK, Me)
    check("GET /v1/account/me", me.username == username, f"signed in as {me.username}")
    check("GET /v1/account/me", me.status == AccountStatus.ACTIVE and not me.mobile_visible, f"{me.to_dict()}")
    return me, answers


def reset_password(public: Client, username: str, mobile: str, answers: dict[SecurityQuestionCode, str]) -> Session:
    started = expect(
        "POST /v1/account/password-resets",
        start_password_reset.sync_detailed(client=public, body=ResetRequest(username=username)),
        HTTPStatus.ACCEPTED,
        ResetStarted,
    )
    question = started.security_question.code
    check("POST /v1/account/password-resets", question in answers, f"asked {question}, not one of ours")

    sms = wait_for_message(
        "GET /v1/development/messages (reset code)",
        public,
        mobile,
        lambda m: m.template == MessageTemplate.PASSWORD_RESET_CODE_SMS and m.channel == MessageChannel.SMS,
    )
    code = secret_in("reset code SMS", sms, r"reset code is (\d+)")

    step = "POST /v1/account/password-resets/{reset_id}/completion"
    done = expect(
        step,
        complete_password_reset.sync_detailed(
            started.reset_id,
            client=public,
            body=ResetCompletion(code=code, answer=answers[question], new_password=RESET_PASSWORD),
        ),
        HTTPStatus.OK,
        ResetDone,
    )
    check(step, done.status == PasswordOutcome.PASSWORD_CHANGED, f"outcome is {done.status}")
    return sign_in(public, username, RESET_PASSWORD, SessionScope.FULL, "POST /v1/account/sessions (after reset)")


def main() -> None:
    base_url = env("BASE_URL").rstrip("/")
    public = Client(base_url=base_url, timeout=TIMEOUT)

    # a. The helpdesk signs in.
    token = expect(
        "POST /v1/admin/sessions",
        helpdesk_sign_in.sync_detailed(
            client=public,
            body=SignInRequest(username=env("ADMIN_USERNAME"), password=env("ADMIN_PASSWORD")),
        ),
        HTTPStatus.CREATED,
        AccessToken,
    )
    admin = AuthenticatedClient(base_url=base_url, token=token.access_token, timeout=TIMEOUT)

    # b. Reference data: one route A practice, one route B CQC location.
    for dataset, csv_text in ((Dataset.PRACTICES, PRACTICES_CSV), (Dataset.CQC_LOCATIONS, CQC_LOCATIONS_CSV)):
        step = f"PUT /v1/admin/reference-data/{dataset.value}"
        report = expect(step, upload_reference_data(admin, dataset, csv_text), HTTPStatus.OK, ImportReport)
        check(step, report.applied and report.rows == 1 and report.errors_total == 0, f"report: {report.to_dict()}")
        check(step, report.created + report.updated + report.unchanged == 1, f"report: {report.to_dict()}")

    # c. Route B, passcode by post, approved by the helpdesk.
    approved_b, mailbox_b = route_b(base_url, public, admin)
    accounts = {(a.first_name, a.last_name): a.username for a in approved_b.accounts}
    username = accounts.get(("Grace", "Pyhopper"))
    if username is None:
        raise StepFailed(f"approval: no account for Grace Pyhopper among {sorted(accounts.values())}")

    # d. Route A, CQC contact ID.
    status_a, mailbox_a = route_a(base_url, public, admin)

    # e. A member of route B activates the account.
    mobile = "+447700900202"
    me, answers = activate(base_url, public, username, mobile)

    # f. Self-service password reset, then a full sign-in with the new password.
    session = reset_password(public, username, mobile, answers)

    # g. Summary.
    print(
        f"python client OK: route B {mailbox_b} approved ({', '.join(sorted(accounts.values()))}); "
        f"route A {mailbox_a} {status_a.value}; {me.username} activated ({me.status.value}), "
        f"reset and signed in ({session.scope.value} session)"
    )


if __name__ == "__main__":
    try:
        main()
    except StepFailed as failure:
        print(f"FAIL: {failure}", file=sys.stderr)
        sys.exit(1)
