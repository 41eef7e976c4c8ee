"""The `heuristic` analysis provider: no LLM, an honest extractive analysis of the English text.

It serves the offline demo, and production when the budget is spent or the LLM is down. Its
output keeps the analysis contract with what can be found mechanically: the English title and
lead, sentence-ranked key points, glossary terms and entities as tags, a keyword-based category
and scores with their reasons, and the original text as the body. Every Japanese sentence it
writes says that the analysis is automatic; the page is badged as not yet translated.

Deterministic and fast: one pass of the vocabulary's compiled patterns over the text, one pass
of the keyword patterns (compiled once per process), and arithmetic.

The package, one module per concern: `lexicon` (what the phrases of config/keywords.yaml
signal), `findings` (what the text holds), `scores` (the four sub-scores), `assembly` (the
provider that puts the analysis together) and `digest` (the extractive digest overview).
"""

from frontline.adapters.heuristic.assembly import HeuristicProvider
from frontline.adapters.heuristic.digest import HeuristicDigestWriter

__all__ = ["HeuristicDigestWriter", "HeuristicProvider"]
