"""The toolkit every feature shares: the typed context, keyboards, sending and editing,
the dialog kit, access, refusals, and the one text router. Imports no feature."""
