"""deploy/install into a throwaway root: files, modes and owners; a second run changes nothing; the
installed nginx site passes nginx -t and the installed unit systemd-analyze verify; uninstall leaves
only the state directory, and says so; an empty directory gets the account files it needs."""
import hashlib
import os
import shutil
import stat
import subprocess

import pytest

from conftest import REPO

INSTALL = os.path.join(REPO, "deploy", "install")
BINARY = os.path.join(REPO, ".build", "release", "claude-fcgi")


@pytest.fixture
def root(tmp_path):
    staging = tmp_path / "root"
    (staging / "etc").mkdir(parents=True)
    for name in ["passwd", "group", "shadow", "gshadow"]:
        shutil.copy2(f"/etc/{name}", staging / "etc" / name)
    return str(staging)


def install(root, *extra):
    result = subprocess.run([INSTALL, "--root", root, "--binary", BINARY, *extra], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def ids(root, name, file="passwd"):
    with open(os.path.join(root, "etc", file)) as f:
        for line in f:
            fields = line.split(":")
            if fields[0] == name:
                return int(fields[2])
    return None


def snapshot(root):
    """Every path under the root: type, mode, owner, content hash, modification time."""
    found = {}
    for directory, dirs, files in os.walk(root):
        for name in dirs + files:
            path = os.path.join(directory, name)
            info = os.lstat(path)
            digest = None
            if stat.S_ISREG(info.st_mode):
                with open(path, "rb") as f:
                    digest = hashlib.sha256(f.read()).hexdigest()
            elif stat.S_ISLNK(info.st_mode):
                digest = os.readlink(path)
            found[os.path.relpath(path, root)] = (oct(info.st_mode), info.st_uid, info.st_gid, digest, info.st_mtime_ns)
    return found


def host_accounts():
    return [open(f"/etc/{name}", "rb").read() for name in ["passwd", "group", "shadow", "gshadow"]]


def test_install_into_a_throwaway_root(root, tmp_path):
    accounts = host_accounts()
    out = install(root)
    assert "created user claude" in out and "systemctl enable --now claude-fcgi" in out and "curl " in out
    claude, group = ids(root, "claude"), ids(root, "claude", "group")
    assert claude is not None and group is not None
    assert host_accounts() == accounts, "the host's own accounts are not touched"
    with open(os.path.join(root, "etc", "passwd")) as f:
        entry = [line for line in f if line.startswith("claude:")][0].strip().split(":")
    assert entry[5] == "/var/lib/claude-fcgi/home" and entry[6] == "/usr/sbin/nologin"

    expected = {
        "usr/local/bin/claude-fcgi": (0o755, 0, 0),
        "etc/claude-fcgi": (0o750, 0, group),
        "etc/claude-fcgi/token": (0o600, claude, group),
        "etc/claude-fcgi/claude-fcgi.env": (0o640, 0, group),
        "etc/claude-fcgi/tls/key.pem": (0o600, 0, 0),
        "etc/systemd/system/claude-fcgi.service": (0o644, 0, 0),
        "etc/nginx/sites-available/claude-fcgi.conf": (0o644, 0, 0),
        "var/lib/claude-fcgi": (0o750, claude, group),
        "var/lib/claude-fcgi/home": (0o700, claude, group),
        "var/lib/claude-fcgi/workdir/.claude/agents/recruiter-triage.md": (0o640, claude, group),
    }
    for path, (mode, uid, gid) in expected.items():
        info = os.stat(os.path.join(root, path))
        assert (stat.S_IMODE(info.st_mode), info.st_uid, info.st_gid) == (mode, uid, gid), path
    token = open(os.path.join(root, "etc/claude-fcgi/token")).read()
    assert len(token) == 48 and int(token, 16) >= 0
    assert os.readlink(os.path.join(root, "etc/nginx/sites-enabled/claude-fcgi.conf")) == "/etc/nginx/sites-available/claude-fcgi.conf"
    # The env file names every option of the worker.
    env = open(os.path.join(root, "etc/claude-fcgi/claude-fcgi.env")).read()
    help_text = subprocess.run([BINARY, "--help"], capture_output=True, text=True).stdout
    for variable in sorted(set(w.strip("();,") for w in help_text.split() if w.startswith("CLAUDE_FCGI_"))):
        if variable != "CLAUDE_FCGI_TOKEN":
            assert f"#{variable}=" in env, variable

    # A second run changes nothing: no file, mode, owner, content or modification time.
    before = snapshot(root)
    again = install(root)
    assert snapshot(root) == before
    assert "nothing to change: already installed" in again

    # Yours once written: an edited token and settings file stay.
    with open(os.path.join(root, "etc/claude-fcgi/token"), "w") as f:
        f.write("mine")
    install(root)
    assert open(os.path.join(root, "etc/claude-fcgi/token")).read() == "mine"

    # The installed site passes nginx -t (certificate paths point into the root).
    site = open(os.path.join(root, "etc/nginx/sites-available/claude-fcgi.conf")).read()
    assert "fastcgi_pass unix:/run/claude-fcgi/fcgi.sock;" in site
    conf = tmp_path / "nginx-test.conf"
    shutil.copy("/etc/nginx/fastcgi_params", tmp_path / "fastcgi_params")
    (tmp_path / "site.conf").write_text(site.replace("/etc/claude-fcgi/", os.path.join(root, "etc/claude-fcgi/")))
    conf.write_text(f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
                    f"http {{ include {tmp_path}/site.conf; }}\n")
    checked = subprocess.run(["nginx", "-t", "-p", str(tmp_path), "-c", str(conf)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr

    # The installed unit: systemd-analyze verify has nothing to say (it names unknown keys, missing
    # commands and bad values; the commands are the packages' own, found on this machine).
    verified = subprocess.run(["systemd-analyze", "verify", os.path.join(root, "etc/systemd/system/claude-fcgi.service")],
                              capture_output=True, text=True)
    assert verified.returncode == 0 and verified.stdout + verified.stderr == "", verified.stdout + verified.stderr
    unit = open(os.path.join(root, "etc/systemd/system/claude-fcgi.service")).read()
    assert "ExecStart=/usr/bin/spawn-fcgi -n -s /run/claude-fcgi/fcgi.sock" in unit
    assert "-- /usr/bin/multiwatch -f ${CLAUDE_FCGI_WORKERS} -- /usr/local/bin/claude-fcgi" in unit
    # run-local starts the pool the same way.
    assert "exec spawn-fcgi -n" in open(os.path.join(REPO, "scripts", "run-local")).read()

    # Uninstall: nothing left but the state directory, and the output says so.
    (tmp_path / "root" / "var/lib/claude-fcgi/audit.log").write_text("{}\n")
    result = subprocess.run([INSTALL, "--root", root, "--uninstall"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "kept /var/lib/claude-fcgi" in result.stdout
    # useradd/userdel keep their backups (passwd- …) as on any Debian system.
    left = {p for p in snapshot(root) if not p.startswith("var/lib/claude-fcgi") and not p.endswith("-")}
    assert left == {"etc", "etc/passwd", "etc/group", "etc/shadow", "etc/gshadow", "etc/nginx", "etc/nginx/sites-available",
                    "etc/nginx/sites-enabled", "etc/systemd", "etc/systemd/system", "usr", "usr/local", "usr/local/bin",
                    "var", "var/lib"}, left
    assert ids(root, "claude") is None and ids(root, "claude", "group") is None
    assert os.path.exists(os.path.join(root, "var/lib/claude-fcgi/audit.log"))


def test_install_into_an_empty_directory(tmp_path):
    """No etc/passwd or etc/group: the root gets Debian's root and www-data, then claude's account."""
    root = str(tmp_path / "empty")
    os.mkdir(root)
    out = install(root)
    assert "created /etc/passwd with root and www-data" in out and "created /etc/group with root and www-data" in out
    assert "created user claude" in out
    assert (ids(root, "root"), ids(root, "root", "group")) == (0, 0)
    assert (ids(root, "www-data"), ids(root, "www-data", "group")) == (33, 33)
    claude, group = ids(root, "claude"), ids(root, "claude", "group")
    assert claude is not None and group is not None and claude not in (0, 33)
    for path, (mode, uid, gid) in {
        "etc/passwd": (0o644, 0, 0),
        "etc/group": (0o644, 0, 0),
        "etc/claude-fcgi/token": (0o600, claude, group),
        "etc/claude-fcgi/claude-fcgi.env": (0o640, 0, group),
        "var/lib/claude-fcgi/home": (0o700, claude, group),
    }.items():
        info = os.stat(os.path.join(root, path))
        assert (stat.S_IMODE(info.st_mode), info.st_uid, info.st_gid) == (mode, uid, gid), path

    before = snapshot(root)
    again = install(root)
    assert snapshot(root) == before
    assert "nothing to change: already installed" in again


def test_install_help_is_the_header():
    result = subprocess.run([INSTALL, "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "--root DIR" in result.stdout
    assert result.stdout.rstrip().endswith("and say so") and "set -e" not in result.stdout, result.stdout


def test_install_refuses_unknown_arguments(root):
    result = subprocess.run([INSTALL, "--root", root, "--bogus"], capture_output=True, text=True)
    assert result.returncode == 2 and "unknown argument --bogus" in result.stderr
