// The whole user journey through a client generated from openapi.yaml alone: the types come from
// openapi-typescript (generated/api.d.ts) and every call goes through openapi-fetch's typed
// client.GET/POST/PUT/PATCH. Nothing here declares a request or response type of its own.
//
// Environment: BASE_URL, ADMIN_USERNAME, ADMIN_PASSWORD (a helpdesk administrator), against a
// fresh development instance (sample data loaded, development outbox readable).
// Every step checks the status and the shape it expects and throws otherwise; the process then
// exits with status 1 after printing the step, the HTTP status, the X-Request-Id and the problem
// document (RFC 9457) the service answered with.

import createClient, { type Client } from "openapi-fetch";
import type { components, paths } from "./generated/api.js";

type Schemas = components["schemas"];
type Api = Client<paths>;

// ---------------------------------------------------------------------------------------------
// Failures

class StepFailure extends Error {
    override name = "StepFailure";
}

function isProblem(body: unknown): body is Schemas["Problem"] {
    return (
        typeof body === "object" &&
        body !== null &&
        "type" in body &&
        typeof body.type === "string" &&
        "status" in body &&
        typeof body.status === "number"
    );
}

function describeBody(body: unknown): string {
    if (body === undefined) {
        return "(no body)";
    }
    const lines: string[] = [];
    if (isProblem(body)) {
        lines.push(`problem ${body.type} (${body.status}): ${body.title}. ${body.detail}`);
        if (body.code !== undefined) {
            lines.push(`code ${body.code}${body.rule !== undefined ? ` (${body.rule})` : ""}`);
        }
        for (const error of body.errors ?? []) {
            lines.push(
                `error at ${error.pointer}: ${error.code}${error.rule !== undefined ? ` (${error.rule})` : ""}: ${error.detail}` +
                    (error.suggestion !== undefined ? ` [suggestion: ${error.suggestion}]` : ""),
            );
        }
    }
    lines.push(JSON.stringify(body, null, 2));
    return lines.join("\n");
}

function failure(step: string, what: string, response?: Response, body?: unknown): StepFailure {
    let message = `${step}: ${what}`;
    if (response !== undefined) {
        message += `\n  HTTP ${response.status} from ${response.url} (X-Request-Id ${response.headers.get("X-Request-Id") ?? "none"})`;
    }
    if (body !== undefined || response !== undefined) {
        message += `\n  ${describeBody(body).replaceAll("\n", "\n  ")}`;
    }
    return new StepFailure(message);
}

function check(condition: boolean, step: string, what: string, body?: unknown): asserts condition {
    if (!condition) {
        throw failure(step, what, undefined, body);
    }
}

/** Awaits a typed call and insists on one status with a body; returns the typed body. */
async function expectStatus<D, E>(
    step: string,
    status: number,
    pending: Promise<{ data?: D; error?: E; response: Response }>,
): Promise<{ data: D; response: Response }> {
    const { data, error, response } = await pending;
    if (response.status !== status) {
        throw failure(step, `expected HTTP ${status}`, response, error ?? data);
    }
    if (data === undefined) {
        throw failure(step, `HTTP ${status} without the documented body`, response, error);
    }
    log(`${step} → ${status}`);
    return { data, response };
}

// ---------------------------------------------------------------------------------------------
// Environment, clients and helpers

function environment(name: string): string {
    const value = process.env[name];
    if (value === undefined || value === "") {
        throw new StepFailure(`environment: ${name} must be set`);
    }
    return value;
}

const baseUrl = environment("BASE_URL");
const adminUsername = environment("ADMIN_USERNAME");
const adminPassword = environment("ADMIN_PASSWORD");
const verbose = process.env["VERBOSE"] === "1";

function log(line: string): void {
    if (verbose) {
        console.log(`  ${line}`);
    }
}

let requests = 0;

/** A client for one caller: anonymous, or with the bearer token the callback gives at each call. */
function clientFor(token?: () => string): Api {
    const client = createClient<paths>({ baseUrl });
    client.use({
        onRequest({ request }) {
            requests += 1;
            request.headers.set("X-Request-Id", `ts-journey-${requests}`);
            if (token !== undefined) {
                request.headers.set("Authorization", `Bearer ${token()}`);
            }
            return request;
        },
    });
    return client;
}

function sleep(milliseconds: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

function canonical(value: unknown): string {
    return JSON.stringify(value, (_key, inner: unknown) =>
        typeof inner === "object" && inner !== null && !Array.isArray(inner)
            ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => a.localeCompare(b)))
            : inner,
    );
}

const anonymous = clientFor();

type OutboxMessage = Schemas["OutboxMessage"];

/** GET /v1/development/messages, newest first: to one recipient, or (to undefined) to anyone. */
async function outbox(step: string, to: string | undefined): Promise<OutboxMessage[]> {
    const query = to === undefined ? { limit: 100 } : { to, limit: 100 };
    const { data } = await expectStatus(
        `${step}: GET /v1/development/messages${to === undefined ? "" : `?to=${to}`}`,
        200,
        anonymous.GET("/v1/development/messages", { params: { query } }),
    );
    return data.items;
}

/**
 * Polls the development outbox (for up to 10 s: a dispatcher delivers messages asynchronously)
 * for a message of this template, not among those seen before, that `wanted` accepts, and
 * returns the secret the pattern's first group captures from its body.
 */
async function awaitSecret(
    step: string,
    to: string | undefined,
    template: Schemas["MessageTemplate"],
    wanted: (message: OutboxMessage) => boolean,
    pattern: RegExp,
    seenBefore: OutboxMessage[] = [],
): Promise<{ message: OutboxMessage; secret: string }> {
    const seen = new Set(seenBefore.map((message) => message.message_id));
    const deadline = Date.now() + 10_000;
    for (;;) {
        const items = await outbox(step, to);
        const message = items.find((item) => item.template === template && !seen.has(item.message_id) && wanted(item));
        if (message !== undefined) {
            check(to === undefined || message.to.toLowerCase() === to.toLowerCase(), step, `the outbox answered ?to=${to} with a message to ${message.to}`, message);
            const secret = pattern.exec(message.body)?.[1];
            check(secret !== undefined, step, `the ${template} message does not match ${pattern}`, message);
            log(`${step}: ${template} to ${JSON.stringify(message.to)} read from the outbox`);
            return { message, secret };
        }
        if (Date.now() > deadline) {
            throw failure(step, `no new ${template} message${to === undefined ? "" : ` to ${to}`} in the development outbox after 10 s`, undefined, items);
        }
        await sleep(100);
    }
}

// ---------------------------------------------------------------------------------------------
// Test data (unique to this client: other clients use other practices and mobiles)

const routeA = {
    odsCode: "V91101",
    name: "TYPESCRIPT SMILES DENTAL",
    postcode: "LS2 7HY",
    cqcLocationId: "1-2000000101",
    cqcContactId: "CON-TS-0101",
    managerEmail: "manager@tsdental.example",
} as const;

const routeB = {
    name: "TYPESCRIPT FAMILY DENTAL",
    address: "5 PARK ROW, LEEDS",
    postcode: "LS1 5HD",
    cqcLocationId: "1-2000000102",
    odsCode: "V91102",
} as const;

const practicesCsv =
    "ods_code,name,address_line_1,address_line_2,town,county,postcode,cqc_location_id,cqc_contact_id,registered_manager_email,ig_toolkit,ig_status,ig_assessed_on\n" +
    `${routeA.odsCode},${routeA.name},1 WOODHOUSE LANE,,LEEDS,WEST YORKSHIRE,${routeA.postcode},${routeA.cqcLocationId},${routeA.cqcContactId},${routeA.managerEmail},IGT,2,2024-03-31\n`;

const cqcLocationsCsv =
    "Name,Address,Postcode,Service types,CQC Location ID (for office use only)\n" +
    `${routeB.name},"${routeB.address}",${routeB.postcode},Dental service,${routeB.cqcLocationId}\n`;

const membersB: Schemas["NewMember"][] = [
    { title: "Dr", first_name: "Tessa", last_name: "Script", email: "tessa.script@tsfamily.example", mobile: "07700 900101", role: "dentist" },
    { first_name: "Theo", last_name: "Compiler", email: "theo.compiler@tsfamily.example", mobile: "07700 900102", role: "dental_nurse" },
];
const membersA: Schemas["NewMember"][] = [
    { first_name: "Tara", last_name: "Strict", email: "tara.strict@tsdental.example", mobile: "07700 900103", role: "practice_manager" },
    { first_name: "Tomas", last_name: "Typer", email: "tomas.typer@tsdental.example", mobile: "07700 900104", role: "dentist" },
];
const activatingMobile = "+447700900102"; // Theo Compiler, route B: the outbox holds mobiles in E.164
const firstPassword = "plinth marmalade oboe lantern";
const resetPassword = "quartz meadow fiddle kettle";
const securityAnswers: Partial<Record<Schemas["SecurityQuestionCode"], string>> = {};

// ---------------------------------------------------------------------------------------------
// a. The helpdesk signs in and b. uploads the reference data

async function helpdeskSignIn(): Promise<Api> {
    const step = "a. helpdesk sign-in: POST /v1/admin/sessions";
    const { data } = await expectStatus(
        step,
        201,
        anonymous.POST("/v1/admin/sessions", { body: { username: adminUsername, password: adminPassword } }),
    );
    check(data.token_type === "Bearer" && data.access_token.length > 0, step, "expected a bearer access token", data);
    const token = data.access_token;
    return clientFor(() => token);
}

async function uploadReferenceData(helpdesk: Api): Promise<void> {
    const uploads: [Schemas["Dataset"], string][] = [
        ["practices", practicesCsv],
        ["cqc-locations", cqcLocationsCsv],
    ];
    for (const [dataset, csv] of uploads) {
        const step = `b. reference data: PUT /v1/admin/reference-data/${dataset} (text/csv)`;
        // openapi-fetch sends JSON unless told otherwise: the body is the CSV text as is.
        const { data } = await expectStatus(
            step,
            200,
            helpdesk.PUT("/v1/admin/reference-data/{dataset}", {
                params: { path: { dataset } },
                body: csv,
                bodySerializer: (text) => text,
                headers: { "Content-Type": "text/csv" },
            }),
        );
        check(
            data.dataset === dataset && data.applied && data.rows === 1 && data.created + data.updated + data.unchanged === 1 && data.errors_total === 0,
            step,
            "expected one row applied without errors",
            data,
        );
    }
}

// ---------------------------------------------------------------------------------------------
// c., d. The applications

async function startApplication(route: string, answers: Schemas["QuestionnaireAnswers"]): Promise<{ id: string; applicant: Api }> {
    const step = `${route}: POST /v1/applications`;
    const { data, response } = await expectStatus(step, 201, anonymous.POST("/v1/applications", { body: answers }));
    check(data.token.startsWith("dat_") && data.token_type === "Bearer", step, "expected a dat_ bearer token", data);
    check(data.application.status === "draft" && data.application.eligibility.eligible, step, "expected an eligible draft", data.application);
    check(
        data.application.eligibility.passcode_channel === answers.passcode_channel,
        step,
        `expected the passcode channel ${answers.passcode_channel}`,
        data.application.eligibility,
    );
    const location = response.headers.get("Location") ?? "";
    check(location.endsWith(`/v1/applications/${data.application.id}`), step, `Location ${location} does not name the application`);
    const token = data.token;
    return { id: data.application.id, applicant: clientFor(() => token) };
}

async function chooseTownAndMembers(route: string, applicant: Api, id: string, members: Schemas["NewMember"][]): Promise<string> {
    let step = `${route}: GET /v1/applications/{id}/town-suggestions`;
    const { data: suggestions } = await expectStatus(
        step,
        200,
        applicant.GET("/v1/applications/{id}/town-suggestions", { params: { path: { id } } }),
    );
    const suggestion = suggestions.suggestions[0];
    check(suggestion !== undefined && suggestion.town === "leeds", step, "expected the town leeds from the address on record", suggestions);

    step = `${route}: GET /v1/applications/{id}/mailbox-preview?town=Leeds`;
    const { data: preview } = await expectStatus(
        step,
        200,
        applicant.GET("/v1/applications/{id}/mailbox-preview", { params: { path: { id }, query: { town: "Leeds" } } }),
    );
    check(
        preview.town === "leeds" && preview.shared_mailbox_address === suggestion.shared_mailbox_address,
        step,
        `expected the address the suggestion gave, ${suggestion.shared_mailbox_address}`,
        preview,
    );

    step = `${route}: PUT /v1/applications/{id}/town`;
    const { data: withTown } = await expectStatus(
        step,
        200,
        applicant.PUT("/v1/applications/{id}/town", { params: { path: { id } }, body: { town: "Leeds" } }),
    );
    check(
        withTown.town === "leeds" && withTown.shared_mailbox_address === preview.shared_mailbox_address,
        step,
        "expected the previewed town and address",
        withTown,
    );

    const added: Schemas["MemberView"][] = [];
    for (const [position, member] of members.entries()) {
        step = `${route}: POST /v1/applications/{id}/members (${member.first_name} ${member.last_name})`;
        const { data, response } = await expectStatus(
            step,
            201,
            applicant.POST("/v1/applications/{id}/members", { params: { path: { id } }, body: member }),
        );
        check(
            data.member.position === position && data.member.is_owner === (position === 0) && data.counts.specified === position + 1,
            step,
            `expected member ${position}${position === 0 ? ", the owner" : ", not an owner"}`,
            data,
        );
        check((response.headers.get("Location") ?? "").endsWith(`/members/${data.member.id}`), step, "expected a Location naming the member");
        added.push(data.member);
    }

    const second = added[1];
    check(second !== undefined, route, "expected two members");
    step = `${route}: PATCH /v1/applications/{id}/members/{member_id} (mailbox admin)`;
    const { data: edited } = await expectStatus(
        step,
        200,
        applicant.PATCH("/v1/applications/{id}/members/{member_id}", {
            params: { path: { id, member_id: second.id } },
            body: { is_mailbox_admin: true },
        }),
    );
    check(
        edited.member.is_mailbox_admin && edited.member.has_shared_mailbox_access && !edited.member.is_owner,
        step,
        "expected a mailbox admin (with access, R-R3)",
        edited,
    );

    step = `${route}: GET /v1/applications/{id}`;
    const { data: ready } = await expectStatus(step, 200, applicant.GET("/v1/applications/{id}", { params: { path: { id } } }));
    check(
        ready.missing.length === 0 && ready.allowed_actions.includes("submit") && ready.members.length === members.length,
        step,
        "expected nothing missing and submit allowed",
        ready,
    );
    return withTown.shared_mailbox_address ?? "";
}

async function submit(route: string, applicant: Api, id: string): Promise<Schemas["SubmissionReceipt"]> {
    const key = `ts-journey-${id}`;
    const send = () =>
        applicant.POST("/v1/applications/{id}/submission", {
            params: { path: { id }, header: { "Idempotency-Key": key } },
            body: { confirm_data_correct: true },
        });
    let step = `${route}: POST /v1/applications/{id}/submission`;
    const { data: receipt, response: first } = await expectStatus(step, 200, send());
    check(receipt.application_id === id && receipt.members === 2, step, "expected the receipt of this application", receipt);
    check(first.headers.get("Idempotent-Replayed") !== "true", step, "the first submission is marked as a replay");

    step = `${route}: POST /v1/applications/{id}/submission again with the same Idempotency-Key`;
    const { data: replay, response: second } = await expectStatus(step, 200, send());
    check(canonical(replay) === canonical(receipt), step, `expected the same receipt as before: ${canonical(receipt)}`, replay);
    check(second.headers.get("Idempotent-Replayed") === "true", step, "expected Idempotent-Replayed: true");
    return receipt;
}

async function findSubmitted(helpdesk: Api, route: string, id: string, odsCode: string): Promise<void> {
    const step = `${route}: GET /v1/admin/applications?status=submitted&ods_code=${odsCode}`;
    const { data } = await expectStatus(
        step,
        200,
        helpdesk.GET("/v1/admin/applications", { params: { query: { status: "submitted", ods_code: odsCode } } }),
    );
    const found = data.items.find((item) => item.id === id);
    check(found !== undefined && found.status === "submitted", step, "expected the application among the submitted ones", data);
}

async function approve(helpdesk: Api, route: string, id: string): Promise<Schemas["AdminApplicationView"]> {
    const step = `${route}: POST /v1/admin/applications/{id}/approval`;
    const { data } = await expectStatus(step, 200, helpdesk.POST("/v1/admin/applications/{id}/approval", { params: { path: { id } } }));
    check(data.id === id && data.status === "approved" && data.decided_at !== null, step, "expected an approved application", data);
    check(
        data.accounts.length === 2 && data.accounts.every((account) => account.username.includes("@") && account.status === "pending_activation"),
        step,
        "expected two accounts pending activation, with usernames",
        data.accounts,
    );
    return data;
}

async function routeBJourney(helpdesk: Api): Promise<{ id: string; mailbox: string; approved: Schemas["AdminApplicationView"] }> {
    const route = "c. route B";
    const { id, applicant } = await startApplication(route, {
        has_nhsmail_account: false,
        ig_return_submitted: true,
        recent_passcode_received: false,
        knows_cqc_contact_id: false,
        passcode_channel: "post",
    });

    let step = `${route}: GET /v1/practices?postcode=${routeB.postcode}`;
    const { data: search } = await expectStatus(
        step,
        200,
        applicant.GET("/v1/practices", { params: { query: { postcode: routeB.postcode } } }),
    );
    check(search.route === "b" && search.candidates.length === 0, step, "expected route b: no practice in the register there", search);

    step = `${route}: PUT /v1/applications/{id}/practice`;
    const { data: identified } = await expectStatus(
        step,
        200,
        applicant.PUT("/v1/applications/{id}/practice", {
            params: { path: { id } },
            body: {
                route: "b",
                postcode: routeB.postcode,
                practice_name: "Typescript Family Dental",
                ods_code: routeB.odsCode,
                cqc_location_id: routeB.cqcLocationId,
            },
        }),
    );
    const cqc = identified.practice?.cqc_details;
    check(
        identified.practice?.route === "b" && cqc?.location_id === routeB.cqcLocationId && cqc.name === routeB.name,
        step,
        "expected route b with the CQC details of the uploaded location",
        identified.practice,
    );
    check(identified.allowed_actions.includes("request_passcode"), step, "expected request_passcode allowed", identified.allowed_actions);

    // The letter goes to the CQC registered address; the outbox lists it under its postcode.
    const lettersBefore = await outbox(route, routeB.postcode);
    step = `${route}: POST /v1/applications/{id}/passcode-requests`;
    const { data: issued } = await expectStatus(
        step,
        202,
        applicant.POST("/v1/applications/{id}/passcode-requests", { params: { path: { id } }, body: { channel: "post" } }),
    );
    check(issued.channel === "post" && issued.sent_to.includes(routeB.postcode), step, "expected a letter to the CQC registered address", issued);
    const { secret: passcode } = await awaitSecret(
        `${route}: passcode letter`,
        routeB.postcode,
        "passcode_letter",
        (message) => message.body.includes(routeB.cqcLocationId),
        /passcode is: ([0-9A-Z]{4}-[0-9A-Z]{4})/,
        lettersBefore,
    );

    step = `${route}: POST /v1/applications/{id}/verification (passcode)`;
    const { data: verified } = await expectStatus(
        step,
        200,
        applicant.POST("/v1/applications/{id}/verification", {
            params: { path: { id } },
            body: { method: "passcode", cqc_location_id: routeB.cqcLocationId, passcode },
        }),
    );
    check(verified.practice?.verified === true, step, "expected the practice verified", verified.practice);

    step = `${route}: PUT /v1/applications/{id}/cqc-confirmation`;
    const { data: confirmed } = await expectStatus(
        step,
        200,
        applicant.PUT("/v1/applications/{id}/cqc-confirmation", { params: { path: { id } }, body: { confirmed: true } }),
    );
    check(confirmed.practice?.cqc_details_confirmed === true, step, "expected the CQC details confirmed", confirmed.practice);

    const mailbox = await chooseTownAndMembers(route, applicant, id, membersB);
    const receipt = await submit(route, applicant, id);
    check(receipt.status === "submitted" && receipt.shared_mailbox_address === mailbox, route, "expected route B to wait for the helpdesk", receipt);

    await findSubmitted(helpdesk, route, id, routeB.odsCode);
    const approved = await approve(helpdesk, route, id);
    check(approved.route === "b" && approved.shared_mailbox_address === mailbox, route, "expected the route B mailbox approved", approved);
    return { id, mailbox, approved };
}

async function routeAJourney(helpdesk: Api): Promise<{ id: string; mailbox: string; decidedBy: string }> {
    const route = "d. route A";
    const { id, applicant } = await startApplication(route, {
        has_nhsmail_account: false,
        ig_return_submitted: true,
        recent_passcode_received: false,
        knows_cqc_contact_id: true,
        passcode_channel: "email",
    });

    let step = `${route}: GET /v1/practices?postcode=${routeA.postcode}`;
    const { data: search } = await expectStatus(
        step,
        200,
        applicant.GET("/v1/practices", { params: { query: { postcode: routeA.postcode } } }),
    );
    const candidate = search.candidates.find((practice) => practice.ods_code === routeA.odsCode);
    check(search.route === "a" && candidate !== undefined && candidate.name === routeA.name, step, "expected route a with the uploaded practice", search);

    step = `${route}: PUT /v1/applications/{id}/practice`;
    const { data: identified } = await expectStatus(
        step,
        200,
        applicant.PUT("/v1/applications/{id}/practice", {
            params: { path: { id } },
            body: { route: "a", postcode: routeA.postcode, practice_id: candidate.id },
        }),
    );
    check(
        identified.practice?.route === "a" &&
            identified.practice.ods_code === routeA.odsCode &&
            identified.practice.authentication_methods.includes("cqc_contact_id") &&
            identified.practice.registered_manager_email_on_record,
        step,
        "expected the register's practice, verifiable by CQC contact ID",
        identified.practice,
    );

    step = `${route}: POST /v1/applications/{id}/verification (CQC contact ID)`;
    const { data: verified } = await expectStatus(
        step,
        200,
        applicant.POST("/v1/applications/{id}/verification", {
            params: { path: { id } },
            body: { method: "cqc_contact_id", cqc_location_id: routeA.cqcLocationId, cqc_contact_id: routeA.cqcContactId.toLowerCase() },
        }),
    );
    check(
        verified.practice?.verified === true && verified.practice.cqc_location_id === routeA.cqcLocationId,
        step,
        "expected the practice verified",
        verified.practice,
    );

    const mailbox = await chooseTownAndMembers(route, applicant, id, membersA);
    const receipt = await submit(route, applicant, id);
    if (receipt.status === "approved") {
        return { id, mailbox, decidedBy: "auto-approved" }; // AUTO_APPROVE is on: IG level 2 passes
    }
    check(receipt.status === "submitted", route, "expected submitted (or approved, with AUTO_APPROVE)", receipt);
    await findSubmitted(helpdesk, route, id, routeA.odsCode);
    const approved = await approve(helpdesk, route, id);
    const ig = approved.ig_status_of_record;
    check(
        ig !== undefined && ig.assessment === "igt" && ig.value === "2" && ig.satisfactory && ig.assessed_on === "2024-03-31",
        route,
        "expected the IG status of record from the uploaded register: IGT level 2, satisfactory",
        ig,
    );
    return { id, mailbox, decidedBy: "approved by the helpdesk" };
}

// ---------------------------------------------------------------------------------------------
// e. A member activates, f. then resets the password by self-service

async function activate(account: Schemas["AccountView"]): Promise<void> {
    const route = "e. activation";
    const { secret: temporary } = await awaitSecret(
        `${route}: temporary password text message`,
        activatingMobile,
        "temporary_password_sms",
        () => true,
        /temporary password is (\S+)/,
    );

    let session: Schemas["Session"];
    const holder = clientFor(() => session.access_token);

    let step = `${route}: POST /v1/account/sessions (temporary password)`;
    ({ data: session } = await expectStatus(
        step,
        201,
        anonymous.POST("/v1/account/sessions", { body: { username: account.username, password: temporary } }),
    ));
    check(
        session.scope === "activation" &&
            canonical(session.required_actions) ===
                canonical(["change_password", "set_security_questions", "accept_acceptable_use_policy", "choose_directory_visibility"]),
        step,
        "expected an activation session with the four required actions in order",
        session,
    );

    step = `${route}: PUT /v1/account/password`;
    const { data: changed } = await expectStatus(
        step,
        200,
        holder.PUT("/v1/account/password", { body: { current_password: temporary, new_password: firstPassword } }),
    );
    check(changed.session !== undefined && changed.required_actions[0] === "set_security_questions", step, "expected a new session, security questions next", changed);
    session = changed.session;

    step = `${route}: GET /v1/account/security-questions`;
    const { data: questions } = await expectStatus(step, 200, holder.GET("/v1/account/security-questions"));
    const [first, second] = questions;
    check(first !== undefined && second !== undefined, step, "expected at least two questions", questions);
    securityAnswers[first.code] = "Biscuit the cat";
    securityAnswers[second.code] = "St Marys primary";

    step = `${route}: PUT /v1/account/security-questions`;
    const { data: answered } = await expectStatus(
        step,
        200,
        holder.PUT("/v1/account/security-questions", {
            body: {
                answers: [
                    { question: first.code, answer: "Biscuit the cat" },
                    { question: second.code, answer: "St Marys primary" },
                ],
            },
        }),
    );
    check(answered.required_actions[0] === "accept_acceptable_use_policy", step, "expected the acceptable use policy next", answered);

    step = `${route}: PUT /v1/account/acceptable-use-policy`;
    const { data: accepted } = await expectStatus(step, 200, holder.PUT("/v1/account/acceptable-use-policy", { body: { accepted: true } }));
    check(
        canonical(accepted.required_actions) === canonical(["choose_directory_visibility"]),
        step,
        "expected directory visibility as the last action",
        accepted,
    );

    step = `${route}: PUT /v1/account/directory-visibility`;
    const { data: active } = await expectStatus(step, 200, holder.PUT("/v1/account/directory-visibility", { body: { mobile_visible: false } }));
    check(
        active.status === "active" &&
            active.required_actions.length === 0 &&
            active.session?.scope === "full" &&
            active.session.refresh_token !== null,
        step,
        "expected an active account and a full session",
        active,
    );
    session = active.session;

    step = `${route}: GET /v1/account/me`;
    const { data: me } = await expectStatus(step, 200, holder.GET("/v1/account/me"));
    check(
        me.id === account.id &&
            me.username === account.username &&
            me.status === "active" &&
            me.mobile === activatingMobile &&
            !me.mobile_visible &&
            me.practices.some((practice) => practice.ods_code === routeB.odsCode && practice.is_mailbox_admin),
        step,
        "expected the activated account, its hidden mobile and its practice (mailbox admin)",
        me,
    );
}

async function selfServiceReset(account: Schemas["AccountView"]): Promise<void> {
    const route = "f. self-service reset";
    const textsBefore = await outbox(route, activatingMobile);

    let step = `${route}: POST /v1/account/password-resets`;
    const { data: started } = await expectStatus(step, 202, anonymous.POST("/v1/account/password-resets", { body: { username: account.username } }));
    const answer = securityAnswers[started.security_question.code];
    check(answer !== undefined, step, "expected one of the two questions set at activation", started);

    const { secret: code } = await awaitSecret(
        `${route}: reset code text message`,
        activatingMobile,
        "password_reset_code_sms",
        () => true,
        /reset code is (\d{8})/,
        textsBefore,
    );

    step = `${route}: POST /v1/account/password-resets/{reset_id}/completion`;
    const { data: done } = await expectStatus(
        step,
        200,
        anonymous.POST("/v1/account/password-resets/{reset_id}/completion", {
            params: { path: { reset_id: started.reset_id } },
            body: { code, answer, new_password: resetPassword },
        }),
    );
    check(done.status === "password_changed", step, "expected password_changed", done);

    step = `${route}: POST /v1/account/sessions (new password)`;
    const { data: session } = await expectStatus(
        step,
        201,
        anonymous.POST("/v1/account/sessions", { body: { username: account.username, password: resetPassword } }),
    );
    check(session.scope === "full" && session.required_actions.length === 0, step, "expected a full session", session);
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
    const helpdesk = await helpdeskSignIn();
    await uploadReferenceData(helpdesk);
    const b = await routeBJourney(helpdesk);
    const a = await routeAJourney(helpdesk);

    const theo = membersB[1];
    const account = b.approved.accounts.find((candidate) => candidate.first_name === theo?.first_name && candidate.last_name === theo?.last_name);
    check(account !== undefined, "e. activation", `expected an account for ${theo?.first_name} ${theo?.last_name}`, b.approved.accounts);
    await activate(account);
    await selfServiceReset(account);

    console.log(
        `typescript client OK: reference data uploaded (${routeA.odsCode}, ${routeB.cqcLocationId}); ` +
            `route B ${b.id} verified by posted passcode, submitted (idempotent replay checked) and approved as ${b.mailbox}; ` +
            `route A ${a.id} verified by CQC contact ID, ${a.decidedBy}, ${a.mailbox}; ` +
            `${account.username} activated, reset the password by self-service and signed in again (scope full); ${requests} requests`,
    );
}

try {
    await main();
} catch (error: unknown) {
    console.error(`FAIL typescript client: ${error instanceof Error ? error.message : String(error)}`);
    if (error instanceof Error && !(error instanceof StepFailure) && error.stack !== undefined) {
        console.error(error.stack);
    }
    process.exitCode = 1;
}
