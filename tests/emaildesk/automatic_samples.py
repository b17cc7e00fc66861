# ruff: noqa: E501  (Gmail's text lines are as long as Gmail writes them)
"""Automatic mail as real servers write it: bounces (Postfix and Gmail RFC 3464 reports, an
Exim bounce without one), auto-replies (Exchange, Gmail vacation), a mailing list's mail.

The bounces are made for an original Message-ID and recipient, so a test can bounce an
email the bot really sent.
"""

from __future__ import annotations

POSTFIX_REASON = {
    "5.1.1": "550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown in virtual\n"
    "    mailbox table",
    "4.4.1": "454 4.4.1 <{rcpt}>: connect to mx.customer.example[203.0.113.5]:25:\n"
    "    Connection timed out",
}


def postfix_bounce(original_id: str, rcpt: str, *, status: str = "5.1.1",
                   action: str = "failed") -> bytes:  # fmt: skip
    """Postfix's "Undelivered Mail Returned to Sender" (or its delay warning), with the
    original's headers as text/rfc822-headers."""
    words = POSTFIX_REASON.get(status, "550 5.0.0 rejected").format(rcpt=rcpt)
    subject = (
        "Undelivered Mail Returned to Sender"
        if action == "failed"
        else "Delayed Mail (still being retried)"
    )
    return f"""Return-Path: <>
Delivered-To: support@shop.example
Received: by mail.shop.example (Postfix)
\tid 4F2A1C0A7B; Mon,  7 Dec 2026 09:01:12 +0100 (CET)
Date: Mon,  7 Dec 2026 09:01:12 +0100 (CET)
From: MAILER-DAEMON@mail.shop.example (Mail Delivery System)
Subject: {subject}
To: news@shop.example
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="4F2A1C0A7B.1796630472/mail.shop.example"
Content-Transfer-Encoding: 8bit
Message-Id: <20261207080112.4F2A1C0A7B-{action}@mail.shop.example>

This is a MIME-encapsulated message.

--4F2A1C0A7B.1796630472/mail.shop.example
Content-Description: Notification
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

This is the mail system at host mail.shop.example.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients. It's attached below.

For further assistance, please send mail to postmaster.

                   The mail system

<{rcpt}>: host mx.customer.example[203.0.113.5] said:
    {words} (in reply to RCPT TO command)

--4F2A1C0A7B.1796630472/mail.shop.example
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.shop.example
X-Postfix-Queue-ID: 4F2A1C0A7B
X-Postfix-Sender: rfc822; news@shop.example
Arrival-Date: Mon,  7 Dec 2026 09:01:11 +0100 (CET)

Final-Recipient: rfc822; {rcpt}
Original-Recipient: rfc822;{rcpt}
Action: {action}
Status: {status}
Remote-MTA: dns; mx.customer.example
Diagnostic-Code: smtp; {words}

--4F2A1C0A7B.1796630472/mail.shop.example
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers
Content-Transfer-Encoding: 8bit

Return-Path: <news@shop.example>
Received: from bot.shop.example (bot.shop.example [198.51.100.7])
\tby mail.shop.example (Postfix) with ESMTPS id 4F2A1C0A7B
\tfor <{rcpt}>; Mon,  7 Dec 2026 09:01:11 +0100 (CET)
From: news@shop.example
To: {rcpt}
Subject: Candle tips #1
Message-ID: {original_id}
List-Unsubscribe: <https://bot.shop.example/u/xxxxxxxx>
MIME-Version: 1.0

--4F2A1C0A7B.1796630472/mail.shop.example--
""".replace("\n", "\r\n").encode()


def gmail_bounce(original_id: str, rcpt: str) -> bytes:
    """Gmail's "Delivery Status Notification (Failure)": text and HTML for people, the
    report (with X-Original-Message-ID), and the whole original message."""
    return f"""Delivered-To: news@shop.example
Return-Path: <>
Received: by 2002:a05:6a10:1234:b0:5a1:abcd with SMTP id x1csp123456pxb;
        Mon, 7 Dec 2026 00:01:13 -0800 (PST)
From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>
To: news@shop.example
Auto-Submitted: auto-replied
Subject: Delivery Status Notification (Failure)
References: {original_id}
In-Reply-To: {original_id}
X-Failed-Recipients: {rcpt}
Message-ID: <6752d1a9.a70a0220.3b1f2e.0000.GMR@mx.google.com>
Date: Mon, 07 Dec 2026 00:01:13 -0800 (PST)
MIME-Version: 1.0
Content-Type: multipart/report; boundary="000000000000a1b2c3"; report-type=delivery-status

--000000000000a1b2c3
Content-Type: multipart/related; boundary="000000000000d4e5f6"

--000000000000d4e5f6
Content-Type: multipart/alternative; boundary="000000000000f7a8b9"

--000000000000f7a8b9
Content-Type: text/plain; charset="UTF-8"


** Address not found **

Your message wasn't delivered to {rcpt} because the address couldn't be found, or is unable to receive mail.

Learn more here: https://support.google.com/mail/?p=NoSuchUser

The response was:

550 5.1.1 The email account that you tried to reach does not exist. Please try double-checking the recipient's email address for typos or unnecessary spaces. https://support.google.com/mail/?p=NoSuchUser a1si1234567ejb.123 - gsmtp

--000000000000f7a8b9
Content-Type: text/html; charset="UTF-8"

<html><head></head><body><h2>Address not found</h2><p>Your message wasn't delivered to <a style='color:#212121;text-decoration:none'><b>{rcpt}</b></a> because the address couldn't be found, or is unable to receive mail.</p></body></html>

--000000000000f7a8b9--
--000000000000d4e5f6--
--000000000000a1b2c3
Content-Type: message/delivery-status

Reporting-MTA: dns; googlemail.com
Received-From-MTA: dns; news@shop.example
Arrival-Date: Mon, 07 Dec 2026 00:01:12 -0800 (PST)
X-Original-Message-ID: {original_id}

Final-Recipient: rfc822; {rcpt}
Action: failed
Status: 5.1.1
Remote-MTA: dns; gmail-smtp-in.l.google.com. (2a00:1450:400c:c0b::1a, the server
 for the domain customer.example.)
Diagnostic-Code: smtp; 550-5.1.1 The email account that you tried to reach does
 not exist. Please try double-checking the recipient's email address for typos or
 unnecessary spaces. https://support.google.com/mail/?p=NoSuchUser
 a1si1234567ejb.123 - gsmtp
Last-Attempt-Date: Mon, 07 Dec 2026 00:01:13 -0800 (PST)

--000000000000a1b2c3
Content-Type: message/rfc822

From: news@shop.example
To: {rcpt}
Subject: Candle tips #1
Message-ID: {original_id}
Date: Mon, 07 Dec 2026 09:01:11 +0100
Content-Type: text/plain; charset="utf-8"

Hello!

Tip 1: trim the wick.

--000000000000a1b2c3--
""".replace("\n", "\r\n").encode()


def exim_bounce(original_id: str, rcpt: str) -> bytes:
    """Exim's bounce: no RFC 3464 report, the address in X-Failed-Recipients and the
    original quoted in the text."""
    return f"""Return-path: <>
From: Mail Delivery System <Mailer-Daemon@mx.shop.example>
To: news@shop.example
Subject: Mail delivery failed: returning message to sender
X-Failed-Recipients: {rcpt}
Auto-Submitted: auto-replied
Message-Id: <E1tJx5A-0004Qb-2C@mx.shop.example>
Date: Mon, 07 Dec 2026 09:01:12 +0100
Content-Type: text/plain; charset=us-ascii

This message was created automatically by mail delivery software.

A message that you sent could not be delivered to one or more of its
recipients. This is a permanent error. The following address(es) failed:

  {rcpt}
    host mx.customer.example [203.0.113.5]
    SMTP error from remote mail server after RCPT TO:<{rcpt}>:
    550 5.1.1 User unknown

------ This is a copy of the message, including all the headers. ------

Return-path: <news@shop.example>
From: news@shop.example
To: {rcpt}
Subject: Candle tips #1
Message-ID: {original_id}

Hello!
""".replace("\n", "\r\n").encode()


EXCHANGE_OUT_OF_OFFICE = b"""From: Jane Doe <jane@customer.example>
To: news@shop.example
Subject: Automatic reply: Candle tips #1
Date: Mon, 7 Dec 2026 08:01:30 +0000
Message-ID: <ooo.1@customer.example>
In-Reply-To: <seq1-e1-d1@shop.example>
Auto-Submitted: auto-generated
X-Auto-Response-Suppress: All
Content-Type: text/plain; charset="us-ascii"

I am out of the office until 14 December with limited access to email.
"""

GMAIL_VACATION = b"""From: Bob <bob@customer.example>
To: support@shop.example
Subject: Re: Your order A-1001
Date: Mon, 7 Dec 2026 08:02:00 +0000
Message-ID: <vacation.2@mail.gmail.com>
Auto-Submitted: auto-replied
Precedence: bulk
Content-Type: text/plain; charset="UTF-8"

Thanks for your email. I'm travelling and will reply when I'm back.
"""

X_AUTOREPLY = b"""From: Cy <cy@customer.example>
To: support@shop.example
Subject: Thanks for your message
Date: Mon, 7 Dec 2026 08:03:00 +0000
Message-ID: <xauto.3@customer.example>
X-Autoreply: yes
Content-Type: text/plain; charset="UTF-8"

We got your message and will answer within two days.
"""

MAILING_LIST = b"""From: Supplier News <news@supplier.example>
To: support@shop.example
Subject: December wholesale prices
Date: Mon, 7 Dec 2026 08:04:00 +0000
Message-ID: <list.4@supplier.example>
List-Id: Supplier announcements <announce.supplier.example>
List-Unsubscribe: <mailto:leave@supplier.example>
Content-Type: text/plain; charset="UTF-8"

New prices for wax and wicks.
"""

# A person whose subject happens to say "out of office": no header says automatic.
PERSON_OUT_OF_OFFICE = b"""From: Dana <dana@customer.example>
To: support@shop.example
Subject: Out of office candles for my team?
Date: Mon, 7 Dec 2026 08:05:00 +0000
Message-ID: <person.5@customer.example>
Auto-Submitted: no
Content-Type: text/plain; charset="UTF-8"

Do you sell a gift set of ten candles for our out-of-office party?
"""
