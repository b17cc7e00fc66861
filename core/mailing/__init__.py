"""Outgoing email: building a message safely, sending it over SMTP, sequence deliveries.

`outgoing` builds the message (headers checked), `smtp` sends it and says plainly how a
failure should be treated; `deliveries` sends approved sequence emails to their lists.
"""
