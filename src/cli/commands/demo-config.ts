// The maos.yaml `maos demo` writes into its temporary directory: one agent, `writer`, allowed to
// change files under /notes and /out and to call the local ticket service, and nothing else.

/** The demo's configuration for a ticket service at `origin` and a workspace folder `workspace`. */
export function demoConfigYaml(origin: string, workspace: string): string {
  const service = JSON.stringify(`${origin}/**`);
  return `# Written by \`maos demo\`: a trimmed examples/maos.yaml aimed at a local ticket service.
version: 1
node: { id: maos-demo }
dataDir: data                 # journal (SQLite), issuer keys, rollback snapshots

agents:
  writer:
    ring: 2
    clearance: INTERNAL
    capabilities:
      - { action: fs.read, resource: "/notes/**" }
      - { action: fs.write, resource: "/notes/**" }
      - { action: fs.read, resource: "/out/**" }
      - { action: fs.write, resource: "/out/**" }
      - { action: http.get, resource: ${service} }
      - { action: http.post, resource: ${service} }
      - { action: http.put, resource: ${service} }

actions:
  fs.read: { sideEffect: read }
  fs.write: { sideEffect: write, snapshot: true }
  fs.delete: { sideEffect: destructive, snapshot: true }
  http.get: { sideEffect: read }
  http.post:
    sideEffect: write
    # undo of a POST: DELETE the ticket it created, by the id the server answered with
    compensation: { method: DELETE, url: "{resource}/{result.body.id}" }
  http.put:
    sideEffect: irreversible  # no compensation can take a PUT back
    approval: true            # so a human approves every one

connectors:
  fs: { root: ${JSON.stringify(workspace)} }
`;
}
