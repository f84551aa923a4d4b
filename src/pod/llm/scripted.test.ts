import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SCRIPTED_REQUESTS_KEPT_MAX, ScriptedProvider } from './scripted.ts';

test('scripted provider: first matching rule on the last user message, else the default', async () => {
  const provider = new ScriptedProvider({
    rules: [
      { when: 'weather', reply: 'sunny' },
      { when: 'rain', reply: 'wet' },
    ],
    defaultReply: 'no idea',
  });
  const ask = (content: string) =>
    provider.complete({
      model: 'm',
      messages: [
        { role: 'user', content: 'weather earlier' },
        { role: 'assistant', content: 'sunny' },
        { role: 'user', content },
      ],
    });
  assert.deepEqual(await ask('rain and weather?'), {
    ok: true,
    value: { text: 'sunny', usage: { inputTokens: 10, outputTokens: 2 } },
  });
  const rain = await ask('rain?');
  assert.ok(rain.ok);
  assert.equal(rain.value.text, 'wet');
  const other = await ask('taxes?');
  assert.ok(other.ok);
  assert.equal(other.value.text, 'no idea');
});

test('scripted provider: keeps only the newest requests, newest last', async () => {
  const provider = new ScriptedProvider();
  for (let i = 0; i <= SCRIPTED_REQUESTS_KEPT_MAX; i++) {
    await provider.complete({ model: `m${i}`, messages: [{ role: 'user', content: 'hi' }] });
  }
  assert.equal(provider.requests.length, SCRIPTED_REQUESTS_KEPT_MAX);
  assert.equal(provider.requests[0]?.model, 'm1');
  assert.equal(provider.requests.at(-1)?.model, `m${SCRIPTED_REQUESTS_KEPT_MAX}`);
});
