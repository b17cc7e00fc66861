"""How image runs read in Telegram. Prompts, titles and errors are HTML-escaped."""

from __future__ import annotations

from html import escape

from core.pipeline import CancelResult, LinkedPost, PickResult, RunPage, RunProgress, RunView

SHOWN_POSTS = 8
SHOWN_PROMPT = 600
SHOWN_ERROR = 1500


def queued_text(run: RunView) -> str:
    return (
        f"⏳ <b>{_name(run)}</b> for {_posts(run)}: queued, {run.batch_size} "
        f"candidate{_s(run.batch_size)}.\n{_prompt(run)}"
    )


def started_text(run: RunView) -> str:
    return f"🎨 <b>{_name(run)}</b> for {_posts(run)}: rendering started.\n{_prompt(run)}"


def progress_text(run: RunView, progress: RunProgress) -> str:
    """ "Rendering 3/7 · 45%", with the sampler's step while it samples."""
    done = f"{progress.nodes_done}/{progress.nodes_total}" if progress.nodes_total else "…"
    percent = f" · {progress.percent:.0f}%" if progress.percent is not None else ""
    step = f"\nstep {progress.step}/{progress.steps}" if progress.step and progress.steps else ""
    return f"🎨 <b>{_name(run)}</b> for {_posts(run)}\nRendering {done}{percent}{step}"


def completed_text(run: RunView, count: int) -> str:
    return (
        f"✅ <b>{_name(run)}</b> finished: {count} candidate{_s(count)} below. "
        "Pick one for " + _posts(run) + "."
    )


def failed_text(run: RunView) -> str:
    error = escape((run.error or "no reason given")[:SHOWN_ERROR])
    return (
        f"⚠️ <b>{_name(run)}</b> failed: {error}\n"
        f"Nothing was linked to {_posts(run)}. Retry starts a fresh run."
    )


def pick_text(run: RunView, count: int) -> str:
    return (
        f"🖼 <b>Pick an image for {_posts(run)}</b>\n"
        f"{_name(run)} · {count} candidate{_s(count)}\n{_prompt(run)}"
    )


def picked_text(result: PickResult) -> str:
    lines = [f"✅ <b>Image {result.image.position} of {_name(result.run)} picked.</b>"]
    lines += [_moved(post) for post in result.posts[:SHOWN_POSTS]]
    return "\n".join(lines + _more(len(result.posts)))


def cancelled_text(result: CancelResult) -> str:
    lines = [f"✖ <b>{_name(result.run)} cancelled.</b>"]
    lines += [_moved(post) for post in result.posts[:SHOWN_POSTS]]
    return "\n".join(lines + _more(len(result.posts)))


def replaced_text(old: RunView, new: RunView) -> str:
    return f"🔄 {_name(old)} was replaced by {_name(new)}; its progress shows below."


def waiting_header(page: RunPage) -> str:
    if page.total == 0:
        return "No image runs are waiting for a pick. Start one with /images &lt;post id&gt;."
    shown = f" ({len(page.items)} shown, oldest first)" if page.total > len(page.items) else ""
    return f"<b>{page.total} image run{_s(page.total)} waiting for a pick</b>{shown}"


def caption(run: RunView, count: int) -> str:
    """Plain text under the first photo (captions are sent without parse mode)."""
    return f"Image run #{run.id} · {count} candidate{_s(count)}"


def _name(run: RunView) -> str:
    return f"Image run #{run.id}"


def _posts(run: RunView) -> str:
    if len(run.posts) == 1:
        post = run.posts[0]
        return f"post #{post.id} “{escape(post.title[:80])}”"
    ids = ", ".join(f"#{post.id}" for post in run.posts[:SHOWN_POSTS])
    more = f" and {len(run.posts) - SHOWN_POSTS} more" if len(run.posts) > SHOWN_POSTS else ""
    return f"posts {ids}{more}" if run.posts else "no post"


def _prompt(run: RunView) -> str:
    text = run.image_prompt
    shown = text if len(text) <= SHOWN_PROMPT else text[: SHOWN_PROMPT - 1] + "…"
    return f"<i>{escape(shown)}</i>"


def _moved(post: LinkedPost) -> str:
    line = f"Post #{post.post_id} → {escape(post.status)}"
    return line + (f" ({escape(post.problem)})" if post.problem else "")


def _more(count: int) -> list[str]:
    return [f"…and {count - SHOWN_POSTS} more posts"] if count > SHOWN_POSTS else []


def _s(count: int) -> str:
    return "" if count == 1 else "s"
