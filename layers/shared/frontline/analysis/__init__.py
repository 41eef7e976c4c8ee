"""The LLM analysis: one conversation, one tool-call loop, the prompts and the providers.

- `conversation`: the wire-neutral types a client sends and receives (`Conversation`,
  `LlmReply`, the `LlmClient` protocol). The Bedrock and OpenAI-compatible clients in
  `frontline.adapters` import these and nothing else from this package.
- `prompts`: the analysis and digest prompts rendered from `frontline/prompts/*.j2`.
- `tool_call`: the one forced-tool-call loop with its one repair round and its wording.
- `provider`: `LlmAnalysisProvider` and `LlmDigestProvider`, the ports' LLM implementations.

Only the composition root (`frontline.bootstrap`) and the CLI build concrete clients.
"""
