// Prompt-injection signatures: a curated list of phrases and chat markup that have no business in
// an agent's tool arguments. Each entry says why it is here and which benign text it is shaped to
// miss. Matched on normalized text (see normalize.ts), case-insensitively, every hit scores 10.

import { ERROR_CODES, KernelError } from '../../shared/index.ts';
import { KeywordAutomaton } from './keyword-automaton.ts';
import { hasNestedQuantifier } from './regex-safety.ts';
import { escapeForDisplay } from './sample.ts';
import { SCAN_LIMITS } from './scan-limits.ts';

export type InjectionSignature = {
  readonly id: string;
  /** Regular-expression source, compiled case-insensitive (flag `i`). */
  readonly source: string;
  /**
   * Words every match contains: one word of each group, as an ASCII case-insensitive substring.
   * The scanner skips the expression when a group has no word in the text. Tests hold every
   * signature to this (a wrong group would hide real matches).
   */
  readonly anchors: ReadonlyArray<readonly string[]>;
};

export type SignatureHit = { readonly id: string; readonly index: number; readonly text: string };

/** A compiled set of signatures. `find` takes text already passed through `normalizeForMatching`. */
export interface SignatureSet {
  /** Distinct signatures found in `text`, in list order, first occurrence each. */
  find(text: string): SignatureHit[];
}

// WHY: in a source below, a literal space stands for "a run of separators": anything but a
// letter, a digit or a clause end (. ! ? , ;). That absorbs extra whitespace, newlines, markdown
// emphasis, quotes and apostrophes ("don't" is `don t`), and because every such run is followed
// by a literal word it cannot backtrack badly. Character classes spell spaces as \s or \x20.
const SEPARATOR = '[^a-z0-9.!?,;]+';
/** A tighter separator for headers: whitespace and markdown emphasis only. */
const INLINE = String.raw`[\s*_]+`;

const FILLER = '(?:all|any|every|each|the|my|your|our|these|those|of)';
const NOT = '(?:do not|don t|dont|never|must not|mustn t|should not|shouldn t)';
const TARGET = String.raw`[\s:<"'(\[]{1,4}(?:https?://|ftp://|www\.|[a-z0-9._%+-]{1,64}@[a-z0-9-]{1,63}\.[a-z])`;

/** `anchors` lists word groups, each a space-separated string; see `InjectionSignature.anchors`. */
function signature(id: string, anchors: readonly string[], source: string): InjectionSignature {
  const groups = Object.freeze(anchors.map((group) => Object.freeze(group.split(' '))));
  return Object.freeze({ id, anchors: groups, source: source.replaceAll(' ', SEPARATOR) });
}

/** The built-in signatures, frozen (MR-1: no change at run time). Order is reporting order. */
export const INJECTION_SIGNATURES: readonly InjectionSignature[] = Object.freeze([
  // The canonical attack ("Ignore previous instructions", Perez & Ribeiro 2022) and its many
  // rewordings, in English and in the Latin-script languages an attacker switches to when the
  // English is filtered: German, French, Spanish, Italian, Portuguese, Dutch (text is matched
  // without accents, so "précédentes" reads "precedentes"). A qualifier (previous, above, system,
  // ...) is required, so "please disregard the instructions I sent", "ignore my previous email" and
  // "ignora la versión anterior" pass.
  signature(
    'ignore-previous-instructions',
    [
      'ignor disregard forget bypass vergiss vergess missacht oubli olvid descart dimentic desconsider esquec negeer vergeet',
      'instruction direction directive prompt rule guideline guidance command constraint restriction guardrail polic programming ' +
        'anweisung instruktion befehl regel vorgab richtlini consigne regle indication instruc indicacion regla directri orden norma ' +
        'istruzion regol indicazion direttiv regra orientac diretriz opdracht richtlijn aanwijzing',
    ],
    String.raw`\b(?:ignore|disregard|forget|bypass) (?:${FILLER} )?(?:${FILLER} )?(?:${FILLER} )?` +
      `(?:previous|prior|above|earlier|preceding|foregoing|former|original|initial|system|developer|safety|content|ethical) ` +
      String.raw`(?:instructions?|directions?|directives?|prompts?|rules|guidelines|guidance|commands?|constraints|restrictions|guardrails|policies|programming)\b|` +
      // German: verb, optional article, qualifier, noun.
      String.raw`\b(?:ignorier(?:e|t|en sie)?|vergiss|vergesst|vergessen sie|missachte|missachtet) (?:(?:alle|die|deine|ihre|eure|samtliche) )?` +
      `(?:bisherigen|vorherigen|vorigen|vorangegangenen|fruheren|obigen|ursprunglichen|alten) ` +
      String.raw`(?:anweisungen|instruktionen|befehle|regeln|vorgaben|richtlinien)\b|` +
      // French, Spanish, Italian, Portuguese: the qualifier follows the noun.
      String.raw`\b(?:ignore|ignorez|oublie|oubliez) (?:(?:toutes|tous) )?(?:les|tes|vos) (?:instructions|consignes|directives|regles|indications) ` +
      String.raw`(?:precedentes|anterieures|initiales|originales|ci dessus)\b|` +
      String.raw`\b(?:ignora|ignore|ignorad|olvida|olvide|olvidad|descarta|descarte) (?:(?:todas|todos) )?(?:(?:las|los) )?(?:(?:tus|sus) )?` +
      String.raw`(?:instrucciones|indicaciones|reglas|directrices|ordenes|normas) (?:anteriores|previas|iniciales|originales)\b|` +
      String.raw`\b(?:ignora|ignorate|ignori|dimentica|dimenticate|dimentichi) (?:(?:tutte|tutti) )?(?:(?:le|i) )?(?:(?:tue|sue|vostre) )?` +
      String.raw`(?:istruzioni|regole|indicazioni|direttive) (?:precedenti|iniziali|originali)\b|` +
      String.raw`\b(?:ignore|ignora|ignorem|desconsidere|desconsidera|desconsiderem|esqueca|esquece|esquecam) (?:(?:todas|todos) )?(?:(?:as|os) )?` +
      String.raw`(?:(?:suas|tuas) )?(?:instrucoes|regras|orientacoes|diretrizes|ordens) (?:anteriores|previas|iniciais|originais)\b|` +
      // Dutch.
      String.raw`\b(?:negeer|vergeet) (?:(?:alle|de|je|uw) )?(?:eerdere|vorige|voorgaande|bovenstaande|oorspronkelijke) ` +
      String.raw`(?:instructies|opdrachten|regels|richtlijnen|aanwijzingen)\b`,
  ),
  // "Forget everything above / you were told": the same reset without naming instructions.
  // "before" is left out: "forget everything before the holiday" is ordinary English.
  signature(
    'ignore-everything-above',
    ['ignor disregard forget', 'everything anything all', 'above far previously prior told given instructed'],
    String.raw`\b(?:ignore|disregard|forget) (?:everything|anything|all) (?:(?:that|which) )?` +
      String.raw`(?:above|so far|previously|prior to this|you (?:were|have been|ve been) (?:told|given|instructed))\b`,
  ),
  // Persona reassignment to an unrestricted model ("You are now DAN"). Needs a jailbreak word
  // after "you are now", so "you are now subscribed" and "you are now an admin" pass.
  signature(
    'you-are-now-unrestricted',
    ['you', 'now'],
    String.raw`\byou (?:are|re) now (?:(?:an?|the|in|my) )?(?:dan|jailbroken|jailbreak|unrestricted|unfiltered|uncensored|unlocked|` +
      `developer mode|dev mode|god mode|admin mode|root mode|no longer (?:bound|restricted|limited|an? (?:ai|assistant|language model))|` +
      String.raw`free (?:from|of) (?:(?:all|any|your) )?(?:rules|restrictions|guidelines|constraints|filters))\b`,
  ),
  // "Act as an unrestricted AI", "pretend to be DAN", and the persona itself: "an AI with no
  // restrictions", "a chatbot without ethical guidelines". "Act as the point of contact" and "a
  // model with no restrictions on commercial use" (a licence: "model" is not a persona noun) pass.
  signature(
    'unrestricted-persona',
    [
      'act behav respond roleplay role pretend operat answer ai chatbot assistant',
      'dan jailbr restrict unfilter uncensor amoral rules filters guardrails ethic moral',
    ],
    String.raw`\b(?:act|behave|respond|roleplay|role play|pretend|operate|answer) (?:as|like|to be|you are|you re) ` +
      String.raw`(?:(?:an?|the) )?(?:dan|jailbroken|unrestricted|unfiltered|uncensored|amoral)\b|` +
      String.raw`\b(?:an?|the) (?:ai|chatbot|ai assistant|assistant) (?:with no|without(?: any)?|free (?:of|from)(?: all| any)?) ` +
      String.raw`(?:rules|restrictions|filters|guardrails|(?:ethical|moral)(?: (?:or|and) (?:ethical|moral))? (?:guidelines|rules|principles))\b`,
  ),
  // Named jailbreak modes. A bare "do anything now" is ordinary English, so it only counts next to "DAN".
  signature(
    'jailbreak-mode',
    ['dan jailbr', 'mode anything'],
    String.raw`\b(?:dan|jailbreak|jailbroken) mode\b|\bdo anything now dan\b|\bdan do anything now\b`,
  ),
  // System-prompt extraction ("print your system prompt"). Only hidden-prompt nouns count, so
  // "show the original message" (an email client's menu item) passes; "what is a system prompt" too.
  signature(
    'reveal-system-prompt',
    [
      'reveal print show repeat output leak disclose display dump expose recite tell give what',
      'prompt instructions',
    ],
    String.raw`\b(?:(?:reveal|print|show|repeat|output|leak|disclose|display|dump|expose|recite|tell me|give me) (?:(?:me|us|back) )?` +
      `(?:(?:all|the|your) )?|what (?:is|are|s|were) your )(?:(?:full|entire|complete|exact|original|initial|verbatim|raw) )?` +
      String.raw`(?:(?:system|developer|hidden|secret) (?:prompt|instructions)|(?:initial|original|pre) prompt)\b`,
  ),
  // "Override your instructions", or the claim that they no longer hold ("your previous
  // instructions have been revoked"): aimed at the model itself ("your"), so "override the default
  // rules" in a firewall manual and "the previous instructions were replaced" in a memo pass.
  signature(
    'override-your-instructions',
    ['overrid overwrit replac revok cancel supersed void obsolet withdrawn rescind', 'your'],
    String.raw`\b(?:override|overwrite|replace) (?:(?:all|any) )?(?:of )?your (?:(?:system|previous|prior|original|core|safety|current) )?` +
      String.raw`(?:prompt|instructions|rules|guidelines|programming|directives|restrictions|safeguards)\b|` +
      String.raw`\byour (?:(?:previous|prior|original|earlier|initial|current|old|system) )?(?:prompt|instructions|rules|guidelines|programming|directives) ` +
      String.raw`(?:(?:has|have) been|(?:is|are)(?: now)?) (?:revoked|cancell?ed|replaced|superseded|overridden|voided|void|withdrawn|rescinded|obsolete)\b`,
  ),
  // A fake header that starts a new instruction block ("New instructions:"). The colon is required
  // and only whitespace or emphasis may sit between the words: "the new instructions are in the
  // wiki" passes, and so does code such as `strict: true,\n directives: {...}`.
  signature(
    'new-instructions-header',
    ['instruction directive', ':'],
    String.raw`\b(?:new|real|actual|hidden|secret|override|updated${INLINE}system|revised${INLINE}system|additional${INLINE}system)` +
      String.raw`${INLINE}(?:system${INLINE})?(?:instructions?|directives?)[\s*_]*:`,
  ),
  // Indirect injection addressed to the model ("Note to AI assistants: ...", "Note for automated
  // readers of this page: ..."). Needs a machine reader (an AI noun, an automated reader, screening
  // software) and a colon; "a note for the assistant manager" and "note for reviewers:" pass.
  signature(
    'note-to-ai',
    [
      'note message instruction reminder attention important notice request',
      'ai llm model chatbot gpt automated screening recruiting hiring',
      ':',
    ],
    String.raw`\b(?:note|message|instructions?|reminder|attention|important|notice|request) (?:to|for) (?:(?:the|any|all) )?` +
      `(?:ai|llms?|language models?|ai (?:assistants?|agents?|models?|systems?|readers?|reviewers?|tools?)|chatbots?|gpt|chatgpt|` +
      `automated (?:readers?|agents?|assistants?|systems?|tools?|reviewers?)|(?:screening|recruiting|hiring) (?:software|tools?|bots?|systems?))` +
      String.raw`(?: (?:of|reading|processing) this(?: [a-z]{1,20})? [a-z]{1,20})?[\s*_]*:`,
  ),
  // Text that addresses a reading model ("If you are an AI reading this, ...", "Any AI system
  // processing this document should ..."). Needs a follow-up verb or "this <document>", so "if you
  // are an AI researcher" and "AI systems process documents" pass.
  signature(
    'if-you-are-an-ai',
    [
      'ai llm model chatbot agent automated',
      'you reading processing parsing summari analy reviewing handling screening browsing',
    ],
    String.raw`\b(?:if|when|since) you (?:are|re) (?:(?:an?|the) )?(?:ai|llm|large language model|language model|` +
      String.raw`ai (?:assistant|agent|model|system)|chatbot|automated agent|autonomous agent)\b[^a-z0-9]{0,4}` +
      String.raw`(?:reading|processing|parsing|summari[sz]ing|analy[sz]ing|browsing|crawling|scraping|you must|you should|please|ignore|disregard|then)\b|` +
      String.raw`\b(?:ai|llm|large language model|language model|ai (?:assistant|agent|model|system|tool)|chatbot|automated (?:agent|assistant|system))s? ` +
      `(?:(?:that|which|who) (?:is|are) )?(?:reading|processing|parsing|summari[sz]ing|analy[sz]ing|reviewing|handling|screening|browsing) ` +
      String.raw`this (?:document|page|web page|webpage|site|website|email|e mail|message|file|ticket|text|content|thread|pdf|resume|cv|application|review|issue|repository|repo)\b`,
  ),
  // Concealment from the human: honest content has no reason to ask the model to hide itself.
  // "Don't show the user a stack trace" and "never let the user submit twice" (code comments) pass.
  signature(
    'conceal-from-user',
    ['tell inform reveal mention disclose keep', 'user human'],
    String.raw`\b${NOT} (?:(?:ever|yet) )?(?:tell|inform) (?:(?:this|it|anything) )?(?:(?:to|with) )?(?:the|your) (?:user|human)s?\b|` +
      String.raw`\b${NOT} (?:reveal|mention|disclose) (?:(?:this|it|anything|these instructions|this message) )?to (?:the|your) (?:user|human)s?\b|` +
      String.raw`\bkeep (?:this|these|it) (?:(?:instructions?|message) )?(?:(?:secret|hidden) )?from (?:the|your) (?:user|human)s?\b`,
  ),
  // Chat-template control tokens (ChatML, Llama 3 and its tool-call `python_tag`, OpenAI's
  // harmony format, fill-in-the-middle): text carrying them tries to open a turn of its own. No
  // separator rule here: the tokens are exact.
  signature(
    'chat-template-token',
    ['<|', '|>'],
    String.raw`<\|\s*(?:im_start|im_end|im_sep|system|user|assistant|endoftext|end_of_text|begin_of_text|` +
      `start_header_id|end_header_id|eot_id|eom_id|python_tag|start|end|message|channel|constrain|call|return|` +
      String.raw`fim_prefix|fim_middle|fim_suffix)\s*\|>`,
  ),
  // Turn markers of other chat formats: Llama 2 `[INST]` and `<<SYS>>`, Gemma `<start_of_turn>`,
  // and the tags that wrap a tool call or its result in function-calling formats (`<tool_call>`,
  // `<function_calls>`, `</tool_output>`): in a tool's output they fake a call or end the output early.
  // The Llama markers are uppercase tokens and match only so (`(?-i:…)`): `tests[inst]` is Python.
  signature(
    'turn-marker',
    ['inst sys _of_turn tool_ function_'],
    String.raw`(?-i:\[\s?/?INST\s?\]|<<\s?/?SYS\s?>>)|</?(?:start|end)_of_turn>|` +
      String.raw`<\s?/?\s?(?:function_calls|function_results|tool_calls?|tool_use|tool_results?|tool_responses?|tool_outputs?)\s?>`,
  ),
  // Markdown role headers ("### System:", Alpaca's "### Instruction:"). A colon or "system
  // prompt" is required: a bare "## System" heading in a design document passes.
  signature(
    'markdown-role-header',
    ['#', 'system instruction'],
    String.raw`(?:^|\n)[\t\x20]{0,3}#{2,4}[\t\x20]*(?:system|system[\t\x20]+(?:prompt|message)|instruction|new[\t\x20]+instructions?)[\t\x20]*:|` +
      String.raw`(?:^|\n)[\t\x20]{0,3}#{2,4}[\t\x20]*system[\t\x20]+(?:prompt|message|override)[\t\x20]*(?:\r?\n|$)`,
  ),
  // Role spoofing in plain text at the start of a line ("System: you are now ..."). Needs a
  // reassignment after it, so a log line "System: disk full" passes.
  signature(
    'role-prefix',
    ['system developer', ':', 'you'],
    String.raw`(?:^|\n)[\t\x20]*\[?(?:system|developer)\]?[\t\x20]*:[\t\x20]*you (?:are now|are an?|are the|` +
      String.raw`have been (?:instructed|reprogrammed|updated)|will now (?:act|respond|ignore|obey))\b`,
  ),
  // Fake authority ("BEGIN ADMIN OVERRIDE", "developer override enabled"). "Requires an admin
  // override" (a help-desk phrase) passes: a start verb or a granted state is required.
  signature(
    'admin-override',
    ['overrid', 'admin root sudo developer system emergency god maintenance'],
    String.raw`\b(?:begin|start|initiate|enable|activate|enter|end|engage) (?:admin|administrator|developer|root|system|sudo|emergency|god|maintenance) ` +
      String.raw`(?:mode )?override\b|\b(?:admin|administrator|root|sudo|developer|system) override ` +
      String.raw`(?:enabled|activated|engaged|granted|accepted|confirmed|authori[sz]ed|code|mode)\b`,
  ),
  // Exfiltration of secrets: a send verb, a secret noun (a password, a key, a one-time or backup
  // code), then a destination (a URL, an email address, "this address") within a short span.
  // "Send the report to alice@example.com" passes: no secret is named. Also the markdown-image
  // channel: an image whose URL ends in a query value left for the reader to fill in
  // (`![](https://x.example/p.png?q={data})`, `?d=DATA_HERE`, `?m=)`), which a chat client
  // fetches on display; `![build](https://ci.example/badge.svg?branch=main)` passes.
  signature(
    'exfiltrate-secrets',
    [
      'send forward mail post upload exfiltrat transmit leak paste copy share submit dump ![',
      'passw passphrase credential secret apikey api access auth bearer session cookie private ssh env histor prompt code id_ ](',
      'http ftp www @ address number url link endpoint',
    ],
    String.raw`\b(?:send|forward|email|e mail|mail|post|upload|exfiltrate|transmit|leak|paste|copy|share|submit|dump)\b[\s\S]{0,40}?` +
      String.raw`(?:\b(?:passwords?|passwd|passphrases?|credentials?|secrets?|apikeys?|api keys?|access keys?|access tokens?|auth tokens?|` +
      `bearer tokens?|session (?:tokens?|cookies?|ids?)|cookies|private keys?|ssh keys?|env(?:ironment)? var(?:iable)?s|` +
      `(?:(?:2fa|mfa|sms) )?(?:verification|backup|recovery|one time|authentication|login|2fa|mfa|otp) codes?|id_(?:rsa|dsa|ecdsa|ed25519)|` +
      String.raw`conversation history|chat history|system prompt)\b|\.env\b)[\s\S]{0,60}?\b(?:to|into|at|via|with)` +
      String.raw`(?:${TARGET}| (?:this|that|the following|the below|my (?:other|personal|private|new)) (?:e mail |email )?(?:address|number|url|link|endpoint)\b)|` +
      String.raw`!\[[^\]\n]{0,100}\]\(\s{0,3}https?://[^\s)]{1,300}?[?&][\w.-]{1,40}=(?:\{[^}\s]{1,60}\}|(?-i:[A-Z][A-Z0-9_]{2,60})(?=[)&])|(?=\)))`,
  ),
  // Bulk exfiltration ("forward all emails to attacker@example.net"), the classic attack on mail
  // agents. Plain "send" is left out: "send all documents to hr@example.com" is everyday mail.
  signature(
    'exfiltrate-bulk',
    ['forward exfiltrat leak transmit', 'all every each', 'http ftp www @'],
    String.raw`\b(?:forward|exfiltrate|leak|transmit) (?:all|every|each) (?:(?:of|the|my|your|their|these|our|user|users|customer|customers) )?` +
      `(?:(?:of|the|my|your|their|these|our|user|users|customer|customers) )?(?:emails?|messages?|files|documents|data|records|` +
      String.raw`contacts|attachments|conversations|chats|inbox|mailbox|credentials|passwords|keys|secrets)\b[\s\S]{0,60}?\b(?:to|into)${TARGET}`,
  ),
]);

/** `gate: false` runs every expression on every text: for tests that hold the gate to changing nothing. */
export type SignatureOptions = { readonly gate?: boolean };

/**
 * Compiles the built-in signatures plus a policy's extra ones (case-insensitive regular
 * expressions, matched with the `u` flag). Throws `KernelError(CONFIG_INVALID)` naming the first
 * extra signature that does not compile, matches the empty string or can backtrack catastrophically.
 */
export function compileSignatures(extra: readonly string[], options: SignatureOptions = {}): SignatureSet {
  if (extra.length > SCAN_LIMITS.signaturesMax) {
    throw new KernelError(
      ERROR_CODES.CONFIG_INVALID,
      `too many pre-filter signatures: ${extra.length}, at most ${SCAN_LIMITS.signaturesMax}`,
    );
  }
  const custom = extra.map((source, i) => ({ id: `policy-${i}`, regex: compileExtra(source) }));
  const keywords = [...new Set(INJECTION_SIGNATURES.flatMap((s) => s.anchors.flat()))];
  const automaton = new KeywordAutomaton(keywords);
  const builtIn = INJECTION_SIGNATURES.map((s) => ({
    id: s.id,
    regex: new RegExp(s.source, 'i'),
    groups: s.anchors.map((group) => group.map((word) => keywords.indexOf(word))),
  }));
  const gate = options.gate ?? true;
  // INVARIANT: one scratch buffer per set; `find` is synchronous, so calls never overlap.
  const seen = new Uint8Array(keywords.length);
  const present = (id: number): boolean => seen[id] === 1;
  return {
    find(text: string): SignatureHit[] {
      const hits: SignatureHit[] = [];
      // WHY: every built-in signature needs a keyword from each of its anchor groups, so text in
      // which the automaton saw no keyword at all (most benign strings) skips them all at once.
      let keywords = 1;
      if (gate) {
        seen.fill(0);
        keywords = automaton.scan(text, seen);
      }
      for (const { id, regex, groups } of keywords === 0 ? [] : builtIn) {
        if (gate && !groups.every((group) => group.some(present))) continue;
        const match = regex.exec(text);
        if (match !== null) hits.push({ id, index: match.index, text: match[0] });
      }
      for (const { id, regex } of custom) {
        const match = regex.exec(text);
        if (match !== null) hits.push({ id, index: match.index, text: match[0] });
      }
      return hits;
    },
  };
}

function compileExtra(source: string): RegExp {
  const invalid = (why: string, details?: Record<string, unknown>): KernelError =>
    new KernelError(
      ERROR_CODES.CONFIG_INVALID,
      `invalid pre-filter signature \`${escapeForDisplay(String(source)).replaceAll('`', '\\u{0060}')}\`: ${why}`,
      details,
    );
  if (typeof source !== 'string' || source.length === 0) throw invalid('it is empty');
  if (source.length > SCAN_LIMITS.signatureLengthMax) {
    throw invalid(`longer than ${SCAN_LIMITS.signatureLengthMax} characters`);
  }
  let regex: RegExp;
  try {
    regex = new RegExp(source, 'iu');
  } catch (error) {
    throw invalid('not a valid regular expression', { cause: (error as Error).message });
  }
  if (hasNestedQuantifier(source))
    throw invalid('a repeated group holds a quantifier and can backtrack catastrophically');
  if (regex.test('')) throw invalid('it matches the empty string');
  return regex;
}
