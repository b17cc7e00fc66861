"""The review crew: deterministic checks and five model steps that score every draft.

`checks` needs no model; `steps` holds one function per crew member (each its own template
in prompts/crew_*.yaml and its own pydantic output in `schemas`); `orchestrator` runs them
(brand, compliance and design at once) and `scoring` turns it all into the four scores.
`service.CrewService` stores each review (storage/repos/crew.py) so any replica can run
it and every card can show its progress.
"""
