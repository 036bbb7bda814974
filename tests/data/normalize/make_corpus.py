"""
Rebuild ``ftfy_gate_corpus.json``: the texts on which the test suite checks
that the gated ftfy rule gives exactly ``ftfy.fix_text``'s output.

Kinds:

- ``clean``: well-formed text in many scripts; ftfy leaves it alone and the
  gate must not even look at it (that is the gate's speed);
- ``mojibake``: a clean phrase garbled by a wrong decode (UTF-8 read as
  Latin-1, Windows-125x, MacRoman, ...), kept only when ftfy restores the
  phrase exactly (``fixed``);
- ``other``: entities, escapes, controls, ligatures, surrogates, and mixed
  multi-line documents where some lines are broken and others are not.

Run: ``.venv/bin/python tests/data/normalize/make_corpus.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

import ftfy

CONFIG = ftfy.TextFixerConfig(
    fix_character_width=False,
    uncurl_quotes=False,
    fix_line_breaks=False,
    remove_control_chars=False,
    normalization=None,
    explain=False,
)

CLEAN = {
    "english": "The committee\u2019s report \u2014 published on Tuesday \u2014 said "
    "\u201cthe results are clear\u201d\u2026",
    "english-ascii": "It was the best of times, it was the worst of times; Q&A at 5 p.m. (see p. 12).",
    "french": "L\u2019\u00e9t\u00e9 dernier, nous \u00e9tions \u00e0 Gen\u00e8ve o\u00f9 il fait tr\u00e8s beau ; "
    "\u00e7a va, gar\u00e7on ? D\u00e9j\u00e0 vu.",
    "german": "Die Stra\u00dfe war nass, und die Kinder sp\u00fcrten die K\u00e4lte \u2013 sch\u00f6n war es trotzdem.",
    "spanish": "El ni\u00f1o comi\u00f3 una manzana y dijo que ma\u00f1ana ir\u00eda a la estaci\u00f3n.",
    "portuguese": "S\u00e3o Paulo \u00e9 a maior cidade do pa\u00eds; a popula\u00e7\u00e3o cresceu muito.",
    "polish": "Za\u017c\u00f3\u0142\u0107 g\u0119\u015bl\u0105 ja\u017a\u0144, powiedzia\u0142a pani "
    "Kowalska w \u015brod\u0119.",
    "czech": "P\u0159\u00edli\u0161 \u017elu\u0165ou\u010dk\u00fd k\u016f\u0148 \u00fap\u011bl "
    "\u010f\u00e1belsk\u00e9 \u00f3dy.",
    "turkish": "Ankara\u2019da ya\u011fmur ya\u011f\u0131yor; \u00e7ocuklar okula gitti.",
    "vietnamese": "Ti\u1ebfng Vi\u1ec7t l\u00e0 ng\u00f4n ng\u1eef ch\u00ednh th\u1ee9c c\u1ee7a Vi\u1ec7t Nam.",
    "russian": "\u0412\u0441\u0435 \u0441\u0447\u0430\u0441\u0442\u043b\u0438\u0432\u044b\u0435 "
    "\u0441\u0435\u043c\u044c\u0438 \u043f\u043e\u0445\u043e\u0436\u0438 \u0434\u0440\u0443\u0433 "
    "\u043d\u0430 \u0434\u0440\u0443\u0433\u0430.",
    "ukrainian": "\u0421\u0432\u0456\u0442 \u043b\u043e\u0432\u0438\u0432 \u043c\u0435\u043d\u0435, "
    "\u0442\u0430 \u043d\u0435 \u0441\u043f\u0456\u0439\u043c\u0430\u0432.",
    "greek": "\u03a3\u03ae\u03bc\u03b5\u03c1\u03b1 \u03b5\u03af\u03bd\u03b1\u03b9 \u03bc\u03b9\u03b1 "
    "\u03ba\u03b1\u03bb\u03ae \u03bc\u03ad\u03c1\u03b1 \u03b3\u03b9\u03b1 \u03c0\u03b5\u03c1\u03af"
    "\u03c0\u03b1\u03c4\u03bf.",
    "chinese": "\u6211\u4eec\u90fd\u662f\u4e2d\u56fd\u4eba\uff0c\u4eca\u5929\u5929\u6c14\u5f88\u597d"
    "\u3002\u8fd9\u662f\u4e00\u4e2a\u6d4b\u8bd5\u53e5\u5b50\u3002",
    "japanese": "\u3053\u308c\u306f\u65e5\u672c\u8a9e\u306e\u6587\u3067\u3059\u3002\u30ab\u30bf\u30ab"
    "\u30ca\u3082\u3042\u308a\u307e\u3059\u3002",
    "korean": "\ud55c\uad6d\uc5b4\ub294 \uc544\ub984\ub2e4\uc6b4 \uc5b8\uc5b4\uc785\ub2c8\ub2e4.",
    "arabic": "\u0627\u0644\u0644\u063a\u0629 \u0627\u0644\u0639\u0631\u0628\u064a\u0629 "
    "\u062c\u0645\u064a\u0644\u0629 \u062c\u062f\u0627\u064b.",
    "hebrew": "\u05e9\u05dc\u05d5\u05dd \u05e2\u05d5\u05dc\u05dd, \u05de\u05d4 \u05e9\u05dc\u05d5\u05de\u05da?",
    "hindi": "\u0939\u093f\u0928\u094d\u0926\u0940 \u092d\u093e\u0930\u0924 \u0915\u0940 "
    "\u092d\u093e\u0937\u093e \u0939\u0948\u0964",
    "thai": "\u0e20\u0e32\u0e29\u0e32\u0e44\u0e17\u0e22\u0e40\u0e1b\u0e47\u0e19\u0e20\u0e32\u0e29"
    "\u0e32\u0e17\u0e35\u0e48\u0e2a\u0e27\u0e22\u0e07\u0e32\u0e21",
    "emoji": "Great game \U0001f389\U0001f389 \U0001f468\u200d\U0001f469\u200d\U0001f467 "
    "\U0001f44d\U0001f3fd \u2764\ufe0f",
    "persian-zwnj": "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645 \u06a9\u062a\u0627\u0628 "
    "\u0628\u062e\u0648\u0627\u0646\u0645.",
    "markdown": "| Name | Age |\n|---|---|\n| Ann | 31 |\n\n* item one\n* item two",
}

# Phrases to garble: they have non-ASCII characters that mojibake is made of.
PHRASES = [
    "sch\u00f6n",
    "caf\u00e9 cr\u00e8me br\u00fbl\u00e9e",
    "na\u00efve fa\u00e7ade",
    "\u201cquoted\u201d and it\u2019s \u2014 fine\u2026",
    "Espa\u00f1a y M\u00e9xico",
    "S\u00e3o Paulo, cora\u00e7\u00e3o",
    "\u00c9cole \u00e0 Paris",
    "Gr\u00fc\u00dfe aus K\u00f6ln",
    "\u00bfQu\u00e9 pas\u00f3?",
    "10\u00a0\u20ac \u00d7 3",
    "\u00a9 2024 \u2122",
    "Za\u017c\u00f3\u0142\u0107 g\u0119\u015bl\u0105",
    "\u0420\u043e\u0441\u0441\u0438\u044f",
    "\u0395\u03bb\u03bb\u03ac\u03b4\u03b1",
    "\u4e2d\u6587\u5b57",
    "\u65e5\u672c\u8a9e",
    "\u2714 No problems",
    "\U0001f600 smile",
    "\u00e0 la mode",
    "\u00af\\_(\u30c4)_/\u00af",
]
ENCODINGS = [
    "latin-1",
    "windows-1252",
    "windows-1251",
    "windows-1250",
    "windows-1253",
    "windows-1254",
    "windows-1257",
    "iso-8859-2",
    "mac_roman",
    "cp437",
]

OTHER = {
    "entities": "Broken text&hellip; it&#x2019;s &amp; P&EACUTE;REZ &lt;b&gt; &checkmark; &nTILDE;",
    "entities-after-lt": "a < b\nP&eacute;rez &amp; co\n&lt;tag&gt;",
    "entities-before-lt": "P&eacute;rez &amp; co\na < b\n&amp;",
    "terminal": "\x1b[36;44mI'm blue, da ba dee\x1b[0m\nplain line",
    "c1": "It\x92s a \x93test\x94\x85 and \x81 undefined",
    "ligatures": "\ufb02u\ufb03e\ufb06 \ufb01nal \u0133",
    "fullwidth": "\uff2c\uff2f\uff35\uff24\u3000\uff2e\uff2f\uff29\uff33\uff25\uff33 \uff55\uff80\uff70\uff9d",
    "surrogates": "pair \ud83d\udca9 and lone \ud800 and reversed \udca9\ud83d",
    "cr-and-crlf": "line one\r\nline two\rline three \u00c3\u00a9\r\n",
    "separators": "one\u2028two\u2029three\x85four",
    "nbsp-mojibake": "voil\u00c3\u00a0 le travail, \u00c3 la mode",
    "lossy": "\u00e2\u20ac\u0153 like this \u00e2\u20ac\ufffd",
    "mixed-document": "Clean first line.\nsch\u00c3\u00b6n second\n\nA third, with \u201cquotes\u201d.\n"
    "\u00e2\u0153\u201d done\n",
    "double-mojibake": "sch\u00c3\u0192\u00c2\u00b6n",
    "kaomoji": "(\u256f\u00b0\u25a1\u00b0)\u256f\ufe35 \u253b\u2501\u253b",
    "math": "x \u2264 y \u00b1 2\u00b0, \u221a2 \u2248 1.41, \u00bd + \u00bc",
    "currency": "Price: \u00a3100 or \u20ac120 or \u00a5900",
    "box": "\u2554\u2550\u2550\u2557\n\u2551ok\u2551\n\u255a\u2550\u2550\u255d",
    "cyrillic-mojibake": "\u0432\u0402\u045a\u0420\u045f\u0420\u0455\u0420\u0491\u0432\u0402\u045c",
    "empty": "",
    "newlines-only": "\n\n\r\n",
}


def main() -> None:
    cases: list[dict[str, str]] = []
    for note, text in CLEAN.items():
        assert ftfy.fix_text(text, CONFIG) == text, note
        cases.append({"kind": "clean", "note": note, "text": text})
    for phrase in PHRASES:
        data = phrase.encode("utf-8")
        for encoding in ENCODINGS:
            for errors in ("strict", "replace"):
                try:
                    garbled = data.decode(encoding, errors=errors)
                except UnicodeDecodeError:
                    continue
                if garbled == phrase:
                    continue
                fixed = ftfy.fix_text(garbled, CONFIG)
                note = f"{phrase!r} via {encoding}/{errors}"
                kind = "mojibake" if fixed == phrase else "other"
                case = {"kind": kind, "note": note, "text": garbled}
                if kind == "mojibake":
                    case["fixed"] = phrase
                if case not in cases:
                    cases.append(case)
    for note, text in OTHER.items():
        cases.append({"kind": "other", "note": note, "text": text})
    # A few multi-line documents: clean lines around broken ones.
    for i in range(0, len(cases) - 4, 7):
        body = "\n".join(c["text"] for c in cases[i : i + 4])
        cases.append({"kind": "other", "note": f"document of cases {i}..{i + 3}", "text": body})
    path = Path(__file__).with_name("ftfy_gate_corpus.json")
    path.write_text(json.dumps(cases, ensure_ascii=True, indent=0) + "\n", encoding="utf-8")
    kinds = {k: sum(c["kind"] == k for c in cases) for k in ("clean", "mojibake", "other")}
    print(f"{path.name}: {len(cases)} cases {kinds}, {path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
