#!/bin/sh
# Installs the Debian packages desk needs to build and test, and only the
# missing ones: libraries are found missing through pkg-config, tools
# through the PATH.  Says what it installs; silent when all are there.
set -eu

missing=""
need_pc() { # pkg-config name, Debian package
	pkg-config --exists "$1" 2>/dev/null || missing="$missing $2"
}
need_cmd() { # command, Debian package
	command -v "$1" >/dev/null 2>&1 || missing="$missing $2"
}

need_cmd cc gcc
need_cmd make make
need_cmd pkg-config pkg-config
if command -v pkg-config >/dev/null 2>&1; then
	need_pc ncursesw libncurses-dev
	need_pc sqlite3 libsqlite3-dev
	need_pc yaml-0.1 libyaml-dev
	need_pc check check
	need_pc gmime-3.0 libgmime-3.0-dev
	need_pc libcmark libcmark-dev # the knowledge base's Markdown
	need_pc libpq libpq-dev       # the PostgreSQL engine
else
	missing="$missing libncurses-dev libsqlite3-dev libyaml-dev check libgmime-3.0-dev libcmark-dev libpq-dev"
fi
# the PostgreSQL engine's tests run a throwaway cluster
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$missing postgresql"
need_cmd tmux tmux         # end-to-end tests drive the console in tmux
need_cmd sqlite3 sqlite3   # tests and benchmarks compare with the shell
need_cmd script bsdutils   # a pseudo-terminal for first-screen timing
need_cmd clang clang       # the fuzz targets (libFuzzer)
need_cmd python3 python3   # JSON checks (CLI tests), recorders (tests/priv)
need_cmd run-mailcap mailcap # the console opens attachments through mailcap
# tests/priv: real Unix users and a setgid desk (run as root)
need_cmd useradd passwd
need_cmd setpriv util-linux
need_cmd findmnt util-linux
# tests/fault: a full or read-only tmpfs in a private mount namespace
need_cmd unshare util-linux
need_cmd mount mount
# make unit-pg: a throwaway PostgreSQL cluster (tests/pg/cluster.sh).  The
# server's binaries live outside the PATH, one folder per major version.
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 ||
	missing="$missing postgresql"
# libFuzzer's runtime ships apart from clang itself
ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1 ||
	missing="$missing libclang-rt-dev"
# A real MTA for the mail end-to-end test, only on a box that has none:
# installing exim would replace another MTA the admin chose.
command -v exim4 >/dev/null 2>&1 || [ -e /usr/sbin/sendmail ] ||
	missing="$missing exim4-daemon-light"

[ -z "$missing" ] && exit 0

echo "make deps: installing:$missing"
if [ "$(id -u)" -ne 0 ]; then
	SUDO=sudo
	command -v sudo >/dev/null 2>&1 || {
		echo "make deps: not root and no sudo; install as root:" >&2
		echo "  apt-get install$missing" >&2
		exit 1
	}
else
	SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
