"""The `steward` command line's parser: every command, flag and help text (`cli.py` runs them)."""

from __future__ import annotations

import argparse
from pathlib import Path

from steward._agent_parser import agent_commands
from supervision import QUEUE_STATUSES

STATUSES = QUEUE_STATUSES
"""The queue's statuses (`--status` choices), as the queue defines them."""


def _report_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--no-save", action="store_true", help="do not save the report (saved reports are listed at /evals)"
    )
    parser.add_argument("--actor", metavar="USER", help="who ran the evaluation (default: the login name)")


def command_parser() -> argparse.ArgumentParser:
    """Every `steward` command, its flags and its help text."""
    parser = argparse.ArgumentParser(
        prog="steward",
        description=(
            "Supervised AI agents for customer operations. Settings come from STEWARD_* environment "
            "variables (see README): STEWARD_HOME (default ./.steward), STEWARD_DATABASE_URL "
            "(default SQLite in STEWARD_HOME; postgresql://... for PostgreSQL)."
        ),
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser(
        "demo",
        help="build the demo in a fresh ./.steward/ and print what happened",
        description=(
            "Build the demo in a fresh STEWARD_HOME (./.steward/): generate a SIMULATED world of five source "
            "systems (CRM, ERP, shop, ticketing, marketing; German credit applicants, CDNOW purchases, CFPB "
            "complaints, with typos, duplicates and broken rows) in <home>/world, ingest it (staging, quarantine, "
            "identity resolution, golden records, signals timeline), train the credit scorecard, replay a "
            "SIMULATED history of reviewed credit decisions (reviewers and loan outcomes simulated from the "
            "dataset's labels) so the autonomy ladder has evidence, then run new applications and print what was "
            "auto-executed, what waits for review, what was denied, each action's autonomy level with the KPIs "
            "behind it; plan the open orders as one batch (a SIMULATED planning history first) and print the routes "
            "run automatically, waiting for review or held, and the plan's cost against the solver's bound; and "
            "who needs attention. Seeds the users officer, senior, head, planner, ops, auditor and "
            "engineer with fresh passwords and prints their logins, then serves the web UI (as `steward serve`) "
            "unless --no-serve is given."
        ),
    )
    demo.add_argument("--no-serve", action="store_true", help="do not start the web UI afterwards")
    demo.add_argument("--host", default="127.0.0.1", help="address the web UI listens on (default 127.0.0.1)")
    demo.add_argument("--port", type=int, default=8000, help="port of the web UI (default 8000)")
    demo.add_argument("--history", type=int, default=450, help="applications in the simulated history")
    demo.add_argument("--new", type=int, default=60, help="new applications run after the history")
    demo.add_argument("--seed", type=int, default=7, help="seed of the generated world and the simulated reviewers")
    demo.add_argument("--people", type=int, default=3000, help="people in the generated world (default 3000)")

    serve = sub.add_parser(
        "serve",
        help="run the approval web UI and JSON API",
        description=(
            "Serve the approval web UI (log in at /login) and the JSON API (/api/..., OpenAPI at /openapi.json). "
            "Refuses to start while no user has a password: create one with `steward users add USER --role admin`. "
            "Before it answers a request it carries on decisions a crash left unfinished (as `steward recover`)."
        ),
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")

    recover = sub.add_parser(
        "recover",
        help="apply the review clock and carry on decisions a crash left unfinished (serve does this at every start)",
        description=(
            "Apply the review clock first: pending reviews past their deadline expire, or escalate to the role "
            "their action's policy names (review: on_timeout: escalate) and stay pending with a new deadline. "
            "Then find the proposals a crash left between a decision and its end (approved, edited or executing, or "
            "rejected or expired with the agent's thread still paused) and resume each agent's thread from its "
            "checkpoint: an action runs once (an action whose write happened before the crash is completed, not "
            "written again), then the autonomy ladder of each action carried on is reviewed. Prints what it did: "
            "counts per outcome and the proposal ids (with --json, also `expired` and `escalated`: the ids the "
            "review clock expired and escalated). Safe to run at any time and repeatedly; `steward serve` runs "
            "it at every start. Exit 0, or 1 if a proposal could not be carried on (stuck or error)."
        ),
    )
    recover.add_argument("--json", action="store_true", help="print the report as JSON")
    agent_commands(sub)

    users = sub.add_parser("users", help="people who log in and review").add_subparsers(
        dest="users_command", required=True, metavar="ACTION"
    )
    u_add = users.add_parser(
        "add",
        help="create or update a user; the password is read from standard input",
        description=(
            "Create USER (or update their name and roles) and set their password, read from standard input: "
            "typed twice at a terminal, or the first line of a pipe (e.g. from a secrets manager). At least 10 "
            "characters; only an argon2 hash is stored."
        ),
    )
    u_add.add_argument("user", metavar="USER")
    u_add.add_argument(
        "--role",
        action="append",
        required=True,
        metavar="ROLE",
        help=(
            "a role (repeatable) declared in the bundled steward/roles.yaml or the deployment's STEWARD_ROLES_FILE, "
            "e.g. admin, ops_manager, auditor, credit_officer; an unknown role is refused with the list"
        ),
    )
    u_add.add_argument("--name", help="display name (default: USER)")
    u_token = users.add_parser(
        "token",
        help="issue an API token for USER and print it (shown only this once)",
        description=(
            "Issue an API token for USER (`Authorization: Bearer <token>`) and print it; only its hash is kept. "
            "It lasts until revoked (`steward users revoke-tokens USER`), or --expires-in DAYS."
        ),
    )
    u_token.add_argument("user", metavar="USER")
    u_token.add_argument(
        "--expires-in", type=float, metavar="DAYS", help="the token stops working after DAYS days (default: never)"
    )
    users.add_parser("list", help="every user with their roles and whether they can log in (or are disabled)")
    u_tokens = users.add_parser("tokens", help="USER's API tokens: id, state, created, expires, last used")
    u_tokens.add_argument("user", metavar="USER")
    u_revoke = users.add_parser("revoke-tokens", help="revoke every API token of USER at once; prints how many")
    u_revoke.add_argument("user", metavar="USER")
    u_disable = users.add_parser(
        "disable",
        help="stop USER logging in; ends their web sessions and revokes their API tokens at once",
        description=(
            "Disable USER: their password no longer logs in, their web sessions end and their API tokens are "
            "revoked, at once. `steward users add` keeps a disabled user disabled; `steward users enable USER` "
            "lets them log in again (old sessions and tokens stay revoked)."
        ),
    )
    u_disable.add_argument("user", metavar="USER")
    u_enable = users.add_parser("enable", help="let a disabled USER log in again (issue new API tokens if needed)")
    u_enable.add_argument("user", metavar="USER")

    queue = sub.add_parser("queue", help="the human-approval queue").add_subparsers(
        dest="queue_command", required=True, metavar="ACTION"
    )
    q_list = queue.add_parser("list", help="list proposals, newest first")
    q_list.add_argument("--status", choices=STATUSES, help="only proposals in this state")
    q_list.add_argument("--limit", type=int, default=50, help="at most this many (default 50)")
    q_list.add_argument(
        "--customer",
        metavar="ID",
        help="only proposals that name this customer, as their customer or anywhere in their arguments",
    )
    q_list.add_argument("--json", action="store_true", help="print a JSON list")
    q_show = queue.add_parser(
        "show", help="one proposal: its action's headline figures, evidence, gate decision and reviews"
    )
    q_show.add_argument("id")
    q_show.add_argument("--json", action="store_true", help="print JSON (the proposal, and `figures`)")
    q_decide = queue.add_parser(
        "decide",
        help="approve, reject or edit a pending proposal",
        description=(
            "Decide a pending proposal as USER. The decision is checked against the policy's authority "
            "(role limits, four eyes, no approving your own request); a final decision resumes the "
            "paused agent, which executes the approved action exactly once. Exits non-zero with a "
            "one-line reason on a conflict (already decided), missing authority or a four-eyes violation."
        ),
    )
    q_decide.add_argument("id")
    verdict = q_decide.add_mutually_exclusive_group(required=True)
    verdict.add_argument("--approve", action="store_true", help="approve the proposed action as it is")
    verdict.add_argument("--reject", action="store_true", help="reject the proposed action")
    verdict.add_argument(
        "--edit", metavar="JSON", help="approve with changed arguments, e.g. '{\"amount\": 3000}' (re-gated)"
    )
    q_decide.add_argument(
        "--action",
        metavar="NAME",
        help="with --edit: put another action of the same agent in place of the proposed one, --edit giving "
        "its arguments (re-gated); `steward agents list` names each agent's actions",
    )
    q_decide.add_argument("--as", dest="user", required=True, metavar="USER", help="the deciding user")
    q_decide.add_argument("--comment", help="why (kept in the audit trail)")
    queue.add_parser(
        "expire",
        help="apply the review clock: pending reviews past their SLA expire, or escalate where their policy says "
        "(neither counted as a rejection)",
    )
    q_again = queue.add_parser(
        "propose-again",
        help="have the agent propose afresh in place of a proposal whose execution failed",
        description=(
            "A proposal whose execution failed (the data changed after it was approved) stays failed, with "
            "its error. This runs the agent again on the same case, on today's data; the fresh proposal is "
            "gated and reviewed like any other. Asking twice gives the same fresh proposal."
        ),
    )
    q_again.add_argument("id", help="the failed proposal")
    q_again.add_argument("--as", dest="user", required=True, metavar="USER", help="who asks (kept in the audit trail)")
    q_again.add_argument("--json", action="store_true", help="print the fresh proposal as JSON")

    autonomy = sub.add_parser("autonomy", help="autonomy levels of each agent action").add_subparsers(
        dest="autonomy_command", required=True, metavar="ACTION"
    )
    a_status = autonomy.add_parser("status", help="each action's level and the KPIs behind it")
    a_status.add_argument("--json", action="store_true", help="print JSON")
    a_requests = autonomy.add_parser("requests", help="promotions waiting for an ops manager's sign-off")
    a_requests.add_argument("--json", action="store_true", help="print JSON")
    a_sign = autonomy.add_parser(
        "sign-off",
        help="approve or decline a promotion waiting for sign-off",
        description=(
            "Approve (the action moves up one level, recorded as USER's move with the KPIs behind it) or decline "
            "promotion request ID, as listed by `steward autonomy requests`. USER needs a role with the "
            "autonomy.signoff permission (bundled: ops_manager, admin). Refused if the request was already decided "
            "or the action's level moved since it was requested. "
            "A declined promotion is requested again only on fresh evidence."
        ),
    )
    a_sign.add_argument("id", type=int, metavar="ID")
    sign_decision = a_sign.add_mutually_exclusive_group(required=True)
    sign_decision.add_argument("--approve", action="store_true", help="apply the promotion")
    sign_decision.add_argument("--decline", action="store_true", help="keep the current level")
    a_sign.add_argument("--note", help="why (kept with the request)")
    a_sign.add_argument("--actor", required=True, metavar="USER", help="the ops manager signing off")

    policy = sub.add_parser("policy", help="view and change the agents' policies (versioned, audited)").add_subparsers(
        dest="policy_command", required=True, metavar="ACTION"
    )
    p_show = policy.add_parser(
        "show",
        help="print a policy's YAML (the version in force, or --version N)",
        description=(
            "Print the YAML of AGENT's policy to stdout (redirect it to a file to edit it), and which version it "
            "is to stderr. Version 0 is the policy file Steward was installed with; saved versions count from 1."
        ),
    )
    p_show.add_argument("agent", metavar="AGENT")
    p_show.add_argument("--version", type=int, metavar="N", help="this version instead of the one in force")
    p_history = policy.add_parser("history", help="every version of a policy: who saved it, when and why")
    p_history.add_argument("agent", metavar="AGENT")
    p_history.add_argument("--json", action="store_true", help="print JSON")
    p_what_if = policy.add_parser(
        "what-if",
        help="validate a changed policy and replay recent proposals under it (nothing is saved)",
        description=(
            "Validate FILE as AGENT's next policy (errors name the line), then replay the agent's last 500 "
            "proposals under the policy in force and under FILE, each at its action's current autonomy level, and "
            "print per action how many would run automatically, be reviewed or be denied, how many would newly "
            "run without a person, and how many of FILE's automated cases reviewers had rejected or edited."
        ),
    )
    p_what_if.add_argument("agent", metavar="AGENT")
    p_what_if.add_argument("file", type=Path, metavar="FILE")
    p_what_if.add_argument("--json", action="store_true", help="print the report as JSON")
    p_set = policy.add_parser(
        "set",
        help="validate, show the what-if, and save FILE as the next version of a policy",
        description=(
            "Validate FILE as AGENT's next policy, print the what-if (as `steward policy what-if`), then save it as "
            "the next version, with the reason and the actor in the audit trail. Running agents use it from their "
            "next decision, in every process, without a restart. Exits non-zero, saving nothing, if FILE is "
            "invalid or someone else saved a version meanwhile."
        ),
    )
    p_set.add_argument("agent", metavar="AGENT")
    p_set.add_argument("file", type=Path, metavar="FILE")
    p_set.add_argument("--reason", required=True, help="why the policy changes (kept with the version)")
    p_set.add_argument(
        "--actor", metavar="USER", help="the user making the change (must exist; default: cli:<login name>)"
    )

    audit = sub.add_parser("audit", help="the hash-chained audit trail").add_subparsers(
        dest="audit_command", required=True, metavar="ACTION"
    )
    a_verify = audit.add_parser(
        "verify",
        help="check the chain and its signed checkpoints: exit 0 with the entry count and head, 1 naming each problem",
        description=(
            "Walk the hash chain from entry 1, then check every signed checkpoint of its head: signed by the key "
            "in STEWARD_AUDIT_KEY_FILE (default <home>/audit-signing.key) or one listed in "
            "STEWARD_AUDIT_TRUSTED_KEYS, unchanged since it was signed, and its entry still in the chain with the "
            "signed hash; so entries cut off the end, or an entry edited and every later hash recomputed, are "
            "seen up to the newest checkpoint. Prints the entry count, the head (SEQ:HASH) and the checkpoints. "
            "Exit 0 when everything holds, 1 with one line per problem."
        ),
    )
    a_verify.add_argument(
        "--expect-head",
        action="append",
        metavar="[SEQ:]HASH",
        help=(
            "a head recorded elsewhere, as SEQ:HASH (entry SEQ must exist with this hash) or HASH (some entry "
            "must have it), e.g. from `steward audit checkpoint`; since each hash covers every entry before it, "
            "a cut or a rewrite up to that entry, even after the newest checkpoint, fails the check (repeatable)"
        ),
    )
    a_verify.add_argument(
        "--json",
        action="store_true",
        help="print JSON: ok, chain, head, checkpoints, newest_checkpoint, expected_heads, problems",
    )
    a_checkpoint = audit.add_parser(
        "checkpoint",
        help="sign the chain's head now and print the checkpoint to keep elsewhere",
        description=(
            "Sign the newest audit entry (its sequence number and hash, and the time) with the audit signing key, "
            "store the checkpoint, and print it: head SEQ:HASH, time, public key and signature. Keep the output "
            "outside this installation (a ticket, another machine) and pass the head to `steward audit verify "
            "--expect-head` later. Steward also writes checkpoints by itself (every STEWARD_AUDIT_CHECKPOINT_ENTRIES "
            "entries, after STEWARD_AUDIT_CHECKPOINT_MINUTES, and when a command that appended entries ends)."
        ),
    )
    a_checkpoint.add_argument("--json", action="store_true", help="print the checkpoint as JSON")

    evals = sub.add_parser("eval", help="offline evaluations on labelled data").add_subparsers(
        dest="eval_command", required=True, metavar="EVAL"
    )
    e_credit = evals.add_parser(
        "credit",
        help="evaluate the credit scorecard on labelled applicants",
        description=(
            "Evaluate the credit scorecard, trained on the bundled German credit data (never on DIR), "
            "on DIR/german_credit.csv (same layout). Reports n, expected cost per applicant (StatLog "
            "matrix: approving a bad applicant costs 5, declining a good one 1), AUC and approval rate."
        ),
    )
    e_credit.add_argument("--data", required=True, type=Path, metavar="DIR", help="folder with german_credit.csv")
    e_credit.add_argument("--json", action="store_true", help="print JSON")
    _report_options(e_credit)

    e_identity = evals.add_parser(
        "identity",
        help="evaluate the record matcher on FEBRL-layout data",
        description=(
            "Run the unsupervised record matcher (Fellegi-Sunter, parameters learnt by EM without labels) on "
            "each FEBRL task whose files are in DIR (febrl_dataset1-3.csv dedupe, febrl_dataset4a/4b.csv link) "
            "and report precision, recall and F1 of the predicted pairs against the true-pair files, which "
            "only the scoring reads."
        ),
    )
    e_identity.add_argument("--data", required=True, type=Path, metavar="DIR", help="folder in the FEBRL layout")
    e_identity.add_argument("--json", action="store_true", help="print JSON")
    _report_options(e_identity)

    e_routing = evals.add_parser(
        "routing",
        help="evaluate the assignment solver on OR-Library generalised assignment instances",
        description=(
            "Solve each instance in DIR/instances/*.txt (OR-Library format, one problem per file) with the "
            "assignment solver the routing agent uses, check every plan independently (each job once, no "
            "capacity exceeded), and report its gap to the optimum or best known value in "
            "DIR/gap_reference_values.csv, the solver's own bound, and the time taken, per instance, per family "
            "(gap1-12, types A-D) and overall. DIR defaults to the bundled visible instances. Progress goes to "
            "stderr; with --json, stdout is only the report."
        ),
    )
    e_routing.add_argument(
        "--data", type=Path, metavar="DIR", help="folder in the gap_orlib layout (default: the bundled instances)"
    )
    e_routing.add_argument("--json", action="store_true", help="print JSON")
    e_routing.add_argument(
        "--time-limit", type=float, default=10.0, metavar="S", help="seconds per instance (default 10)"
    )
    e_routing.add_argument(
        "--instances", metavar="NAME,...", help="only these instances, by file name without .txt (e.g. gap1-1,a05100)"
    )
    _report_options(e_routing)

    ingest = sub.add_parser(
        "ingest",
        help="read the source systems into the golden record",
        description=(
            "Read every source system configured in STEWARD_SOURCES (default <home>/world/sources.yaml, which "
            "`steward demo` writes), or only --source NAME. Every row is staged as received or quarantined with "
            "the reason, and the counts reconcile (received = staged + quarantined; exit 1 if they do not). Then "
            "identity resolution links person records to customers: sure matches automatically, uncertain ones "
            "as merge proposals for review. Events join the signals timeline; credit requests become "
            "applications. Re-running is incremental: unchanged rows write nothing."
        ),
    )
    ingest.add_argument("--source", action="append", metavar="NAME", help="only this system (repeatable)")
    ingest.add_argument("--json", action="store_true", help="print the reconciliation report as JSON")

    customer = sub.add_parser("customer", help="one customer's 360 view").add_subparsers(
        dest="customer_command", required=True, metavar="ACTION"
    )
    c_show = customer.add_parser(
        "show",
        help="golden record with lineage and conflicts, complaints, orders, payments, consents, proposals",
        description=(
            "Show customer ID: every golden field with its lineage (source system, source record, observed at, "
            "the survivorship rule that chose it) and the conflicting values that lost, the linked source "
            "records, consents per purpose, the attention reasons, open complaints, recent orders, payments and "
            "engagement, credit applications and decisions, and the proposals about the customer. An id that "
            "was merged into another shows the customer it was merged into."
        ),
    )
    c_show.add_argument("id")
    c_show.add_argument("--json", action="store_true", help="print JSON")

    attention = sub.add_parser(
        "attention",
        help="which customers need attention this week, and why",
        description=(
            "Rank customers by an attention score built on the signals timeline: open complaints and their age, "
            "overdue invoices, late payments, buying that stopped, falling e-mail engagement, valuable customers "
            "not contacted for long, abandoned carts. Each entry lists its reasons with the source records behind "
            "them. JSON: a list of objects with customer_id, score, reasons (and features)."
        ),
    )
    attention.add_argument("--top", type=int, default=10, help="how many customers (default 10)")
    attention.add_argument("--json", action="store_true", help="print JSON")

    gdpr = sub.add_parser("gdpr", help="data-protection duties: retention, export, erasure").add_subparsers(
        dest="gdpr_command", required=True, metavar="ACTION"
    )
    g_retention = gdpr.add_parser(
        "retention",
        help="show (or --apply) the retention rules",
        description=(
            "Show what each retention rule (STEWARD_RETENTION, default: bundled customers/retention.yaml) matches "
            "today: quarantined rows, superseded source-row versions and timeline events past their period, and "
            "customers inactive for longer than theirs. Nothing changes without --apply, which deletes the rows, "
            "anonymises the customers (erased everywhere except their id) and records it in the audit trail."
        ),
    )
    g_retention.add_argument("--apply", action="store_true", help="carry the rules out")
    g_retention.add_argument("--json", action="store_true", help="print JSON")
    g_export = gdpr.add_parser(
        "export",
        help="everything held about a person, as JSON",
        description=(
            "Print (or write to --output) everything Steward holds about customer ID as JSON: the 360 view, "
            "every version of every linked source row as received, the timeline, observations, credit "
            "applications and decisions, quarantined rows that carry their identifiers, the proposals about them "
            "and the audit entries of those proposals."
        ),
    )
    g_export.add_argument("id")
    g_export.add_argument("--output", type=Path, metavar="FILE", help="write the JSON to FILE instead of stdout")
    g_erase = gdpr.add_parser(
        "erase",
        help="erase a person's personal data everywhere",
        description=(
            "Erase customer ID (and every customer merged into it): staged source rows (all versions), quarantined "
            "rows carrying their identifiers, timeline, observations, credit applications and decisions, identity "
            "verdicts and links; proposal payloads and review comments in the queue (pending reviews expire); the "
            "agents' checkpoints of those proposals. The audit chain keeps no personal data and still verifies. "
            "The erased source records are remembered by a keyed hash, so the next `steward ingest` skips them."
        ),
    )
    g_erase.add_argument("id")
    g_erase.add_argument("--json", action="store_true", help="print JSON")

    db = sub.add_parser("db", help="database maintenance").add_subparsers(
        dest="db_command", required=True, metavar="ACTION"
    )
    db.add_parser("upgrade", help="apply the database migrations (every command also does this)")
    return parser
