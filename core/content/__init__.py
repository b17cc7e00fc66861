"""Content the review crew writes from a brief: /write and the content copilot REST API."""
