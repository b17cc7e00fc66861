"""/usage: what the model cost, per period, feature and model, and what people kept."""
