"""Outputs all or nothing: a file or a whole folder appears complete, or not at all.

Every file overlap writes goes through here, so a crash, Ctrl-C, SIGTERM or
``kill -9`` at any moment leaves either the old output or the new one, never
a mix and never half a file.

* :func:`write_file` (``overlap report -o FILE``): the data goes to a
  temporary file in the same folder, which ``os.replace`` then puts in place.
* :func:`write_folder` (a scan folder, ``overlap graph``): the complete new
  folder is built beside the target (``.NAME.overlap-XXXXXXXX.tmp``), then
  swapped in by one ``renameat2(RENAME_EXCHANGE)`` (Linux): at every moment
  ``NAME`` is the old folder or the new one. Entries of the old folder that
  this write neither replaces nor removes (a user's own notes, the scan files
  ``overlap graph`` does not rewrite) are carried over as hard links (a copy
  where the file system has none), so they survive and nothing large is
  copied. Where the exchange is not available the swap is two renames (old
  aside, new in); a kill between them leaves the old folder aside, and the
  next write to the same target puts it back first.

A killed run's leftovers (``.NAME.overlap-*.tmp`` beside the target, or in it)
are removed by the next write to the same target. A writer holds an ``flock``
on its temporary file or folder, so a run never removes the leftovers of one
still writing.

New files get mode ``0666 & ~umask`` and new folders ``0777 & ~umask``, as
``open()`` and ``mkdir`` give them (``mkstemp``/``mkdtemp`` would give 0600
and 0700); a folder that is replaced keeps its mode.

When the folder should not or cannot be swapped (a mount point; a parent
folder that is not writable; the current working directory lies inside it,
which a swap would leave pointing at the removed old folder; it holds
folders of its own or more than 10,000 entries, so it is more than an output
folder, say ``-o ~``), its files are replaced one by one instead: each file
whole, the set not.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import re
import secrets
import shutil
import tempfile
from pathlib import Path
from typing import IO, Callable, Iterable, Mapping, Union

__all__ = ["Content", "write_file", "write_folder", "clean_leftovers", "umask"]

#: What to write: the bytes, or a function that writes them into a binary file (for large streamed files).
Content = Union[bytes, Callable[[IO[bytes]], None]]

_TAG = ".overlap-"
_SUFFIX = ".tmp"
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def umask() -> int:
    """The process umask, read without changing it where Linux allows (``/proc/self/status``)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _is_leftover(entry: str, name: str | None = None) -> bool:
    """Whether a folder entry is a temporary file or folder of a write (to ``name``, or to anything).

    Earlier versions of overlap named theirs ``.NAME.XXXXXXXX.tmp``
    (``mkdtemp``'s eight characters); those are recognised too, so the first
    run after an upgrade cleans them.
    """
    if name is not None:
        return (entry.startswith(f".{name}{_TAG}") and entry.endswith(_SUFFIX)) or bool(
            re.fullmatch(rf"\.{re.escape(name)}\.[a-z0-9_]{{8}}\.tmp", entry))
    return entry.startswith(".") and _TAG in entry and entry.endswith(_SUFFIX)


def _temp_name(name: str, kind: str) -> str:
    return f".{name}{_TAG}{kind}{secrets.token_hex(4)}{_SUFFIX}"


def _lock(path: Path) -> int | None:
    """Hold an exclusive ``flock`` on a file or folder (None if taken: its writer is alive)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        try:
            path.unlink()
        except FileNotFoundError:
            pass


def clean_leftovers(target: str | os.PathLike[str]) -> list[Path]:
    """Remove what killed writes to ``target`` left beside it; return what was removed.

    A folder set aside by an interrupted two-rename swap is put back first
    when ``target`` itself is missing. Leftovers a live writer holds locked
    are left alone.
    """
    target = Path(target)
    parent = target.parent
    try:
        entries = sorted(e for e in os.listdir(parent) if _is_leftover(e, target.name))
    except OSError:
        return []
    removed: list[Path] = []
    for entry in entries:
        path = parent / entry
        fd = _lock(path)
        if fd is None:
            continue
        try:
            if entry.startswith(f".{target.name}{_TAG}old-") and not os.path.lexists(target):
                os.rename(path, target)
                continue
            _remove(path)
            removed.append(path)
        finally:
            os.close(fd)
    return removed


def _write(path: Path, content: Content) -> None:
    with open(path, "wb") as f:
        if isinstance(content, bytes):
            f.write(content)
        else:
            content(f)


def write_file(path: str | os.PathLike[str], content: Content) -> Path:
    """Write one file whole: a temporary file beside it, then ``os.replace``.

    >>> import tempfile, os
    >>> d = tempfile.mkdtemp()
    >>> write_file(os.path.join(d, "a.txt"), b"hello").read_bytes(), os.listdir(d)
    (b'hello', ['a.txt'])
    """
    path = Path(path)
    parent = path.parent if str(path.parent) else Path(".")
    parent.mkdir(parents=True, exist_ok=True)
    clean_leftovers(path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}{_TAG}", suffix=_SUFFIX, dir=parent)
    tmp = Path(tmp_name)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.fchmod(fd, 0o666 & ~umask())
        with open(fd, "wb", closefd=False) as f:
            if isinstance(content, bytes):
                f.write(content)
            else:
                content(f)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        os.close(fd)
    return path


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux ``renameat2``); False where the system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst, follow_symlinks=False)
    except OSError:
        shutil.copy2(src, dst, follow_symlinks=False)


def _carry_over(old: Path, new: Path, skip: set[str]) -> None:
    """Give the new folder every entry of the old one that this write does not own."""
    for entry in sorted(os.listdir(old)):
        if entry in skip or _is_leftover(entry):
            continue
        src, dst = old / entry, new / entry
        if src.is_symlink():
            os.symlink(os.readlink(src), dst)
        else:
            _link_or_copy(str(src), str(dst))


_MAX_CARRIED = 10_000


def _swappable(target: Path) -> bool:
    """Whether ``target`` can be replaced as a whole (see the module docstring for when it cannot)."""
    if os.path.ismount(target):
        return False
    cwd = Path.cwd().resolve()
    if cwd == target or target in cwd.parents:
        return False
    # a folder with folders of its own is more than an output folder (say, -o ~): never copy a tree
    with os.scandir(target) as entries:
        for n, entry in enumerate(entries):
            if n >= _MAX_CARRIED or (entry.is_dir(follow_symlinks=False) and not _is_leftover(entry.name)):
                return False
    return True


def write_folder(
    target: str | os.PathLike[str], files: Mapping[str, Content], *, remove: Iterable[str] = ()
) -> list[Path]:
    """Make ``target`` hold ``files`` (and no entry named in ``remove``) in one step; return the files' paths.

    Everything else already in ``target`` is kept (see the module docstring).

    >>> import tempfile, os
    >>> d = os.path.join(tempfile.mkdtemp(), "out")
    >>> _ = write_folder(d, {"a.txt": b"one"})
    >>> _ = write_folder(d, {"b.txt": b"two"}, remove=["a.txt"])
    >>> sorted(os.listdir(d)), sorted(os.listdir(os.path.dirname(d)))
    (['b.txt'], ['out'])
    """
    target = Path(os.path.realpath(target))
    names = list(files)
    for name in names:
        if not name or os.sep in name or name in (".", ".."):
            raise ValueError(f"not a plain file name: {name!r}")
    target.parent.mkdir(parents=True, exist_ok=True)
    clean_leftovers(target)
    exists = target.is_dir()
    if os.path.lexists(target) and not exists:
        raise NotADirectoryError(errno.ENOTDIR, "exists and is not a folder", str(target))
    if exists and not _swappable(target):
        return _write_in_place(target, files, remove)
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}{_TAG}", suffix=_SUFFIX, dir=target.parent))
    except PermissionError:
        if not exists:
            raise
        return _write_in_place(target, files, remove)
    lock = _lock(tmp)
    try:
        os.chmod(tmp, (target.stat().st_mode & 0o7777) if exists else (0o777 & ~umask()))
        for name in names:
            _write(tmp / name, files[name])
        if not exists:
            os.rename(tmp, target)
        else:
            _carry_over(target, tmp, {*names, *remove})
            _swap(tmp, target)
        return [target / n for n in names]
    finally:
        if lock is not None:
            os.close(lock)
        _remove(tmp)  # the old folder after a swap, or the unfinished new one


def _swap(new: Path, target: Path) -> None:
    """Put ``new`` at ``target``; afterwards ``new`` holds the old folder (or nothing)."""
    if _exchange(new, target):
        return
    aside = target.parent / _temp_name(target.name, "old-")
    os.rename(target, aside)
    try:
        os.rename(new, target)
    except BaseException:
        os.rename(aside, target)
        raise
    os.rename(aside, new)


def _write_in_place(target: Path, files: Mapping[str, Content], remove: Iterable[str]) -> list[Path]:
    """The fallback for a folder that cannot be swapped: each file replaced whole, one by one."""
    for entry in sorted(os.listdir(target)):
        if _is_leftover(entry):
            fd = _lock(target / entry)
            if fd is not None:
                _remove(target / entry)
                os.close(fd)
    written = [write_file(target / name, content) for name, content in files.items()]
    for name in remove:
        if name not in files:
            _remove(target / name)
    return written
