"""Semantic memory (issue 16): approved and published items embedded, searched by meaning.

`bert` is a numpy forward pass of the bundled all-MiniLM-L6-v2 (no torch), `embedder` the
Embedder protocol (bundled model or a litellm embedding model), `index` the exact numpy
search, `service.MemoryService` the one entry point: remember, embed_pending (the job),
similar, near_repeat, best_accepted, get. docs/MEMORY.md tells the whole story.
"""
