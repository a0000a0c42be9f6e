"""Decide whether a git source may be fetched, then fetch it with git under fixed limits."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

import git as gitpython
from git.refs.symbolic import SymbolicReference

from .checkout import human_size
from .netguard import checked_addresses, literal_address, split_url
from .record import HarvestError, HarvestOptions, NotARepository, UnsafeSource

# How often a running git is checked against the clock and the size cap.
_POLL_SECONDS = 0.2
# ls-remote answers in a second or two; a source that takes longer is treated as unknown.
_HEAD_TIMEOUT = 30.0
# The memory (heap and writable mappings) git may use beyond twice the repository cap. git keeps
# a server's list of refs in memory as it arrives: a server sending one without end would
# otherwise take all the memory there is (hundreds of MB a second) until the time limit.
_BASE_MEMORY = 1 << 30
# git reads "host:path" and "user@host:path" (a colon before any slash) as an SSH address.
_SCP_LIKE = re.compile(r"^[^/]*:")
# git's "<transport>::<address>" form (ext::, fd::) runs helpers; it is never a source.
_TRANSPORT = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*::")
# Kept from the caller's environment: where TLS roots live and where git's helpers are.
# Every other GIT_* variable is dropped: GIT_DIR or GIT_CONFIG_PARAMETERS inherited from a
# hook or a shell would redirect or reconfigure the fetch.
_KEPT_GIT_VARIABLES = {"GIT_SSL_CAINFO", "GIT_SSL_CAPATH", "GIT_EXEC_PATH"}


@dataclass(frozen=True)
class GitSource:
    """A source that passed the checks: what to give git, and the addresses it may connect to."""

    url: str
    local_path: Path | None = None
    #: ``host:port:address,…`` entries that pin git's connection to checked addresses.
    pins: tuple[str, ...] = ()
    #: A folder on this server: the commit its HEAD pointed at when it was checked.
    head: str | None = None


def refuse_unsafe_syntax(source: str) -> None:
    """Raise UnsafeSource for a source git would not read as a plain URL or path, whoever sends it.

    Control characters, a leading ``-`` (an option) and ``name::address`` (a transport helper
    such as ``ext::`` running a command) are refused for the operator too.
    """
    source = source.strip()
    if not source or any(ord(ch) < 32 or ord(ch) == 127 for ch in source):
        raise UnsafeSource("the source must be one URL or path, without control characters")
    if source.startswith("-"):
        raise UnsafeSource("a source cannot start with '-' (git would read it as an option)")
    if _TRANSPORT.match(source):
        raise UnsafeSource("git transport syntax (name::address) is not allowed")


def is_scp_like(source: str) -> bool:
    """Tell whether git would read a source without ``://`` as an SSH address (a colon before any slash)."""
    return "://" not in source and bool(_SCP_LIKE.match(source.strip()))


def scp_refusal(source: str) -> UnsafeSource:
    """Return the refusal of a source with a colon before any slash: an SSH address, or a scheme like ``javascript:``."""
    prefix = source.strip().split(":", 1)[0]
    if "@" in prefix or "." in prefix or not prefix:
        return UnsafeSource("SSH sources are not allowed (host:path); use the repository's https:// URL")
    return UnsafeSource(f"only https:// sources are allowed, not {prefix.lower()}:")


def resolve_source(source: str, *, options: HarvestOptions) -> GitSource:
    """Check a source against the options; raise UnsafeSource or NotARepository if refused."""
    refuse_unsafe_syntax(source)
    source = source.strip()
    lowered = source.lower()
    if "://" in source and any(ch.isspace() for ch in source):
        raise UnsafeSource("a URL cannot contain spaces")
    if lowered.startswith("file://"):
        parts = urlsplit(source)
        if parts.netloc not in ("", "localhost"):
            raise UnsafeSource("file:// URLs must name a path on this server")
        return _local_source(unquote(parts.path), options=options)
    if "://" in source:
        scheme = lowered.split("://", 1)[0]
        if scheme != "https":
            raise UnsafeSource(f"only https:// sources are allowed, not {scheme}://")
        return _https_source(source, options=options)
    if _SCP_LIKE.match(source):
        raise scp_refusal(source)
    return _local_source(source, options=options)


def _local_source(raw: str, *, options: HarvestOptions) -> GitSource:
    if not options.allow_local:
        raise UnsafeSource("local paths are not allowed here; submit the repository's https:// URL")
    path = Path(os.path.abspath(os.path.expanduser(raw)))
    if not path.exists():
        raise NotARepository(f"{path} does not exist")
    if not path.is_dir():
        raise NotARepository(f"{path} is not a directory")
    try:
        # The context manager closes the git helper processes GitPython starts.
        with gitpython.Repo(path) as repo:
            head = _head_commit(repo)
    except (gitpython.InvalidGitRepositoryError, gitpython.NoSuchPathError):
        raise NotARepository(f"{path} is not a git repository") from None
    if head is None:
        raise NotARepository(f"{path} is a git repository with no commits")
    return GitSource(url=path.as_uri(), local_path=path, head=head)


def _head_commit(repo: gitpython.Repo) -> str | None:
    # Read from the ref files only: asking git's object store would start a helper process.
    try:
        return SymbolicReference.dereference_recursive(repo, "HEAD")
    except ValueError:
        return None


def _https_source(url: str, *, options: HarvestOptions) -> GitSource:
    parts, host, given_port = split_url(url)
    port = given_port or 443
    if host != parts.hostname:
        # git and curl get the name in the form it was checked and pinned in (IDNA).
        url = urlunsplit(
            (parts.scheme, f"{host}:{parts.port}" if parts.port else host, parts.path, parts.query, parts.fragment)
        )
    if options.allow_private:
        return GitSource(url=url)
    addresses = checked_addresses(host, port, allow_private=False)
    if literal_address(host) is not None:
        return GitSource(url=url)  # an address is connected to as it is: nothing to resolve or pin
    # Pin git to the addresses just checked, so a second DNS answer (rebinding) can't
    # send the connection somewhere private.
    listed = ",".join(f"[{a}]" if ":" in a else a for a in addresses)
    return GitSource(url=url, pins=(f"{host}:{port}:{listed}",))


def _git_argv(*args: str, source: GitSource, options: HarvestOptions) -> list[str]:
    config = ["core.hooksPath=/dev/null", "protocol.allow=never", "protocol.https.allow=always"]
    if source.local_path is not None:
        config.append("protocol.file.allow=always")
    # An empty credential.helper stops git offering this server's stored credentials to
    # whichever host a submitted URL names.
    config += [
        "http.followRedirects=false",
        "core.symlinks=false",
        "credential.helper=",
        f"http.userAgent={options.user_agent}",
    ]
    config += [f"http.curloptResolve={pin}" for pin in source.pins]
    argv = ["git"]
    for item in config:
        argv += ["-c", item]
    return argv + list(args)


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_") or k in _KEPT_GIT_VARIABLES}
    # Neither the system's nor this account's git configuration applies: a filter driver,
    # template folder or URL rewrite set there for a person's work must not act on a
    # stranger's repository. Only the settings on the command line (_git_argv) count.
    env.update(
        GIT_TERMINAL_PROMPT="0",
        GIT_LFS_SKIP_SMUDGE="1",
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_ATTR_NOSYSTEM="1",
        LC_ALL="C",
    )
    return env


def clone(source: GitSource, dest: Path, *, options: HarvestOptions, checkout: bool = True) -> None:
    """Shallow-clone a checked source into dest, within the time and size limits.

    Without ``checkout`` only the commit and its folders (trees) are fetched when the server
    can filter, which hosts such as GitHub and GitLab do: the files' contents are fetched
    later, only those that are read (``fetch_objects``). A server that cannot filter sends
    everything, as a plain clone would. Nothing is ever fetched behind the harvester's back:
    the clone is not left as a "partial clone" that git would complete on its own when an
    object is missing.
    """
    flags = ["--depth", "1", "--single-branch", "--no-tags", "--no-recurse-submodules"]
    if not checkout:
        # No working tree, and no template files (sample hooks, descriptions): only objects.
        flags += ["--no-checkout", "--template=", "--filter=blob:none", *_local_upload_pack(source)]
    argv = _git_argv("clone", *flags, "--", source.url, str(dest), source=source, options=options)
    _run(
        argv,
        action="cloning the repository",
        timeout=options.timeout,
        watch=dest,
        max_bytes=options.max_repo_bytes,
        max_memory=memory_limit(options),
    )
    if not checkout:
        _no_lazy_fetch(dest)
    if tree_size(dest) > options.max_repo_bytes:
        raise HarvestError(f"the repository is larger than the {human_size(options.max_repo_bytes)} limit")


def fetch_objects(
    source: GitSource, dest: Path, oids: list[str], *, options: HarvestOptions, deadline: float | None = None
) -> None:
    """Fetch the named objects (files' contents) of a clone made without them, in one request.

    The same checked address, settings and limits as the clone; the repository size cap
    counts what the clone already holds, and ``deadline`` (a ``time.monotonic()`` value set
    when the clone started) keeps the harvest as a whole within the time limit.
    """
    if not oids:
        return
    remaining = options.timeout if deadline is None else deadline - time.monotonic()
    if remaining <= 0:
        raise HarvestError(f"harvesting the repository took longer than {options.timeout:g} seconds and was stopped")
    # "noop": ask for the objects without offering what the shallow clone has (a server
    # cannot walk history past the clone's single commit).
    argv = _git_argv(
        "-C",
        str(dest),
        "-c",
        "fetch.negotiationAlgorithm=noop",
        "-c",
        "maintenance.auto=false",
        "fetch",
        "--quiet",
        "--no-tags",
        "--no-write-fetch-head",
        "--recurse-submodules=no",
        *_local_upload_pack(source),
        "--",
        source.url,
        *oids,
        source=source,
        options=options,
    )
    _run(
        argv,
        action="fetching the repository's files",
        timeout=remaining,
        watch=dest,
        max_bytes=options.max_repo_bytes,
        max_memory=memory_limit(options),
        overtime=f"harvesting the repository took longer than {options.timeout:g} seconds and was stopped",
    )
    if tree_size(dest) > options.max_repo_bytes:
        raise HarvestError(f"the repository is larger than the {human_size(options.max_repo_bytes)} limit")


def _local_upload_pack(source: GitSource) -> list[str]:
    # A folder on this server is served by a git started here: let it filter, as hosts do.
    # (Not from a setting on the command line: git does not pass those to a local server.)
    return ["--upload-pack=git -c uploadpack.allowFilter=true upload-pack"] if source.local_path is not None else []


def _no_lazy_fetch(dest: Path) -> None:
    # A clone made with --filter marks its remote as a "promisor": git would then fetch any
    # missing object by itself (from the helper GitPython starts to read objects), outside the
    # settings, pins and limits above. Unmarked, a missing object is just missing.
    with gitpython.Repo(dest) as repo, repo.config_writer() as config:
        for section, option in (
            ('remote "origin"', "promisor"),
            ('remote "origin"', "partialclonefilter"),
            ("extensions", "partialclone"),
        ):
            if config.has_option(section, option):
                config.remove_option(section, option)


def remote_head(source: GitSource, *, options: HarvestOptions) -> str | None:
    """Return the commit the remote's HEAD points at, or None if it can't be learned."""
    argv = _git_argv("ls-remote", "--", source.url, "HEAD", source=source, options=options)
    try:
        out = _run(
            argv,
            action="asking for the latest commit",
            timeout=min(options.timeout, _HEAD_TIMEOUT),
            max_memory=memory_limit(options),
        )
    except HarvestError:
        return None
    for line in out.splitlines():
        commit, _, ref = line.partition("\t")
        if ref == "HEAD" and re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", commit):
            return commit
    return None


def tree_size(root: Path) -> int:
    """Return the bytes taken by the files under root (links are not followed)."""
    total = 0
    for folder, _dirs, files in os.walk(root):
        for name in files:
            try:
                total += os.lstat(os.path.join(folder, name)).st_size
            except OSError:
                continue  # git renames temporary files while it works
    return total


def memory_limit(options: HarvestOptions) -> int:
    """Return the bytes of memory a git run may take (its helpers each get the same limit)."""
    return _BASE_MEMORY + 2 * options.max_repo_bytes


def _with_memory_limit(argv: list[str], max_memory: int) -> list[str]:
    # The limit is set by a shell between fork and exec (Python's preexec_fn is not safe with
    # threads); git's helpers (git-remote-https, index-pack) inherit it. The number is passed as
    # an argument, never spliced into the script.
    if max_memory <= 0 or os.name != "posix":
        return argv
    return ["/bin/sh", "-c", 'ulimit -d "$0" 2>/dev/null; exec "$@"', str(max_memory // 1024), *argv]


def _run(
    argv: list[str],
    *,
    action: str,
    timeout: float,
    watch: Path | None = None,
    max_bytes: int = 0,
    max_memory: int = 0,
    overtime: str | None = None,
) -> str:
    try:
        # A session of its own, so a timeout can stop git and the helpers it starts.
        proc = subprocess.Popen(
            _with_memory_limit(argv, max_memory),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=_environment(),
            start_new_session=True,
        )
    except FileNotFoundError:
        raise HarvestError("git is not installed on this server") from None
    deadline = time.monotonic() + timeout
    while True:
        try:
            out, err = proc.communicate(timeout=_POLL_SECONDS)
            break
        except subprocess.TimeoutExpired:
            if time.monotonic() > deadline:
                _stop(proc)
                raise HarvestError(
                    overtime or f"{action} took longer than {timeout:g} seconds and was stopped"
                ) from None
            if watch is not None and watch.exists() and tree_size(watch) > max_bytes:
                _stop(proc)
                raise HarvestError(f"the repository is larger than the {human_size(max_bytes)} limit") from None
    if proc.returncode == 127 and max_memory:
        raise HarvestError("git is not installed on this server")  # the shell could not find it
    if proc.returncode != 0:
        raise HarvestError(f"{action} failed: {_reason(err.decode('utf-8', errors='replace'))}")
    return out.decode("utf-8", errors="replace")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate()


_REASONS = (
    ("out of memory", "git ran out of the memory it may use (the server sent too much)"),
    ("repository not found", "the repository was not found"),
    ("does not appear to be a git repository", "the repository was not found"),
    ("returned error: 404", "the repository was not found"),
    ("terminal prompts disabled", "the repository is private or needs a login"),
    ("authentication failed", "the repository is private or needs a login"),
    ("returned error: 30", "the server answered with a redirect, which is not followed; use the final URL"),
    ("could not resolve host", "the host could not be found"),
    ("failed to connect", "could not connect to the server"),
    ("couldn't connect", "could not connect to the server"),
    ("connection refused", "could not connect to the server"),
    ("timed out", "the server did not answer in time"),
    ("certificate", "the server's TLS certificate was not accepted"),
    ("ssl", "the secure connection to the server failed"),
)


def _reason(stderr: str) -> str:
    lowered = stderr.lower()
    for needle, reason in _REASONS:
        if needle in lowered:
            return reason
    for line in stderr.splitlines():
        if line.startswith(("fatal:", "error:")):
            return " ".join(line.split(":", 1)[1].split())[:160]
    return "git stopped with an error"
