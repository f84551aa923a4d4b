import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nameAllowlist, segmentAllowlist, wildcardMatches } from './allowlist.ts';
import { defaultGatewayConfig, GatewayConfigSchema } from './gateway-config.ts';
import { POD_MESSAGE_BYTES_MAX } from './protocol.ts';

test('§41.3 gateway config: whitelists default to deny, the workspace to read-write', () => {
  const config = defaultGatewayConfig();
  assert.deepEqual(config.tool.resources, []);
  assert.deepEqual(config.llm.providers, []);
  assert.deepEqual(config.llm.models, []);
  assert.deepEqual(config.outbound.recipients, []);
  assert.deepEqual(config.inbound.senders, []);
  assert.deepEqual(config.fs.readable, ['/**']);
  assert.equal(config.fs.quotaBytes, 10 * 1024 * 1024);
  assert.equal(config.sentry.payloadBytesMax, POD_MESSAGE_BYTES_MAX);
  const partial = GatewayConfigSchema.parse({ llm: { providers: ['local'] } });
  assert.equal(partial.llm.tokensPerHour, 100_000);
});

test('gateway config: unknown keys and bad values are refused with their place', () => {
  for (const [input, path] of [
    [{ tool: { resorces: [] } }, 'tool'],
    [{ fs: { readable: ['notes/**'] } }, 'fs.readable.0'],
    [{ fs: { writable: ['/a/../b'] } }, 'fs.writable.0'],
    [{ sentry: { callsPerSecond: 0 } }, 'sentry.callsPerSecond'],
    [{ fs: { fileBytesMax: POD_MESSAGE_BYTES_MAX } }, 'fs.fileBytesMax'],
    [{ outbound: { recipients: ['a\nb'] } }, 'outbound.recipients.0'],
  ] as const) {
    const parsed = GatewayConfigSchema.safeParse(input);
    assert.equal(parsed.success, false, JSON.stringify(input));
    assert.equal(parsed.error?.issues[0]?.path.join('.'), path);
  }
});

test('allowlists: segment globs as token scopes read them; name globs with `*`', () => {
  const resources = segmentAllowlist(['https://api.example.com/**', 'kv:notes/*', 'exact:thing']);
  assert.ok(resources.matches('https://api.example.com/v1/x'));
  assert.ok(resources.matches('kv:notes/a'));
  assert.ok(resources.matches('exact:thing'));
  assert.ok(!resources.matches('kv:notes/a/b'));
  assert.ok(!resources.matches('https://api.example.com.evil.net/x'));
  const names = nameAllowlist(['worker-*', 'bob', '*-admin*x']);
  assert.ok(names.matches('worker-1'));
  assert.ok(names.matches('bob'));
  assert.ok(names.matches('a-admin-x'));
  assert.ok(!names.matches('bobby'));
  assert.ok(!nameAllowlist([]).matches('anyone'));
  assert.ok(nameAllowlist(['*']).matches('anyone'));
  // Many stars cannot make matching blow up.
  assert.equal(wildcardMatches('*a*a*a*a*a*a*a*a*b', 'a'.repeat(1000)), false);
});
