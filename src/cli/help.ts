// Help texts for `maos` and each command.

export const MAIN_HELP = `maos — an operating-system layer between AI agents and the world

Usage: maos <command> [options]

Commands:
  demo                     run the main job on the embedded default: mint tokens and decide a
                           scripted set of agent intents through the Deterministic Security Core
  check                    decide one intent: maos check --config maos.yaml --intent intent.json
  token mint|inspect|verify|attenuate|revoke
                           capability tokens (hybrid EdDSA + ML-DSA-65 signatures)
  keys list|rotate         issuer keys in the data directory
  schema                   print the JSON Schema of maos.yaml

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

export const DEMO_HELP = `Usage: maos demo [--json] [--keep]

Runs MAOS's main job on the embedded default, in a fresh temporary data directory: boots a kernel
from examples/maos.yaml, mints hybrid-signed capability tokens, and sends a scripted set of agent
intents through the Deterministic Security Core — allowed reads and writes, an out-of-scope write,
a prompt injection, an email held for a human, an attenuated subagent token running out of uses,
a forged token, a revocation cascading to a child, and a demotion that voids a ring-2 token.
  --json   one JSON line per step instead of the table
  --keep   keep the temporary data directory and print its path
`;
