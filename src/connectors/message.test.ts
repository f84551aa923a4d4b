import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type KernelError, ok, type Result } from '../shared/index.ts';
import { createMessageConnector, type OutgoingMessage } from './message.ts';

function connector(senders: Record<string, string>) {
  const sent: OutgoingMessage[] = [];
  const deliver = async (message: OutgoingMessage): Promise<Result<void, KernelError>> => {
    sent.push(message);
    return ok(undefined);
  };
  return { sent, message: createMessageConnector(deliver, (id) => senders[id]) };
}

test('message connector: delivers as the intent’s sender, with the subject when one is named', async () => {
  const { sent, message } = connector({ i1: 'alice', i2: 'alice' });
  const options = { signal: new AbortController().signal };
  await message.execute(
    {
      intentId: 'i1',
      action: 'message.send',
      resource: 'agent:bob',
      args: { type: 'note', body: 1 },
    },
    options,
  );
  await message.execute(
    {
      intentId: 'i2',
      action: 'message.send',
      resource: 'agent:bob',
      args: { type: 'note', body: 2, subject: 'report-1' },
    },
    options,
  );
  assert.deepEqual(sent, [
    { from: 'alice', to: 'bob', type: 'note', body: 1 },
    { from: 'alice', to: 'bob', type: 'note', body: 2, subject: 'report-1' },
  ]);
  assert.equal(
    await message.probe({ intentId: 'i2', action: 'message.send', resource: 'agent:bob', args: {} }),
    'applied',
  );
});

test('message connector: a bad subject, type, resource or unknown sender is refused with a stable code', async () => {
  const { sent, message } = connector({ i1: 'alice' });
  const options = { signal: new AbortController().signal };
  const cases: [Record<string, unknown>, string, string][] = [
    [{ type: 'note', subject: 7 }, 'agent:bob', 'INVALID_INPUT'],
    [{ type: 'note', subject: '' }, 'agent:bob', 'INVALID_INPUT'],
    [{ type: 'note', subject: 'x'.repeat(257) }, 'agent:bob', 'INVALID_INPUT'],
    [{ type: '' }, 'agent:bob', 'INVALID_INPUT'],
    [{ type: 'note' }, 'mailto:bob', 'INVALID_INPUT'],
  ];
  for (const [args, resource, code] of cases)
    await assert.rejects(
      message.execute({ intentId: 'i1', action: 'message.send', resource, args: args as never }, options),
      (error: KernelError) => error.code === code,
      JSON.stringify(args),
    );
  await assert.rejects(
    message.execute(
      {
        intentId: 'nobody',
        action: 'message.send',
        resource: 'agent:bob',
        args: { type: 'note' },
      },
      options,
    ),
    (error: KernelError) => error.code === 'MESSAGE_DENIED',
  );
  assert.equal(sent.length, 0);
});
