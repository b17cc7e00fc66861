"""/report: facts about a period computed from the database, then the model's reading of them."""
