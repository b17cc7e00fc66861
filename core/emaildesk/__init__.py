"""The email desk: customer emails in (intake), reply drafts out (replies)."""
