// Letters of other scripts that look like Latin letters (a hand-picked subset of Unicode's
// confusables.txt for Cyrillic, Greek, Armenian and Cherokee). The homoglyph detector flags words
// mixing them with Latin; signature matching folds them to the Latin letter they imitate.

/** Lookalike code point → the lowercase Latin letter it imitates. Code points, not literals: the
 * literals would look exactly like the Latin letters they imitate. */
const LOOKALIKE_TABLE: ReadonlyArray<readonly [number, string]> = [
  // Cyrillic.
  [0x0430, 'a'], // cyrillic small letter a
  [0x0432, 'b'], // cyrillic small letter ve
  [0x0435, 'e'], // cyrillic small letter ie
  [0x043a, 'k'], // cyrillic small letter ka
  [0x043c, 'm'], // cyrillic small letter em
  [0x043d, 'h'], // cyrillic small letter en
  [0x043e, 'o'], // cyrillic small letter o
  [0x0440, 'p'], // cyrillic small letter er
  [0x0441, 'c'], // cyrillic small letter es
  [0x0442, 't'], // cyrillic small letter te
  [0x0443, 'y'], // cyrillic small letter u
  [0x0445, 'x'], // cyrillic small letter ha
  [0x0455, 's'], // cyrillic small letter dze
  [0x0456, 'i'], // cyrillic small letter byelorussian-ukrainian i
  [0x0458, 'j'], // cyrillic small letter je
  [0x04bb, 'h'], // cyrillic small letter shha
  [0x0501, 'd'], // cyrillic small letter komi de
  [0x051b, 'q'], // cyrillic small letter qa
  [0x051d, 'w'], // cyrillic small letter we
  [0x04cf, 'l'], // cyrillic small letter palochka
  [0x04af, 'y'], // cyrillic small letter straight u
  [0x0410, 'a'], // cyrillic capital letter a
  [0x0412, 'b'], // cyrillic capital letter ve
  [0x0415, 'e'], // cyrillic capital letter ie
  [0x041a, 'k'], // cyrillic capital letter ka
  [0x041c, 'm'], // cyrillic capital letter em
  [0x041d, 'h'], // cyrillic capital letter en
  [0x041e, 'o'], // cyrillic capital letter o
  [0x0420, 'p'], // cyrillic capital letter er
  [0x0421, 'c'], // cyrillic capital letter es
  [0x0422, 't'], // cyrillic capital letter te
  [0x0423, 'y'], // cyrillic capital letter u
  [0x0425, 'x'], // cyrillic capital letter ha
  [0x0405, 's'], // cyrillic capital letter dze
  [0x0406, 'i'], // cyrillic capital letter byelorussian-ukrainian i
  [0x0408, 'j'], // cyrillic capital letter je
  [0x051a, 'q'], // cyrillic capital letter qa
  [0x051c, 'w'], // cyrillic capital letter we
  [0x04c0, 'l'], // cyrillic letter palochka
  [0x04ae, 'y'], // cyrillic capital letter straight u
  // Greek.
  [0x03b1, 'a'], // greek small letter alpha
  [0x03b5, 'e'], // greek small letter epsilon
  [0x03b9, 'i'], // greek small letter iota
  [0x03ba, 'k'], // greek small letter kappa
  [0x03bd, 'v'], // greek small letter nu
  [0x03bf, 'o'], // greek small letter omicron
  [0x03c1, 'p'], // greek small letter rho
  [0x03c4, 't'], // greek small letter tau
  [0x03c5, 'u'], // greek small letter upsilon
  [0x03c7, 'x'], // greek small letter chi
  [0x03b3, 'y'], // greek small letter gamma
  [0x03c9, 'w'], // greek small letter omega
  [0x0391, 'a'], // greek capital letter alpha
  [0x0392, 'b'], // greek capital letter beta
  [0x0395, 'e'], // greek capital letter epsilon
  [0x0396, 'z'], // greek capital letter zeta
  [0x0397, 'h'], // greek capital letter eta
  [0x0399, 'i'], // greek capital letter iota
  [0x039a, 'k'], // greek capital letter kappa
  [0x039c, 'm'], // greek capital letter mu
  [0x039d, 'n'], // greek capital letter nu
  [0x039f, 'o'], // greek capital letter omicron
  [0x03a1, 'p'], // greek capital letter rho
  [0x03a4, 't'], // greek capital letter tau
  [0x03a5, 'y'], // greek capital letter upsilon
  [0x03a7, 'x'], // greek capital letter chi
  // Armenian.
  [0x0585, 'o'], // armenian small letter oh
  [0x057d, 'u'], // armenian small letter seh
  [0x0581, 'g'], // armenian small letter co
  [0x0566, 'q'], // armenian small letter za
  [0x0570, 'h'], // armenian small letter ho
  [0x0578, 'n'], // armenian small letter vo
  [0x054d, 'u'], // armenian capital letter seh
  [0x0555, 'o'], // armenian capital letter oh
  // Cherokee.
  [0x13aa, 'a'], // cherokee letter go
  [0x13f4, 'b'], // cherokee letter yv
  [0x13df, 'c'], // cherokee letter tli
  [0x13ac, 'e'], // cherokee letter gv
  [0x13bb, 'h'], // cherokee letter mi
  [0x13ab, 'j'], // cherokee letter gu
  [0x13e6, 'k'], // cherokee letter tso
  [0x13de, 'l'], // cherokee letter tle
  [0x13b7, 'm'], // cherokee letter lu
  [0x13e2, 'p'], // cherokee letter tlv
  [0x13da, 's'], // cherokee letter du
  [0x13a2, 't'], // cherokee letter i
  [0x13d9, 'v'], // cherokee letter do
  [0x13b3, 'w'], // cherokee letter la
  [0x13c3, 'z'], // cherokee letter no
];

const LOOKALIKES: ReadonlyMap<string, string> = new Map(
  LOOKALIKE_TABLE.map(([codePoint, latin]) => [String.fromCodePoint(codePoint), latin]),
);

const LOOKALIKE_CLASS = [...LOOKALIKES.keys()].join('');

const LOOKALIKE_ANY = new RegExp(`[${LOOKALIKE_CLASS}]`);
const LOOKALIKE_ALL = new RegExp(`[${LOOKALIKE_CLASS}]`, 'g');

/** True when `text` holds at least one lookalike letter. */
export function hasLookalike(text: string): boolean {
  return LOOKALIKE_ANY.test(text);
}

/** Replaces every lookalike letter with the Latin letter it imitates. */
export function foldLookalikes(text: string): string {
  return text.replace(LOOKALIKE_ALL, (char) => LOOKALIKES.get(char) ?? char);
}

/** The Latin letter `char` imitates, if it is a known lookalike. */
export function lookalikeOf(char: string): string | undefined {
  return LOOKALIKES.get(char);
}
