import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findCredentials } from './credentials.ts';
import { findJwts } from './jwt.ts';
import type { Detection } from './kinds.ts';
import { findSecrets } from './secrets.ts';

function spans(detections: readonly Detection[], text: string): string[] {
  return detections.map((found) => `${found.kind}:${text.slice(found.start, found.end)}`);
}

const PEM = [
  '-----BEGIN RSA PRIVATE KEY-----',
  'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun',
  'VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK',
  '-----END RSA PRIVATE KEY-----',
].join('\n');
const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';

test('issue 5 DLP: private key blocks are found from BEGIN to END, truncated ones over their body', () => {
  const text = `key:\n${PEM}\nthat was it`;
  assert.deepEqual(spans(findSecrets(text), text), [`private-key:${PEM}`]);
  for (const label of ['', 'EC ', 'OPENSSH ', 'ENCRYPTED ', 'PGP ']) {
    const body = 'Proc-Type: 4,ENCRYPTED\n\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMx\nH2Mo4lg=';
    const block = `-----BEGIN ${label}PRIVATE KEY${label === 'PGP ' ? ' BLOCK' : ''}-----\n${body}`;
    const text = `x ${block}\nthat was all of it`;
    assert.deepEqual(spans(findSecrets(text), text), [`private-key:${block}`], label);
  }
  assert.deepEqual(findSecrets('-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----'), []);
});

test('issue 5 DLP: provider tokens of the right shape are found', () => {
  const tokens = [
    ['aws-access-key-id', 'AKIAIOSFODNN7EXAMPLE'],
    ['aws-access-key-id', 'ASIAY34FZKBOKMUTVV7A'],
    ['github-token', `ghp_${'wWPw5k4aXcaT4fNP0UcnZwJUVFk6LO'}2rINUx`],
    ['github-token', `gho_${'16C7e42F292c6912E7710c838347Ae178B4a'}`],
    [
      'github-token',
      `github_pat_11ABCDEFG0${'abcdefghijABCDEFGHIJ_0123456789abcdefghijABCDEFGHIJ0123456789abcdefghij'}`,
    ],
    ['slack-token', 'xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy'],
    ['stripe-key', 'sk_live_4eC39HqLyjWDarjtT1zdp7dc'],
    ['stripe-key', 'rk_live_51H8abcdEFGHijklMNOPqrst'],
    ['google-api-key', 'AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe'],
  ] as const;
  for (const [kind, token] of tokens) {
    const text = `use "${token}" here`;
    assert.deepEqual(spans(findSecrets(text), text), [`${kind}:${token}`], token);
  }
});

test('issue 5 DLP: an aws secret key counts beside its name only', () => {
  const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  for (const text of [`aws_secret_access_key = ${secret}`, `"SecretAccessKey": "${secret}"`]) {
    assert.deepEqual(spans(findSecrets(text), text), [`aws-secret-access-key:${secret}`], text);
  }
  assert.deepEqual(findSecrets(`path ${secret}`), []);
});

test('issue 5 DLP: jwts are found when their header decodes to json with alg', () => {
  const text = `Authorization: ${JWT}.`;
  assert.deepEqual(spans(findJwts(text), text), [`jwt:${JWT}`]);
  const unsecured = 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.';
  assert.deepEqual(spans(findJwts(`t=${unsecured}`), `t=${unsecured}`), [`jwt:${unsecured}`]);
  // Three base64url segments whose header is JSON without `alg`, or not JSON at all.
  const noAlg = `${Buffer.from('{"typ":"JWT"}').toString('base64url')}.eyJzdWIiOiJ4In0.c2ln`;
  assert.deepEqual(findJwts(noAlg), []);
  assert.deepEqual(findJwts('eyJub3Rqc29u.eyJzdWIiOiJ4In0.c2ln'), []);
});

test('issue 5 DLP: credential assignments with a non-trivial value are found, value only', () => {
  const cases = [
    ['password=hunter2!', 'hunter2!'],
    ['DB_PASSWORD=correcthorsebattery', 'correcthorsebattery'],
    ['api_key: "9a8b7c6d5e4f"', '9a8b7c6d5e4f'],
    ["secret => 'S3cr3t-value'", 'S3cr3t-value'],
    ['https://x.test/?token=abc123def456&x=1', 'abc123def456'],
    ['Authorization: Bearer mF_9.B5f-4.1JqM', 'mF_9.B5f-4.1JqM'],
  ] as const;
  for (const [text, value] of cases) {
    assert.deepEqual(spans(findCredentials(text), text), [`credential-assignment:${value}`], text);
  }
});

test('issue 5 DLP: ordinary prose and placeholders are not credentials', () => {
  const negatives = [
    'The password: required for every account, see the token: below.',
    `password=${'$'}{DB_PASSWORD} and api_key=<your-api-key> and secret: "********"`,
    'token: null, password: undefined, pass: true',
    'We passed the review; the secret to success is practice.',
    'max_tokens: 4096 and tokens_used: 120',
    'Basic authentication is disabled; bearer tokens are preferred.',
  ];
  for (const text of negatives) assert.deepEqual(spans(findCredentials(text), text), [], text);
});

test('issue 5 DLP: high-entropy strings count next to a key-like word only', () => {
  const random = 'Zk8sLq2mVx9PqT4rWn7YbC3dHf6JuE1a';
  const text = `the signing key is ${random}`;
  assert.deepEqual(spans(findCredentials(text), text), [`high-entropy-secret:${random}`]);
  assert.deepEqual(findCredentials(`the weather is ${random}`), []);
});

test('issue 5 DLP: uuids, git shas, digests and identifiers are not secrets', () => {
  const negatives = [
    'api key id 123e4567-e89b-12d3-a456-426614174000',
    'token commit 4b825dc642cb6eb9a060e54bf8d69288fbee4904',
    'secret digest e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    'the key thisIsAVeryLongFunctionNameForTesting is exported',
    'the token HttpRequestHandlerConfigurationOptions',
  ];
  for (const text of negatives) {
    assert.deepEqual([...spans(findSecrets(text), text), ...spans(findCredentials(text), text)], [], text);
  }
});

test('issue 5 DLP: the cheap gates let through every credential form', () => {
  const cases = [
    ['pass: abc123xyz', 'abc123xyz'],
    ['basic dXNlcjpwYXNzd29yZA==', 'dXNlcjpwYXNzd29yZA=='],
    ['PWD=s3cr3t-value', 's3cr3t-value'],
  ] as const;
  for (const [text, value] of cases) {
    assert.deepEqual(spans(findCredentials(text), text), [`credential-assignment:${value}`], text);
  }
});
