"""File ownership for servers that drop root: Dovecot reads and writes mail as user nobody."""

from __future__ import annotations

import contextlib
import os
import pwd
import stat
from pathlib import Path

MAIL_USER = "nobody"
MAIL_GROUP = "nogroup"


def running_as_root() -> bool:
    """Tell whether this process has uid 0 (then mail files must be handed to nobody)."""
    return os.geteuid() == 0


def _mail_ids() -> tuple[int, int]:
    user = pwd.getpwnam(MAIL_USER)
    try:
        import grp

        gid = grp.getgrnam(MAIL_GROUP).gr_gid
    except KeyError:
        gid = user.pw_gid
    return user.pw_uid, gid


def give_to_mail_user(*paths: Path) -> None:
    """chown paths to nobody:nogroup when running as root (a no-op otherwise)."""
    if not running_as_root():
        return
    uid, gid = _mail_ids()
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            os.chown(path, uid, gid)


def grant_traverse(path: Path) -> None:
    """Let other users traverse every ancestor of path (o+x only, never read), as pgserver does.

    Dovecot's mail processes run as nobody; a 0700 parent such as pytest's tmp root would hide the
    maildir from them.
    """
    if not running_as_root():
        return
    for ancestor in path.resolve().parents:
        mode = ancestor.stat().st_mode
        if not mode & stat.S_IXOTH:
            ancestor.chmod(stat.S_IMODE(mode) | stat.S_IXOTH)
