"""make_expected.py writes the reference numbers that core/metrics is tested against.

    /usr/bin/python3 tests/reference/metrics/make_expected.py

It writes inputs.json (the fixed inputs, also read by make_rouge.mjs) and
expected.json (everything but ROUGE-L). Every number comes from a library
installed from Debian's archive (bookworm): python3-nltk 3.8, python3-sklearn
1.2.1, python3-numpy 1.24.2, python3-torch 1.13. See README.md for which
library produced which number and what, for BLEU, is computed here.

The E2E groups are read from ../shared/data/e2e/testset_w_refs.csv (beside the
repository); pass another path as the first argument.
"""

import csv
import json
import math
import os
import random
import re
import sys
import unicodedata

import numpy as np
import nltk
import nltk.corpus
import sklearn
import torch
from sklearn.metrics import accuracy_score, f1_score, mean_absolute_error, mean_squared_error


class _NoUnicodeProps:
    """NLTK's NISTTokenizer loads Unicode property tables from nltk_data when
    its class is defined; only international_tokenize uses them, and Debian
    ships no nltk_data. tokenize(), the mteval-v13a path used here, does not
    read them, so a stand-in character is enough."""

    def chars(self, category=None):
        return iter("\ue000")


nltk.corpus.perluniprops = _NoUnicodeProps()
from nltk.tokenize.nist import NISTTokenizer  # noqa: E402
from nltk.translate.bleu_score import (  # noqa: E402
    SmoothingFunction, brevity_penalty, closest_ref_length, corpus_bleu, modified_precision)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
E2E = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "..", "shared", "data", "e2e", "testset_w_refs.csv")

NIST = NISTTokenizer()


# ---------------------------------------------------------------- inputs

def e2e_groups(path, count=30, stride=21):
    """count MRs (every stride-th, in file order) with all their references."""
    groups = {}
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            groups.setdefault(row["mr"], []).append(row["ref"])
    mrs = list(groups)
    return [(mrs[i * stride], groups[mrs[i * stride]]) for i in range(count)]


FILLERS = ["the", "restaurant", "cheap", "food", "near", "river", "place", "good",
           "family", "friendly", "pub", "centre", "rated", "and", "is", "a"]


def perturb(sentence, rng):
    """Drops, replaces and swaps words so that BLEU and ROUGE are far from 0 and 100."""
    words = sentence.split()
    out = []
    for w in words:
        u = rng.random()
        if u < 0.12:
            continue
        if u < 0.27:
            out.append(rng.choice(FILLERS))
        else:
            out.append(w)
    for _ in range(rng.randint(0, 2)):
        if len(out) > 3:
            i = rng.randrange(len(out) - 1)
            out[i], out[i + 1] = out[i + 1], out[i]
    if rng.random() < 0.3:
        out.insert(rng.randrange(len(out) + 1), rng.choice(FILLERS))
    return " ".join(out)


def text_cases(path):
    rng = random.Random(20240607)
    cases = []
    groups = e2e_groups(path)
    hyps = []
    for _, refs in groups:
        hyp = perturb(refs[0], rng)
        while hyp == refs[0] or len(NIST.tokenize(hyp)) < 4:
            hyp = perturb(refs[0], rng)
        hyps.append(hyp)
    cases.append({"name": "e2e", "hyps": hyps, "refs": [refs for _, refs in groups]})

    cases.append({"name": "e2e_single_ref", "hyps": hyps[:12], "refs": [[refs[0]] for _, refs in groups[:12]]})
    cases.append({"name": "one_empty_hypothesis",
                  "hyps": ["The Eagle is a cheap coffee shop near Burger King.", "",
                           "Alimentum serves Italian food in the riverside area."],
                  "refs": [["The Eagle is a low-priced coffee shop near Burger King.",
                            "Near Burger King there is a cheap coffee shop, The Eagle."],
                           ["Zizzi is a family friendly pub."],
                           ["Alimentum is an Italian restaurant by the riverside."]]})
    cases.append({"name": "all_empty", "hyps": ["", ""],
                  "refs": [["A pub near the river."], ["The Mill serves French food."]]})
    cases.append({"name": "no_matches",
                  "hyps": ["completely unrelated words here today", "nothing shared at all ever"],
                  "refs": [["The Vaults is a pub."], ["Browns Cambridge serves sushi."]]})
    cases.append({"name": "short_hypotheses",
                  "hyps": ["The pub", "Cotto serves", "near"],
                  "refs": [["The pub is near the river."], ["Cotto serves Indian food."], ["It is near the centre."]]})
    cases.append({"name": "short_and_long",
                  "hyps": ["The pub", "Cotto serves Indian food in the city centre."],
                  "refs": [["The pub is near the river."], ["Cotto serves Indian food near the city centre."]]})
    cases.append({"name": "no_four_gram_matches",
                  "hyps": ["river pub the near is it", "food Indian serves Cotto really"],
                  "refs": [["It is a pub near the river."], ["Cotto serves Indian food."]]})
    cases.append({"name": "punctuation_numbers",
                  "hyps": ["Prices: £20-25, i.e. (moderate); rated 3.5/5 -- \"good\"!",
                           "It costs $3.88, about 1,000 yen... isn't it? [yes] {ok} <b>",
                           "Open 9-5, call 555-0199 or e-mail info@example.com #1 50% off & more"],
                  "refs": [["Prices: £20-25 (moderate); rated 3.5/5 - \"good\"!",
                            "The price range is £20-25 and it is rated 3.5 out of 5."],
                           ["It costs $3.88, about 1,000 yen. Isn't it?"],
                           ["Open 9-5; call 555-0199 or e-mail info@example.com, #1 with 50% off & more."]]})
    cases.append({"name": "entities_and_skipped",
                  "hyps": ["Fish &amp; Chips &lt;cheap&gt; at &quot;The Eagle&quot; <skipped> today",
                           "A &amp;&amp; B and C &lt; D or E &gt; F"],
                  "refs": [["Fish & Chips <cheap> at \"The Eagle\" today"],
                           ["A && B and C < D or E > F"]]})
    cases.append({"name": "unicode",
                  "hyps": ["Le café « Crème » est très bon — naïve façade, 5 étoiles",
                           "日本の レストラン は 安い です 。 寿司 が 美味しい",
                           "The\u00a0Wrestlers\u3000serve\u2003English food 🍔 near Café Sicilia",
                           "Straße GROSS ΟΔΥΣΣΕΥΣ İstanbul ﬁne Kelvin \u212a"],
                  "refs": [["Le café « Crème » est bon — façade naïve, 5 étoiles"],
                           ["日本の レストラン は 安い 。 寿司 が とても 美味しい です"],
                           ["The Wrestlers serve English food 🍔 near Café Sicilia."],
                           ["strasse gross οδυσσευς istanbul fine kelvin k"]]})
    cases.append({"name": "whitespace",
                  "hyps": ["  The\tMill   is\ta  pub\x1cby the river  ", "Zizzi\x0bis\x0ccheap\x1f."],
                  "refs": [["The Mill is a pub by the river."], ["Zizzi is cheap ."]]})
    cases.append({"name": "closest_ref_length_tie",
                  "hyps": ["the pub is near the river"],
                  "refs": [["it is a pub near the river side", "pub near river the", "a pub by the river"]]})
    cases.append({"name": "closest_ref_length_tie_reversed_order",
                  "hyps": ["the pub is near the river"],
                  "refs": [["a pub by the river", "it is a pub near the river side", "pub near river the"]]})
    cases.append({"name": "hypothesis_longer",
                  "hyps": ["The Golden Curry is a family friendly Indian restaurant near Café Rouge in the riverside area with a high rating"],
                  "refs": [["The Golden Curry is a family friendly Indian restaurant near Café Rouge."]]})
    cases.append({"name": "identical", "hyps": ["Zizzi is a cheap pub near the river.", "Yes."],
                  "refs": [["Zizzi is a cheap pub near the river."], ["Yes."]]})
    cases.append({"name": "empty_reference_dropped",
                  "hyps": ["The Punter is a coffee shop."],
                  "refs": [["", "The Punter is a cheap coffee shop.", ""]]})
    cases.append({"name": "repeated_words",
                  "hyps": ["the the the the the pub pub", "near near the river near"],
                  "refs": [["the pub is the best pub"], ["near the river near the centre"]]})
    return cases


# ---------------------------------------------------------------- BLEU

def bleu_case(case):
    """Corpus BLEU as sacreBLEU 2.x computes it by default (tokenize 13a, smooth exp,
    case-sensitive, no effective order), in 0..100."""
    hyps = [NIST.tokenize(h) for h in case["hyps"]]
    refs = [[NIST.tokenize(r) for r in rs if r != ""] for rs in case["refs"]]

    sentences = []
    for h, rs in zip(hyps, refs):
        correct = [modified_precision(rs, h, n).numerator for n in range(1, 5)]
        total = [max(0, len(h) - n + 1) for n in range(1, 5)]
        sentences.append({"hyp_len": len(h), "ref_len": closest_ref_length(rs, len(h)),
                          "correct": correct, "total": total})

    hyp_len = sum(s["hyp_len"] for s in sentences)
    ref_len = sum(s["ref_len"] for s in sentences)
    correct = [sum(s["correct"][n] for s in sentences) for n in range(4)]
    total = [sum(s["total"][n] for s in sentences) for n in range(4)]
    bp = brevity_penalty(ref_len, hyp_len)

    # sacreBLEU's combination (BLEU.compute_bleu): no matches -> 0; an order
    # with no n-grams at all stops the loop and leaves its precision 0, whose
    # log sacreBLEU floors to -9999999999 (so the score is 0); an order with
    # n-grams but no match gets 100 / (2^k * total), k counting such orders.
    precisions = [0.0] * 4
    if not any(correct):
        score = 0.0
    else:
        k = 1.0
        for n in range(4):
            if total[n] == 0:
                break
            if correct[n] == 0:
                k *= 2
                precisions[n] = 100.0 / (k * total[n])
            else:
                precisions[n] = 100.0 * correct[n] / total[n]
        logs = [math.log(p) if p > 0 else -9999999999 for p in precisions]
        score = bp * math.exp(sum(logs) / 4)

    # Where every hypothesis has at least 4 tokens, NLTK's corpus_bleu with
    # method3 (mteval's NIST "exp" smoothing) computes the same corpus BLEU.
    # (With shorter hypotheses NLTK counts max(1, count) n-grams per sentence,
    # sacreBLEU counts the real count, 0.)
    source = "nltk pieces + sacreBLEU combination"
    if all(len(h) >= 4 for h in hyps):
        nltk_score = 100 * corpus_bleu(refs, hyps, smoothing_function=SmoothingFunction().method3)
        assert math.isclose(nltk_score, score, rel_tol=1e-12, abs_tol=1e-12), (case["name"], nltk_score, score)
        source = "nltk corpus_bleu (method3), equal to the combination"

    return {"name": case["name"], "score": score, "bp": bp, "precisions": precisions,
            "hyp_len": hyp_len, "ref_len": ref_len, "correct": correct, "total": total,
            "tokens": [" ".join(h) for h in hyps], "sentences": sentences, "source": source}


def tokenizer_cases():
    """13a tokenisation of single strings, as NLTK's NISTTokenizer (mteval-v14's
    Western path, identical to v13a) produces it."""
    lines = [
        "Good muffins cost $3.88 in New York.",
        "Hello, world. 1,000.5 and 3.14, then 7-8 and a-b; x:y (z) [w] {v} <u> 'q' \"r\" `s` ~t ^p |o _n @m #l %k *j +i =h \\g /f !e ?d &c",
        "end. 5.6. .7 8, ,9 a.b a,b 1.a a.1 1-2 -3 a-1",
        "Fish &amp; Chips &lt;b&gt; &quot;q&quot; <skipped>gone",
        "  leading and   trailing  ",
        "tab\tsep\x0bvt\x0cff\x1cfs\x1dgs\x1ers\x1fus\x85nel\xa0nbsp\u2000en\u3000ideo\u2028ls\u2029ps",
        "naïve café — 東京 🍣 ﬁ ΣΑΣ İ",
        "",
        "   ",
        "...",
        "a.,b",
    ]
    return [{"text": s, "tokens": NIST.tokenize(s, return_str=True)} for s in lines]


# ---------------------------------------------------------------- other metrics

def python_whitespace():
    return [c for c in range(0x110000) if chr(c).isspace()]


def rouge_token_chars():
    """Non-ASCII code points whose Python lower() contains [a-z0-9], with that lower()."""
    out = []
    for c in range(128, 0x110000):
        if 0xD800 <= c <= 0xDFFF:
            continue
        low = chr(c).lower()
        if re.search(r"[a-z0-9]", low):
            out.append({"code": c, "lower": low})
    return out


def exact_match_cases():
    pairs = [
        ("Paris", "Paris"), ("paris", "Paris"), ("  Paris\n", "Paris"), ("Paris.", "Paris"),
        ("New  York", "New York"), ("\tyes\x1c", "yes"), ("\u00a0no\u3000", "no"), ("", ""), ("", " "),
        ("ÉCOLE", "école"), ("Σίσυφος", "ΣΊΣΥΦΟΣ"), ("a\u200b", "a"), ("42", "42.0"), ("Yes", "yes "),
    ]
    out = []
    for p, g in pairs:
        out.append({"pred": p, "gold": g, "exact": p.strip() == g.strip(),
                    "folded": p.strip().casefold() == g.strip().casefold()})
    return out


def classification_cases():
    rng = np.random.default_rng(7)
    labels = ["positive", "negative", "neutral", "mixed"]
    n = 60
    gold = [labels[i] for i in rng.integers(0, 3, size=n)]  # "mixed" never gold
    pred = []
    for g in gold:
        u = rng.random()
        pred.append(g if u < 0.6 else labels[int(rng.integers(0, 4))])
    cases = [("random", pred, gold),
             ("perfect", gold[:10], gold[:10]),
             ("never_predicted", ["a", "a", "a", "b"], ["a", "b", "c", "b"]),
             ("unicode_labels", ["ja", "nein", "ja", "vielleicht", "ÿes"], ["ja", "ja", "nein", "vielleicht", "ÿes"])]
    out = []
    for name, p, g in cases:
        out.append({"name": name, "pred": p, "gold": g,
                    "accuracy": float(accuracy_score(g, p)),
                    "macro_f1": float(f1_score(g, p, average="macro", zero_division=0))})
    return out


def pick_label_cases():
    rng = np.random.default_rng(11)
    out = []
    for k in range(8):
        ncand = int(rng.integers(2, 6))
        cands = [(-rng.exponential(2.0, size=int(rng.integers(1, 5)))).tolist() for _ in range(ncand)]
        out.append({"token_logprobs": cands, "totals": [float(np.sum(c)) for c in cands],
                    "best": int(np.argmax([np.sum(c) for c in cands]))})
    tie = [[-1.0, -0.5], [-1.5], [-0.25, -1.25]]
    out.append({"token_logprobs": tie, "totals": [-1.5, -1.5, -1.5], "best": int(np.argmax([-1.5, -1.5, -1.5]))})
    return out


NUMBER = re.compile(r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")


def parse_number(text):
    m = NUMBER.search(text)
    if m is None:
        return None
    v = float(m.group(0))
    return v if math.isfinite(v) else None


def regression_case():
    preds = ["The price is 25.5 pounds.", "-3", "about 1e3 people", "no idea", ".5", "5.", "+7 stars",
             "1,234", "3/4", "approx. 12%", "rated 4 out of 5", "1e999", "−4 (unicode minus)", "٣ arabic three",
             "4.2e-1", "x=-0.0", "E5", "version 2.3.4"]
    gold = [25.0, -2.5, 1000.0, 3.0, 0.25, 5.0, 6.0, 1234.0, 0.75, 10.0, 4.0, 1.0, -4.0, 3.0, 0.4, 0.0, 5.0, 2.3]
    parsed = [parse_number(p) for p in preds]
    pairs = [(v, g) for v, g in zip(parsed, gold) if v is not None]
    yp = [v for v, _ in pairs]
    yg = [g for _, g in pairs]
    return {"preds": preds, "gold": gold, "parsed": parsed,
            "rmse": float(mean_squared_error(yg, yp, squared=False)),
            "mae": float(mean_absolute_error(yg, yp)),
            "n": len(pairs), "unparsed": len(preds) - len(pairs)}


def loss_case():
    torch.manual_seed(3)
    vocab = 11
    batches = []
    all_logits, all_targets = [], []
    for rows, cols in [(3, 7), (2, 4), (4, 9)]:
        logits = torch.randn(rows, cols, vocab, dtype=torch.float64) * 2
        targets = torch.randint(0, vocab, (rows, cols))
        mask = torch.rand(rows, cols) < 0.35  # prompt and padding positions
        mask[0, -1] = False
        targets[mask] = -100
        mean = torch.nn.functional.cross_entropy(logits.reshape(-1, vocab), targets.reshape(-1), ignore_index=-100)
        batches.append({"mean_loss": mean.item(), "tokens": int((targets != -100).sum())})
        all_logits.append(logits.reshape(-1, vocab))
        all_targets.append(targets.reshape(-1))
    mean = torch.nn.functional.cross_entropy(torch.cat(all_logits), torch.cat(all_targets), ignore_index=-100)
    return {"batches": batches, "mean_loss": mean.item(), "perplexity": torch.exp(mean).item()}


def bootstrap_cases(e2e):
    """Percentile intervals from index matrices drawn here; the Go test feeds the
    same indices to its resampling code."""
    out = []
    rng = np.random.default_rng(2024)

    def interval(stats, level):
        lo, hi = np.percentile(np.array(stats), [100 * (1 - level) / 2, 100 * (1 + level) / 2])
        return float(lo), float(hi)

    values = rng.normal(0.4, 0.2, size=25)
    idx = rng.integers(0, len(values), size=(200, len(values)))
    stats = [float(np.mean(values[row])) for row in idx]
    for level in (0.95, 0.9):
        lo, hi = interval(stats, level)
        out.append({"name": "mean", "level": level, "values": values.tolist(), "indices": idx.tolist(),
                    "point": float(np.mean(values)), "lo": lo, "hi": hi})

    hyps = [NIST.tokenize(h) for h in e2e["hyps"]]
    refs = [[NIST.tokenize(r) for r in rs] for rs in e2e["refs"]]
    idx = rng.integers(0, len(hyps), size=(200, len(hyps)))
    smooth = SmoothingFunction().method3
    stats = [100 * corpus_bleu([refs[i] for i in row], [hyps[i] for i in row], smoothing_function=smooth) for row in idx]
    lo, hi = interval(stats, 0.95)
    out.append({"name": "bleu_e2e", "level": 0.95, "indices": idx.tolist(),
                "point": 100 * corpus_bleu(refs, hyps, smoothing_function=smooth), "lo": lo, "hi": hi})

    cls = classification_cases()[0]
    p, g = np.array(cls["pred"]), np.array(cls["gold"])
    idx = rng.integers(0, len(p), size=(200, len(p)))
    for metric, fn in (("accuracy", lambda gg, pp: accuracy_score(gg, pp)),
                       ("macro_f1", lambda gg, pp: f1_score(gg, pp, average="macro", zero_division=0))):
        stats = [float(fn(g[row], p[row])) for row in idx]
        lo, hi = interval(stats, 0.95)
        out.append({"name": metric, "level": 0.95, "indices": idx.tolist(),
                    "point": float(fn(g, p)), "lo": lo, "hi": hi})
    return out


def main():
    torch.set_num_threads(1)
    cases = text_cases(E2E)
    inputs = {"text_cases": cases}
    with open(os.path.join(HERE, "inputs.json"), "w", encoding="utf-8") as f:
        json.dump(inputs, f, ensure_ascii=False, indent=1)
        f.write("\n")

    expected = {
        "versions": {"python": sys.version.split()[0], "nltk": nltk.__version__, "sklearn": sklearn.__version__,
                     "numpy": np.__version__, "torch": torch.__version__, "unicode": unicodedata.unidata_version},
        "bleu": [bleu_case(c) for c in cases],
        "tokenizer_13a": tokenizer_cases(),
        "python_whitespace": python_whitespace(),
        "rouge_token_chars": rouge_token_chars(),
        "exact_match": exact_match_cases(),
        "classification": classification_cases(),
        "pick_label": pick_label_cases(),
        "regression": regression_case(),
        "loss": loss_case(),
        "bootstrap": bootstrap_cases(cases[0]),
    }
    with open(os.path.join(HERE, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(expected, f, ensure_ascii=False, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
