"""Files written so that a failure cannot cost the user a file: the bytes go to a temporary
file in the target's folder, which replaces the target in one step (``os.replace``) only once
everything is written and flushed. A write that fails part-way (disk full, an interrupt, an
error while the content is produced) leaves any existing file as it was and no temporary file
behind. Nothing here imports the rest of the package."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

__all__ = ["replacing"]


@contextlib.contextmanager
def replacing(path: str | os.PathLike[str]) -> Iterator[BinaryIO]:
    """Open a binary file that takes the place of ``path`` when the block ends without error.

    Parameters
    ----------
    path : str or os.PathLike
        The file to write. A symbolic link is followed: the file it points to is replaced.

    Yields
    ------
    BinaryIO
        A temporary file in the same folder (so the final rename stays on one file system).

    Raises
    ------
    OSError
        If the folder does not exist or is not writable, or writing fails; then ``path`` is
        untouched and the temporary file removed.

    Notes
    -----
    The new file gets the permissions of the file it replaces, or those a plain ``open``
    would give a new file (0666 less the umask).
    """
    target = Path(os.path.realpath(path))
    handle_fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(handle_fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, _mode_for(target))
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _mode_for(target: Path) -> int:
    try:
        return target.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)  # reading the umask means setting it; put it straight back
        os.umask(umask)
        return 0o666 & ~umask
