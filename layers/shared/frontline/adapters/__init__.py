"""Adapters: the ports of `frontline.domain.ports` implemented against AWS, HTTP and LLMs.

Each adapter takes its client in the constructor and translates infrastructure errors into
the domain's exceptions. `heuristic` needs no infrastructure at all: it analyses an item
without an LLM.
"""
