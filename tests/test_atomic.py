"""Outputs all or nothing: kills at every step, SIGTERM, leftovers, the umask, foreign files."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from overlap.cli import main
from overlap.model import Document
from overlap.params import ParaphraseParams, Params
from overlap.pipeline import scan
from overlap.report.folder import write_scan

ROOT = Path(__file__).parent.parent
TEXT = "the same wire story about grain exports rising again this year and the ministry said more would follow "
NO_PARAPHRASE = Params(paraphrase=ParaphraseParams(enabled=False))


def _docs(tag: str) -> list[Document]:
    return [Document(f"{tag}{i}", TEXT * 3 + f" {tag} {i}", source=f"s{i}") for i in range(3)]


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def _env() -> dict[str, str]:
    # one BLAS/OpenMP thread: the crash test forks its writer, and a fork never inherits a pool
    return {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
            "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}


# A child that builds two scans, then for step N = 1, 2, ... forks a writer that replaces the old
# scan folder with the new one and dies like kill -9 (os._exit: no finally, no cleanup) at its N-th
# file-system change. After each death it records what the folder holds, runs the next write, and
# records what is left beside the folder.
_CRASH_EVERY_STEP = textwrap.dedent(r"""
    import json, os, shutil, sys
    from pathlib import Path
    from overlap.model import Document
    from overlap.params import Params, ParaphraseParams
    from overlap.pipeline import scan
    from overlap.report.folder import write_scan

    work = Path(sys.argv[1])
    text = sys.argv[2]
    params = Params(paraphrase=ParaphraseParams(enabled=False))
    def docs(tag):
        return [Document(f"{tag}{i}", text * 3 + f" {tag} {i}", source=f"s{i}") for i in range(3)]
    def files(folder):
        return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}
    MUTATING = {"os.rename", "os.remove", "os.rmdir", "os.mkdir", "shutil.rmtree", "os.link", "os.symlink",
                "os.chmod", "ctypes.call_function", "shutil.copyfile", "shutil.copymode"}
    WRITE = os.O_WRONLY | os.O_RDWR | os.O_CREAT
    with scan(docs("old"), params) as old, scan(docs("new"), params) as new:
        write_scan(old, work / "ref-old", graph_formats=("gexf", "csv"))
        write_scan(new, work / "ref-new", graph_formats=("gexf",))
        want_old = {**files(work / "ref-old"), "notes.txt": b"mine"}
        want_new = {**files(work / "ref-new"), "notes.txt": b"mine"}
        states = []
        for step in range(1, 500):
            run = work / "run"
            shutil.rmtree(run, ignore_errors=True)
            run.mkdir()
            shutil.copytree(work / "ref-old", run / "out")
            (run / "out" / "notes.txt").write_bytes(b"mine")
            pid = os.fork()
            if pid == 0:
                seen = [0]
                def hook(event, args):
                    if event in MUTATING or (event == "open" and isinstance(args[2], int) and args[2] & WRITE):
                        seen[0] += 1
                        if seen[0] == step:
                            os._exit(9)
                sys.addaudithook(hook)
                write_scan(new, run / "out", graph_formats=("gexf",))
                os._exit(0)
            _, status = os.waitpid(pid, 0)
            code = os.waitstatus_to_exitcode(status)
            out = run / "out"
            got = files(out) if out.is_dir() else None
            state = "old" if got == want_old else "new" if got == want_new else "missing" if got is None else "mixed"
            beside = sorted(p.name for p in run.iterdir())
            write_scan(new, out, graph_formats=("gexf",))
            states.append({"step": step, "state": state, "beside": beside,
                           "after_next_run": sorted(p.name for p in run.iterdir()),
                           "next_run_complete": files(out) == want_new})
            if code == 0:
                break
    print(json.dumps(states))
""")


def test_a_kill_at_any_step_of_replacing_a_scan_folder_leaves_the_old_or_the_new_one(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-c", _CRASH_EVERY_STEP, str(tmp_path), TEXT], env=_env(),
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    states = json.loads(proc.stdout)
    assert len(states) > 10  # the write has many steps, each one killed once
    assert states[-1]["state"] == "new"
    assert [s for s in states if s["state"] not in ("old", "new")] == []
    # whatever a killed run left beside the folder, the next run removes it and writes a complete folder
    assert [s for s in states if s["after_next_run"] != ["out"] or not s["next_run_complete"]] == []
    assert any(s["beside"] != ["out"] for s in states)  # some kills did leave temporary folders to clean


_SIGTERM_DURING_WRITE = textwrap.dedent(r"""
    import os, signal, sys
    from overlap.cli import main

    def hook(event, args):
        # the first write of clusters.json is inside the temporary folder: terminate the run there
        if event == "open" and str(args[0]).endswith("clusters.json") and isinstance(args[2], int) \
                and args[2] & (os.O_WRONLY | os.O_RDWR) and not getattr(hook, "done", False):
            hook.done = True
            os.kill(os.getpid(), signal.SIGTERM)
    sys.addaudithook(hook)
    main(sys.argv[1:], prog_name="overlap")
""")


def test_sigterm_during_a_scan_write_cleans_up_and_keeps_the_old_folder(tmp_path: Path) -> None:
    corpus = tmp_path / "in.jsonl"
    corpus.write_text("".join(json.dumps({"id": d.id, "text": d.text, "source": d.source}) + "\n"
                              for d in _docs("new")), encoding="utf-8")
    out = tmp_path / "out"
    with scan(_docs("old"), NO_PARAPHRASE) as old:
        write_scan(old, out)
    before = _files(out)
    proc = subprocess.run([sys.executable, "-c", _SIGTERM_DURING_WRITE, "scan", str(corpus), "-o", str(out), "-q",
                           "--no-paraphrase"], env=_env(), capture_output=True, text=True, timeout=300)
    assert (proc.returncode, proc.stderr) == (130, "overlap: interrupted\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "out"]
    assert _files(out) == before


def test_a_rescan_removes_files_of_the_earlier_scan_and_keeps_foreign_ones(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with scan(_docs("old"), NO_PARAPHRASE) as old:
        write_scan(old, out, graph_formats=("gexf", "csv"))
    (out / "notes.txt").write_text("mine")
    (out / "mine").mkdir()
    (out / "mine" / "deep.txt").write_text("deep")
    with scan(_docs("new"), NO_PARAPHRASE) as new:
        write_scan(new, out, graph_formats=("gexf",))
    assert not (out / "graph_edges.csv").exists()  # stale: it would describe the old scan
    assert (out / "notes.txt").read_text() == "mine" and (out / "mine" / "deep.txt").read_text() == "deep"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_graph_rewrites_its_files_and_keeps_the_scan(tmp_path: Path) -> None:
    with scan(_docs("old"), NO_PARAPHRASE) as old:
        write_scan(old, tmp_path / "scan")
    matches = (tmp_path / "scan" / "matches.jsonl").read_bytes()
    result = CliRunner().invoke(main, ["graph", str(tmp_path / "scan"), "--format", "csv"], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "scan" / "matches.jsonl").read_bytes() == matches
    assert (tmp_path / "scan" / "graph_edges.csv").exists() and (tmp_path / "scan" / "graph.gexf").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scan"]


@pytest.mark.parametrize("mask", [0o022, 0o027])
def test_new_outputs_get_the_modes_of_the_umask(tmp_path: Path, mask: int) -> None:
    previous = os.umask(mask)
    try:
        with scan(_docs("old"), NO_PARAPHRASE) as old:
            write_scan(old, tmp_path / "scan")
        runner = CliRunner()
        assert runner.invoke(main, ["graph", str(tmp_path / "scan"), "-o", str(tmp_path / "graphs")]).exit_code == 0
        assert runner.invoke(main, ["report", str(tmp_path / "scan"), "--format", "html", "-o",
                                    str(tmp_path / "r" / "page.html")]).exit_code == 0
    finally:
        os.umask(previous)
    folders = [tmp_path / "scan", tmp_path / "graphs", tmp_path / "r"]
    files = [p for d in folders for p in d.iterdir()]
    assert {oct(stat.S_IMODE(d.stat().st_mode)) for d in folders} == {oct(0o777 & ~mask)}
    assert {oct(stat.S_IMODE(p.stat().st_mode)) for p in files} == {oct(0o666 & ~mask)}


def test_a_replaced_folder_keeps_its_mode(tmp_path: Path) -> None:
    from overlap.atomic import write_folder

    out = tmp_path / "out"
    write_folder(out, {"a": b"1"})
    out.chmod(0o750)
    write_folder(out, {"a": b"2"})
    assert stat.S_IMODE(out.stat().st_mode) == 0o750 and (out / "a").read_bytes() == b"2"


def test_a_folder_holding_the_working_directory_is_updated_in_place(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from overlap.atomic import write_folder

    out = tmp_path / "out"
    write_folder(out, {"a": b"1", "b": b"1"})
    monkeypatch.chdir(out)
    write_folder(out, {"a": b"2"}, remove=["b"])
    assert sorted(os.listdir(".")) == ["a"] and Path("a").read_bytes() == b"2"  # the shell's folder is still it


def test_a_folder_with_folders_of_its_own_is_updated_in_place(tmp_path: Path) -> None:
    from overlap.atomic import write_folder

    home = tmp_path / "home"
    (home / "projects").mkdir(parents=True)
    (home / "projects" / "big.bin").write_bytes(b"x")
    inode = home.stat().st_ino
    write_folder(home, {"report.md": b"new"})
    assert home.stat().st_ino == inode  # not swapped: nothing of the tree was copied or moved
    assert sorted(os.listdir(home)) == ["projects", "report.md"] and sorted(os.listdir(tmp_path)) == ["home"]


def test_leftovers_of_a_live_writer_are_not_removed(tmp_path: Path) -> None:
    import fcntl

    from overlap.atomic import write_file, write_folder

    live = tmp_path / ".out.overlap-feedbeef.tmp"
    dead = tmp_path / ".out.overlap-deadbeef.tmp"
    live.mkdir()
    dead.mkdir()
    fd = os.open(live, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        write_folder(tmp_path / "out", {"a": b"1"})
        assert sorted(p.name for p in tmp_path.iterdir()) == [live.name, "out"]
    finally:
        os.close(fd)
    write_file(tmp_path / "out" / "b", b"2")
    write_folder(tmp_path / "out", {"a": b"1"})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_leftovers_of_earlier_versions_are_removed(tmp_path: Path) -> None:
    from overlap.atomic import write_folder

    (tmp_path / ".out.k2j_9x0a.tmp").mkdir()  # what a killed run of the old writer left
    (tmp_path / ".out.notes.tmp").write_text("not ours: wrong shape")
    write_folder(tmp_path / "out", {"a": b"1"})
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.notes.tmp", "out"]


def test_a_folder_set_aside_by_an_interrupted_swap_is_put_back(tmp_path: Path) -> None:
    from overlap.atomic import write_folder

    aside = tmp_path / ".out.overlap-old-0badf00d.tmp"
    aside.mkdir()
    (aside / "notes.txt").write_text("mine")
    write_folder(tmp_path / "out", {"a": b"1"})
    assert sorted(os.listdir(tmp_path / "out")) == ["a", "notes.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_sigterm_handler_is_restored_after_a_command(tmp_path: Path) -> None:
    before = signal.getsignal(signal.SIGTERM)
    CliRunner().invoke(main, ["report", str(tmp_path / "missing")])
    assert signal.getsignal(signal.SIGTERM) is before
