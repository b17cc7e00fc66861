"""What a post's format means when it is published to a Telegram channel.

The image pipeline makes one still image per post, and a bot can put photos and text in
a channel, nothing else: no reels, and stories only through a business account. So every
format but `text` goes out as a photo post (the picked image with its caption), and
`text` as text messages only. A post without a format (made before formats were stored)
sends its image if it has one, else text. docs/PUBLISHING.md says the same for people.

An image post whose picture can't be sent is not published as bare text instead: that
would be a different post from the one a person approved. It fails with the reason.
"""

from __future__ import annotations

from typing import Literal

from core.publishing.errors import PublishRejected
from core.publishing.types import Publication
from domain.formats import MEDIA_FORMATS, TEXT_FORMAT

# What the channel gets: the picked image as a photo, text only, or whichever there is.
ChannelMedia = Literal["photo", "text", "photo_if_any"]


def channel_media(post_format: str | None) -> ChannelMedia:
    if post_format == TEXT_FORMAT:
        return "text"
    if post_format in MEDIA_FORMATS:
        return "photo"
    return "photo_if_any"


def missing_image(publication: Publication) -> PublishRejected:
    """The refusal for a media post whose image can't be sent; the admins read it."""
    article = "an" if (publication.format or "")[:1] in tuple("aeiou") else "a"
    what = f"Post #{publication.post_id} is {article} {publication.format} post"
    image = publication.image
    if image is None or image.path is None:
        return PublishRejected(
            f"{what} without a picked image, so nothing was sent. Pick its image, then retry."
        )
    return PublishRejected(
        f"{what}, but its image file {image.path} is gone and Telegram has no copy of "
        "it, so nothing was sent. Put the file back under DATA_DIR, then retry."
    )
