"""SMS flows: the design's node types as validated models, their validation and deterministic
fixes, the "Try it" simulator and the Graphviz text. Pure logic, no I/O."""
