"""Email sequences: the campaign builder's daily or weekly AI-written emails (docs/SEQUENCES.md)."""
