// Help texts for `maos` and each command.

export const MAIN_HELP = `maos — an operating-system layer between AI agents and the world

Usage: maos <command> [options]

Commands:
  demo                     run the main story on the embedded default: writes, a denial, an
                           approval, a saga that compensates, a crash and its recovery, an audit
  demo attack              a compromised agent in a pod meets the Sentry and the immune system
  check                    decide one intent: maos check --config maos.yaml --intent intent.json
  token mint|inspect|verify|attenuate|revoke
                           capability tokens (hybrid EdDSA + ML-DSA-65 signatures)
  keys list|rotate         issuer keys in the data directory
  schema                   print the JSON Schema of maos.yaml

Daemon (maos start, then the others talk to it over its HTTP API on localhost):
  start                    run the daemon: kernel, commit layer and the HTTP API
  status                   the daemon's health and how many intents wait for approval
  held                     intents waiting for a human, with the reasons they were held
  approve <intent-id>      approve a held intent (it then runs)
  reject <intent-id>       reject a held intent (it never runs)
  undo <intent-id>         restore what a committed intent changed, while its undo window lasts
  log                      journal records, one per line; --follow for new ones
  audit verify             check the journal's hash chain and checkpoints (offline, no daemon)

Agent pods (on the daemon):
  agent run <dir>          start the agent whose maos-agent.yaml is in <dir>; --task <json> also
                           runs a first task and prints its result
  agent task <agent> <json>
                           run one task through the agent and print what it returned
  ps                       the agent pods: state, sandbox, pid, quarantine stage, score, tasks, uptime
  stop <agent>             pause an agent (SIGSTOP); cont <agent> resumes it (SIGCONT)
  kill <agent>             end an agent now (SIGKILL); --signal TERM or INT asks it to stop first
  quarantine <agent>       show an agent's quarantine stage; --stage N moves it (0 releases)
  session create <id> --members a,b [--read-only c]
                           a shared session for pods, mounted at /session/<id> once they join
  session token <id> <agent> [--ttl 10m]
                           print a member's join token (signed, one agent, one session, expiring)
  session show <id>        a session's head (seq, commit) and members, its hash chain re-checked

MCP (Model Context Protocol):
  gateway                  MAOS in front of MCP servers: every tools/call is decided, journaled
                           and committed; tools/list filtered, tools pinned; stdio or --http <port>
  gateway tools list|approve
                           pinned tools and the ones blocked until a human approves them
  mcp                      the kernel's own MCP server over stdio: submit intents, check decisions,
                           read the journal, verify tokens

Information flow:
  replay <trace.jsonl>...  decide recorded agent traces (tasks, calls, results) without executing
                           them: one JSON line per call with verdict and argument provenance

Options:
  -h, --help               show help (also after any command: maos token --help)
  -v, --version            print the version

Exit codes: 0 ok / allow, 1 deny / invalid, 2 usage or input error, 3 escalate (needs a human).
`;

export const CHECK_HELP = `Usage: maos check --intent <file|-> [--token <token|@file|->] [--config maos.yaml] [--data-dir dir]

Decides one intent with all seven checks of the Deterministic Security Core and prints the
decision as JSON: the verdict, the failing checks with stable reason codes, and all seven outcomes.

The intent is a JSON object:
  { "agent": "researcher", "action": "fs.read", "resource": "/workspace/a.md",
    "args": {}, "token": "<serialized token or tok:digest>", "sideEffect": "read",
    "labels": { "confidentiality": "INTERNAL", "integrity": "TRUSTED" },
    "cost": { "tokens": 0, "apiCalls": 1, "costMicros": 0 } }
"id" (a UUIDv7) is added when missing. --token replaces the intent's token.

Exit codes: 0 allow, 1 deny, 3 escalate, 2 input error (malformed intent, unreadable file, bad config).
Use and budget counters live in this process only; the commit layer will persist them.
`;

export const REPLAY_HELP = `Usage: maos replay [--config maos.yaml] [--summary] <trace.jsonl>...

Decides recorded agent traces without executing anything and prints one JSON line per call:
  {"call":"c1","verdict":"allow|deny|escalate","checks":[...],"reason":"...","provenance":{...}}
Each trace file is a fresh session. Its lines (JSON, one per line):
  {"kind":"task","agent":"a","text":"..."}                       the user's request (trusted)
  {"kind":"call","id":"c1","agent":"a","tool":"send_money","args":{...}}   decided now
  {"kind":"result","call":"c1","output":<any JSON>}              labelled by the tool's policy
  {"kind":"declassify","id":"d1","agent":"a","text":"...","to":"INTERNAL","justification":"..."}
                                                                 decided now by the three gates
  {"kind":"meta",...}                                            ignored (scenario metadata)
A declassify line prints {"declassify":"d1","verdict":"...","reason":"...","gates":[...]}. Replay
has no gate-2 evaluators and no human: a request gate 1 passes escalates, one it blocks is denied,
and nothing is released. An allow (only with evaluators given by a program) releases the text in
the trace's session.
A tool is the action of the same name in \`actions\` (or \`mcp.<server>.<tool>\` for \`server__tool\`);
a tool the configuration does not name is denied (TOOL_UNKNOWN). Rate limits and budgets are not
charged. A line that cannot be read prints {"line":N,"error":{...}}; a result that cannot be read
still counts as untrusted context.
--summary adds a last line with totals (declassifications: requests, allowed, escalated, denied). Exit 0, or 2 when a line could not be read.
`;

export const TOKEN_HELP = `Usage: maos token <mint|inspect|verify|attenuate|revoke> [options]

  mint --agent ID [--scope ACTION=RESOURCE]... [--ttl 15m] [--ring N] [--max-uses N]
       [--rate N/DUR] [--budget tokens=N,apiCalls=N,costMicros=N]
       [--ack-by NAME --ack-reason TEXT] [--json]
      Mints a token for a registered agent. Without --scope the token carries all the agent's
      granted capabilities; every scope must lie within them. Default lifetimes: ring 2 60 min,
      ring 3 15 min, external agents 5 min. More than 4x the default needs --ack-by and
      --ack-reason, which are recorded in the token and in <data-dir>/events.jsonl.
      A scope may also be JSON: '{"action":"fs.write","resource":"/w/*","constraint":"size(args.content) < 100"}'.

  attenuate <parent> --scope ACTION=RESOURCE [--scope ...] [--sub AGENT] [--ttl DUR]
       [--ring N] [--max-uses N] [--rate N/DUR] [--budget ...] [--json]
      Mints a child with a subset of the parent's authority: narrower scopes, constraints
      conjoined, expiry, ring, uses, rate and budget no looser. Anything wider is refused.

  inspect <token>   decodes headers and claims without verifying anything
  verify <token>    verifies both signatures, expiry and revocation now (exit 0 valid, 1 not)
  revoke <jti|token> [--reason TEXT]
      Revokes a token and every token attenuated from it; the revocation epoch goes up by one.

Tokens are given inline, as @file, or - for standard input.
Common options: -c, --config maos.yaml (default ./maos.yaml), --data-dir DIR (default: the config's dataDir).
`;

export const KEYS_HELP = `Usage: maos keys <list|rotate> [--config maos.yaml] [--data-dir dir]

  list     prints the current issuer key id and every key id that still verifies tokens
           (creates the first key pair when the data directory has none)
  rotate   makes a new current key pair; tokens signed with older keys still verify
Keys live in <data-dir>/keys/, private key files readable by their owner only.
`;

export const SCHEMA_HELP = `Usage: maos schema

Prints the JSON Schema of maos.yaml, for editor completion and validation in CI.
`;

export const DEMO_HELP = `Usage: maos demo [attack] [--json] [--keep]

Tells MAOS's main story on the embedded default (SQLite), in a fresh temporary directory with a
demo maos.yaml, a workspace folder and a small ticket service on 127.0.0.1. An agent with a
hybrid-signed capability token goes through the kernel for every effect:
  1. writes a file it may write: journaled first, snapshotted, committed
  2. tries to write outside its grant: denied by the capability check
  3. creates a ticket with an HTTP POST: committed, with a DELETE planned as its undo
  4. closes the ticket with an irreversible PUT: held until a human approves, then committed
  5. runs a three-step saga whose last step hits a concurrency conflict: the earlier steps are
     compensated (the new file removed, the new ticket DELETEd)
  6. has its first write undone from the snapshot
  7. another process is killed mid-commit; the next start finishes the write exactly once
  8. checks the journal's hash chain and signed checkpoints, as \`maos audit verify\` does
Every claim printed is checked; the demo exits 1 if any step does not go as expected.

maos demo attack: a compromised agent in a pod under the hardened profile (a process sandbox,
isolation level 2, in its own network namespace where the host allows one), next to a partner API
on 127.0.0.1. Step by step it:
  1. starts in its pod, holding a token for posts to the partner API only
  2. tries to read /etc/passwd by climbing out of its workspace and through a planted symlink:
     refused by the filesystem gateway (FS_PATH_OUTSIDE); stage 1, observation
  3. smuggles a secret out in many small posts: the first commit, then the aggregate monitor's
     limit (lowered to 5 a day for the demo) holds the rest for a human; a burst trips the
     Sentry's flood control; stage 2, soft isolation
  4. files an email carrying "ignore all previous instructions": denied by check 7
  5. tries fetch, node:net and process (absent in its sandbox), then evil.example through the tool
     gateway: refused by the Sentry before the kernel; stage 3, hard isolation
  6. is frozen (SIGSTOP) with every gateway closed (GATEWAY_CLOSED)
  7. is eliminated once a commander approves (refused without approval), its workspace kept
  8. is replaced by a clean instance (healing)
  9. its journal records are listed, the stage walk 0→1→2→3→4→5→0 checked, the chain verified
After each step the agent's quarantine stage and score are shown.
  --json   one JSON object per step: { step, title, expected, actual, ok, why, details, failed }
           (attack adds stage, stageName, score, fever; its last step stageWalk and records)
  --keep   keep the temporary directory and print its path
`;

const DAEMON_OPTIONS = `Finding the daemon: -c, --config maos.yaml (default ./maos.yaml; its dataDir) or --data-dir DIR.
The daemon writes <data-dir>/daemon.json (its url) and <data-dir>/api-token (owner-only).
Exit codes: 2 when no daemon is running (DAEMON_UNREACHABLE) or the request fails.`;

export const START_HELP = `Usage: maos start [--config maos.yaml] [--data-dir dir] [--port n] [--host 127.0.0.1] [--allow-remote]

Runs the MAOS daemon in the foreground: opens the kernel and the commit layer on the data
directory (taking its lock, <data-dir>/daemon.lock, so only one daemon runs per directory),
recovers intents a crash interrupted, and serves the HTTP API. Each start writes a new bearer
token to <data-dir>/api-token (mode 0600) and the url to <data-dir>/daemon.json.
Stop it with ctrl-c or SIGTERM: it finishes, closes the journal and removes daemon.json.

  -p, --port N       port to listen on (default 0: any free port; see daemon.json)
  --host ADDR        address to listen on (default 127.0.0.1)
  --allow-remote     allow a --host that is not a loopback address; the api is then reachable
                     from other machines, guarded only by the bearer token

Exit codes: 0 after a clean stop, 2 when it cannot start (DAEMON_LOCKED, a bad config, port in use).
`;

export const STATUS_HELP = `Usage: maos status [--json] [--config maos.yaml] [--data-dir dir]

Shows the running daemon's health: mode, storage, journal head, intents held for approval,
node id, policy hash, version and uptime. --json prints the health view as JSON.
Exit codes: 0 ok, 1 degraded (emergency, commit freeze or recovery hold), 2 no daemon.
${DAEMON_OPTIONS}
`;

export const HELD_HELP = `Usage: maos held [--json] [--config maos.yaml] [--data-dir dir]

Lists intents held for human approval: who wants to do what, why they were held (the checks
that escalated) and until when a decision is possible. Approve or reject each by its id.
${DAEMON_OPTIONS}
`;

export const APPROVE_HELP = `Usage: maos approve <intent-id> [--note text] [--by name] [--json]

Approves a held intent; it then runs through the commit layer and its final state is printed.
  --by NAME     who decides (default: your user name); recorded in the journal
  --note TEXT   why; recorded in the journal
Exit codes: 0 decided, 1 the intent then failed or conflicted, 2 not held, expired or no daemon.
${DAEMON_OPTIONS}
`;

export const REJECT_HELP = `Usage: maos reject <intent-id> [--note text] [--by name] [--json]

Rejects a held intent; it never runs.
  --by NAME     who decides (default: your user name); recorded in the journal
  --note TEXT   why; recorded in the journal
Exit codes: 0 rejected, 2 not held, already decided or no daemon.
${DAEMON_OPTIONS}
`;

export const UNDO_HELP = `Usage: maos undo <intent-id> [--note text] [--by name] [--json]

Restores what a committed intent changed from its snapshot, while its undo window lasts and
nothing else has changed the resource since.
  --by NAME     who undoes it (default: your user name); recorded in the journal
  --note TEXT   why; recorded in the journal
Exit codes: 0 undone, 1 the undo failed, 2 impossible, expired, unknown intent or no daemon.
${DAEMON_OPTIONS}
`;

export const LOG_HELP = `Usage: maos log [--from n] [--limit n] [--type t] [--agent a] [--intent id] [--follow] [--json]

Prints journal records, one per line: sequence number, time, type, and the agent, action,
resource and intent when the record names them.
  --from N      first sequence number; negative counts back from the head
                (--from=-20: the last 20; write it with = so it is not read as an option)
  --limit N     records per request, 1 to 1000 (default 100)
  --type T      record types, comma-separated or repeated; a trailing * matches a prefix (intent.*)
  --agent A     records about this agent
  --intent ID   records about this intent
  -f, --follow  keep printing new records (polling every 500 ms) until ctrl-c;
                starts from the last 20 records unless --from is given
  --json        one JSON object per line instead of text
${DAEMON_OPTIONS}
`;

export const AUDIT_HELP = `Usage: maos audit verify [--json] [--config maos.yaml] [--data-dir dir]

Checks the journal in the data directory without a daemon (read-only, so it may run while one
does): every record's hash chain link and signed checkpoint.
Prints \`journal verified: N records, M checkpoints, head #S\` and exits 0, or
\`journal broken at record #S: reason: message\` and exits 1. --json prints the report as JSON.
Exit code 2 when the journal cannot be read at all (bad config, missing data directory).
`;

export const GATEWAY_HELP = `Usage: maos gateway [--config maos.yaml] [--data-dir dir] [--http <port>] [--host 127.0.0.1]
       maos gateway tools list [--json] [--config maos.yaml] [--data-dir dir]
       maos gateway tools approve <server>.<tool>... | --all [--by name] [--config maos.yaml] [--data-dir dir]

Runs the MCP gateway: speaks MCP to one client (stdio by default, Streamable HTTP with --http) and
connects to the servers in \`mcp.servers\`. The client acts as the agent \`mcp.agent\`. Each
tools/call becomes an intent (action \`mcp.<server>.<tool>\`) that the seven checks decide and the
commit layer journals and forwards; a denial is a tool error with a stable code, an escalation
waits for \`maos approve\` (or the client's user, through elicitation) until \`mcp.approvalTimeout\`.

Tools are named \`<server>__<tool>\` and listed only when the agent's capabilities cover them. A
tool's name, description and input schema are pinned on first sight; a later change blocks the
tool until \`maos gateway tools approve\`. The gateway also serves the HTTP API (daemon.json in
the data directory), so \`maos held\`, \`approve\`, \`reject\` and \`log\` work while it runs.
With --http the MCP endpoint is http://<host>:<port>/mcp and needs the bearer token in
<data-dir>/mcp-token (kept across restarts, and not the API token: an MCP client cannot approve).
`;

export const MCP_HELP = `Usage: maos mcp [--config maos.yaml] [--data-dir dir]

Serves the kernel's own MCP server over stdio, so an MCP-speaking agent can use MAOS directly.
Tools: submit_intent, check_decision, intent_status, read_journal, verify_journal, verify_token.
`;

export const AGENT_HELP = `Usage: maos agent run <dir> [--task <json> | --task-file <path|->] [--json]
       maos agent task <agent> <json> [--json]

  run    starts the agent whose manifest (maos-agent.yaml) is in <dir> in a pod on the daemon:
         a worker (isolation level 1) or a child process (level 2), as its trust class, ring and
         the security profile require. Every effect it wants goes through the pod's gateways and
         the kernel. With --task (inline JSON) or --task-file (a file, or - for standard input)
         it then runs that task and prints the result as JSON.
  task   runs one task through the agent's onTask and prints what it returned, as JSON.
--json prints { agent, result } for run and { result } for task.
Exit codes: 0 done, 2 bad task JSON, a manifest or sandbox error, a failed task, or no daemon.
${DAEMON_OPTIONS}
`;

export const PS_HELP = `Usage: maos ps [--json] [--config maos.yaml] [--data-dir dir]

Lists the agent pods the daemon hosts, one row each:
  AGENT    the manifest's id
  STATE    starting, running, paused, stopping or terminated; "(os)" when SIGSTOP stopped the
           process itself, not only its gateways
  SANDBOX  worker/L1 or process/L2, with netns when the process has its own network namespace
  PID      the sandbox process (- for a worker)
  STAGE    quarantine stage: normal, observation, soft-isolation, hard-isolation, elimination, healing
  SCORE    the immune system's weighted anomaly score
  TASKS    tasks run, +N for tasks still running
  UPTIME   since the pod started
Notes under the table name protections the host could not give, and how terminated pods ended.
--json prints the pod views as JSON.
${DAEMON_OPTIONS}
`;

export const SIGNAL_HELP = `Usage: maos stop <agent> [--json]
       maos cont <agent> [--json]
       maos kill <agent> [--signal TERM|INT|KILL|STOP|CONT] [--json]

Sends a signal to an agent pod through the daemon's admin gateway:
  stop   SIGSTOP: every gateway call waits, and a process sandbox is stopped by the OS
  cont   SIGCONT: resumes a stopped agent
  kill   SIGKILL: ends the pod now; the agent's code never sees it. --signal TERM or INT is
         passed to the agent's onSignal handler first, so it can finish cleanly
Prints the agent's state afterwards; --json prints its pod view.
Exit codes: 0 sent, 2 unknown agent, not running, bad signal or no daemon.
${DAEMON_OPTIONS}
`;

export const QUARANTINE_HELP = `Usage: maos quarantine <agent> [--stage N [--approve] [--by name] [--note text]] [--json]

Without --stage, shows the agent's quarantine stage and anomaly score. With --stage, moves it:
  0 normal · 1 observation · 2 soft isolation · 3 hard isolation · 4 elimination · 5 healing
  --approve     a commander approves stage 4, which the hardened and isolated profiles require
  --by NAME     who decides (default: your user name); recorded in the journal
  --note TEXT   why; recorded in the journal
Exit codes: 0 done, 2 unknown agent, a transition refused, approval required or no daemon.
${DAEMON_OPTIONS}
`;

export const SESSION_HELP = `Usage: maos session create <id> --members a,b [--read-only c] [--json]
       maos session token <id> <agent> [--ttl 10m] [--json]
       maos session show <id> [--json]

Shared sessions let agent pods share files: a member joins with maos.session.join(id, token) and
finds the session at /session/<id>; every change is journaled with its hash commitment.
  create  makes the session. --members names who may read and write; --read-only names who may
          only read (they are members too). Agent ids go comma-separated; either flag may repeat.
  token   mints a join token for one member of one session, signed with the daemon's key. It
          prints only the token, so it can be piped or stored; --ttl (default 10m, at most 1h)
          is how long it stays valid. --json prints { token, expiresAtMs }.
  show    re-checks the session's whole hash chain and prints its head and members.
--json prints the session view { id, head: { seq, commit }, members: [{ agent, role }] }.
Exit codes: 0 done, 2 bad input, unknown session, an existing id, a non-member, a broken chain
(JOURNAL_BROKEN) or no daemon.
${DAEMON_OPTIONS}
`;
